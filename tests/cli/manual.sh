#!/usr/bin/env bash
# The manual (issue 9): every subcommand's --help shows an example; the man
# page generated at build time lists every subcommand; the bash and zsh
# completions parse, and `vpngw pe<TAB>` completes to `peer`. No root.
set -uo pipefail
VPNGW=${VPNGW:-vpngw}
PASSES=0
FAILURES=0
check() {
    local what=$1; shift
    if "$@"; then echo "ok   - $what"; PASSES=$((PASSES + 1))
    else echo "FAIL - $what"; FAILURES=$((FAILURES + 1)); fi
}
tmp=$(mktemp -d /tmp/vpngw-manual.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Every command path, read from the top-level help and each command's own.
subcommands_of() {  # the SUBCOMMANDS section of `vpngw PATH... --help`
    "$VPNGW" "$@" --help 2>/dev/null | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}'
}
paths=()
for top in $(subcommands_of); do
    paths+=("$top")
    for sub in $(subcommands_of "$top"); do paths+=("$top $sub"); done
done
check "the top-level help lists at least 12 commands (${#paths[@]} paths)" test "${#paths[@]}" -ge 12

for p in "${paths[@]}"; do
    # shellcheck disable=SC2086
    check "vpngw $p --help shows an example" grep -q "Example" <("$VPNGW" $p --help 2>&1)
done

man=${VPNGW_MAN:-}
if [ -z "$man" ] || [ ! -f "$man" ]; then
    man=$tmp/vpngw.8
    "$VPNGW" help-man >"$man"
fi
for p in "${paths[@]}"; do
    [ "$p" = help-man ] && continue
    top=${p%% *}
    check "the man page has a section for vpngw $top" grep -q "^\\.SS \"vpngw ${top//-/\\\\-}" "$man"
done
if command -v groff >/dev/null; then
    check "the man page renders without troff warnings" \
        test -z "$(groff -man -Tutf8 -ww "$man" 2>&1 >/dev/null)"
fi

"$VPNGW" completion bash >"$tmp/vpngw.bash"
"$VPNGW" completion zsh >"$tmp/_vpngw"
check "the bash completion parses (bash -n)" bash -n "$tmp/vpngw.bash"
if command -v zsh >/dev/null; then
    check "the zsh completion parses (zsh -n)" zsh -n "$tmp/_vpngw"
fi

# Simulate the shell: load the completion and ask it as bash would on TAB.
complete_words() {  # complete_words WORD... -> the candidates for the last word
    bash -c '
        source "$1"; shift
        COMP_WORDS=(vpngw "$@"); COMP_CWORD=$#
        COMP_LINE="vpngw $*"; COMP_POINT=${#COMP_LINE}
        _vpngw
        printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/vpngw.bash" "$@"
}
check "the completion is registered for vpngw" \
    grep -q "_vpngw" <(bash -c 'source "$1"; complete -p vpngw' _ "$tmp/vpngw.bash")
check "vpngw pe<TAB> completes to peer" test "$(complete_words pe)" = peer
check "vpngw peer a<TAB> completes to add" test "$(complete_words peer a)" = add
check "vpngw peer add --gr<TAB> completes to --group" test "$(complete_words peer add --gr)" = --group
check "vpngw import <TAB> offers wg-quick" grep -qx wg-quick <(complete_words import "")
check "vpngw status --js<TAB> completes to --json" test "$(complete_words status --js)" = --json

echo "$PASSES passed, $FAILURES failed"
[ "$FAILURES" -eq 0 ]
