#include "image/files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vpngw::image {

Status write_file(const std::string& path, std::string_view bytes, mode_t mode) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) return Error{"creating the directory of " + path + ": " + ec.message(), {}};
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Error{"writing " + path + ": " + std::strerror(errno), {}};
    // chmod after writing: the mode must not depend on the caller's umask.
    if (::chmod(path.c_str(), mode) != 0)
        return Error{"chmod " + path + ": " + std::strerror(errno), {}};
    return ok_status();
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read " + path + ": " + std::strerror(errno), {}};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace vpngw::image
