#include <functional>
#include <sstream>

#include "cli/cli_doc.hpp"

namespace vpngw::cli {

namespace {

void walk(const CommandDoc& c, const std::function<void(const CommandDoc&)>& f) {
    f(c);
    for (const auto& s : c.subcommands) walk(s, f);
}

std::string path_key(const CommandDoc& c) {
    std::string key;
    for (const auto& p : c.path) key += " " + p;
    return key;
}

std::string words(const CommandDoc& c, bool options) {
    std::string out;
    if (options) {
        for (const auto& o : c.options)
            for (const auto& n : o.names)
                if (!o.positional) out += (out.empty() ? "" : " ") + n;
    } else {
        for (const auto& s : c.subcommands)
            if (!s.hidden) out += (out.empty() ? "" : " ") + s.path.back();
    }
    return out;
}

bool has_positional(const CommandDoc& c) {
    for (const auto& o : c.options)
        if (o.positional) return true;
    return false;
}

// Single-quoted for the shell.
std::string sq(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

std::string bash_completion(const CommandDoc& root) {
    std::ostringstream out;
    out << "# bash completion for vpngw, generated from its command line (vpngw completion bash).\n"
           "_vpngw() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} path='' w i\n"
           "    # The subcommand path typed so far, e.g. \" peer add\".\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=${COMP_WORDS[i]}\n"
           "        case \"$path $w\" in\n";
    std::string all;
    walk(root, [&](const CommandDoc& c) {
        if (!c.path.empty()) all += (all.empty() ? "" : "|") + sq(path_key(c));
    });
    out << "            " << all << ") path=\"$path $w\" ;;\n"
        << "        esac\n    done\n"
        << "    local subs='' opts='' files=0\n    case \"$path\" in\n";
    walk(root, [&](const CommandDoc& c) {
        out << "        " << sq(path_key(c)) << ") subs=" << sq(words(c, false))
            << " opts=" << sq(words(c, true)) << " files=" << (has_positional(c) ? 1 : 0)
            << " ;;\n";
    });
    out << "    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
           "        if ((files)); then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n"
           "    fi\n"
           "}\n"
           "complete -o filenames -F _vpngw vpngw\n";
    return out.str();
}

std::string zsh_completion(const CommandDoc& root) {
    std::ostringstream out;
    out << "#compdef vpngw\n"
           "# zsh completion for vpngw, generated from its command line (vpngw completion zsh).\n"
           "_vpngw() {\n"
           "    local cmdpath='' w i\n"
           "    local -a subs opts\n"
           "    for ((i = 2; i < CURRENT; i++)); do\n"
           "        w=${words[i]}\n"
           "        case \"$cmdpath $w\" in\n";
    std::string all;
    walk(root, [&](const CommandDoc& c) {
        if (!c.path.empty()) all += (all.empty() ? "(" : "|") + sq(path_key(c));
    });
    out << "            " << all << ") cmdpath=\"$cmdpath $w\" ;;\n"
        << "        esac\n    done\n    local files=0\n    case \"$cmdpath\" in\n";
    walk(root, [&](const CommandDoc& c) {
        out << "        (" << sq(path_key(c)) << ")\n            subs=(";
        for (const auto& s : c.subcommands) {
            if (s.hidden) continue;
            std::string d = s.description;
            std::string escaped;
            for (char ch : d) escaped += ch == ':' ? std::string("\\:") : std::string(1, ch);
            out << " " << sq(s.path.back() + ":" + escaped);
        }
        out << " )\n            opts=( " << words(c, true)
            << " )\n            files=" << (has_positional(c) ? 1 : 0) << " ;;\n";
    });
    out << "    esac\n"
           "    if [[ $PREFIX == -* ]]; then\n"
           "        compadd -- $opts\n"
           "    else\n"
           "        (( ${#subs} )) && _describe 'command' subs\n"
           "        (( files )) && _files\n"
           "    fi\n"
           "}\n"
           "_vpngw \"$@\"\n";
    return out.str();
}

}  // namespace vpngw::cli
