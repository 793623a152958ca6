#include "image/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vpngw::image {

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read " + path + ": " + std::strerror(errno), {}};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace vpngw::image
