#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-datapath's plots: the data files report.py wrote in OUTDIR
# into PNGs there, with gnuplot (gnuplot-nox, make deps):
#   uniform.png   rate against criteria count (log x), a panel per mask
#                 count: dfc, nft sets, nft linear rules, matching or not
#   rulesets.png  dfc over nft pipapo per rule set; masks dfc probes per
#                 frame and the pipapo sets nft needed
#   copies.png    rate with copies, per case and frame size
#   cpus.png      two pktgen threads over one, per case
# Every rate is relative to another from the same boot.
#
#   plot.sh OUTDIR
set -eu
[ $# = 1 ] || { echo "usage: plot.sh OUTDIR" >&2; exit 2; }
d=$1
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is not installed (make deps)" >&2; exit 1; }
cd "$d"
term='set terminal pngcairo size 1200,450 font "sans,10"'

panels=$(ls uniform-m*.dat 2>/dev/null | sed 's/uniform-m\([0-9]*\)\.dat/\1/' | sort -n | tr '\n' ' ')
if [ -n "$panels" ]; then
	np=$(echo $panels | wc -w)
	{
		echo "$term"
		echo "set output 'uniform.png'"
		echo "set multiplot layout 1,$np title 'Uniform criteria: packet rate relative to nothing on the port (same boot, TCG)'"
		echo "set logscale xy; set grid; set key top right font ',8'"
		echo "set xlabel 'criteria (nft: elements, rules)'; set ylabel 'rate / no hook'"
		echo "set yrange [*:30]"
		for m in $panels; do
			echo "set title '$m mask(s)'"
			echo "plot 'uniform-m$m.dat' u 1:2 w lp lw 2 pt 7 lc 'blue' t 'dfc match', \
'' u 1:3 w lp lw 2 pt 6 dt 2 lc 'blue' t 'dfc no match', \
'' u 1:4 w lp lw 2 pt 5 lc 'dark-green' t 'nft set match', \
'' u 1:5 w lp lw 2 pt 4 dt 2 lc 'dark-green' t 'nft set no match', \
'' u 1:6 w lp lw 2 pt 9 lc 'red' t 'nft linear match', \
'' u 1:7 w lp lw 2 pt 8 dt 2 lc 'red' t 'nft linear no match'"
		done
		echo "unset multiplot"
	} | gnuplot
fi

if [ -s rulesets.dat ] && [ "$(grep -vc -e '^#' -e '^$' rulesets.dat)" -gt 0 ]; then
	gnuplot <<-EOF
	$term
	set output 'rulesets.png'
	set multiplot layout 1,2 title 'ClassBench-style rule sets, dfc against nft pipapo sets holding the same rules (same boot, TCG)'
	set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
	set grid y; set xtics rotate by -30 font ',9'; set key top right font ',9'
	set title 'dfc rate / nft pipapo rate'; set ylabel 'ratio (1: same rate)'; set yrange [0:*]
	plot 'rulesets.dat' u 2:xtic(1) t 'random frames' lc 'blue', '' u 3 t 'frames inside rules' lc 'dark-green', 1 w l lc 'black' dt 2 notitle
	set title 'what each looks at per frame'; set ylabel 'count'; set logscale y; set yrange [1:*]
	plot 'rulesets.dat' u 4:xtic(1) t 'dfc: masks probed' lc 'blue', '' u 5 t 'nft: pipapo sets' lc 'dark-green'
	unset multiplot
	EOF
fi

if [ -s copies.dat ] && [ "$(grep -vc -e '^#' -e '^$' copies.dat)" -gt 0 ]; then
	cols=$(head -n 1 copies.dat | tr ' ' '\n' | grep -c '^size')
	plot="plot 'copies.dat' u 2:xtic(1) t '$(head -n 1 copies.dat | tr ' ' '\n' | grep '^size' | sed -n 1p | sed 's/size//') bytes'"
	i=2
	while [ "$i" -le "$cols" ]; do
		plot="$plot, '' u $((i + 1)) t '$(head -n 1 copies.dat | tr ' ' '\n' | grep '^size' | sed -n ${i}p | sed 's/size//') bytes'"
		i=$((i + 1))
	done
	gnuplot <<-EOF
	$term
	set output 'copies.png'
	set title 'Copies: packet rate relative to nothing on the port, same frame size (same boot, TCG)'
	set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
	set grid y; set yrange [0:*]; set ylabel 'rate / no hook'; set key top right
	set xtics rotate by -30 font ',9'; set rmargin 8
	$plot
	EOF
fi

if [ -s cpus.dat ] && [ "$(grep -vc -e '^#' -e '^$' cpus.dat)" -gt 0 ]; then
	gnuplot <<-EOF
	$term
	set output 'cpus.png'
	set title 'Two pktgen threads (2 CPUs) over one, same case (same boot, TCG)'
	set style data histograms; set style fill solid 0.8 border -1
	set grid y; set yrange [0:*]; set ylabel 'rate with 2 / rate with 1'; set key off
	set xtics rotate by -30 font ',9'
	plot 'cpus.dat' u 2:xtic(1) lc 'blue', 2 w l lc 'black' dt 2, 1 w l lc 'gray' dt 2
	EOF
fi
ls "$PWD"/*.png 2>/dev/null
