#include "cli/print.hpp"

#include <cstdio>

#include "cli/exit_codes.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::cli {

void print_diagnostics(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics.all()) std::fprintf(stderr, "%s\n", d.str().c_str());
}

void print_error(const Error& error) {
    std::fprintf(stderr, "%s\n", error.str().c_str());
}

int print_or_write(std::string_view text, const std::string& path, mode_t mode) {
    if (path.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kExitOk;
    }
    if (auto st = store::atomic_write_file(path, text, mode); !st) {
        print_error(st.error());
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace vpngw::cli
