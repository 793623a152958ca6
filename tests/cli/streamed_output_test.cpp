// `vpngw peer list --json` writes each peer's line itself instead of dumping
// an nlohmann document per peer, and `vpngw status` pads its peer lines by
// hand instead of printf: the text must be the very text the old way gave
// (scripts and tests compare it), and the JSON parse back to the same value.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "json/json_view.hpp"
#include "json/values.hpp"

namespace vpngw::json {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

// The line as peer_list_json wrote it before: peer_value dumped key by key
// with ", " and ": " between them, each value compact.
std::string dumped_line(const gateway::PeerListEntry& p) {
    const Json j = peer_value(p, kNow);
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
        out += first ? "" : ", ";
        first = false;
        out += Json(key).dump() + ": " + value.dump();
    }
    return out + "}";
}

std::vector<gateway::PeerListEntry> samples() {
    gateway::PeerListEntry full;
    full.name = "alice-phone";
    full.group = "staff";
    full.interface = "wg0";
    full.public_key = *PublicKey::from_base64("8OtNTlw2kG/lKUmgucFPM4xvqrgTeTZPEEORzjrVORM=");
    full.address = IpAddress::parse("10.8.1.2");
    full.address6 = IpAddress::parse("fd08:0:0:1::2");
    full.source = gateway::PeerListEntry::Source::state;
    full.disabled = true;
    full.expires = std::chrono::sys_seconds{std::chrono::seconds{kNow + 86400}};
    full.quota = model::Quota{50ull << 30, model::QuotaPeriod::month};
    full.rate_bits = 20'000'000;
    full.networks = {*Prefix::parse("192.168.50.0/24"), *Prefix::parse("fd50::/64")};
    full.stats =
        gateway::PeerStats{kNow - 42, 123456789012ull, 42, Endpoint::parse("[2001:db8::7]:51820")};

    auto expired = full;
    expired.name = "bob";
    expired.disabled = false;
    expired.expired = true;
    expired.expires = std::chrono::sys_seconds{std::chrono::seconds{kNow - 5}};
    expired.stats = gateway::PeerStats{0, 0, 0, std::nullopt};  // up, never seen

    gateway::PeerListEntry bare;  // a profile peer, interface down, nothing set
    bare.name = "carol";
    bare.group = "guests";

    auto odd = full;  // text a parser must see escaped, and UTF-8 kept as it is
    odd.name = "quote\"back\\slash\ttab\x01 caf\xc3\xa9 \x7f";
    odd.group = "gr\xc3\xbcn";
    odd.stats = gateway::PeerStats{kNow + 10, 1, 2, Endpoint::parse("198.51.100.7:4500")};
    return {full, expired, bare, odd};
}

TEST(PeerListJson, EachLineIsTheDocumentsText) {
    for (const auto& p : samples()) {
        std::string line;
        append_peer_line(line, p, kNow);
        EXPECT_EQ(line, dumped_line(p));
        EXPECT_EQ(Json::parse(line), peer_value(p, kNow)) << line;
    }
}

TEST(PeerListJson, StreamedListIsTheWholeListsText) {
    const auto peers = samples();
    gateway::PeerListing listing;
    listing.peers = peers;
    std::string streamed(PeerListJson::begin());
    PeerListJson list;
    for (const auto& p : peers) list.add(streamed, p, kNow);
    streamed += list.end();
    EXPECT_EQ(streamed, peer_list_json(listing, kNow));
    std::string expected = "{\"peers\": [";
    for (std::size_t i = 0; i < peers.size(); ++i)
        expected += (i ? ",\n  " : "\n  ") + dumped_line(peers[i]);
    EXPECT_EQ(streamed, expected + "\n]}\n");
    const auto doc = Json::parse(streamed);
    ASSERT_EQ(doc["peers"].size(), peers.size());
    EXPECT_EQ(doc["peers"][0]["networks"][1], "fd50::/64");
    EXPECT_EQ(doc["peers"][0]["handshake_age_seconds"], 42);
    EXPECT_TRUE(doc["peers"][2]["rx_bytes"].is_null());

    std::string empty(PeerListJson::begin());
    empty += PeerListJson().end();
    EXPECT_EQ(empty, "{\"peers\": []}\n");
    EXPECT_EQ(empty, peer_list_json({}, kNow));
}

