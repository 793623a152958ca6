// Micro-benchmark of the pure layers at scale (issue 8): profile load, the
// desired state (plan + ruleset render + hash), and the diff for a cold and a
// no-op `up`, with peers spread over 4 groups. Needs no root and no kernel, so
// a regression shows on any machine:
//
//   build/bench/plan_diff_bench                       # 1,000 / 10,000 / 50,000 peers
//
// BM_RegistryLoadPlanDiff is `vpngw up` before it reads the kernel, with the
// peers in the registry (issue 19 item 5, up to 1,000,000): open the session
// (profile + every stored peer read from peers.db and merged), resolve the
// desired state, free the merged peers as `up` does, diff it against an
// empty kernel. Its registry is seeded (one
// `add_all`, as `peer import`) before the clock starts. For its peak memory,
// seed once, then measure a run that reuses the seeded registry:
//
//   F='Registry.*/1000000/'
//   PLAN_BENCH_KEEP=/tmp/pdb build/bench/plan_diff_bench --benchmark_filter=$F   # seeds
//   PLAN_BENCH_KEEP=/tmp/pdb /usr/bin/time -v build/bench/plan_diff_bench --benchmark_filter=$F
//
// items_per_second is peers per second: equal rates across the sizes mean the
// layer is linear; the 1,000-peer run is the baseline the larger ones compare to.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "gateway/desired.hpp"
#include "gateway/session.hpp"
#include "ops/diff.hpp"
#include "profile/loader.hpp"
#include "registry/sqlite_registry.hpp"

namespace {

using namespace vpngw;

// Keys derived from the peer's index: distinct, valid (any 32 bytes are) and
// as random as real keys (a hash), so sorting them compares as it would
// real ones (a shared prefix would send every comparison to memcmp).
std::string key_for(int i) {
    unsigned char raw[32] = {};
    const std::string seed = "bench-peer-" + std::to_string(i);
    crypto_generichash(raw, sizeof raw, reinterpret_cast<const unsigned char*>(seed.data()),
                       seed.size(), nullptr, 0);
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    return b64;
}

// The gateway, uplink, interface and firewall of both bench profiles.
std::string profile_head(const std::string& state_dir, const std::string& interface_keys) {
    return "[gateway]\nname = \"bench\"\nendpoint = \"vpn.example.net:51820\"\nstate_dir = \"" +
           state_dir + R"("

[[uplink]]
name = "wan"
device = "eth0"
gateway = "203.0.113.1"
nat = "masquerade"

[[interface]]
name = "wg0"
listen_port = 51820
)" + interface_keys +
           R"(
[firewall]
management = { port = 22, allow = ["198.51.100.7/32"] }
)";
}

std::string profile_text(int peers) {
    std::string t =
        profile_head("/nonexistent/vpngw-bench", "address = [\"10.64.0.1/10\", \"fd64::1/48\"]\n");
    for (int g = 0; g < 4; ++g) {
        t += "\n[[group]]\nname = \"g" + std::to_string(g) + "\"\nsubnet = \"10." +
             std::to_string(64 + g) + ".0.0/16\"\nsubnet6 = \"fd64:0:0:" + std::to_string(g + 1) +
             "::/64\"\nisolate = true\nallow = [\"0.0.0.0/0\"]\n";
    }
    for (int i = 0; i < peers; ++i) {
        t += "\n[[peer]]\nname = \"p" + std::to_string(i) + "\"\ngroup = \"g" +
             std::to_string(i % 4) + "\"\npublic_key = \"" + key_for(i) + "\"\n";
    }
    return t;
}

model::Profile load(int peers) {
    auto loaded = profile::load_string(profile_text(peers), "bench.toml");
    if (!loaded.profile) {
        std::string why;
        for (const auto& d : loaded.diagnostics.all()) why += d.str() + "\n";
        throw std::runtime_error("the bench profile does not load:\n" + why);
    }
    return std::move(*loaded.profile);
}

ops::Desired desired(const model::Profile& profile) {
    auto d = gateway::resolve_desired(profile, gateway::KeyPolicy::read_only);
    if (!d) throw std::runtime_error(d.error().message);
    return std::move(*d);
}

// What the kernel holds after a successful `up` of `d`.
ops::Observed applied(const ops::Desired& d) {
    ops::Observed o;
    o.links = d.state.links;
    o.addresses = d.state.addresses;
    o.routes = d.state.routes;
    o.rules = d.state.rules;
    o.sysctls = d.state.sysctls;
    for (const auto& dev : d.state.wireguard) {
        ops::WgObserved w;
        w.ifname = dev.ifname;
        w.listen_port = dev.listen_port;
        w.fwmark = dev.fwmark;
        if (auto k = d.wg_public_keys.find(dev.ifname); k != d.wg_public_keys.end())
            w.public_key = k->second;
        w.peers = dev.peers;
        o.wireguard.push_back(std::move(w));
    }
    o.nft_hash = d.nft_hash;
    o.nft_elements = d.nft_elements;
    return o;
}

