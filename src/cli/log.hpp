#pragma once

// Log lines on stderr ("warning: ..."), shown by level as -v asks. A narrow
// front for spdlog, so that log.cpp alone compiles its headers. Under systemd
// (stderr is the journal) each line is a journal entry instead, and event()
// adds the fields operators search by (service_manager/journal.hpp).

#include <string>

#include "service_manager/journal.hpp"

namespace vpngw::cli::log {

// Once, after parsing: 0 warnings and errors, 1 also info, 2 also debug.
void setup(int verbosity);

void info(const std::string& message);
void warn(const std::string& message);
void error(const std::string& message);

// A change to the gateway (an apply, a peer added or removed, an uplink going
// down): logged like info() (or warn() with warning = true) and, wherever a
// journal runs, also stored there with `fields` whatever -v says, so
// `journalctl -u vpngw@NAME PEER=alice` finds it even when it was made from a
// shell.
void event(const std::string& message, const service_manager::JournalFields& fields,
           bool warning = false);

// Stores a change in the journal with its fields (as event() does) for a
// command that already printed it on its terminal.
void record(const std::string& message, const service_manager::JournalFields& fields);

}  // namespace vpngw::cli::log
