#include "golden_file.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vpngw::wg::test {

std::vector<std::vector<std::uint8_t>> read_golden(const std::string& name) {
    std::string path = std::string(VPNGW_SOURCE_DIR) + "/tests/wg/golden/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open golden file " + path);
    std::vector<std::vector<std::uint8_t>> msgs;
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        std::string w;
        while (words >> w) {
            if (w == "@message") {
                msgs.emplace_back();
                continue;
            }
            if (w.size() != 2 || !std::isxdigit(static_cast<unsigned char>(w[0])) ||
                !std::isxdigit(static_cast<unsigned char>(w[1])) || msgs.empty())
                throw std::runtime_error("bad token '" + w + "' in " + path);
            msgs.back().push_back(static_cast<std::uint8_t>(std::stoul(w, nullptr, 16)));
        }
    }
    return msgs;
}

std::string hex_dump(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    char b[4];
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::snprintf(b, sizeof b, "%02x", bytes[i]);
        out += b;
        out += (i % 16 == 15) ? '\n' : ' ';
    }
    return out;
}

}  // namespace vpngw::wg::test
