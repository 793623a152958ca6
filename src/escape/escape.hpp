#pragma once

// Escapers, one small function per target format. Each returns text that the
// format's real reader (bash, systemd, YAML, wg-quick, nft, TOML) reads back as
// exactly `value`, or nullopt when the format cannot carry the value at all
// (a NUL for bash, a '"' for nft); callers refuse such a value with its
// location. tests/escape proves each against the real consumer.

#include <optional>
#include <string>
#include <string_view>

namespace vpngw::escape {

// --- shell (bash, POSIX sh) ---
// One word: unquoted when it is made of A-Z a-z 0-9 _ . / + @ = : , - only,
// else in single quotes ("'" written as '\''). Every byte but NUL.
std::optional<std::string> shell_word(std::string_view value);
// One word made of [A-Za-z0-9/._+@=-] only: the value itself when it is
// made of those, else bash's $'...' form with \xHH for every other byte. No
// space, quote, '#' or '%' survives, so the word stays whole through
// wg-quick's parser ('#' starts a comment, `%i` is replaced) before bash
// evaluates the hook. Every byte but NUL.
std::optional<std::string> bash_hex_word(std::string_view value);

// --- systemd ---
// A path for a unit setting (ReadWritePaths=) or a tmpfiles.d path field:
// systemd reads both with specifier ('%') expansion and C unquoting, and no
// escape survives every such setting, so only safe_path() values are carried
// (as is); anything else is nullopt.
std::optional<std::string> systemd_path(std::string_view value);

// --- YAML ---
// A double-quoted scalar that is pure ASCII: '"', '\' and every control or
// non-ASCII character escaped (\xHH, \uXXXX, \UXXXXXXXX; U+0085, U+2028,
// U+2029 included, which YAML would otherwise read as line breaks). Invalid
// UTF-8 (YAML text must be Unicode): nullopt.
std::optional<std::string> yaml_double_quoted(std::string_view value);
// Base64 (RFC 4648, padded) for cloud-init's write_files `encoding: b64`:
// carries any bytes.
std::string base64(std::string_view bytes);

// --- TOML ---
// A basic string "..." with '"', '\', controls and the Unicode line and
// format characters escaped. Invalid UTF-8 (TOML is UTF-8): nullopt.
std::optional<std::string> toml_string(std::string_view value);

// --- nft ---
// A quoted nft string. nft's scanner ends a string at the next '"' and has no
// escapes, so only printable ASCII without '"' is carried; else nullopt.
std::optional<std::string> nft_string(std::string_view value);

// --- HTML ---
// Text for an HTML element's content or a quoted attribute value: '&', '<',
// '>', '"' and '\'' as character references, every other byte as it is. The
// browser reads the result back as exactly `value` and never as markup.
std::string html(std::string_view value);
// --- keepalived.conf, conntrackd.conf (ha.cpp) ---
// One keepalived word (an interface, an address, a path, an argument of a
// script line): A-Z a-z 0-9 _ . : / @ + = - only, 1-255 bytes, as is; else
// nullopt (keepalived has no quoting that survives every setting).
std::optional<std::string> keepalived_word(std::string_view value);
// One conntrackd word (an interface or a path): starts with a letter, digit
// or '/', then A-Z a-z 0-9 _ . / - only, 1-255 bytes; else nullopt.
std::optional<std::string> conntrackd_word(std::string_view value);

// --- text for people: comments, messages ---
// The value with every character that is not plainly visible written as an
// escape: C0 controls, DEL and invalid UTF-8 bytes as \xHH; C1 controls,
// Unicode line/paragraph separators and format characters (bidi overrides
// such as U+202E, zero-width joiners such as U+200D, U+FEFF, ...) as \u{XXXX}.
// The result is one line that shows what the bytes are; it is safe after
// '#' in TOML, YAML, wg-quick and shell, and in a terminal.
std::string visible(std::string_view value);
// `value` itself when it is one line of printable ASCII (0x20-0x7e), which
// every line-based format carries between its delimiters; else nullopt.
std::optional<std::string> plain_line(std::string_view value);

// --- paths ---
// The safe path character set (docs/profile.md): components of
// A-Z a-z 0-9 . _ - + @, separated by single '/', no "." or ".." component,
// no trailing '/', at most 4095 bytes. Every format above carries these
// unchanged, so state_dir, key files and `-o` are limited to it.
bool safe_path(std::string_view path);
// Why `path` is not safe, for a message ("" when it is).
std::string unsafe_path_reason(std::string_view path);
extern const char* const kSafePathRule;

// --- DNS names (dnsmasq hosts and config files) ---
// Neither format has an escape: a name goes in only when it is already a
// host name. A label is 1-63 of A-Z a-z 0-9 '-', not starting or ending with
// '-' (RFC 1123); a name is labels joined by single dots, at most 253 bytes.
bool dns_label(std::string_view label);
// Why `name` is not a DNS name, for a message ("" when it is).
std::string dns_name_reason(std::string_view name);

}  // namespace vpngw::escape
