#pragma once

// For tests that touch the kernel: moves the test process into its own
// network and mount namespace, with a private tmpfs on /run/wireguard (so
// wireguard-go sockets of other tests and namespaces are invisible) and `lo`
// up. Children (ip, wg, wireguard-go) inherit it; it vanishes with the process.

#include <string>

namespace vpngw::test {

// Empty on success, otherwise why the sandbox could not be made. Idempotent.
std::string enter_sandbox();

struct Cmd {
    int status = -1;  // exit status, -1 if it did not exit normally
    std::string out;  // stdout and stderr
};
// Runs a shell command (test helper only) and captures its output.
Cmd sh(const std::string& command);

}  // namespace vpngw::test
