#include "nft/counters.hpp"

#include <nftables/libnftables.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "nft/ruleset.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::nft {

namespace {

struct CtxDeleter {
    void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

}  // namespace

Result<std::vector<NamedCounter>> parse_counters_json(const std::string& json) {
    // nft's JSON schema is stable across releases, unlike its text output,
    // which is why counters are read as JSON.
    auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.contains("nftables") || !doc["nftables"].is_array())
        return Error{"nft returned unexpected JSON for the counters"};
    std::vector<NamedCounter> counters;
    for (const auto& item : doc["nftables"]) {
        if (!item.contains("counter")) continue;
        const auto& c = item["counter"];
        NamedCounter n;
        n.name = c.value("name", "");
        n.packets = c.value("packets", std::uint64_t{0});
        n.bytes = c.value("bytes", std::uint64_t{0});
        counters.push_back(std::move(n));
    }
    return counters;
}

Result<std::optional<std::vector<NamedCounter>>> list_owned_counters() {
    // `list counters table X` fails when X is missing; ask first so a gateway
    // that is down reads as "no counters", not as an error.
    auto exists = table_exists();
    if (!exists) return exists.error();
    if (!*exists) return std::optional<std::vector<NamedCounter>>{};

    std::unique_ptr<nft_ctx, CtxDeleter> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!ctx) return Error{"reading nftables counters: cannot create an nftables context"};
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
    const std::string cmd = std::string("list counters table inet ") + state::kNftTable;
    if (nft_run_cmd_from_buffer(ctx.get(), cmd.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx.get());
        while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
        return Error{"reading nftables counters: " + err};
    }
    auto counters = parse_counters_json(nft_ctx_get_output_buffer(ctx.get()));
    if (!counters) return counters.error();
    return std::optional<std::vector<NamedCounter>>(std::move(*counters));
}

}  // namespace vpngw::nft
