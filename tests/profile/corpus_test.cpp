// The invalid-profile corpus: every tests/profile/invalid/*.toml declares the
// diagnostics it must produce in `# expect: LINE:COL: SEVERITY: MESSAGE`
// header comments. The loader's errors must match the expected errors exactly
// (expected warnings must be present); then `vpngw check FILE` must exit 1 and
// print each expected diagnostic prefixed with the file path.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(VPNGW_SOURCE_DIR) + "/tests/profile/invalid";

std::vector<std::string> corpus_files() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kCorpus, ec))
        if (entry.path().extension() == ".toml") out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> expectations(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    const std::string marker = "# expect: ";
    for (std::string line; std::getline(in, line);)
        if (line.rfind(marker, 0) == 0) out.push_back(line.substr(marker.size()));
    return out;
}

bool is_error(const std::string& expected) {
    return expected.find(": error: ") != std::string::npos || expected.rfind("error: ", 0) == 0;
}

struct CheckRun {
    int status = -1;
    std::string output;
};

CheckRun run_check(const std::string& path) {
    CheckRun run;
    const std::string command = "'" + std::string(VPNGW_BINARY) + "' check '" + path + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        run.output.append(buffer, n);
    const int raw = pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

class Corpus : public testing::TestWithParam<std::string> {};

TEST(CorpusSize, HasEnoughFiles) {
    EXPECT_GE(corpus_files().size(), 45u);
}

TEST_P(Corpus, LoaderReportsExactlyTheExpectedErrors) {
    const std::string path = kCorpus + "/" + GetParam();
    const auto expected = expectations(path);
    ASSERT_FALSE(expected.empty()) << path << " declares no `# expect:` lines";

    std::vector<std::string> expected_errors;
    for (const auto& e : expected)
        if (is_error(e)) expected_errors.push_back(e);
    ASSERT_FALSE(expected_errors.empty()) << "an invalid profile must expect an error";

    auto result = load_file(path);
    EXPECT_FALSE(result.profile);
    auto errors = test::lines_of(result, Severity::error);
    auto sorted_expected = expected_errors;
    std::sort(errors.begin(), errors.end());
    std::sort(sorted_expected.begin(), sorted_expected.end());
    EXPECT_EQ(errors, sorted_expected) << path;

    const auto warnings = test::lines_of(result, Severity::warning);
    for (const auto& e : expected) {
        if (is_error(e)) continue;
        EXPECT_THAT(warnings, testing::Contains(e)) << path;
    }
}

TEST_P(Corpus, CheckCommandFailsAndPrintsEachDiagnostic) {
    const std::string path = kCorpus + "/" + GetParam();
    ASSERT_TRUE(fs::exists(VPNGW_BINARY))
        << "the vpngw binary is not built: " << VPNGW_BINARY << " (build the `vpngw` target)";
    const CheckRun run = run_check(path);
    EXPECT_EQ(run.status, 1) << run.output;
    for (const auto& e : expectations(path)) {
        const std::string line =
            e.find(':') < e.find(' ') && std::isdigit(e[0]) ? path + ":" + e : path + ": " + e;
        EXPECT_NE(run.output.find(line), std::string::npos) << "missing: " << line << "\noutput:\n"
                                                            << run.output;
    }
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
    std::string name = fs::path(info.param).stem().string();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Invalid, Corpus, testing::ValuesIn(corpus_files()), test_name);

}  // namespace
}  // namespace vpngw::profile
