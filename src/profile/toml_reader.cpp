#include "profile/toml_reader.hpp"

#include <algorithm>

#include "profile/quote.hpp"
#include "profile/suggest.hpp"

namespace vpngw::profile {

const char* type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::string:
            return "string";
        case toml::node_type::integer:
            return "integer";
        case toml::node_type::floating_point:
            return "floating-point number";
        case toml::node_type::boolean:
            return "boolean";
        case toml::node_type::date:
            return "date";
        case toml::node_type::time:
            return "time";
        case toml::node_type::date_time:
            return "date-time";
        case toml::node_type::array:
            return "array";
        case toml::node_type::table:
            return "table";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

static std::string where_in(const std::string& title) {
    return title.empty() ? "at the top level" : "in " + title;
}

TableReader::TableReader(Context& ctx, const toml::table& table, std::string title,
                         model::Origin& origin, std::vector<std::string> known_keys)
    : ctx_(ctx), table_(table), title_(std::move(title)), origin_(origin) {
    origin_.table = ctx_.at(table.source());
    for (auto&& [key, node] : table_) {
        const std::string name(key.str());
        if (std::find(known_keys.begin(), known_keys.end(), name) != known_keys.end()) {
            origin_.fields[name] = ctx_.at(node.source());
            continue;
        }
        ctx_.error(ctx_.at(key.source()), "unknown key " + quoted(name) + " " + where_in(title_) +
                                              did_you_mean(name, known_keys));
    }
}

bool TableReader::has(std::string_view key) const {
    return origin_.fields.count(std::string(key)) > 0;
}

toml::node_type TableReader::type_of(std::string_view key) const {
    const toml::node* node = table_.get(key);
    return node ? node->type() : toml::node_type::none;
}

Location TableReader::at(std::string_view key) const {
    return origin_.at(std::string(key));
}

void TableReader::missing(std::string_view key) {
    ctx_.error(where(), "missing required key \"" + std::string(key) + "\" " + where_in(title_));
}

const toml::node* TableReader::typed(std::string_view key, toml::node_type want,
                                     const char* want_name) {
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (node->type() != want) {
        ctx_.error(ctx_.at(node->source()), std::string("expected ") + want_name + " for \"" +
                                                std::string(key) + "\", got " +
                                                type_name(node->type()));
        return nullptr;
    }
    return node;
}

std::optional<Text> TableReader::string(std::string_view key) {
    const toml::node* node = typed(key, toml::node_type::string, "a string");
    if (!node) return std::nullopt;
    return Text{node->as_string()->get(), ctx_.at(node->source())};
}

std::optional<Text> TableReader::required_string(std::string_view key) {
    if (!has(key)) {
        missing(key);
        return std::nullopt;
    }
    return string(key);
}

std::optional<Text> TableReader::reference(std::string_view key) {
    auto text = string(key);
    if (text && text->value.empty()) {
        ctx_.error(text->where, "\"" + std::string(key) + "\" must not be empty");
        return std::nullopt;
    }
    return text;
}

std::optional<Located<std::int64_t>> TableReader::integer(std::string_view key, std::int64_t lo,
                                                          std::int64_t hi) {
    const toml::node* node = typed(key, toml::node_type::integer, "an integer");
    if (!node) return std::nullopt;
    const std::int64_t v = node->as_integer()->get();
    const Location where = ctx_.at(node->source());
    if (v < lo || v > hi) {
        ctx_.error(where, "\"" + std::string(key) + "\" must be between " + std::to_string(lo) +
                              " and " + std::to_string(hi) + ", got " + std::to_string(v));
        return std::nullopt;
    }
    return Located<std::int64_t>{v, where};
}

std::optional<Located<std::int64_t>> TableReader::required_integer(std::string_view key,
                                                                   std::int64_t lo,
                                                                   std::int64_t hi) {
    if (!has(key)) {
        missing(key);
        return std::nullopt;
    }
    return integer(key, lo, hi);
}

std::optional<Located<bool>> TableReader::boolean(std::string_view key) {
    const toml::node* node = typed(key, toml::node_type::boolean, "a boolean (true or false)");
    if (!node) return std::nullopt;
    return Located<bool>{node->as_boolean()->get(), ctx_.at(node->source())};
}

std::optional<std::vector<Text>> TableReader::strings(std::string_view key) {
    const toml::node* node = typed(key, toml::node_type::array, "an array of strings");
    if (!node) return std::nullopt;
    std::vector<Text> out;
    for (const toml::node& element : *node->as_array()) {
        if (auto* s = element.as_string()) {
            out.push_back({s->get(), ctx_.at(element.source())});
            continue;
        }
        ctx_.error(ctx_.at(element.source()), "expected a string in \"" + std::string(key) +
                                                  "\", got " + type_name(element.type()));
    }
    return out;
}

const toml::array* TableReader::array(std::string_view key) {
    const toml::node* node = typed(key, toml::node_type::array, "an array");
    return node ? node->as_array() : nullptr;
}

const toml::table* TableReader::table(std::string_view key) {
    const toml::node* node = typed(key, toml::node_type::table, "a table");
    return node ? node->as_table() : nullptr;
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (!node) return {};
    const std::string k(key);
    if (!node->is_array()) {
        ctx_.error(ctx_.at(node->source()), "expected an array of tables for \"" + k +
                                                "\" (write [[" + k + "]]), got " +
                                                type_name(node->type()));
        return {};
    }
    std::vector<const toml::table*> out;
    for (const toml::node& element : *node->as_array()) {
        if (auto* t = element.as_table()) {
            out.push_back(t);
            continue;
        }
        ctx_.error(ctx_.at(element.source()),
                   "expected a table in \"" + k + "\", got " + type_name(element.type()));
    }
    return out;
}

void TableReader::report_bad_choice(const Text& text, std::string_view key,
                                    const std::vector<std::string>& words) {
    std::string list;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) list += i + 1 == words.size() ? " or " : ", ";
        list += "\"" + words[i] + "\"";
    }
    ctx_.error(text.where, "invalid value " + quoted(text.value) + " for \"" + std::string(key) +
                               "\": expected " + list + did_you_mean(text.value, words));
}

}  // namespace vpngw::profile
