#pragma once

// Typed access to one TOML table with diagnostics: every value read is type
// checked, range checked and its location recorded in the model's Origin;
// keys nobody asked for are reported as unknown (with a suggestion).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/profile.hpp"
#include "profile/context.hpp"

namespace vpngw::profile {

// A string value and where it was written.
struct Text {
    std::string value;
    Location where;
};

template <class T>
struct Located {
    T value;
    Location where;
};

// "string", "integer", "floating-point", ... as users know TOML types.
const char* type_name(toml::node_type t);

class TableReader {
  public:
    // `title` names the table in messages: "[gateway]", "[[group]]", or "" for
    // the document root. Unknown keys are reported right away.
    TableReader(Context& ctx, const toml::table& table, std::string title, model::Origin& origin,
                std::vector<std::string> known_keys);

    // Each getter returns nothing when the key is absent or its value is
    // wrong; a wrong value has already been reported.
    std::optional<Text> string(std::string_view key);
    std::optional<Text> required_string(std::string_view key);
    // The name of another table (an interface, uplink or group): a non-empty string.
    std::optional<Text> reference(std::string_view key);
    std::optional<Located<std::int64_t>> integer(std::string_view key, std::int64_t lo,
                                                 std::int64_t hi);
    std::optional<Located<std::int64_t>> required_integer(std::string_view key, std::int64_t lo,
                                                          std::int64_t hi);
    std::optional<Located<bool>> boolean(std::string_view key);
    // An array of strings; elements of another type are reported and dropped.
    std::optional<std::vector<Text>> strings(std::string_view key);
    // An array of any element types, checked by the caller.
    const toml::array* array(std::string_view key);
    // A sub-table, inline `{ ... }` or `[parent.key]`.
    const toml::table* table(std::string_view key);
    // An array of tables (`[[key]]`).
    std::vector<const toml::table*> tables(std::string_view key);

    // One of a fixed set of words; anything else is reported with the choices.
    template <class E>
    std::optional<Located<E>> choice(std::string_view key,
                                     std::initializer_list<std::pair<const char*, E>> options) {
        auto text = string(key);
        if (!text) return std::nullopt;
        for (auto& [word, value] : options)
            if (text->value == word) return Located<E>{value, text->where};
        std::vector<std::string> words;
        for (auto& o : options) words.emplace_back(o.first);
        report_bad_choice(*text, key, words);
        return std::nullopt;
    }

    // The TOML type of the key's value (none when absent), for keys that
    // accept more than one form.
    toml::node_type type_of(std::string_view key) const;

    // Whether the key was written at all (even with a wrong value).
    bool has(std::string_view key) const;
    // Where the key's value was written, or the table header when it was not.
    Location at(std::string_view key) const;
    const Location& where() const { return origin_.table; }
    const std::string& title() const { return title_; }
    void missing(std::string_view key);

  private:
    const toml::node* typed(std::string_view key, toml::node_type want, const char* want_name);
    void report_bad_choice(const Text& text, std::string_view key,
                           const std::vector<std::string>& words);

    Context& ctx_;
    const toml::table& table_;
    std::string title_;
    model::Origin& origin_;
};

}  // namespace vpngw::profile
