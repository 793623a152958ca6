#pragma once

// The outcome of the last `vpngw up`, kept in <state_dir>/last-apply so
// `vpngw status` and `vpngw metrics` can report how long it took and whether
// it worked, long after the command itself has exited:
//
//   finished = 1714564800     unix seconds
//   duration_ms = 412
//   result = ok               ok | failed
//   changes = 9               operations applied (0: the kernel already matched)

#include <cstdint>
#include <optional>
#include <string>

#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

struct LastApply {
    std::int64_t finished = 0;  // unix seconds
    std::int64_t duration_ms = 0;
    bool ok = false;
    std::size_t changes = 0;

    friend bool operator==(const LastApply&, const LastApply&) = default;
};

std::string format_last_apply(const LastApply& record);
// nullopt for text that is not a record (a torn or foreign file is not fatal
// for monitoring: it reads as "no record").
std::optional<LastApply> parse_last_apply(const std::string& text);

// Atomic, 0600. Callers hold the state lock (as `up` does).
Status save_last_apply(const store::StatePaths& paths, const LastApply& record);
// nullopt when no apply has been recorded yet.
Result<std::optional<LastApply>> load_last_apply(const store::StatePaths& paths);

}  // namespace vpngw::txn
