// libFuzzer target: the peer store's import path, load_peers(), which reads
// whatever state directory it is given: peers.tsv (or the legacy peers.toml)
// and replays peers.journal. The input is split at NUL bytes into the three
// files; its first byte says which of them exist. The files live in a
// private directory made once per process.

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/peer_store.hpp"
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
    put(paths.journal_file(), which & 4, next_part(rest));
    auto state = vpngw::store::load_peers(paths);
    if (!state && state.error().str().empty()) std::abort();
    return 0;
}
