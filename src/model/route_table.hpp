#pragma once

#include <cstdint>

namespace vpngw::model {

// The routing tables the kernel gives a meaning of its own, by id, named as
// `ip route` names them; nullptr for every other id.
inline const char* reserved_table_name(std::int64_t id) {
    switch (id) {
        case 0:
            return "unspec";
        case 253:
            return "default";
        case 254:
            return "main";
        case 255:
            return "local";
        default:
            return nullptr;
    }
}

}  // namespace vpngw::model
