#include "nft/ruleset.hpp"

#include <nftables/libnftables.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "nft/observe.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::nft {

namespace {

const std::string kTable = std::string("inet ") + state::kNftTable;

struct CtxDeleter {
    void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

// One libnftables context with output and errors captured in memory
// (libraries do not print).
class Nft {
  public:
    Nft() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
        if (ctx_) {
            nft_ctx_buffer_output(ctx_.get());
            nft_ctx_buffer_error(ctx_.get());
        }
    }
    bool ok() const { return ctx_ != nullptr; }
    void dry_run() { nft_ctx_set_dry_run(ctx_.get(), true); }

    // Runs commands; on failure the error is nft's message, trimmed.
    Result<std::string> run(const std::string& text, const char* what) {
        if (!ctx_) return Error{std::string(what) + ": cannot create an nftables context"};
        int rc = nft_run_cmd_from_buffer(ctx_.get(), text.c_str());
        return collect(rc, what, {});
    }

    // Runs a whole ruleset. nft 1.0.6 points buffer errors at the buffer's
    // first line; from a file it names the right line and column, so the text
    // goes through an anonymous in-memory file and its /proc path is renamed
    // `source` in the message ("vpngw-ruleset:11:10-10: Error: ...").
    Result<std::string> run_ruleset(const std::string& text, const char* what,
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

  private:
    struct Rename {
        std::string from, to;
    };
    Result<std::string> collect(int rc, const char* what, const Rename& rename) {
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

  public:
  private:
    std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

}  // namespace

Status apply_ruleset(const std::string& text, const std::string& source) {
    Nft nft;
    auto r = nft.run_ruleset(text, "applying the nftables ruleset", source);
    if (!r) return r.error();
    return ok_status();
}

Status check_ruleset(const std::string& text, const std::string& source) {
    Nft nft;
    nft.dry_run();
    auto r = nft.run_ruleset(text, "checking the nftables ruleset", source);
    if (!r) return r.error();
    return ok_status();
}

Status delete_owned_table() {
    // Declaring the table first makes the delete valid whether or not it
    // existed; both happen in one transaction.
    Nft nft;
    auto r = nft.run("table " + kTable + "\ndelete table " + kTable + "\n",
                     "deleting the vpngw nftables table");
    if (!r) return r.error();
    return ok_status();
}

Result<bool> table_exists() {
    // One NFT_MSG_GETTABLE through libnftnl. `nft list tables` fetches the
    // whole ruleset cache, every set element included: ~38 MiB at 50,000 peers.
    auto comment = owned_table_comment();
    if (!comment) return comment.error();
    return comment->has_value();
}

Result<std::optional<std::string>> list_owned_table() {
    auto exists = table_exists();
    if (!exists) return exists.error();
    if (!*exists) return std::optional<std::string>{};
    Nft nft;
    auto r = nft.run("list table " + kTable, "listing the vpngw nftables table");
    if (!r) return r.error();
    return std::optional<std::string>(std::move(*r));
}

}  // namespace vpngw::nft
