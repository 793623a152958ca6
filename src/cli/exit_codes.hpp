#pragma once

namespace vpngw::cli {

// Documented in docs/vpngw.1.md; scripts depend on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // errors in the profile or in applying it
inline constexpr int kExitUsage = 2;    // bad command line

}  // namespace vpngw::cli
