#include "health/state_file.hpp"

#include <charconv>
#include <sstream>

#include "store/atomic_file.hpp"

namespace vpngw::health {

namespace {

constexpr const char* kHeader = "# vpngw health v1";

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
        if (tab == std::string::npos) return out;
        start = tab + 1;
    }
}

template <class T>
bool number(const std::string& text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// Errors come from sockets and may hold anything; the file is one line each.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    return text;
}

}  // namespace

Result<std::vector<UplinkHealth>> read_health_file(const std::string& path) {
    auto text = store::read_file_if_exists(path);
    if (!text) return text.error();
    std::vector<UplinkHealth> out;
    if (!*text) return out;
    std::istringstream in(**text);
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        auto f = split_tabs(line);
        UplinkHealth h;
        bool good = f.size() == 6;
        if (good) {
            h.uplink = f[0];
            if (f[1] == "up")
                h.state = State::up;
            else if (f[1] == "down")
                h.state = State::down;
            else if (f[1] != "unknown")
                good = false;
            good = good && number(f[2], h.failures) && number(f[3], h.successes) &&
                   number(f[4], h.last_probe);
            h.last_error = f[5];
        }
        if (!good) return Error{"malformed line in health state", Location{path, line_no, 1}};
        out.push_back(std::move(h));
    }
    return out;
}

Status write_health_file(const std::string& path, const std::vector<UplinkHealth>& all) {
    std::string text = std::string(kHeader) + "\n";
    for (const auto& h : all)
        text += h.uplink + "\t" + to_string(h.state) + "\t" + std::to_string(h.failures) + "\t" +
                std::to_string(h.successes) + "\t" + std::to_string(h.last_probe) + "\t" +
                one_line(h.last_error) + "\n";
    return store::atomic_write_file(path, text, 0644);
}

}  // namespace vpngw::health
