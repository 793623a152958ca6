#include "cli/print.hpp"

#include <cstdio>

namespace vpngw::cli {

void print_diagnostics(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics.all()) std::fprintf(stderr, "%s\n", d.str().c_str());
}

void print_error(const Error& error) {
    std::fprintf(stderr, "%s\n", error.str().c_str());
}

}  // namespace vpngw::cli
