#include <sstream>

#include "cli/cli_doc.hpp"

namespace vpngw::cli {

namespace {

// troff: backslashes and hyphens escaped, and no line may start with a
// control character ('.' or '\'').
std::string esc(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    return out;
}

std::string esc_line(const std::string& line) {
    std::string e = esc(line);
    if (!e.empty() && (e.front() == '.' || e.front() == '\'')) e = "\\&" + e;
    return e;
}

void verbatim(std::ostream& out, const std::string& text) {
    out << ".nf\n";
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) out << esc_line(line) << "\n";
    out << ".fi\n";
}

void options(std::ostream& out, const CommandDoc& c) {
    for (const auto& o : c.options) {
        out << ".TP\n";
        if (o.positional) {
            out << "\\fI" << esc(o.names.front()) << "\\fR";
        } else {
            for (std::size_t i = 0; i < o.names.size(); ++i)
                out << (i ? ", " : "") << "\\fB" << esc(o.names[i]) << "\\fR";
            if (o.takes_value) out << " \\fIVALUE\\fR";
        }
        out << (o.required ? " (required)" : "") << "\n" << esc_line(o.description) << "\n";
    }
}

void command(std::ostream& out, const CommandDoc& c) {
    if (c.hidden) return;
    if (c.subcommands.empty() || !c.options.empty()) {
        out << ".SS \"" << esc(c.full_name()) << "\"\n" << esc_line(c.description) << "\n";
        options(out, c);
        if (!c.footer.empty()) {
            out << ".PP\n";
            verbatim(out, c.footer);
        }
    }
    for (const auto& s : c.subcommands) command(out, s);
}

}  // namespace

std::string man_page(const CommandDoc& root, const std::string& version) {
    std::ostringstream out;
    out << ".\\\" Generated from vpngw's command line definition (vpngw help-man). Do not edit.\n";
    out << ".TH VPNGW 8 \"\" \"vpngw " << esc(version) << "\" \"System Administration\"\n";
    out << ".SH NAME\nvpngw \\- a WireGuard VPN gateway from one TOML profile\n";
    out << ".SH SYNOPSIS\n.B vpngw\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n";
    out << ".SH DESCRIPTION\n"
           "vpngw turns a Linux server into a WireGuard VPN gateway from one TOML profile:\n"
           "WireGuard interfaces, client groups with isolation and allow lists, policy routing\n"
           "over several uplinks, NAT and port forwards in one nftables table that vpngw owns,\n"
           "and peers with generated client configs and QR codes. It reads the kernel and\n"
           "applies only the difference, undoing everything when a step fails.\n"
           "The profile language is described in /usr/share/doc/vpngw/profile.md.\n";
    out << ".SH OPTIONS\n";
    options(out, root);
    out << ".SH COMMANDS\n";
    for (const auto& s : root.subcommands)
        if (!s.hidden)
            out << ".TP\n\\fB" << esc(s.path.back()) << "\\fR\n" << esc_line(s.description) << "\n";
    for (const auto& s : root.subcommands) command(out, s);
    out << ".SH EXIT STATUS\n"
           ".TP\n0\nSuccess; for \\fBstatus\\fR, the kernel matches the profile.\n"
           ".TP\n1\nAn error in the profile or in applying it.\n"
           ".TP\n2\nA bad command line.\n"
           ".TP\n3\n\\fBstatus\\fR: the kernel drifted from the profile.\n";
    out << ".SH FILES\n"
           ".TP\n/etc/vpngw/vpngw.toml\nThe default profile.\n"
           ".TP\n/var/lib/vpngw\nThe default state directory: keys, peers, client configs.\n";
    out << ".SH SEE ALSO\n\\fBwg\\fR(8), \\fBwg\\-quick\\fR(8), \\fBnft\\fR(8), \\fBip\\fR(8)\n";
    return out.str();
}

}  // namespace vpngw::cli
