// Each escaper against the program that reads its output: the value read back
// must be exactly the value escaped, for every character class in samples().
// A value an escaper refuses (nullopt) must be one its format cannot carry.

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "escape/escape.hpp"
#include "samples.hpp"

namespace vpngw::escape {
namespace {

using testing::run_bash;
using testing::samples;
using testing::TempDir;

std::vector<std::string> split_nul(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nul; (nul = text.find('\0', start)) != std::string::npos; start = nul + 1)
        out.push_back(text.substr(start, nul - start));
    return out;
}

bool has_nul(const std::string& v) {
    return v.find('\0') != std::string::npos;
}

// Words printed by a shell, NUL-separated, must be the values.
void expect_shell_reads_back(const std::string& shell,
                             std::optional<std::string> (*escaper)(std::string_view)) {
    std::vector<std::string> carried;
    std::string script = "printf '%s\\0'";
    for (const auto& v : samples()) {
        auto word = escaper(v);
        ASSERT_EQ(word.has_value(), !has_nul(v)) << "only NUL is beyond a shell word";
        if (!word) continue;
        carried.push_back(v);
        script += " " + *word;
    }
    TempDir dir;
    dir.write("script", script + "\n");
    ASSERT_EQ(std::system((shell + " " + dir.path() + "/script >" + dir.path() + "/out").c_str()),
              0);
    EXPECT_EQ(split_nul(dir.read("out")), carried);
}

TEST(EscapeConsumers, ShellWordReadBackByBash) {
    expect_shell_reads_back("bash", shell_word);
}

// cloud-init runs its runcmd strings with `sh -ec` (dash on Debian).
TEST(EscapeConsumers, ShellWordReadBackBySh) {
    expect_shell_reads_back("sh", shell_word);
}

TEST(EscapeConsumers, BashHexWordReadBackByBash) {
    expect_shell_reads_back("bash", bash_hex_word);
}

// wg-quick's own parser and hook runner (sourced from the installed wg-quick):
// a PostUp word stays whole through its '#' stripping, whitespace trimming and
// %i substitution, and bash's eval prints exactly the value. Comment lines
// from visible() add no key.
TEST(EscapeConsumers, BashHexWordInWgQuickPostUp) {
    TempDir dir;
    std::vector<std::string> carried;
    std::string conf = "[Interface]\n";
    for (const auto& v : samples()) {
        conf += "# " + visible(v) + "\n";
        auto word = bash_hex_word(v);
        if (!word) continue;
        carried.push_back(v);
        conf += "PostUp = printf '%s\\0' " + *word + " >> " + dir.path() + "/out\n";
    }
    dir.write("wgesc0.conf", conf);
    run_bash(
        "set -e -o pipefail\nshopt -s extglob\nexport LC_ALL=C\n"
        "source <(sed -n '/^die() {/,/^}/p;/^read_bool() {/,/^}/p;"
        "/^parse_options() {/,/^}/p;/^execute_hooks() {/,/^}/p' \"$(command -v wg-quick)\")\n"
        "parse_options " +
        dir.path() + "/wgesc0.conf\nexecute_hooks \"${POST_UP[@]}\" 2>/dev/null\n");
    EXPECT_EQ(split_nul(dir.read("out")), carried);

    // `wg-quick strip`: the hooks are gone and each comment is still one line.
    auto stripped = run_bash("wg-quick strip " + dir.path() + "/wgesc0.conf\n");
    std::size_t lines = 0;
    for (char c : stripped) lines += c == '\n';
    EXPECT_EQ(lines, 1 + samples().size() + 1);  // [Interface], the comments, echo's newline
    EXPECT_EQ(stripped.find("PostUp"), std::string::npos);
}

// PyYAML's safe_load reads every scalar back as the value (as UTF-8), and
// base64 content decodes to the bytes.
TEST(EscapeConsumers, YamlDoubleQuotedAndBase64ReadBackByPyYaml) {
    TempDir dir;
    std::string doc = "quoted:\n", expected, raw = "b64:\n", raw_expected;
    std::size_t count = 0;
    for (const auto& v : samples()) {
        raw += "  - '" + base64(v) + "'\n";
        raw_expected += base64(v) + "\n";
        auto q = yaml_double_quoted(v);
        bool utf8 = true;
        // Only invalid UTF-8 may be refused.
        for (unsigned char c : v) utf8 = utf8 && c < 0x80;
        if (!q) {
            EXPECT_FALSE(utf8) << v;
            continue;
        }
        // Pure ASCII output: nothing YAML could read as a line break.
        for (unsigned char c : *q) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << *q;
        doc += "  - " + *q + "\n";
        expected += base64(v) + "\n";
        ++count;
    }
    EXPECT_GT(count, 175u);
    dir.write("doc.yaml", doc + raw);
    dir.write("expected", expected);
    dir.write("raw_expected", raw_expected);
    const std::string py =
        "import base64, sys, yaml\n"
        "d = yaml.safe_load(open(sys.argv[1], 'rb'))\n"
        "assert sorted(d) == ['b64', 'quoted'], sorted(d)\n"
        "exp = [base64.b64decode(l) for l in open(sys.argv[2]).read().split('\\n')[:-1]]\n"
        "got = [s.encode('utf-8') for s in d['quoted']]\n"
        "bad = [i for i in range(max(len(exp), len(got))) if i >= len(exp) or i >= len(got) "
        "or exp[i] != got[i]]\n"
        "raw = [base64.b64decode(l) for l in open(sys.argv[3]).read().split('\\n')[:-1]]\n"
        "dec = [base64.b64decode(s) for s in d['b64']]\n"
        "print(len(got), bad, raw == dec)\n";
    dir.write("check.py", py);
    auto out = run_bash("python3 " + dir.path() + "/check.py " + dir.path() + "/doc.yaml " +
                        dir.path() + "/expected " + dir.path() + "/raw_expected\n");
    EXPECT_EQ(out, std::to_string(count) + " [] True\n");
}

// A comment that went through visible() stays a comment in YAML and TOML.
TEST(EscapeConsumers, VisibleTextStaysInsideYamlAndTomlComments) {
    TempDir dir;
    std::string yaml;
    for (const auto& v : samples()) {
        const std::string line = "# " + visible(v) + "\n";
        yaml += line;
        auto table = toml::parse(line + "k = 1\n");
        EXPECT_EQ(table.size(), 1u) << line;
        EXPECT_EQ(table["k"].value<int>(), 1);
    }
    dir.write("doc.yaml", yaml + "k: 1\n");
    auto out = run_bash(
        "python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1], "
        "\"rb\")))' " +
        dir.path() + "/doc.yaml\n");
    EXPECT_EQ(out, "{'k': 1}\n");
}

TEST(EscapeConsumers, TomlStringReadBackByTomlPlusPlus) {
    std::size_t carried = 0;
    for (const auto& v : samples()) {
        auto q = toml_string(v);
        bool ascii = true;
        for (unsigned char c : v) ascii = ascii && c < 0x80;
        if (!q) {
            EXPECT_FALSE(ascii) << "only invalid UTF-8 may be refused";
            continue;
        }
        ++carried;
        auto table = toml::parse("v = " + *q + "\n# after\n");
        EXPECT_EQ(table.size(), 1u);
        EXPECT_EQ(table["v"].value<std::string>(), v) << *q;
    }
    EXPECT_GT(carried, 175u);
}

// systemd reads a tmpfiles.d path and a unit's ReadWritePaths= with
// specifiers and unquoting: what systemd_path() carries must come back as
// that very directory, and a unit with it must verify without a warning.
TEST(EscapeConsumers, SystemdPathCreatedByTmpfilesAndVerified) {
    TempDir dir;
    std::string conf, unit = "[Unit]\nDescription=esc\n[Service]\nExecStart=/bin/true\n";
    std::set<std::string> carried;
    for (const auto& v : samples()) {
        const std::string path = "/srv/" + v;
        auto p = systemd_path(path);
        EXPECT_EQ(p.has_value(), safe_path(path)) << path;
        if (!p) continue;
        conf += "d " + *p + " 0700 root root -\n";
        unit += "ReadWritePaths=" + *p + "\n";
        carried.insert(v);
    }
    EXPECT_GE(carried.size(), 66u);  // letters, digits, . _ - + @, and the paths
    for (const char* refused : {"a\nb", "a b", "a%b", "a\"b", "a'b", "a\\b", "a$b", "a`b"})
        EXPECT_FALSE(systemd_path(std::string("/srv/") + refused)) << refused;
    dir.write("t.conf", conf);
    dir.write("esc-check.service", unit);
    run_bash("mkdir " + dir.path() + "/root && systemd-tmpfiles --root=" + dir.path() +
             "/root --create " + dir.path() + "/t.conf\n");
    std::set<std::string> made;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/root/srv"))
        made.insert(e.path().filename().string());
    std::set<std::string> expected;
    for (const auto& v : carried) expected.insert(v.substr(0, v.find('/')));
    EXPECT_EQ(made, expected);
    for (const auto& v : carried)
        EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/root/srv/" + v)) << v;
    auto warnings = run_bash("systemd-analyze verify " + dir.path() + "/esc-check.service 2>&1\n");
    EXPECT_EQ(warnings, "");
}

TEST(EscapeConsumers, NftStringCarriesOnlyPrintableAsciiWithoutQuote) {
    for (const auto& v : samples()) {
        bool carriable = true;
        for (unsigned char c : v) carriable = carriable && c >= 0x20 && c < 0x7f && c != '"';
        EXPECT_EQ(nft_string(v).has_value(), carriable) << v;
    }
}

TEST(EscapeConsumers, VisibleShowsFormatAndControlCharacters) {
    EXPECT_EQ(visible("\xe2\x80\xae"
                      "gpj.exe"),
              "\\u{202e}gpj.exe");
    EXPECT_EQ(visible("a\xe2\x80\x8d"
                      "b"),
              "a\\u{200d}b");
    EXPECT_EQ(visible("a\nb\x1b"), "a\\x0ab\\x1b");
    EXPECT_EQ(visible("a\xc2\x85"
                      "b\xe2\x80\xa8"),
              "a\\u{0085}b\\u{2028}");
    EXPECT_EQ(visible("\xff"
                      "caf\xc3\xa9"),
              "\\xffcaf\xc3\xa9");
    for (const auto& v : samples()) {
        auto out = visible(v);
        for (unsigned char c : out) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << out;
        EXPECT_EQ(visible(out), out) << "nothing left to escape in " << out;
    }
}

TEST(EscapeConsumers, SafePathRule) {
    for (const char* ok : {"/var/lib/vpngw", "/srv/vpn-gw/state_1", "keys/wg0.key", "/", "a",
                           "/a/b@c+d.e", "/x/.hidden"})
        EXPECT_TRUE(safe_path(ok)) << ok;
    for (const char* bad : {"", "/var/lib/vpngw/", "/a//b", "/a/../b", "./a", "/a/.", "/a b",
                            "/a$(id)", "/a\nb", "/caf\xc3\xa9", "/a:b", "/a%i", "/a,b", "/a=b"})
        EXPECT_FALSE(safe_path(bad)) << bad;
    EXPECT_FALSE(safe_path(std::string(4096, 'a')));
}

// Python's HTML parser (html.parser, which tokenises as HTML5 does) reads
// every escaped sample back as the value itself, as element text and as a
// quoted attribute value, and sees no element or attribute but ours: an
// escaped "<script>" or '" onerror=' stays text.
TEST(EscapeConsumers, HtmlReadBackByHtmlParser) {
    TempDir dir;
    std::string doc, expected;
    for (const auto& v : samples()) {
        if (v.find('\0') != std::string::npos) continue;  // HTML replaces NUL; never in a name
        const std::string e = html(v);
        for (char c : std::string("<>\"'")) EXPECT_EQ(e.find(c), std::string::npos) << e;
        doc += "<p title=\"" + e + "\">" + e + "</p>\n";
        expected += base64(v) + "\n";
    }
    dir.write("doc.html", doc);
    dir.write("expected", expected);
    const std::string py =
        "import base64, sys\n"
        "from html.parser import HTMLParser\n"
        "class P(HTMLParser):\n"
        "    def __init__(self):\n"
        "        super().__init__(convert_charrefs=True)\n"
        "        self.tags, self.titles, self.texts, self.cur = [], [], [], None\n"
        "    def handle_starttag(self, tag, attrs):\n"
        "        self.tags.append((tag, tuple(k for k, _ in attrs)))\n"
        "        self.titles.append(dict(attrs).get('title'))\n"
        "        self.cur = ''\n"
        "    def handle_data(self, d):\n"
        "        if self.cur is not None: self.cur += d\n"
        "    def handle_endtag(self, tag):\n"
        "        self.texts.append(self.cur); self.cur = None\n"
        "p = P()\n"
        "p.feed(open(sys.argv[1], encoding='latin-1', newline='').read()); p.close()\n"
        "exp = [base64.b64decode(l).decode('latin-1') for l in "
        "open(sys.argv[2]).read().split('\\n')[:-1]]\n"
        "print(len(exp), set(p.tags) == {('p', ('title',))}, p.titles == exp, p.texts == exp)\n";
    dir.write("check.py", py);
    auto out = run_bash("python3 " + dir.path() + "/check.py " + dir.path() + "/doc.html " +
                        dir.path() + "/expected\n");
    std::size_t n = 0;
    for (const auto& v : samples()) n += v.find('\0') == std::string::npos;
    EXPECT_EQ(out, std::to_string(n) + " True True True\n");
}

}  // namespace
}  // namespace vpngw::escape
