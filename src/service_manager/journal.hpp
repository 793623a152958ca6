#pragma once

// Structured journal entries (sd_journal_sendv(3)): a message plus the fields
// operators filter on, so `journalctl -u vpngw@office PEER=alice` finds every
// change to alice. Sending is best effort: without a running journald it
// silently does nothing.

#include <string>
#include <string_view>

namespace vpngw::service_manager {

// syslog(3) priorities, as the journal's PRIORITY= field takes them.
enum class Priority { error = 3, warning = 4, info = 6, debug = 7 };

// The fields vpngw sets; an empty one is left out of the entry.
struct JournalFields {
    std::string op;      // OP=: what happened ("up", "peer-add", "uplink-down", ...)
    std::string peer;    // PEER=
    std::string group;   // GROUP=
    std::string uplink;  // UPLINK=
    // OBJECT_SYSTEMD_UNIT=: the unit the entry is about. journalctl -u UNIT
    // also shows root's entries that name it, so `vpngw peer add` run from a
    // shell is found under the gateway's unit.
    std::string unit;
};

// True when this process's stderr is connected to the journal
// ($JOURNAL_STREAM names stderr's device and inode): log lines then go to the
// journal as entries, not as text the journal would store a second time.
bool stderr_is_journal();

// Sends one entry (SYSLOG_IDENTIFIER=vpngw). Returns false when no journal
// took it.
bool journal_send(Priority priority, std::string_view message, const JournalFields& fields);

// "vpngw@NAME.service" for a profile at /etc/vpngw/NAME.toml (the path the
// unit applies), or "" for a profile elsewhere.
std::string unit_for_profile(std::string_view profile_path);

}  // namespace vpngw::service_manager
