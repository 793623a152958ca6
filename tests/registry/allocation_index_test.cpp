// The indexed allocation (schema step 3, gateway/peers_add_allocate.cpp)
// against the full read it replaces: the same addresses under adds, removes,
// address changes and group moves, and a database of schema 2 migrated with
// its peers intact.
#include <gtest/gtest.h>

#include <random>

#include "registry/sqlite_schema.hpp"
#include "support.hpp"

namespace vpngw::registry::test {
namespace {

// Two groups on one interface whose address sits at the start of "a"'s
// subnets (the allocator must step over it), no profile peers.
model::Profile two_groups() {
    model::Profile p;
    model::Interface wg;
    wg.name = "wg0";
    wg.addresses = {*Prefix::parse("10.9.0.1/24"), *Prefix::parse("fd09::1/64")};
    p.interfaces.push_back(wg);
    model::Group a;
    a.name = "a";
    a.interface = "wg0";
    a.subnet = *Prefix::parse("10.9.0.0/24");
    a.subnet6 = *Prefix::parse("fd09::/64");
    model::Group b;
    b.name = "b";
    b.interface = "wg0";
    b.subnet = *Prefix::parse("10.10.0.0/26");
    p.groups = {a, b};
    return p;
}

Allocator indexed(const model::Profile& profile, const std::string& group) {
    return [&profile, group](GroupAddresses& stored) -> Result<Addresses> {
        auto a = gateway::allocate_new_peer(profile, group, stored);
        if (!a) return a.error();
        return Addresses{a->v4, a->v6};
    };
}

// What the full read would give now: the group's stored addresses reserved.
Addresses expected(Registry& reg, const model::Profile& profile, const std::string& group) {
    std::vector<IpAddress> held;
    const auto all = reg.list();
    for (const auto& p : *all)
        if (p.group == group)
            for (const auto& a : {p.address, p.address6})
                if (a) held.push_back(*a);
    auto want = profile_allocator(profile, group)(held);
    if (!want) return {};
    return *want;
}

TEST(RegistryIndexedAllocation, GivesWhatTheFullReadGivesUnderRandomChanges) {
    TempDir tmp;
    const model::Profile profile = two_groups();
    auto reg = open_registry(tmp / "state");
    std::mt19937 rng(17);
    std::vector<std::string> names;
    int seed = 0, checked = 0;
    for (int step = 0; step < 600; ++step) {
        const int what = static_cast<int>(rng() % 10);
        if (what < 6 || names.empty()) {  // add
            const std::string group = rng() % 4 == 0 ? "b" : "a";
            const Addresses want = expected(*reg, profile, group);
            const Allocator allocate = indexed(profile, group);
            const std::string name = "p" + std::to_string(++seed);
            auto added = reg->add(record(name, seed, group), &allocate, kActor);
            if (!want.v4) {  // full: the indexed path must say so too
                EXPECT_FALSE(added.ok()) << name;
                continue;
            }
            ASSERT_TRUE(added.ok()) << added.error().str();
            EXPECT_EQ(added->address, want.v4) << name;
            EXPECT_EQ(added->address6, want.v6) << name;
            names.push_back(name);
            ++checked;
        } else if (what < 9) {  // remove a random peer
            const std::size_t i = rng() % names.size();
            ASSERT_TRUE(reg->remove(names[i], kActor).ok());
            names.erase(names.begin() + static_cast<std::ptrdiff_t>(i));
        } else {  // move a random peer to the other group, reallocated
            const std::string name = names[rng() % names.size()];
            const PeerRecord before = **reg->find(name);
            const std::string to = before.group == "a" ? "b" : "a";
            const Allocator allocate = indexed(profile, to);
            auto moved = reg->update(
                name,
                [&](PeerRecord& p) {
                    p.group = to;
                    return ok_status();
                },
                &allocate, kActor);
            if (!moved.ok()) {
                EXPECT_NE(moved.error().message.find("is full"), std::string::npos);
            }
        }
    }
    EXPECT_GT(checked, 200);
    // No address is held twice, whatever the order of changes.
    std::set<IpAddress> seen;
    const auto all = reg->list();
    for (const auto& p : *all)
        for (const auto& a : {p.address, p.address6})
            if (a) {
                EXPECT_TRUE(seen.insert(*a).second) << a->str();
            }
}

TEST(RegistryIndexedAllocation, ASchema2DatabaseMigratesWithItsPeersAndAllocatesPastThem) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    {
        // What vpngw wrote before step 3: steps 1 and 2 and their rows.
        auto db = database_at_schema(dir, 2);
        for (int i = 1; i <= 3; ++i) {
            const std::string sql =
                old_peer_row(i, "a") +
                "INSERT INTO addresses (peer_id, \"group\", address, family) VALUES (" +
                std::to_string(i) + ", 'a', '10.9.0." + std::to_string(i + 1) + "', 4), (" +
                std::to_string(i) + ", 'a', 'fd09::" + std::to_string(i + 1) + "', 6);";
            ASSERT_TRUE(db.exec(sql.c_str()).ok());
        }
    }
    auto reg = open_registry(dir);
    EXPECT_EQ(query(dir, "PRAGMA user_version"), std::to_string(sqlite::schema_version()));
    auto all = reg->list();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[2].name, "old3");
    EXPECT_EQ((*all)[2].address, ip("10.9.0.4"));
    EXPECT_EQ((*all)[2].address6, ip("fd09::4"));
    // The numbers were filled in: the next peer goes past the old ones, on
    // both families (an unfilled lo would read as 0 and hand out .2 again).
    const model::Profile profile = two_groups();
    const Allocator allocate = indexed(profile, "a");
    auto added = reg->add(record("new", 9, "a"), &allocate, kActor);
    ASSERT_TRUE(added.ok()) << added.error().str();
    EXPECT_EQ(added->address, ip("10.9.0.5"));
    EXPECT_EQ(added->address6, ip("fd09::5"));
    EXPECT_EQ(query(dir, "SELECT COUNT(*) FROM addresses WHERE lo = 0"), "0");
}

TEST(RegistryIndexedAllocation, ListedAddressesFindTheLowestGap) {
    ListedAddresses listed({ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.5")});
    EXPECT_EQ(**listed.lowest_unheld(ip("10.0.0.1"), ip("10.0.0.9")), ip("10.0.0.1"));
    EXPECT_EQ(**listed.lowest_unheld(ip("10.0.0.2"), ip("10.0.0.9")), ip("10.0.0.4"));
    EXPECT_FALSE(listed.lowest_unheld(ip("10.0.0.2"), ip("10.0.0.3"))->has_value());
    EXPECT_TRUE(*listed.held(ip("10.0.0.5")));
    EXPECT_FALSE(*listed.held(ip("10.0.0.4")));
}

}  // namespace
}  // namespace vpngw::registry::test
