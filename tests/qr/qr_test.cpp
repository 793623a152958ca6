// QR renderings are checked by independent means: the PNG by the real
// `zbarimg` (zbar-tools), the terminal and SVG output by re-parsing them into
// a module matrix and comparing with libqrencode's own matrix, computed here
// directly rather than through our encode().

#include "qr/qr.hpp"

#include <gtest/gtest.h>
#include <qrencode.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace vpngw::qr {
namespace {

// A realistic client config: what the QR codes carry in production.
const std::string kConfig =
    "[Interface]\n"
    "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
    "Address = 10.8.1.2/32, fd08:0:0:1::2/128\n"
    "DNS = 10.8.0.1\n"
    "MTU = 1420\n"
    "\n"
    "[Peer]\n"
    "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
    "PresharedKey = FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=\n"
    "Endpoint = vpn.example.net:51820\n"
    "AllowedIPs = 0.0.0.0/0, ::/0\n"
    "PersistentKeepalive = 25\n";

using Grid = std::vector<std::vector<bool>>;

// libqrencode's matrix for the same input, mode and level.
Grid reference(const std::string& data) {
    QRcode* c =
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M);
    EXPECT_NE(c, nullptr);
    if (!c) return {};
    Grid g(c->width, std::vector<bool>(c->width));
    for (int y = 0; y < c->width; ++y)
        for (int x = 0; x < c->width; ++x) g[y][x] = c->data[y * c->width + x] & 1;
    QRcode_free(c);
    return g;
}

// Cuts the quiet zone off a padded grid, checking it is all light.
Grid strip_quiet_zone(const Grid& padded, int size) {
    Grid g(size, std::vector<bool>(size));
    for (int y = 0; y < static_cast<int>(padded.size()); ++y)
        for (int x = 0; x < static_cast<int>(padded[y].size()); ++x) {
            int mx = x - kQuietZone, my = y - kQuietZone;
            bool inside = mx >= 0 && my >= 0 && mx < size && my < size;
            if (inside)
                g[my][mx] = padded[y][x];
            else
                EXPECT_FALSE(padded[y][x]) << "quiet zone module dark at " << x << "," << y;
        }
    return g;
}

// A file in a fresh /tmp directory; both removed at scope exit.
class TempFile {
  public:
    explicit TempFile(const char* suffix) {
        char dir[] = "/tmp/vpngw-qr-XXXXXX";
        EXPECT_NE(mkdtemp(dir), nullptr);
        dir_ = dir;
        path_ = dir_ + "/code" + suffix;
    }
    ~TempFile() {
        std::remove(path_.c_str());
        rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }

  private:
    std::string dir_, path_;
};

// Runs a command line built from fixed strings and a temp path; returns stdout.
std::string capture(const std::string& cmd, int* status) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    *status = pclose(p);
    return out;
}

TEST(Qr, EncodeMatchesLibqrencode) {
    auto m = encode(kConfig);
    ASSERT_TRUE(m.ok()) << m.error().str();
    Grid ref = reference(kConfig);
    ASSERT_EQ(m->size(), static_cast<int>(ref.size()));
    for (int y = 0; y < m->size(); ++y)
        for (int x = 0; x < m->size(); ++x) ASSERT_EQ(m->dark(x, y), ref[y][x]);
}

TEST(Qr, TooLargeIsAnError) {
    auto m = encode(std::string(3000, 'x'));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("too large"), std::string::npos);
    EXPECT_FALSE(encode("").ok());
}

// Re-parses half-block text: each character is two vertically stacked modules.
Grid parse_half_blocks(std::string text) {
    text = std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), "");
    Grid g;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        EXPECT_NE(nl, std::string::npos) << "last line lacks a newline";
        if (nl == std::string::npos) break;
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        std::vector<bool> top, bottom;
        for (std::size_t i = 0; i < line.size();) {
            if (line[i] == ' ') {
                top.push_back(false), bottom.push_back(false), ++i;
                continue;
            }
            std::string ch = line.substr(i, 3);
            if (ch == "\u2588")
                top.push_back(true), bottom.push_back(true);
            else if (ch == "\u2580")
                top.push_back(true), bottom.push_back(false);
            else if (ch == "\u2584")
                top.push_back(false), bottom.push_back(true);
            else
                ADD_FAILURE() << "unexpected byte " << int(static_cast<unsigned char>(line[i]));
            i += 3;
        }
        g.push_back(top);
        g.push_back(bottom);
    }
    return g;
}

void expect_terminal_decodes(TerminalStyle style) {
    auto m = encode(kConfig);
    ASSERT_TRUE(m.ok());
    Grid ref = reference(kConfig);
    const int size = static_cast<int>(ref.size());
    SecretText text = render_terminal(*m, style);
    Grid padded = parse_half_blocks(text.str());
    // Every line is as wide as the symbol plus both quiet zones; the height
    // rounds up to whole text lines (QR sizes are odd).
    ASSERT_EQ(padded.size(), static_cast<std::size_t>(size + 2 * kQuietZone + 1));
    for (const auto& row : padded) ASSERT_EQ(row.size(), std::size_t(size + 2 * kQuietZone));
    EXPECT_EQ(strip_quiet_zone(padded, size), ref);
}

