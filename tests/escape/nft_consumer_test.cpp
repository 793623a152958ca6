// nft_string() against nft itself, in a private network namespace (never the
// root one): `nft -c` accepts every carried string, and after a commit inside
// the namespace `nft list ruleset` reads each table comment back exactly.

#include <gtest/gtest.h>

#include "escape/escape.hpp"
#include "samples.hpp"

namespace vpngw::escape {
namespace {

using testing::run_bash;
using testing::samples;
using testing::TempDir;

TEST(EscapeNft, TableCommentsReadBackInPrivateNetns) {
    TempDir dir;
    std::string rules, expected;
    std::size_t n = 0;
    for (const auto& v : samples()) {
        auto q = nft_string(v);
        if (!q || v.empty()) continue;  // nft refuses an empty comment itself
        rules += "table inet esc" + std::to_string(n++) + " { comment " + *q + "; }\n";
        expected += v + '\n';
    }
    ASSERT_GT(n, 90u);
    dir.write("rules.nft", rules);
    dir.write("expected", expected);
    // nft 1.0.6 leaves table comments out of its JSON; its text listing
    // prints each as `comment "..."` on its own line.
    dir.write(
        "check.py",
        "import re, sys\n"
        "text = sys.stdin.buffer.read()\n"
        "found = re.findall(rb'^table inet esc([0-9]+) [{]\\n\\tcomment \"(.*)\"\\n[}]$', text, "
        "re.M)\n"
        "got = [c for _, c in sorted(found, key=lambda f: int(f[0]))]\n"
        "exp = open(sys.argv[1], 'rb').read().split(b'\\n')[:-1]\n"
        "print(len(got), [i for i in range(len(exp)) if i >= len(got) or got[i] != exp[i]])\n");
    auto out = run_bash("unshare -n sh -ec 'nft -c -f " + dir.path() + "/rules.nft; nft -f " +
                        dir.path() + "/rules.nft; nft list ruleset' | python3 " + dir.path() +
                        "/check.py " + dir.path() + "/expected\n");
    EXPECT_EQ(out, std::to_string(n) + " []\n");
}

}  // namespace
}  // namespace vpngw::escape
