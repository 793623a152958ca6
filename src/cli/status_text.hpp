#pragma once

// The human-readable `vpngw status`: tables of interfaces, groups and peers,
// then conntrack, drop counters, the pending apply and drift.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gateway/status.hpp"

namespace vpngw::cli {

std::string status_text(const gateway::StatusReport& report);

// The peer table (and the quota lines after it) built one peer at a time,
// as gather_status hands the peers over: at 50,000 peers its text is all that
// is kept of them.
class StatusPeerText {
  public:
    void add(const gateway::PeerStatus& peer);
    bool empty() const { return count_ == 0; }
    const std::string& lines() const { return lines_; }
    const std::string& quotas() const { return quotas_; }

  private:
    std::size_t count_ = 0;
    std::string lines_;   // the table, header first
    std::string quotas_;  // the quota lines, header first; empty without quotas
};
// status_text with the peers from `peers` instead of report.peers, handed
// to `write` in parts (the peer table is not copied).
void write_status_text(const gateway::StatusReport& report, const StatusPeerText& peers,
                       const std::function<void(std::string_view)>& write);

// "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for 0.
std::string age_text(std::int64_t seconds_ago);
// "512 B", "1.5 KiB", ...
std::string bytes_text(std::uint64_t n);

}  // namespace vpngw::cli
