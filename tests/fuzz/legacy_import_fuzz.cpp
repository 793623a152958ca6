// libFuzzer target: the registry's readers of hostile text. The legacy
// migration (read_legacy_state) reads whatever state directory it is given:
// peers.tsv (or peers.toml) and replays peers.journal; `peer import` parses
// an export file (parse_peers_text). The input is split at NUL bytes into
// the three legacy files and an export; its first byte says which legacy
// files exist. The files live in a private directory made once per process.

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "registry/legacy_import.hpp"
#include "registry/peer_text.hpp"
#include "store/state_paths.hpp"

namespace {

void put(const std::string& file, bool exists, std::string_view text) {
    ::unlink(file.c_str());
    if (!exists) return;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) std::abort();
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
    ::close(fd);
}

std::string_view next_part(std::string_view& rest) {
    const auto nul = rest.find('\0');
    const std::string_view part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
    return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const vpngw::store::StatePaths paths = [] {
        char tmpl[] = "/tmp/vpngw-peer-store-fuzz.XXXXXX";
        if (!::mkdtemp(tmpl)) std::abort();
        return vpngw::store::StatePaths{tmpl};
    }();
    if (size == 0) return 0;
    const std::uint8_t which = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    put(paths.peers_file(), which & 1, next_part(rest));
    put(paths.legacy_peers_file(), which & 2, next_part(rest));
    put(paths.peers_journal_file(), which & 4, next_part(rest));
    auto state = vpngw::registry::read_legacy_state(paths.dir);
    if (!state && state.error().str().empty()) std::abort();
    auto imported = vpngw::registry::parse_peers_text(next_part(rest), "import.toml");
    if (!imported && imported.error().str().empty()) std::abort();
    return 0;
}
