// libFuzzer target: the wg-quick parser (`vpngw import wg-quick`). Any bytes
// yield a config or a located error; a parsed config renders (keys inline)
// to text the parser reads back to the same number of peers and addresses.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wgquick/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = vpngw::wgquick::parse(text, "fuzz.conf");
    if (!config) {
        if (config.error().str().empty()) std::abort();
        return 0;
    }
    vpngw::wgquick::RenderOptions options;
    options.secrets = vpngw::wgquick::Secrets::inline_keys;
    const auto rendered = vpngw::wgquick::render(*config, options);
    auto again = vpngw::wgquick::parse(rendered.view(), "rendered.conf");
    if (!again || again->peers.size() != config->peers.size() ||
        again->addresses.size() != config->addresses.size())
        std::abort();
    return 0;
}
