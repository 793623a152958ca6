// libFuzzer target: any bytes given to the profile loader must yield a result
// (never a crash, hang or sanitizer report), and a loaded profile must be
// consistent with what the loader promises.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "profile/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto result = vpngw::profile::load_string(text, "fuzz.toml");
    if (result.profile.has_value() == result.diagnostics.has_errors()) std::abort();
    for (const auto& d : result.diagnostics.all()) {
        if (d.message.empty() || d.message.find('\n') != std::string::npos) std::abort();
        (void)d.str();
    }
    if (result.profile) {
        for (const auto& u : result.profile->uplinks)
            if (u.table == 0 || u.fwmark == 0) std::abort();  // every uplink gets ids
        for (const auto& g : result.profile->groups) {
            // A local network sits behind its device; a group behind a
            // WireGuard interface of the profile.
            if (g.is_network()
                    ? !g.interface.empty()
                    : g.interface.empty() || !result.profile->find_interface(g.interface))
                std::abort();
        }
    }
    return 0;
}
