#include "gateway/noop_proof.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <type_traits>

#include "exec/observe.hpp"
#include "exec/wg_digest.hpp"
#include "health/state_file.hpp"
#include "keys/keys.hpp"
#include "ops/diff.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/atomic_file.hpp"
#include "txn/op_codec.hpp"
#include "util/record_fields.hpp"
#include "wg/key_file.hpp"

namespace vpngw::gateway {

namespace {

constexpr std::string_view kMagic = "vpngw-noop-proof 1";
constexpr std::size_t kMaxRecord = 1 << 20;  // a real one is a few KiB

// Length-prefixed fields into one BLAKE2b: no two different input lists
// feed the same bytes.
class Fingerprint {
  public:
    Fingerprint() { crypto_generichash_init(&st_, nullptr, 0, crypto_generichash_BYTES); }
    Fingerprint& add(std::string_view field) {
        const std::uint64_t n = field.size();
        crypto_generichash_update(&st_, reinterpret_cast<const unsigned char*>(&n), sizeof n);
        crypto_generichash_update(&st_, reinterpret_cast<const unsigned char*>(field.data()),
                                  field.size());
        return *this;
    }
    Fingerprint& add(std::uint64_t number) { return add(std::to_string(number)); }
    std::string hex() {
        unsigned char digest[crypto_generichash_BYTES];
        crypto_generichash_final(&st_, digest, sizeof digest);
        char hex[sizeof digest * 2 + 1];
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        return hex;
    }

