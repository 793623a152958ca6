#pragma once

namespace vpngw::cli {

// Parses the command line, runs one subcommand and returns the process exit
// status. The only layer that prints or decides exit codes.
int run(int argc, char** argv);

}  // namespace vpngw::cli
