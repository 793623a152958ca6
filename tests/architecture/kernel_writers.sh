#!/usr/bin/env bash
# Only exec/ writes to the kernel (docs/ARCHITECTURE.md). The writing parts of
# netlink/, nft/ and wg/ live in their write/ directories and libraries
# (vpngw_netlink_write, vpngw_nft_write, vpngw_wg_write). This fails when
#   1. a source file outside src/exec/ and those write/ directories includes a
#      header of a write/ directory;
#   2. such a file names a function or type a write/ header declares
#      (netlink::set_link_alias, nft::apply_ruleset, wg::WgBackend, ...), however
#      the declaration got there; in the read side of the same module
#      (src/nft/*.cpp for nft's writers) unqualified calls count too;
#   3. a target other than vpngw_exec and the write libraries themselves links
#      a write library directly, according to the link graph CMake configured
#      (cmake/module_links.cmake writes it).
# usage: kernel_writers.sh SRC_DIR MODULE_LINKS_FILE
set -euo pipefail

src=${1:?usage: kernel_writers.sh SRC_DIR MODULE_LINKS_FILE}
links=${2:?usage: kernel_writers.sh SRC_DIR MODULE_LINKS_FILE}
writer_modules=(netlink nft wg)
failures=0

fail() {
    echo "kernel writer outside exec/: $*"
    failures=$((failures + 1))
}

# Every C++ file of src/ that is neither exec/ nor a write/ directory.
others() {
    find "$src" -name '*.[ch]pp' -not -path "$src/exec/*" -not -path "$src/*/write/*" | sort
}

for m in "${writer_modules[@]}"; do
    [[ -d $src/$m/write ]] || fail "$src/$m/write is missing: the check would see nothing"
done

mapfile -t files < <(others)

# report WHAT < grep -Hno output: one failure per "file:line:match" line (fed
# by redirection, not a pipe, so the count survives).
report() {
    local hit
    while IFS= read -r hit; do
        [[ -n $hit ]] || continue
        local file=${hit%%:*} rest=${hit#*:}
        fail "${file#"$src"/}:${rest%%:*}: $1 ${rest#*:}"
    done
}

# 1. Includes of writer headers.
report "includes" < <(grep -HnoE '#include "(netlink|nft|wg)/write/[^"]+"' "${files[@]}" |
    sed 's/#include //' || true)

# 2. Names declared by writer headers: types, and functions declared at the
# start of a line (namespace scope, as every header here declares them).
for m in "${writer_modules[@]}"; do
    names=$(cat "$src/$m"/write/*.hpp |
        sed -nE -e 's/^(class|struct) ([A-Za-z_][A-Za-z0-9_]*).*/\2/p' \
            -e 's/^[A-Za-z][^=;(]*[ *&]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' |
        grep -v '^operator' | sort -u | paste -sd'|' -)
    [[ -n $names ]] || { fail "no declarations found in $src/$m/write/*.hpp"; continue; }
    report "uses a $m writer:" < <(grep -HnoE "\b$m::($names)\b" "${files[@]}" || true)
    # The module's own read side calls its functions unqualified.
    mapfile -t own < <(printf '%s\n' "${files[@]}" | grep "^$src/$m/" || true)
    if ((${#own[@]} > 0)); then
        report "uses a $m writer:" < <(grep -HnoE "(^|[^:A-Za-z0-9_])($names)[[:space:]]*\(" \
            "${own[@]}" || true)
    fi
done

# 3. The link graph: "<target> <dependency>" per line.
[[ -s $links ]] || fail "$links is missing or empty: configure the build first"
while read -r target dep; do
    [[ $dep == vpngw_*_write ]] || continue
    [[ $target == vpngw_exec || $target == vpngw_*_write ]] && continue
    fail "$target links $dep (only vpngw_exec may)"
done < "$links"

if ((failures > 0)); then
    echo "$failures violation(s): change the kernel through exec/ (an op, or an executor port)"
    exit 1
fi
echo "ok: only exec/ includes, calls or links the kernel writers of ${writer_modules[*]}"
