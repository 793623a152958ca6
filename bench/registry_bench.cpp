// The SQLite peer registry at scale (issue 17): migrating a legacy
// peers.tsv, listing every peer, and `peer add`'s registry step (allocation
// inside the write transaction plus the commit) at 1,000 and 50,000 stored
// peers. No root:
//
//   build/bench/registry_bench [sizes...]        # default: 1000 50000
//   KEEP=1 build/bench/registry_bench            # keeps the state directories to inspect
//
// Prints milliseconds per step and each size's ratio to the first one (the
// baseline, measured in the same run).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "plan/allocate.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/atomic_file.hpp"
#include "store/state_paths.hpp"

namespace {

using namespace vpngw;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

PublicKey key_for(int i) {
    PublicKey k;
    for (std::size_t b = 0; b < k.bytes.size(); ++b) k.bytes[b] = static_cast<std::uint8_t>(b * 31);
    std::memcpy(k.bytes.data(), &i, sizeof i);
    return k;
}

struct Figures {
    int peers = 0;
    double migrate_ms = 0, list_ms = 0, add_ms = 0;
};

Figures run(int peers, const std::string& dir) {
    const Prefix subnet = *Prefix::parse("10.64.0.0/10");
    // A state directory of the last release: peers.tsv, one line a peer.
    std::string tsv = "vpngw-peers 2\n# snapshot 00000000000000aa\n";
    tsv.reserve(static_cast<std::size_t>(peers) * 110);
    plan::AddressPool pool(subnet);
    for (int i = 0; i < peers; ++i) {
        const IpAddress a = *pool.lowest_free();
        pool.take(a);
        tsv += "p" + std::to_string(i) + "\tstaff\t" + key_for(i).base64() + "\t" + a.str() +
               "\t-\t-\t2024-05-01T12:00:00Z\n";
    }
    ::mkdir(dir.c_str(), 0700);
    if (auto st = store::atomic_write_file(store::StatePaths{dir}.peers_file(), tsv, 0600); !st) {
        std::fprintf(stderr, "%s\n", st.error().str().c_str());
        std::exit(1);
    }
    Figures f;
    f.peers = peers;
    const registry::Actor actor{"bench", "peer add"};
    auto t0 = Clock::now();
    auto reg = registry::open_sqlite_registry(dir, actor);
    f.migrate_ms = ms_since(t0);
    if (!reg) {
        std::fprintf(stderr, "%s\n", reg.error().str().c_str());
        std::exit(1);
    }
    t0 = Clock::now();
    auto all = (*reg)->list();
    f.list_ms = ms_since(t0);
    if (!all || all->size() != static_cast<std::size_t>(peers)) std::exit(1);

    // As gateway::allocate_new_peer: the pool's lowest address no stored
    // peer holds, asked of the registry (an index walk), not read whole.
    const registry::Allocator allocate =
        [&](registry::GroupAddresses& stored) -> Result<registry::Addresses> {
        plan::AddressPool pool(subnet);
        auto a = stored.lowest_unheld(pool.at(pool.first_offset()), pool.at(pool.last_offset()));
        if (!a) return a.error();
        if (!*a) return Error{"full"};
        return registry::Addresses{**a, std::nullopt};
    };
    std::vector<double> adds;
    for (int i = 0; i < 21; ++i) {
        registry::PeerRecord p;
        p.name = "new" + std::to_string(i);
        p.group = "staff";
        p.public_key = key_for(peers + i);
        t0 = Clock::now();
        auto added = (*reg)->add(p, &allocate, actor);
        adds.push_back(ms_since(t0));
        if (!added) {
            std::fprintf(stderr, "%s\n", added.error().str().c_str());
            std::exit(1);
        }
    }
    std::sort(adds.begin(), adds.end());
    f.add_ms = adds[adds.size() / 2];
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
    if (sizes.empty()) sizes = {1000, 50000};
    char tmpl[] = "/tmp/vpngw-registry-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    std::vector<Figures> all;
    for (int n : sizes) all.push_back(run(n, std::string(tmpl) + "/" + std::to_string(n)));
    if (!std::getenv("KEEP"))
        std::filesystem::remove_all(tmpl);
    else
        std::printf("kept %s\n", tmpl);
    std::printf("%8s %12s %10s %14s %10s\n", "peers", "migrate_ms", "list_ms", "add_ms(median)",
                "add_ratio");
    for (const auto& f : all)
        std::printf("%8d %12.1f %10.1f %14.2f %10.2f\n", f.peers, f.migrate_ms, f.list_ms, f.add_ms,
                    f.add_ms / all.front().add_ms);
    return 0;
}
