#include "image/templates.hpp"

namespace vpngw::image {

const Template* find_template(std::string_view path) {
    for (const auto& t : templates())
        if (t.path == path) return &t;
    return nullptr;
}

}  // namespace vpngw::image
