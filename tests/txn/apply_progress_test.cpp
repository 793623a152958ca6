// The crash record of an apply (<state_dir>/apply-in-progress): its format,
// damaged files as errors with file:line, what a later run decides from it,
// and the migration from the previous release's file name (`journal`).

#include "txn/apply_progress.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::txn {
namespace {

ApplyProgress sample() {
    ApplyProgress p;
    p.command = "up";
    p.profile = "/etc/vpngw/office.toml";
    p.pid = 4242;
    p.started = 1714567890;
    p.completed = 1;
    p.ops = {"+ sysctl net.ipv4.ip_forward = 1", "+ link wg0 (wireguard, mtu 1420)",
             "+ address 10.66.0.1/16 dev wg0"};
    p.in_flight_link = "wg0";
    return p;
}

// What the release before this one wrote to <state_dir>/journal, verbatim.
const char* kPreviousRelease =
    R"(# an apply in progress; left behind only when vpngw was killed mid-apply
command = 'up'
completed = 1
in_flight_link = 'wg0'
ops = [ '+ sysctl net.ipv4.ip_forward = 1', '+ link wg0 (wireguard, mtu 1420)' ]
pid = 4242
profile = '/etc/vpngw/office.toml'
started = 1714567890
)";

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

bool exists(const std::string& path) {
    return mode_of(path) != -1;
}

ops::Op link_create(const char* name) {
    state::Link l;
    l.name = name;
    return {ops::LinkCreate{l, model::Backend::automatic}, {}};
}

ops::Op sysctl() {
    return {ops::SysctlSet{{"net.ipv4.ip_forward", "1"}, "0"}, {}};
}

TEST(ApplyProgress, RoundTrips) {
    auto back = parse_progress(format_progress(sample()), "apply-in-progress");
    ASSERT_TRUE(back) << back.error().str();
    EXPECT_EQ(*back, sample());
}

TEST(ApplyProgress, SaysWhatWasInterrupted) {
    auto p = sample();
    EXPECT_EQ(p.interrupted_op(), "+ link wg0 (wireguard, mtu 1420)");
    EXPECT_EQ(p.summary(),
              "up of /etc/vpngw/office.toml (pid 4242) was interrupted after 1 of 3 "
              "operation(s); next was: + link wg0 (wireguard, mtu 1420)");
    p.completed = 3;
    EXPECT_FALSE(p.interrupted_op());
    EXPECT_EQ(p.summary().find("next was"), std::string::npos);
}

TEST(ApplyProgress, TruncatedTextIsAnErrorWithFileAndLine) {
    const std::string text = format_progress(sample());
    const auto cut = text.find("+ link wg0");  // inside the ops array
    ASSERT_NE(cut, std::string::npos);
    auto r = parse_progress(text.substr(0, cut), "/var/lib/vpngw/apply-in-progress");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, "/var/lib/vpngw/apply-in-progress");
    EXPECT_GT(r.error().where.line, 1);
}

// A record as vpngw writes it, one field per line (1: command ... 6: ops),
// with one field replaced by `change` ("started = 2" -> "" drops it).
std::string record_with(const std::string& field, const std::string& change) {
    std::string out;
    for (std::string line : {"command = \"up\"", "profile = \"/p.toml\"", "pid = 1", "started = 2",
                             "completed = 0", "ops = [\"+ a\"]"}) {
        if (line.starts_with(field + " =")) line = change;
        if (!line.empty()) out += line + "\n";
    }
    return out;
}

struct Damaged {
    std::string text;
    int line;  // 0: any
    std::string message;
};

TEST(ApplyProgress, ADamagedRecordIsAnErrorNamingItsFieldAndLine) {
    const std::vector<Damaged> cases{
        {record_with("completed", "completed = \"three\""), 5, "\"completed\" has the wrong type"},
        {record_with("ops", "ops = [\"+ a\", 7]"), 6, "\"ops\" holds a value that is not a string"},
        {record_with("ops", "ops = \"+ a\""), 6, "\"ops\" is not an array"},
        {record_with("started", ""), 0, "\"started\" is missing"},
        {record_with("completed", "completed = 2"), 5, "\"completed\" is not between 0 and the 1"},
        {record_with("completed", "completed = -1"), 5, "\"completed\" is not between"},
        {record_with("command", "command = \"sideways\""), 1, "\"command\" is neither"},
        {record_with("pid", "pid = 1\n\x01\x02 not toml"), 4, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        auto r = parse_progress(c.text, "apply-in-progress");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().where.file, "apply-in-progress");
        if (c.line) {
            EXPECT_EQ(r.error().where.line, c.line);
        }
        EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
    }
    EXPECT_TRUE(parse_progress(record_with("", ""), "apply-in-progress"))
        << "the base record is good";
}

