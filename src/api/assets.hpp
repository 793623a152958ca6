#pragma once

// The web page and the OpenAPI document, compiled in from src/api/web/ (see
// cmake/embed.cmake): `vpngw serve` needs no files beside the binary and nothing
// from the internet, at build time or at run time.

#include <span>
#include <string_view>

namespace vpngw::api {

struct Asset {
    std::string_view name;  // file name in src/api/web/: "index.html"
    std::string_view text;
};

std::span<const Asset> assets();

// The asset of that name, or nullptr.
const Asset* find_asset(std::string_view name);

}  // namespace vpngw::api
