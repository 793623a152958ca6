#include "cli/cli_doc.hpp"

namespace vpngw::cli {

std::string CommandDoc::full_name() const {
    std::string name = "vpngw";
    for (const auto& p : path) name += " " + p;
    return name;
}

}  // namespace vpngw::cli
