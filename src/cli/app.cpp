// The only translation unit that includes CLI11: it turns the command table
// (commands.hpp) into a parser, and reads the parser back for the man page
// and the completions.

#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <map>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/log.hpp"

namespace vpngw::cli {

namespace {

// Commands in the order `vpngw --help` lists them; completion and help-man
// come last (manual_commands).
using CommandList = std::vector<Command> (*)();
constexpr CommandList kCommandTable[] = {
    check_commands,   plan_commands,    up_commands,    status_commands,  monitor_commands,
    dns_commands,     peer_commands,    log_commands,   confirm_commands, image_commands,
    metrics_commands, migrate_commands, serve_commands, token_commands,   cluster_commands,
};

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

CLI::Option* add_option(CLI::App& cmd, const Option& o) {
    return std::visit(Overloaded{
                          [&](bool* v) { return cmd.add_flag(o.names, *v, o.help); },
                          [&](std::optional<std::string>* v) {
                              return cmd.add_option(
                                  o.names,
                                  [v](const CLI::results_t& r) {
                                      *v = r.at(0);
                                      return true;
                                  },
                                  o.help);
                          },
                          [&](auto* v) { return cmd.add_option(o.names, *v, o.help); },
                      },
                      o.target);
}

void apply_check(CLI::Option* opt, const Check& check) {
    switch (check.kind) {
        case Check::Kind::none:
            break;
        case Check::Kind::existing_file:
            opt->check(CLI::ExistingFile);
            break;
        case Check::Kind::range:
            opt->check(CLI::Range(check.min, check.max));
            break;
        case Check::Kind::one_of:
            opt->check(CLI::IsMember(check.choices));
            break;
    }
}

// `chosen` receives the action of the command the parse selects; the
// command (and what its options point to) must outlive the parse.
void add_command(CLI::App& parent, const Command& c, std::function<int()>& chosen) {
    CLI::App* cmd = parent.add_subcommand(c.name, c.help);
    if (c.hidden) cmd->group("");
    std::map<std::string, CLI::Option*> added;  // by Option::names
    for (const auto& o : c.options) {
        CLI::Option* opt = add_option(*cmd, o);
        if (!o.env.empty()) opt->envname(o.env);
        if (o.required) opt->required();
        apply_check(opt, o.check);
        if (!o.type_name.empty()) opt->type_name(o.type_name);
        if (o.show_default) opt->capture_default_str();
        added[o.names] = opt;
    }
    for (const auto& o : c.options) {
        if (!o.excludes.empty()) added.at(o.names)->excludes(added.at(o.excludes));
        for (const auto& other : o.needs) added.at(o.names)->needs(added.at(other));
    }
    if (!c.footer.empty()) cmd->footer(c.footer);
    if (!c.subcommands.empty()) cmd->require_subcommand(1);
    for (const auto& sub : c.subcommands) add_command(*cmd, sub, chosen);
    if (c.action) cmd->callback([&chosen, &c] { chosen = c.action; });
}

CommandDoc describe(const CLI::App& app, std::vector<std::string> path) {
    CommandDoc doc;
    doc.path = path;
    doc.description = app.get_description();
    doc.footer = app.get_footer();
    doc.hidden = app.get_group().empty();
    for (const CLI::Option* o : app.get_options()) {
        OptionDoc od;
        od.positional = o->get_positional() && o->get_snames().empty() && o->get_lnames().empty();
        if (od.positional) {
            od.names.push_back(o->get_name(true));
        } else {
            for (const auto& s : o->get_snames()) od.names.push_back("-" + s);
            for (const auto& l : o->get_lnames()) od.names.push_back("--" + l);
        }
        od.description = o->get_description();
        od.takes_value = o->get_items_expected_max() > 0;
        od.required = o->get_required();
        doc.options.push_back(std::move(od));
    }
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        auto p = path;
        p.push_back(sub->get_name());
        doc.subcommands.push_back(describe(*sub, p));
    }
    return doc;
}

CommandDoc describe_cli(const CLI::App& app) {
    auto doc = describe(app, {});
    doc.hidden = false;
    return doc;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"vpngw: a WireGuard VPN gateway from one TOML profile"};
    app.set_version_flag("--version", std::string("vpngw ") + VPNGW_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "More log output (repeat for debug)");

    std::vector<Command> commands;
    for (CommandList list : kCommandTable)
        for (auto& c : list()) commands.push_back(std::move(c));
    for (auto& c : manual_commands([&app] { return describe_cli(app); }))
        commands.push_back(std::move(c));

    std::function<int()> action;
    for (const auto& c : commands) add_command(app, c, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    log::setup(verbosity);
    return action ? action() : kExitUsage;
}

}  // namespace vpngw::cli
