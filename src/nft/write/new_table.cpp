#include "nft/write/new_table.hpp"

#include "nft/write/ruleset.hpp"

namespace vpngw::nft {

namespace {

constexpr std::string_view kOpen = "\t\telements = {\n";
constexpr std::string_view kClose = "\t\t}\n";
constexpr std::string_view kLineStart = "\t\t\t";
constexpr std::string_view kJump = " : jump ";

// Elements per batch: each message is well under 512 bytes, so a batch
// buffer stays near 1 MiB and its acknowledgements fit the socket buffer.
constexpr std::size_t kChunk = 2048;

}  // namespace

std::optional<SplitRuleset> split_peer_elements(std::string_view text) {
    SplitRuleset out;
    out.base.reserve(text.size());
    std::size_t copied = 0;
    for (const char* map : {"peers4", "peers6"}) {
        // Plain sets as plan/ renders them now; verdict maps as it did before.
        std::string header = "\n\tset " + std::string(map) + " {\n";
        auto at = text.find(header);
        if (at == std::string_view::npos) {
            header = "\n\tmap " + std::string(map) + " {\n";
            at = text.find(header);
        }
        if (at == std::string_view::npos) continue;
        auto end = text.find("\n\t}\n", at + header.size() - 1);
        if (end == std::string_view::npos || at < copied) return std::nullopt;
        auto open = text.find(kOpen, at);
        if (open == std::string_view::npos || open > end) continue;  // an empty map
        auto first = open + kOpen.size();
        auto close = text.find(kClose, first);
        if (close == std::string_view::npos || close > end) return std::nullopt;
        out.base.append(text.substr(copied, open - copied));
        copied = close + kClose.size();
        out.blocks.push_back({map, text.substr(first, close - first)});
    }
    if (out.blocks.empty()) return std::nullopt;
    out.base.append(text.substr(copied));
    return out;
}

Status for_each_element_chunk(const SplitRuleset::Block& block, std::size_t chunk,
                              const std::function<Status(std::vector<ElementChange>&)>& emit) {
    std::vector<ElementChange> changes;
    changes.reserve(chunk);
    std::string_view rest = block.lines;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (!line.starts_with(kLineStart))
            return Error{"unexpected line in peer map " + block.map + ": " + std::string(line)};
        line.remove_prefix(kLineStart.size());
        if (line.ends_with(',')) line.remove_suffix(1);
        // "ADDR" in a set, "ADDR : jump CHAIN" in a verdict map.
        auto jump = line.find(kJump);
        auto key = IpAddress::parse(line.substr(0, jump));
        if (!key)
            return Error{"unexpected element in peer map " + block.map + ": " + std::string(line)};
        changes.push_back({ElementChange::Op::add, block.map, *key,
                           jump == std::string_view::npos
                               ? std::string()
                               : std::string(line.substr(jump + kJump.size()))});
        if (changes.size() == chunk) {
            if (auto st = emit(changes); !st) return st;
            changes.clear();
        }
    }
    if (!changes.empty()) return emit(changes);
    return ok_status();
}

Status create_table(const std::string& text, const std::string& source) {
    auto split = split_peer_elements(text);
    if (!split) return apply_ruleset(text, source);
    if (auto st = apply_ruleset(split->base, source); !st) return st;
    auto load = [](std::vector<ElementChange>& changes) { return apply_element_changes(changes); };
    for (const auto& block : split->blocks) {
        if (auto st = for_each_element_chunk(block, kChunk, load); !st) {
            // Nothing half applied: without its peer elements the table is gone again.
            (void)delete_owned_table();
            return Error{"loading the peer elements of the new nftables table: " +
                         st.error().message};
        }
    }
    return ok_status();
}

}  // namespace vpngw::nft