// The peer line as status_text printed it: one snprintf of the format.
std::string printf_line(const gateway::PeerStatus& p) {
    const auto& e = p.peer;
    auto dash = [](const std::optional<IpAddress>& a) { return a ? a->str() : std::string("-"); };
    std::string endpoint = "-", state = "not-up", hs = "-", rx = "-", tx = "-";
    if (e.stats) {
        endpoint = e.stats->endpoint ? e.stats->endpoint->str() : "-";
        state = p.online ? "online" : "offline";
        hs = p.handshake_age ? cli::age_text(*p.handshake_age) : "never";
        rx = cli::bytes_text(e.stats->rx_bytes);
        tx = cli::bytes_text(e.stats->tx_bytes);
    }
    if (e.expired) state = "expired";
    if (e.disabled) state = "disabled";
    char line[1024];
    std::snprintf(line, sizeof line, "%-15s %-12s %-15s %-7s %-11s %10s %10s  %-24s %s\n",
                  e.name.c_str(), e.group.c_str(), dash(e.address).c_str(), state.c_str(),
                  hs.c_str(), rx.c_str(), tx.c_str(), endpoint.c_str(), dash(e.address6).c_str());
    return line;
}

TEST(StatusPeerText, LinesAreThePrintfText) {
    cli::StatusPeerText text;
    std::string expected;
    char header[256];
    std::snprintf(header, sizeof header, "\n%-15s %-12s %-15s %-7s %-11s %10s %10s  %-24s %s\n",
                  "PEER", "GROUP", "ADDRESS", "STATE", "HANDSHAKE", "RX", "TX", "ENDPOINT",
                  "ADDRESS6");
    expected = header;
    std::uint64_t bytes = 1;
    for (auto e : samples()) {
        for (const bool online : {true, false}) {
            if (e.stats) {
                e.stats->rx_bytes = bytes;  // 1 B up to TiB, each unit's boundaries
                e.stats->tx_bytes = bytes * 1023 + 1;
                bytes *= 1000;
            }
            if (!online) e.name += "-and-a-name-longer-than-its-column";
            const gateway::PeerStatus p{e, online,
                                        online ? std::optional<std::int64_t>(3600) : std::nullopt};
            text.add(p);
            expected += printf_line(p);
        }
    }
    gateway::PeerListEntry wide;  // every column wider than its width
    wide.name = "a-peer-name-of-forty-characters-exactly!";
    wide.group = "a-long-group-name";
    wide.address6 = IpAddress::parse("fd08:1234:5678:9abc:def0:1234:5678:9abc");
    wide.stats =
        gateway::PeerStats{1, ~0ull, 1ull << 40, Endpoint::parse("[2001:db8:1:2:3:4:5:6]:65535")};
    const gateway::PeerStatus p{wide, false, std::int64_t{10'000'000}};
    text.add(p);
    expected += printf_line(p);
    EXPECT_EQ(text.lines(), expected);
}

TEST(Padding, IsPrintfsWidth) {
    for (const std::string text :
         {"", "a", "fifteen-chars!!", "sixteen-chars!!!", "a much longer text"})
        for (const int width : {0, 1, 10, 15, 16, 44}) {
            char want[128];
            std::string got;
            std::snprintf(want, sizeof want, "%-*s ", width, text.c_str());
            cli::append_left(got, text, static_cast<std::size_t>(width));
            EXPECT_EQ(got, want) << text << " " << width;
            got.clear();
            std::snprintf(want, sizeof want, "%*s ", width, text.c_str());
            cli::append_right(got, text, static_cast<std::size_t>(width));
            EXPECT_EQ(got, want) << text << " " << width;
        }
}

}  // namespace
}  // namespace vpngw::json
