#include "samples.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vpngw::escape::testing {

std::vector<std::string> samples() {
    std::vector<std::string> out;
    for (int b = 1; b < 256; ++b) out.push_back(std::string("a") + static_cast<char>(b) + "b");
    out.push_back(std::string("a\0b", 3));
    for (const char* s : {"",
                          " ",
                          " lead",
                          "trail ",
                          "\t",
                          "\r\n",
                          "a\nExecStartPre=/bin/sh -c id",
                          "$(touch /tmp/pwned)",
                          "`id`",
                          "${HOME}",
                          "$HOME",
                          "'",
                          "\"",
                          "\\",
                          "\\\\n",
                          "'\"'",
                          "a'b\"c\\d$e`f",
                          "#comment",
                          "a # b",
                          "%i",
                          "%%",
                          "%n%h",
                          "-rf",
                          "--",
                          "~",
                          "~root",
                          "*",
                          "?",
                          "[a]",
                          "{a,b}",
                          "a;b",
                          "a|b",
                          "a&b",
                          "a>b",
                          "a<b",
                          "<script>alert(1)</script>",
                          "</p><img src=x onerror=alert(1)>",
                          "\" onmouseover=\"alert(1)",
                          "' autofocus onfocus='alert(1)",
                          "&lt;b&gt; &amp;amp; &#60; &#x3c;",
                          "<!-- a --> <![CDATA[b]]>",
                          "!",
                          "a=b",
                          "x\x1b[31m",
                          "\xc2\x85",
                          "a\xc2\x85"
                          "b",
                          "a\xe2\x80\xa8"
                          "bootcmd: [id]",
                          "a\xe2\x80\xa9"
                          "b",
                          "\xe2\x80\xae"
                          "gpj.exe",
                          "a\xe2\x80\x8d"
                          "b",
                          "\xef\xbb\xbf"
                          "bom",
                          "\xc2\xa0nbsp",
                          "\xc2\xad"
                          "shy",
                          "caf\xc3\xa9",
                          "\xe4\xb8\xad\xe6\x96\x87",
                          "\xf0\x9f\x98\x80",
                          "\xc0\xaf",
                          "\xed\xa0\x80",
                          "\xf4\x90\x80\x80",
                          "\xe2\x82",
                          "\xff\xfe",
                          "/var/lib/vpngw",
                          "/srv/vpn-gw/state_1",
                          "/a/b@c+d.e"})
        out.emplace_back(s);
    return out;
}

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string run_bash(const std::string& script, int* status) {
    TempDir dir;
    dir.write("script", script);
    const std::string cmd = "bash " + dir.path() + "/script >" + dir.path() + "/out 2>" +
                            dir.path() + "/err </dev/null";
    int rc = std::system(cmd.c_str());
    int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    if (status)
        *status = code;
    else
        EXPECT_EQ(code, 0) << dir.read("err");
    return dir.read("out");
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vpngw-esc.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& bytes) const {
    std::ofstream out(path_ + "/" + name, std::ios::binary);
    out << bytes;
}

std::string TempDir::read(const std::string& name) const {
    return slurp(path_ + "/" + name);
}

}  // namespace vpngw::escape::testing
