#include "support/profile_text.hpp"

#include <stdexcept>

namespace vpngw::profile::test {

std::vector<std::string> lines_of(const LoadResult& r, Severity s) {
    std::vector<std::string> out;
    for (const auto& d : r.diagnostics.all()) {
        if (d.severity != s) continue;
        std::string line = d.str();
        const std::string prefix = d.where.file + ":";
        if (line.rfind(prefix, 0) == 0) line.erase(0, prefix.size());
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> errors_of(const std::string& text) {
    return lines_of(load_string(text, "t.toml"), Severity::error);
}

std::vector<std::string> warnings_of(const std::string& text) {
    return lines_of(load_string(text, "t.toml"), Severity::warning);
}

std::string base_profile() {
    return "[gateway]\n"                                       // 1
           "name = \"gw\"\n"                                   // 2
           "endpoint = \"vpn.example.net:51820\"\n"            // 3
           "[[interface]]\n"                                   // 4
           "name = \"wg0\"\n"                                  // 5
           "address = [\"10.8.0.1/16\", \"fd08::1/64\"]\n"     // 6
           "[firewall]\n"                                      // 7
           "management = { allow = [\"198.51.100.7/32\"] }\n"  // 8
           "# end of base\n";                                  // 9
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::logic_error("test text lacks: " + from);
    return text.replace(at, from.size(), to);
}

}  // namespace vpngw::profile::test