  private:
    crypto_generichash_state st_;
};

// The binary that plans: a new vpngw may plan differently from the same inputs.
bool add_executable(Fingerprint& f) {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) return false;
    f.add(static_cast<std::uint64_t>(st.st_dev)).add(static_cast<std::uint64_t>(st.st_ino));
    f.add(static_cast<std::uint64_t>(st.st_size));
    f.add(static_cast<std::uint64_t>(st.st_mtim.tv_sec)).add(st.st_mtim.tv_nsec);
    return true;
}

bool add_profile(Fingerprint& f, const Session& session) {
    if (session.profile_digest.empty()) return false;
    // Relative key file names resolve against the profile's directory.
    char real[PATH_MAX];
    if (!::realpath(session.options.profile_path.c_str(), real)) return false;
    f.add(session.options.profile_path).add(real).add(session.profile_digest);
    f.add(session.options.state_dir.value_or("")).add(session.options.wireguard_go);
    f.add(session.paths.dir);
    return true;
}

// An interface, its key file and the public key of that file ("" absent).
struct KeyFile {
    std::string ifname;
    std::string path;
    std::string public_key;
};

// The keys a plan was made with. Apart from the other inputs: `up` may
// generate a key while it plans, and the record then names the key it
// planned with, not the absence it found before.
std::string keys_digest(std::vector<KeyFile> keys) {
    std::sort(keys.begin(), keys.end(),
              [](const KeyFile& a, const KeyFile& b) { return a.ifname < b.ifname; });
    Fingerprint f;
    f.add("vpngw-noop-keys 1");
    for (const auto& k : keys) f.add(k.ifname).add(k.path).add(k.public_key);
    return f.hex();
}

// The interfaces' key files as resolve_desired would read them now.
std::optional<std::string> current_keys(const Session& session) {
    std::vector<KeyFile> keys;
    for (const auto& iface : session.profile.interfaces) {
        KeyFile k{iface.name,
                  iface.private_key_file.empty() ? session.paths.key_file(iface.name)
                                                 : iface.private_key_file,
                  ""};
        struct stat st {};
        if (::stat(k.path.c_str(), &st) == 0) {
            auto secret = wg::read_key_file(k.path);
            if (!secret) return std::nullopt;
            k.public_key = keys::public_from_private(*secret).base64();
        }
        keys.push_back(std::move(k));
    }
    return keys_digest(std::move(keys));
}

// The uplinks `vpngw monitor` found down, as merge_registry_peers reads them
// (not the file: its probe times change every round).
bool add_uplinks_down(Fingerprint& f, const Session& session) {
    auto health = health::read_health_file(session.paths.health_file());
    if (!health) return false;
    for (const auto& name : health::down_uplinks(*health)) f.add(name);
    f.add("end of uplinks down");
    return true;
}

bool is_lower_hex(std::string_view s, std::size_t size) {
    return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool is_small_object(const ops::Op& op) {
    return std::visit(
        [](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            return std::is_same_v<T, ops::LinkCreate> || std::is_same_v<T, ops::AddressAdd> ||
                   std::is_same_v<T, ops::RouteAdd> || std::is_same_v<T, ops::RuleAdd> ||
                   std::is_same_v<T, ops::SysctlSet>;
        },
        op.payload);
}

// The record's desired objects as a desired state; with `devices`, its
// WireGuard devices too (no peers: observe() only needs name and backend).
// The nft table counts as planned: the generation vouches for it.
ops::Desired skeleton(const NoopRecord& record, bool devices) {
    ops::Desired d;
    d.nft_hash = "noop-proof";
    for (const auto& op : record.kernel) {
        if (const auto* l = std::get_if<ops::LinkCreate>(&op.payload)) {
            d.state.links.push_back(l->link);
            const bool wg = std::any_of(record.wireguard.begin(), record.wireguard.end(),
                                        [&](const auto& w) { return w.ifname == l->link.name; });
            if (devices && wg) {
                state::WgDevice dev;
                dev.ifname = l->link.name;
                dev.backend = l->backend;
                d.state.wireguard.push_back(std::move(dev));
            }
        } else if (const auto* a = std::get_if<ops::AddressAdd>(&op.payload)) {
            d.state.addresses.push_back(a->address);
        } else if (const auto* r = std::get_if<ops::RouteAdd>(&op.payload)) {
            d.state.routes.push_back(r->route);
        } else if (const auto* r = std::get_if<ops::RuleAdd>(&op.payload)) {
            d.state.rules.push_back(r->rule);
        } else if (const auto* s = std::get_if<ops::SysctlSet>(&op.payload)) {
            d.state.sysctls.push_back(s->sysctl);
        }
    }
    return d;
}

model::Backend backend_of(const NoopRecord& record, const std::string& ifname) {
    for (const auto& op : record.kernel)
        if (const auto* l = std::get_if<ops::LinkCreate>(&op.payload))
            if (l->link.name == ifname) return l->backend;
    return model::Backend::automatic;
}

// The links, addresses, routes, rules and sysctls of `want` as read now diff
// empty against it, and no link is foreign. Returns what was observed.
Result<std::optional<ops::Observed>> observe_small(const ops::Desired& want,
                                                   netlink::NetlinkSocket& sock,
                                                   exec::Backends& backends) {
    auto observed = exec::observe(want, sock, backends, "", /*nft_as_desired=*/true);
    if (!observed) return observed.error();
    if (!observed->foreign_links.empty()) return std::optional<ops::Observed>{};
    ops::Desired small = want;
    small.state.wireguard.clear();
    if (!ops::diff_up(small, *observed).empty()) return std::optional<ops::Observed>{};
    return std::optional<ops::Observed>(std::move(*observed));
}

}  // namespace

std::optional<NoopInputs> fingerprint_inputs(const Session& session) {
    // A fleet member plans from etcd, which has no revision read here.
    if (session.profile.cluster || session.stored != StoredPeers::deferred) return std::nullopt;
    Fingerprint f;
    f.add(kMagic);
    if (!add_executable(f) || !add_profile(f, session)) return std::nullopt;
    auto revision = registry::read_revision(session.paths.dir);
    if (!revision || !*revision) return std::nullopt;
    f.add(**revision);
    if (!add_uplinks_down(f, session)) return std::nullopt;
    auto keys = current_keys(session);
    if (!keys) return std::nullopt;
    return NoopInputs{f.hex(), std::move(*keys), session.opened_at};
}

std::string encode_noop_record(const NoopRecord& r) {
    std::string out(kMagic);
    out += "\nboot " + r.nft.boot_id;
    out += "\nnetns " + std::to_string(r.nft.netns);
    out += "\ngenid " + std::to_string(r.nft.genid);
    out += "\nnft " + r.nft.desired;
    out += "\ninputs " + r.inputs;
    out += "\nkeys " + r.keys;
    out += "\nuntil " + std::to_string(r.until);
    for (const auto& w : r.wireguard) out += "\nwg " + w.ifname + " " + w.digest;
    out += "\nops\n";
    out += txn::encode_ops(r.kernel);
    return out;
}

std::optional<NoopRecord> decode_noop_record(std::string_view text, const std::string& source) {
    if (text.size() > kMaxRecord) return std::nullopt;
    auto nl = text.find('\n');
    if (nl == std::string_view::npos || text.substr(0, nl) != kMagic) return std::nullopt;
    text.remove_prefix(nl + 1);
    NoopRecord r;
    // The boot and namespace lines as exec/nft_shortcut.hpp checks them.
    auto boot = next_record_field(text, "boot");
    auto netns = next_record_field(text, "netns");
    auto genid = next_record_field(text, "genid");
    auto nft = next_record_field(text, "nft");
    if (!boot || !netns || !genid || !nft) return std::nullopt;
    const std::string as_shortcut = "vpngw-nft-shortcut 1\nboot " + std::string(*boot) +
                                    "\nnetns " + std::string(*netns) + "\ngenid " +
                                    std::string(*genid) + "\ndesired " + std::string(*nft) + "\n";
    auto shortcut = exec::decode_nft_shortcut(as_shortcut);
    if (!shortcut) return std::nullopt;
    r.nft = std::move(*shortcut);
    auto inputs = next_record_field(text, "inputs");
    if (!inputs || !is_lower_hex(*inputs, crypto_generichash_BYTES * 2)) return std::nullopt;
    r.inputs = *inputs;
    auto keys = next_record_field(text, "keys");
    if (!keys || !is_lower_hex(*keys, crypto_generichash_BYTES * 2)) return std::nullopt;
    r.keys = *keys;
    auto until = next_record_field(text, "until");
    auto until_value = until ? parse_record_number<std::int64_t>(*until) : std::nullopt;
    if (!until_value || *until_value < 0) return std::nullopt;
    r.until = *until_value;
    while (auto wg = next_record_field(text, "wg")) {
        auto space = wg->find(' ');
        if (space == std::string_view::npos || space == 0) return std::nullopt;
        NoopRecord::Device d{std::string(wg->substr(0, space)), std::string(wg->substr(space + 1))};
        if (!is_lower_hex(d.digest, crypto_generichash_BYTES * 2)) return std::nullopt;
        r.wireguard.push_back(std::move(d));
    }
    if (!text.starts_with("ops\n")) return std::nullopt;
    text.remove_prefix(4);
    auto kernel = txn::decode_ops(std::string(text), source);
    if (!kernel) return std::nullopt;
    if (!std::all_of(kernel->begin(), kernel->end(), is_small_object)) return std::nullopt;
    r.kernel = std::move(*kernel);
    // Every device is one of the record's links.
    for (const auto& w : r.wireguard) {
        const bool linked = std::any_of(r.kernel.begin(), r.kernel.end(), [&](const ops::Op& op) {
            const auto* l = std::get_if<ops::LinkCreate>(&op.payload);
            return l && l->link.name == w.ifname;
        });
        if (!linked) return std::nullopt;
    }
    return r;
}

std::optional<NoopRecord> describe_plan(const ops::Desired& desired,
                                        const std::vector<model::Peer>& peers,
                                        const NoopInputs& inputs) {
    NoopRecord r;
    r.inputs = inputs.digest;
    r.nft.desired = exec::nft_desired_digest(desired);
    for (const auto& p : peers)
        if (p.expires && *p.expires > inputs.at) {
            const std::int64_t at = p.expires->time_since_epoch().count();
            if (r.until == 0 || at < r.until) r.until = at;
        }
    const auto& want = desired.state;
    std::vector<KeyFile> keys;
    for (const auto& d : want.wireguard) {
        auto key = desired.wg_public_keys.find(d.ifname);
        if (key == desired.wg_public_keys.end() || key->second == PublicKey{}) return std::nullopt;
        r.wireguard.push_back({d.ifname, exec::wg_digest(d, key->second)});
        keys.push_back({d.ifname, d.private_key_file, key->second.base64()});
    }
    r.keys = keys_digest(std::move(keys));
    for (const auto& l : want.links) {
        model::Backend backend = model::Backend::automatic;
        for (const auto& d : want.wireguard)
            if (d.ifname == l.name) backend = d.backend;
        r.kernel.push_back({ops::LinkCreate{l, backend}, l.origin});
    }
    for (const auto& a : want.addresses) r.kernel.push_back({ops::AddressAdd{a}, a.origin});
    for (const auto& x : want.routes) r.kernel.push_back({ops::RouteAdd{x}, x.origin});
    for (const auto& x : want.rules) r.kernel.push_back({ops::RuleAdd{x}, x.origin});
    for (const auto& s : want.sysctls) r.kernel.push_back({ops::SysctlSet{s, ""}, {}});
    return r;
}

std::optional<NoopRecord> read_noop_record(const store::StatePaths& paths) {
    const std::string file = paths.noop_proof_file();
    auto text = store::read_file_if_exists(file);
    if (!text || !*text) return std::nullopt;
    return decode_noop_record(**text, file);
}

void write_noop_record(const store::StatePaths& paths, const NoopRecord& record) {
    const std::string file = paths.noop_proof_file();
    if (!store::atomic_write_file(file, encode_noop_record(record), 0600))
        forget_noop_record(paths);
}

void forget_noop_record(const store::StatePaths& paths) {
    ::unlink(paths.noop_proof_file().c_str());
}

bool record_applies(const NoopRecord& record, const NoopInputs& inputs) {
    if (record.inputs != inputs.digest || record.keys != inputs.keys) return false;
    if (record.until != 0 && now_utc().time_since_epoch().count() >= record.until) return false;
    auto now = exec::current_nft_shortcut(record.nft.desired);
    return now && *now == record.nft;
}

Result<bool> kernel_matches(const NoopRecord& record, netlink::NetlinkSocket& sock,
                            exec::Backends& backends, const DeviceDigest& devices) {
    const ops::Desired want = skeleton(record, !devices);
    auto observed = observe_small(want, sock, backends);
    if (!observed) return observed.error();
    if (!*observed) return false;
    for (const auto& w : record.wireguard) {
        std::optional<std::string> digest;
        if (devices) {
            digest = devices(w.ifname, backend_of(record, w.ifname));
        } else {
            for (const auto& have : (*observed)->wireguard)
                if (have.ifname == w.ifname) digest = exec::wg_digest(have);
        }
        if (!digest || *digest != w.digest) return false;
    }
    return true;
}

Result<bool> small_objects_match(const NoopRecord& record, netlink::NetlinkSocket& sock,
                                 exec::Backends& backends) {
    auto observed = observe_small(skeleton(record, false), sock, backends);
    if (!observed) return observed.error();
    return observed->has_value();
}

}  // namespace vpngw::gateway
