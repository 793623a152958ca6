#include "plan/nft_ruleset.hpp"

#include "plan/nft_parts.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

namespace {

// Room for the comment with_comment() inserts (a hash), so inserting it
// does not move the text to a new buffer.
constexpr std::size_t kCommentRoom = 128;

std::string render(const nft::Context& ctx) {
    const auto& profile = ctx.profile;
    std::string out = "# vpngw firewall for gateway " + nft::quoted(profile.gateway.name) +
                      ". Generated: vpngw replaces this table as a whole.\n";
    // Creating the table first makes the delete valid whether or not it
    // existed, so the file loads atomically on a fresh or a running system.
    out += "add table inet " + std::string(state::kNftTable) + "\n";
    out += "delete table inet " + std::string(state::kNftTable) + "\n\n";
    out += "table inet " + std::string(state::kNftTable) + " {\n";
    // The objects hold the peer sets (a million lines): rendered last and
    // copied once into text of the final size.
    std::string rest = nft::render_proxy_objects(ctx);
    for (const auto& part :
         {nft::render_prerouting(ctx), nft::render_proxy_tproxy(ctx),
          nft::render_nat_prerouting(ctx), nft::render_proxy_redirect(ctx), nft::render_input(ctx),
          nft::render_forward(ctx), nft::render_limits_chain(ctx), nft::render_group_chains(ctx),
          nft::render_output(ctx), nft::render_nat_postrouting(ctx)})
        if (!part.empty()) rest += "\n" + part;
    rest += "}\n";
    std::string objects = nft::render_objects(ctx);
    out.reserve(out.size() + objects.size() + rest.size() + kCommentRoom);
    out += objects;
    std::string().swap(objects);
    out += rest;
    return out;
}

}  // namespace

std::string render_nft_ruleset(const model::Profile& profile, LiveElements live) {
    return render(nft::Context(profile, live == LiveElements::include));
}

std::string render_nft_rules(const model::Profile& profile,
                             const std::vector<state::PeerLimits>& limits) {
    return render(nft::Context(profile, false, nullptr, &limits));
}

std::string render_nft_ruleset(const model::Profile& profile,
                               const std::vector<PeerAddresses>& addresses,
                               const std::vector<state::PeerLimits>& limits) {
    return render(nft::Context(profile, true, nullptr, &limits, &addresses));
}

std::string render_nft_ruleset(const model::Profile& profile, const std::vector<IpAddress>& peers,
                               const std::vector<state::PeerLimits>& limits,
                               const std::map<std::string, std::uint64_t>& quota_used) {
    nft::Context ctx(profile, true, &peers, &limits);
    ctx.quota_used = &quota_used;
    return render(ctx);
}

}  // namespace vpngw::plan
