#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Forwarding benchmark: dpdk-testpmd --forward-mode=io and phalanx-bench on
# the same virtual devices (net_pcap infinite_rx=1 -> net_null), same pcap,
# same single forwarding core, in the same run; prints both and the ratio.
# A benchmark, not a test: it prints figures and never judges them.
#
#   tests/bench/forwarding.sh [BUILD_DIR] [SECONDS] [FLOWS] [SIZE]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
secs=${2:-10}
flows=${3:-1024}
size=${4:-64}
bench=$build/src/phalanx-bench
[ -x "$bench" ] || { echo "no $bench: build first" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd not installed (scripts/deps)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcap=$tmp/in.pcap
"$bench" --write-pcap "$pcap" --flows "$flows" --size "$size"

huge=()
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 256 ]; then huge=(--no-huge); fi

echo "== dpdk-testpmd --forward-mode=io, net_pcap(infinite_rx) -> net_null, ${secs}s"
# Non-interactive testpmd forwards until its stdin closes.
sleep "$secs" | dpdk-testpmd -l 0-1 --no-pci --file-prefix phx_bench_tp "${huge[@]}" -m 512 \
	--log-level='*:warning' \
	--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev net_null0,no-rx=1 -- \
	--forward-mode=io --record-core-cycles --nb-cores=1 --txq=1 --rxq=1 \
	--no-lsc-interrupt --stats-period 0 >"$tmp/testpmd.log" 2>&1 || true
# testpmd prints Rx-pps only with --stats-period; derive pps from totals.
tp_rx=$(awk '/Accumulated forward statistics/{f=1} f && /RX-packets:/{print $2; exit}' "$tmp/testpmd.log")
tp_cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$tmp/testpmd.log" | tail -1)
grep -E 'RX-packets|TX-packets|cycles/packet' "$tmp/testpmd.log" | tail -4 | sed 's/^/  /'
tp_pps=$(awk -v p="${tp_rx:-0}" -v s="$secs" 'BEGIN{printf "%.0f", p/s}')
echo "  testpmd io: Rx-pps ~ $tp_pps (RX-packets / ${secs}s), cycles/packet ${tp_cpp:-n/a}"

echo "== phalanx-bench (L3 gateway: parse, LPM, TTL, neighbour, MAC rewrite), ${secs}s"
"$bench" --pcap "$pcap" --seconds "$secs" --flows "$flows" --size "$size" \
	--file-prefix phx_bench_px "${huge[@]}" | tee "$tmp/phx.log"
px_pps=$(sed -n 's/.*Rx-pps: *\([0-9]*\).*/\1/p' "$tmp/phx.log")
px_cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$tmp/phx.log")

echo "== summary (${size}-byte frames, ${flows} flows, one forwarding core)"
printf '  %-28s %14s %14s\n' "" "Rx-pps" "cycles/packet"
printf '  %-28s %14s %14s\n' "dpdk-testpmd io" "$tp_pps" "${tp_cpp:-n/a}"
printf '  %-28s %14s %14s\n' "phalanx gateway" "$px_pps" "$px_cpp"
awk -v a="$px_pps" -v b="$tp_pps" 'BEGIN{ if (b > 0) printf "  phalanx / testpmd rate ratio: %.2f\n", a/b }'
