#include "cli/cli_doc.hpp"

namespace vpngw::cli {

namespace {

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

}  // namespace

std::string CommandDoc::full_name() const {
    std::string name = "vpngw";
    for (const auto& p : path) name += " " + p;
    return name;
}

CommandDoc describe_cli(const CLI::App& app) {
    auto doc = describe(app, {});
    doc.hidden = false;
    return doc;
}

}  // namespace vpngw::cli