// 4 groups of a /12 each (1,048,574 hosts), kernel backend (wireguard-go
// caps a device at 65,536 peers), no inline peers.
std::string registry_profile(const std::string& state_dir) {
    std::string t = profile_head(state_dir, "address = [\"10.64.0.1/10\"]\nbackend = \"kernel\"\n");
    for (int g = 0; g < 4; ++g)
        t += "\n[[group]]\nname = \"g" + std::to_string(g) + "\"\nsubnet = \"10." +
             std::to_string(64 + 16 * g) + ".0.0/12\"\nisolate = true\nallow = [\"0.0.0.0/0\"]\n";
    return t;
}

// A state directory whose peers.db holds `peers` peers over the 4 groups
// (one `add_all` transaction, as `peer import`). Removed at scope exit,
// unless PLAN_BENCH_KEEP names a directory: then it is kept there and reused
// by the next run, so that run's peak memory is the timed part's alone.
class SeededState {
  public:
    explicit SeededState(int peers) {
        if (const char* keep = std::getenv("PLAN_BENCH_KEEP")) {
            root_ = std::string(keep) + "/" + std::to_string(peers);
            keep_ = true;
            std::filesystem::create_directories(root_);
        } else {
            char tmpl[] = "/tmp/vpngw-plan-bench-XXXXXX";
            if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
            root_ = tmpl;
        }
        state_ = root_ + "/state";
        std::ofstream(root_ + "/profile.toml") << registry_profile(state_);
        if (std::filesystem::exists(state_ + "/peers.db")) return;  // kept from a run before
        std::filesystem::create_directory(state_);
        std::filesystem::permissions(state_, std::filesystem::perms::owner_all);
        std::vector<registry::PeerRecord> records(static_cast<std::size_t>(peers));
        for (int i = 0; i < peers; ++i) {
            auto& r = records[static_cast<std::size_t>(i)];
            const int g = i % 4, k = i / 4 + 2;  // .0.1 is the gateway's in g0
            r.name = "p" + std::to_string(i);
            r.group = "g" + std::to_string(g);
            r.public_key = *PublicKey::from_base64(key_for(i));
            r.address = IpAddress::v4((10u << 24 | (64u + 16u * static_cast<unsigned>(g)) << 16) +
                                      static_cast<unsigned>(k));
        }
        const registry::Actor actor{"bench", "seed"};
        auto reg = registry::open_sqlite_registry(state_, actor);
        if (!reg) throw std::runtime_error(reg.error().str());
        if (auto st = (*reg)->add_all(records, "bench seed", actor); !st)
            throw std::runtime_error(st.error().str());
    }
    ~SeededState() {
        std::error_code ec;
        if (!keep_) std::filesystem::remove_all(root_, ec);
    }
    std::string profile() const { return root_ + "/profile.toml"; }

  private:
    std::string root_, state_;
    bool keep_ = false;
};

void BM_RegistryLoadPlanDiff(benchmark::State& state) {
    const int peers = static_cast<int>(state.range(0));
    const SeededState seeded(peers);
    const ops::Observed empty;
    for (auto _ : state) {
        Diagnostics diags;
        gateway::Options options;
        options.profile_path = seeded.profile();
        auto session = gateway::open_session(options, gateway::LockMode::none, diags);
        if (!session) {
            state.SkipWithError(session.error().str().c_str());
            return;
        }
        if (session->profile.peers.size() != static_cast<std::size_t>(peers)) {
            state.SkipWithError("the session does not hold every stored peer");
            return;
        }
        auto d = gateway::resolve_desired(session->profile, gateway::KeyPolicy::read_only);
        if (!d) {
            state.SkipWithError(d.error().str().c_str());
            return;
        }
        // As `up` does once planned (gateway/apply_profile.cpp, release_peers):
        // the desired state holds what the diff and the apply need of them.
        std::vector<model::Peer>().swap(session->profile.peers);
        benchmark::DoNotOptimize(ops::diff_up(*d, empty));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_LoadProfile(benchmark::State& state) {
    const std::string text = profile_text(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(profile::load_string(text, "bench.toml"));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_ResolveDesired(benchmark::State& state) {
    const auto profile = load(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(desired(profile));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_DiffColdUp(benchmark::State& state) {
    const auto d = desired(load(static_cast<int>(state.range(0))));
    const ops::Observed empty;
    for (auto _ : state) benchmark::DoNotOptimize(ops::diff_up(d, empty));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_DiffNoopUp(benchmark::State& state) {
    const auto d = desired(load(static_cast<int>(state.range(0))));
    const auto o = applied(d);
    if (!ops::diff_up(d, o).empty()) {
        state.SkipWithError("the applied state still differs from the desired one");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(ops::diff_up(d, o));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_LoadProfile)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResolveDesired)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiffColdUp)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiffNoopUp)->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RegistryLoadPlanDiff)
    ->Arg(1000)
    ->Arg(50000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    if (sodium_init() < 0) return 1;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
