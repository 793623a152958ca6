#pragma once

// One libnftables context with output and errors captured in memory
// (libraries do not print), shared by the reads of nft/ruleset.hpp and the
// writes of nft/write/ruleset.hpp.

#include <nftables/libnftables.h>

#include <memory>
#include <string>

#include "util/result.hpp"

namespace vpngw::nft {

// `inet vpngw`, as nft commands name the table.
extern const std::string kTable;

class Nft {
  public:
    Nft();
    bool ok() const { return ctx_ != nullptr; }
    void dry_run() { nft_ctx_set_dry_run(ctx_.get(), true); }

    // Runs commands; on failure the error is nft's message, trimmed.
    Result<std::string> run(const std::string& text, const char* what);

    // Runs a whole ruleset. nft 1.0.6 points buffer errors at the buffer's
    // first line; from a file it names the right line and column, so the text
    // goes through an anonymous in-memory file and its /proc path is renamed
    // `source` in the message ("vpngw-ruleset:11:10-10: Error: ...").
    Result<std::string> run_ruleset(const std::string& text, const char* what,
                                    const std::string& source);

  private:
    struct Rename {
        std::string from, to;
    };
    Result<std::string> collect(int rc, const char* what, const Rename& rename);

    struct CtxDeleter {
        void operator()(nft_ctx* c) const { nft_ctx_free(c); }
    };
    std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

}  // namespace vpngw::nft