TEST(ApplyProgress, AdoptsOnlyTheInFlightLinkWhenItLooksForeign) {
    auto p = sample();
    EXPECT_EQ(link_to_adopt(p, {"eth9", "wg0"}), "wg0");
    EXPECT_FALSE(link_to_adopt(p, {"eth9"})) << "not created (or already marked): nothing to do";
    p.in_flight_link.clear();
    EXPECT_FALSE(link_to_adopt(p, {"wg0"})) << "a foreign wg0 the killed run did not create";
}

TEST(ApplyProgress, IsWrittenAsTheApplyAdvances) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    const std::vector<ops::Op> planned{sysctl(), link_create("wg0"), sysctl()};
    ApplyProgress p;
    p.command = "up";
    p.profile = "/etc/vpngw/office.toml";
    ASSERT_TRUE(begin_progress(paths, p, planned));
    EXPECT_EQ(mode_of(paths.apply_progress_file()), 0600);
    auto loaded = load_progress(paths);
    ASSERT_TRUE(loaded) << loaded.error().str();
    ASSERT_TRUE(*loaded);
    EXPECT_EQ((*loaded)->completed, 0u);
    EXPECT_EQ((*loaded)->ops.size(), 3u);
    EXPECT_EQ((*loaded)->in_flight_link, "");

    ASSERT_TRUE(advance_progress(paths, p, 1, planned));
    loaded = load_progress(paths);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->completed, 1u);
    EXPECT_EQ((*loaded)->in_flight_link, "wg0") << "the next op creates it";

    ASSERT_TRUE(advance_progress(paths, p, 2, planned));
    loaded = load_progress(paths);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->in_flight_link, "");

    ASSERT_TRUE(remove_progress(paths));
    loaded = load_progress(paths);
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(*loaded);
}

TEST(ApplyProgress, ARecordOfThePreviousReleaseIsRenamedAndActedOn) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    ASSERT_EQ(paths.legacy_apply_progress_file(), dir / "journal");
    write(paths.legacy_apply_progress_file(), kPreviousRelease);

    auto loaded = load_progress(paths);
    ASSERT_TRUE(loaded) << loaded.error().str();
    ASSERT_TRUE(*loaded);
    EXPECT_EQ((*loaded)->command, "up");
    EXPECT_EQ((*loaded)->completed, 1u);
    EXPECT_EQ((*loaded)->in_flight_link, "wg0");
    EXPECT_EQ(link_to_adopt(**loaded, {"wg0"}), "wg0");
    EXPECT_FALSE(exists(paths.legacy_apply_progress_file()));
    EXPECT_TRUE(exists(paths.apply_progress_file()));

    ASSERT_TRUE(remove_progress(paths));
    EXPECT_FALSE(exists(paths.apply_progress_file()));
}

TEST(ApplyProgress, TheCurrentRecordWinsOverAStaleOldOne) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    auto current = sample();
    current.command = "down";
    write(paths.apply_progress_file(), format_progress(current));
    write(paths.legacy_apply_progress_file(), kPreviousRelease);
    auto loaded = load_progress(paths);
    ASSERT_TRUE(loaded && *loaded);
    EXPECT_EQ((*loaded)->command, "down");
    EXPECT_FALSE(exists(paths.legacy_apply_progress_file()));
}

TEST(ApplyProgress, ADamagedOldRecordIsAnErrorUnderItsNewName) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    write(paths.legacy_apply_progress_file(), "command = \"up\"\nops = [\n");
    auto loaded = load_progress(paths);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().where.file, paths.apply_progress_file());
    EXPECT_GT(loaded.error().where.line, 0);
}

TEST(ApplyProgress, ThePeerStoresJournalIsAnotherFile) {
    const store::StatePaths paths{"/var/lib/vpngw"};
    EXPECT_NE(paths.apply_progress_file(), paths.peers_journal_file());
    EXPECT_NE(paths.legacy_apply_progress_file(), paths.peers_journal_file());
}

}  // namespace
}  // namespace vpngw::txn
