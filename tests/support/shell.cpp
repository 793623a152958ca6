#include "support/shell.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace vpngw::netlink::test {

Output shell(const std::string& command) {
    Output out;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return out;
    char chunk[4096];
    std::size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) out.text.append(chunk, n);
    int status = ::pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

void must(const std::string& command) {
    auto out = shell(command);
    ASSERT_EQ(out.status, 0) << "setup command failed: " << command << "\n" << out.text;
}

bool has_line(const std::string& text, const std::string& fragment) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find(fragment) != std::string::npos) return true;
    return false;
}

}  // namespace vpngw::netlink::test