TEST(Qr, TerminalAnsiDecodesToTheMatrix) {
    expect_terminal_decodes(TerminalStyle::ansi);
    auto m = encode(kConfig);
    SecretText text = render_terminal(*m, TerminalStyle::ansi);
    // Every line sets black-on-white itself and resets, so the theme never shows through.
    std::string s = text.str();
    std::size_t lines = 0;
    for (std::size_t pos = 0; (pos = s.find('\n', pos)) != std::string::npos; ++pos, ++lines) {
    }
    std::size_t starts = 0;
    for (std::size_t pos = 0; (pos = s.find("\x1b[30;107m", pos)) != std::string::npos; ++pos)
        ++starts;
    EXPECT_EQ(starts, lines);
    EXPECT_EQ(s.substr(s.size() - 5), "\x1b[0m\n");
}

TEST(Qr, TerminalPlainDecodesToTheMatrixWithoutEscapes) {
    expect_terminal_decodes(TerminalStyle::plain);
    auto m = encode(kConfig);
    EXPECT_EQ(render_terminal(*m, TerminalStyle::plain).str().find('\x1b'), std::string::npos);
}

TEST(Qr, PngDecodesWithZbarimgToTheExactBytes) {
    auto m = encode(kConfig);
    ASSERT_TRUE(m.ok());
    for (int scale : {4, 8}) {
        auto png = render_png(*m, scale);
        ASSERT_TRUE(png.ok()) << png.error().str();
        TempFile tmp(".png");
        const std::string& path = tmp.path();
        std::ofstream(path, std::ios::binary) << png->str();

        // PNG header: signature, then IHDR width/height (big endian) at 16 and 20.
        const std::string& b = png->str();
        ASSERT_GT(b.size(), 24u);
        EXPECT_EQ(b.substr(1, 3), "PNG");
        auto be32 = [&](std::size_t at) {
            return (unsigned(static_cast<unsigned char>(b[at])) << 24) |
                   (unsigned(static_cast<unsigned char>(b[at + 1])) << 16) |
                   (unsigned(static_cast<unsigned char>(b[at + 2])) << 8) |
                   unsigned(static_cast<unsigned char>(b[at + 3]));
        };
        const unsigned side = unsigned(m->size() + 2 * kQuietZone) * scale;
        EXPECT_EQ(be32(16), side);
        EXPECT_EQ(be32(20), side);

        // -Sbinary: the raw bytes with no charset conversion and (checked in
        // zbar 0.23.92) no trailing newline, so the comparison is byte for byte.
        int status = -1;
        std::string decoded = capture("zbarimg --nodbus --raw -q -Sbinary '" + path + "'", &status);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "zbarimg failed (is zbar-tools installed?), status " << status;
        EXPECT_EQ(decoded, kConfig) << "scale " << scale;
    }
}

TEST(Qr, PngRoundTripsNonAsciiBytesExactly) {
    // Without -Sbinary zbarimg would re-encode these; with it they must come back as is.
    const std::string data = "h\xc3\xa9llo \xe2\x96\x80 \x01\x7f\xff\n";
    auto m = encode(data);
    ASSERT_TRUE(m.ok());
    auto png = render_png(*m, 4);
    ASSERT_TRUE(png.ok());
    TempFile tmp(".png");
    const std::string& path = tmp.path();
    std::ofstream(path, std::ios::binary) << png->str();
    int status = -1;
    std::string decoded = capture("zbarimg --nodbus --raw -q -Sbinary '" + path + "'", &status);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "zbarimg failed";
    EXPECT_EQ(decoded, data);
}

TEST(Qr, PngScaleOutOfRangeIsAnError) {
    auto m = encode("hello");
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(render_png(*m, 3).ok());
    EXPECT_FALSE(render_png(*m, 65).ok());
}

TEST(Qr, SvgIsWellFormedAndItsPathIsTheMatrix) {
    auto m = encode(kConfig);
    ASSERT_TRUE(m.ok());
    Grid ref = reference(kConfig);
    const int size = static_cast<int>(ref.size());
    const int n = size + 2 * kQuietZone;
    std::string svg = render_svg(*m).str();

    TempFile tmp(".svg");
    const std::string& path = tmp.path();
    std::ofstream(path, std::ios::binary) << svg;
    int status = -1;
    capture("xmllint --noout '" + path + "' 2>&1", &status);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "xmllint rejects the SVG (or is not installed)";

    std::smatch vb;
    ASSERT_TRUE(std::regex_search(svg, vb, std::regex("viewBox=\"0 0 (\\d+) (\\d+)\"")));
    EXPECT_EQ(std::stoi(vb[1]), n);
    EXPECT_EQ(std::stoi(vb[2]), n);
    EXPECT_NE(svg.find("shape-rendering=\"crispEdges\""), std::string::npos);

    // Exactly one path; rasterise its d attribute (runs of unit squares).
    std::regex path_re("<path [^>]*d=\"([^\"]*)\"");
    auto paths = std::distance(std::sregex_iterator(svg.begin(), svg.end(), path_re),
                               std::sregex_iterator());
    ASSERT_EQ(paths, 1);
    std::smatch d;
    ASSERT_TRUE(std::regex_search(svg, d, path_re));
    std::string ds = d[1];
    Grid padded(n, std::vector<bool>(n));
    std::regex rect("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
    std::size_t covered = 0;
    for (auto it = std::sregex_iterator(ds.begin(), ds.end(), rect); it != std::sregex_iterator();
         ++it) {
        int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), w = std::stoi((*it)[3]);
        EXPECT_EQ(w, std::stoi((*it)[4]));
        for (int i = 0; i < w; ++i) padded.at(y).at(x + i) = true;
        covered += it->length();
    }
    EXPECT_EQ(covered, ds.size()) << "path has commands the re-parse does not know";
    EXPECT_EQ(strip_quiet_zone(padded, size), ref);
}

}  // namespace
}  // namespace vpngw::qr
