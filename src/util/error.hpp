#pragma once

#include <string>
#include <vector>

#include "util/location.hpp"

namespace vpngw {

enum class Severity { error, warning };

// One message about the input, always anchored to where it came from.
struct Diagnostic {
    Severity severity = Severity::error;
    Location where;
    std::string message;

    // "file:line:col: error: message", the format compilers and editors parse.
    std::string str() const;
};

// Errors and warnings collected across a whole pass, so the user sees every
// problem at once instead of fixing them one run at a time.
class Diagnostics {
  public:
    void error(Location where, std::string message);
    void warning(Location where, std::string message);

    bool has_errors() const;
    const std::vector<Diagnostic>& all() const { return items_; }
    std::size_t error_count() const;
    std::size_t warning_count() const;
    // Orders by file, line and column so output is stable and reads top-down.
    void sort();

  private:
    std::vector<Diagnostic> items_;
};

// The error value every layer returns; only the CLI prints it.
struct Error {
    std::string message;
    Location where;  // the profile field that caused it, when there is one

    std::string str() const;
};

}  // namespace vpngw
