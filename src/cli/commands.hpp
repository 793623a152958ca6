#pragma once

#include <functional>
#include <vector>

#include "cli/cli_doc.hpp"
#include "cli/command.hpp"

namespace vpngw::cli {

// The command table: each cmd_*.cpp describes its subcommands, in the order
// `vpngw --help` lists them. Commands print; libraries below them only
// return values.
std::vector<Command> check_commands();
std::vector<Command> plan_commands();
std::vector<Command> up_commands();  // up, down
std::vector<Command> status_commands();
std::vector<Command> monitor_commands();
std::vector<Command> dns_commands();  // dns serve
std::vector<Command> peer_commands();
std::vector<Command> log_commands();      // the audit trail of peer changes
std::vector<Command> confirm_commands();  // confirm, rollback, the revert timer
std::vector<Command> image_commands();    // image build, image cloud-init
std::vector<Command> metrics_commands();
std::vector<Command> migrate_commands();  // import, export
std::vector<Command> serve_commands();    // serve: the API and web page
std::vector<Command> token_commands();    // token create|list|revoke
Command peer_link_command();              // peer link (cmd_token.cpp)
std::vector<Command> cluster_commands();  // cluster render, cluster follow
Command cluster_follow_command();

// completion and help-man describe the whole command line, which only the
// parser built from the table knows: app.cpp passes `describe`.
std::vector<Command> manual_commands(std::function<CommandDoc()> describe);

}  // namespace vpngw::cli
