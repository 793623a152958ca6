#!/usr/bin/env bash
# Plots what bench/scale.sh measured, from the data it kept:
#   bench/plot.sh DATA_DIR [OUT_DIR]     (default OUT_DIR: DATA_DIR/../img)
# DATA_DIR/scale.tsv      -> OUT_DIR/scale-times.svg: cold up, no-op up, the floor and the
#                            scripted baseline against peers, both axes log scale, a tic
#                            at each measured N (1,000 ... 200,000)
# DATA_DIR/rss.tsv        -> OUT_DIR/scale-rss.svg: each vpngw command's peak RSS against
#                            peers (log x) and the 128 MiB target (optional: older runs
#                            kept no rss.tsv)
# DATA_DIR/forwarding.tsv -> OUT_DIR/forwarding-ratios.svg: each ruleset's TCP and 64-byte
#                            UDP rate as a ratio of minimal stateful + masquerade, per N
#                            (optional: a run with FWD=0 has none)
set -euo pipefail
data=${1:?usage: bench/plot.sh DATA_DIR [OUT_DIR]}
out=${2:-$data/../img}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is missing (scripts/install-deps)" >&2; exit 1; }
[ -s "$data/scale.tsv" ] || { echo "plot.sh: no $data/scale.tsv" >&2; exit 1; }
mkdir -p "$out"
# One x tic per measured N ("1k", "50k", "200k"): log scale's decades alone
# would leave 50k and 200k unlabelled.
xtics=$(awk -F'\t' 'NR > 1 {printf "%s\"%s\" %s", sep, ($1 >= 1000 ? $1 / 1000 "k" : $1), $1; sep = ", "}' \
    "$data/scale.tsv")
wrote="$out/scale-times.svg"
# What every plot shares (preamble OUT_FILE), and the peers axis of the two
# against-peers plots (log scale, a tic per N, a margin left and right).
preamble() {
    printf '%s\n' 'set terminal svg size 760,480 dynamic font "sans,12" background "white"' \
        "set output \"$1\"" 'set datafile separator "\t"' \
        'set key autotitle columnhead outside bottom center horizontal' 'set xlabel "peers"'
}
peers_axis="set logscale x
set xtics ($xtics)
set offsets graph 0.05, graph 0.05, 0, 0
set grid"

gnuplot <<GP
$(preamble "$out/scale-times.svg")
$peers_axis
set logscale y
set ylabel "seconds"
plot "$data/scale.tsv" using 1:(\$2/1e9) with linespoints lw 2 title "vpngw cold up", \
     "" using 1:(\$3/1e9) with linespoints lw 2 title "vpngw no-op up", \
     "" using 1:(\$4/1e9) with linespoints lw 2 dt 2 title "floor (wg setconf + nft -f)", \
     "" using 1:(\$5/1e9) with linespoints lw 2 dt 3 title "scripted (wg set + iptables per peer)"
GP

if [ -s "$data/rss.tsv" ]; then
    # One column per command: peers, then that command's peak RSS in MiB.
    python3 - "$data/rss.tsv" "$out/rss-wide.tsv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
names = {"cold": "cold up", "noop": "no-op up", "status": "status", "plan": "plan",
         "first": "first peer add", "add": "peer add", "remove": "peer remove",
         "list": "peer list --json", "down": "down"}
cmds = [c for c in names if any(r["command"] == c for r in rows)]
by = {}
for r in rows:
    by.setdefault(int(r["peers"]), {})[r["command"]] = int(r["peak_rss_kib"]) / 1024
with open(sys.argv[2], "w") as f:
    f.write("peers\t" + "\t".join(names[c] for c in cmds) + "\n")
    for n in sorted(by):
        f.write(f"{n}\t" + "\t".join(f"{by[n].get(c, float('nan')):.1f}" for c in cmds) + "\n")
PY
    cols=$(head -1 "$out/rss-wide.tsv" | awk -F'\t' '{print NF}')
    gnuplot <<GP
$(preamble "$out/scale-rss.svg")
$peers_axis
set ylabel "peak RSS (MiB)"
set yrange [0:*]
set linetype 9 lc rgb "#8c564b" lw 2 pt 10  # nine commands: no colour twice
set linetype cycle 9
plot for [c=2:$cols] "$out/rss-wide.tsv" using 1:c with linespoints lw 2, \\
     128 with lines dt 2 lw 1 lc "black" title "target (128 MiB)"
GP
    rm -f "$out/rss-wide.tsv"
    wrote+=" $out/scale-rss.svg"
fi

if [ ! -f "$data/forwarding.tsv" ] || [ "$(wc -l <"$data/forwarding.tsv")" -lt 2 ]; then
    echo "plot.sh: wrote $wrote (no forwarding data)" >&2
    exit 0
fi

# One row per N for the ratio plot: N, then TCP and UDP ratios of vpngw and linear
# against stateful_nat (the reference a NAT gateway pays).
python3 - "$data/forwarding.tsv" "$out/ratios.tsv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["peers"], {})[r["ruleset"]] = r
with open(sys.argv[2], "w") as f:
    f.write("peers\tvpngw TCP\tvpngw UDP\tlinear TCP\tlinear UDP\n")
    for n, k in by.items():
        ref = k.get("stateful_nat")
        if not ref: continue
        ratio = lambda kind, col: (float(k[kind][col]) / float(ref[col])
                                   if kind in k and float(ref[col]) > 0 else 0)
        f.write(f"{n}\t{ratio('vpngw','tcp_bps'):.3f}\t{ratio('vpngw','udp_pps'):.3f}\t"
                f"{ratio('linear','tcp_bps'):.3f}\t{ratio('linear','udp_pps'):.3f}\n")
PY

gnuplot <<GP
$(preamble "$out/forwarding-ratios.svg")
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:1.2]
set ylabel "rate / minimal stateful + masquerade"
set grid ytics
set arrow from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 2 lw 1
set label "0.95 target" at graph 0.01, first 0.97
plot "$out/ratios.tsv" using 2:xtic(1), "" using 3, "" using 4, "" using 5
GP
rm -f "$out/ratios.tsv"
echo "plot.sh: wrote $wrote $out/forwarding-ratios.svg" >&2
