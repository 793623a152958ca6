#include "nft/context.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "state/kernel_state.hpp"

namespace vpngw::nft {

const std::string kTable = std::string("inet ") + state::kNftTable;

Nft::Nft() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (ctx_) {
        nft_ctx_buffer_output(ctx_.get());
        nft_ctx_buffer_error(ctx_.get());
    }
}

Result<std::string> Nft::run(const std::string& text, const char* what) {
    if (!ctx_) return Error{std::string(what) + ": cannot create an nftables context"};
    int rc = nft_run_cmd_from_buffer(ctx_.get(), text.c_str());
    return collect(rc, what, {});
}

Result<std::string> Nft::run_ruleset(const std::string& text, const char* what,
                                     const std::string& source) {
    if (!ctx_) return Error{std::string(what) + ": cannot create an nftables context"};
    int fd = memfd_create("vpngw-ruleset", MFD_CLOEXEC);
    if (fd < 0) return run(text, what);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return run(text, what);
        }
        done += static_cast<std::size_t>(n);
    }
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    int rc = nft_run_cmd_from_filename(ctx_.get(), path.c_str());
    ::close(fd);
    return collect(rc, what, {path, source});
}

Result<std::string> Nft::collect(int rc, const char* what, const Rename& rename) {
    std::string out = nft_ctx_get_output_buffer(ctx_.get());
    std::string err = nft_ctx_get_error_buffer(ctx_.get());
    if (rc == 0) return out;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    if (err.empty()) err = "nft failed without a message";
    if (!rename.from.empty())
        for (auto pos = err.find(rename.from); pos != std::string::npos;
             pos = err.find(rename.from, pos + rename.to.size()))
            err.replace(pos, rename.from.size(), rename.to);
    return Error{std::string(what) + ":\n" + err};
}

}  // namespace vpngw::nft
