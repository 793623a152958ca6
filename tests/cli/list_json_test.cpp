// `vpngw peer list --json` writes each peer's line itself instead of dumping
// an nlohmann document per peer: the line must be the very text the document
// gave (scripts and tests compare it) and parse back to the same value.

#include <gtest/gtest.h>

#include <chrono>

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

}  // namespace
}  // namespace vpngw::json
