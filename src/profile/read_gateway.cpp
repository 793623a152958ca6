#include "escape/escape.hpp"
#include "profile/names.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/state_dir.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

void read_gateway(Context& ctx, TableReader& root, model::Gateway& gateway) {
    if (!root.has("gateway")) {
        ctx.error(ctx.document(), "missing required table [gateway]");
        return;
    }
    const toml::table* table = root.table("gateway");
    if (!table) return;
    TableReader r(ctx, *table, "[gateway]", gateway.origin, {"name", "endpoint", "state_dir"});

    if (auto name = r.required_string("name")) {
        check_name(ctx, *name, "name");
        gateway.name = name->value;
    }
    if (auto endpoint = r.string("endpoint")) {
        if (auto e = read_endpoint(ctx, *endpoint)) gateway.endpoint = *e;
    } else if (!r.has("endpoint")) {
        ctx.warning(r.where(),
                    "no \"endpoint\" in [gateway]: client configs cannot be generated without it");
    }
    if (auto dir = r.string("state_dir")) {
        // "/srv/vpngw/" means "/srv/vpngw".
        while (dir->value.size() > 1 && dir->value.back() == '/') dir->value.pop_back();
        if (dir->value.empty() || dir->value.front() != '/' ||
            dir->value.find('\0') != std::string::npos)
            ctx.error(dir->where,
                      "\"state_dir\" must be an absolute path, got " + quoted(dir->value));
        else if (auto why = escape::unsafe_path_reason(dir->value); !why.empty())
            // It is written into unit files, tmpfiles.d and shell scripts.
            ctx.error(dir->where, "\"state_dir\" " + quoted(dir->value) + ": " + why + "; " +
                                      escape::kSafePathRule);
        else if (check_state_dir_place(ctx, *dir))
            gateway.state_dir = dir->value;
    }
}

}  // namespace vpngw::profile
