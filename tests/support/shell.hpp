#pragma once

// Runs real tools (`ip`, `sysctl`) inside the test's network namespace, so
// tests check what the kernel holds through a program vpngw did not write.

#include <string>

namespace vpngw::netlink::test {

struct Output {
    int status = -1;   // exit status; -1 when the command did not run
    std::string text;  // stdout and stderr
};

Output shell(const std::string& command);
// Runs a setup command that must succeed; reports a test failure otherwise.
void must(const std::string& command);
// Whether `text` holds a line that contains `fragment`.
bool has_line(const std::string& text, const std::string& fragment);

}  // namespace vpngw::netlink::test
