#include "util/error.hpp"

#include <algorithm>
#include <tuple>

namespace vpngw {

std::string Location::str() const {
    if (!known()) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::str() const {
    const char* kind = severity == Severity::error ? "error" : "warning";
    std::string where_text = where.str();
    if (where_text.empty()) return std::string(kind) + ": " + message;
    return where_text + ": " + kind + ": " + message;
}

void Diagnostics::error(Location where, std::string message) {
    items_.push_back({Severity::error, std::move(where), std::move(message)});
}

void Diagnostics::warning(Location where, std::string message) {
    items_.push_back({Severity::warning, std::move(where), std::move(message)});
}

bool Diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](auto& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
    return items_.size() - error_count();
}

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.where.file, a.where.line, a.where.column) <
               std::tie(b.where.file, b.where.line, b.where.column);
    });
}

std::string Error::str() const {
    std::string where_text = where.str();
    if (where_text.empty()) return "error: " + message;
    return where_text + ": error: " + message;
}

}  // namespace vpngw
