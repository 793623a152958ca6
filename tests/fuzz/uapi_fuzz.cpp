// libFuzzer target: wireguard-go's UAPI replies (the text a userspace
// device's socket answers to get=1 and set=1). Any bytes yield a device or
// an error, never a crash; seeds are replies captured from wireguard-go.

#include <cstdint>
#include <string_view>

#include "wg/uapi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)vpngw::wg::uapi::parse_get_response(text);
    (void)vpngw::wg::uapi::parse_errno_response(text);
    return 0;
}
