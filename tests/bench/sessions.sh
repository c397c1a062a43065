#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Stateful benchmark: for each flow count, one pcap with one 64-byte frame
# per flow replayed forever (net_pcap infinite_rx=1) into net_null, first
# through dpdk-testpmd --forward-mode=io, then through phalanx-bench on the
# same devices: session setup rate (first pass), established cycles/packet
# and Mpps over all those sessions (later passes) on an aged table (every
# session deleted in a random order and re-created, twice, so records and
# hash key slots are in no order) and, for comparison, on the table as the
# first pass left it (--fresh-table: in order, friendly to the hardware
# prefetcher), memory per session.
# A benchmark, not a test: it prints figures and never judges them.
#
#   tests/bench/sessions.sh [BUILD_DIR] [SECONDS] [FLOWS...]
# Default flow counts: 1000 100000 1000000. Reserves 2 MiB hugepages for
# the large runs (about 2.7 KiB of packet buffer per flow, for each tool).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
secs=${2:-10}
shift 2 2>/dev/null || shift $#
flows_list=("$@")
[ ${#flows_list[@]} -gt 0 ] || flows_list=(1000 100000 1000000)
bench=$build/src/phalanx-bench
[ -x "$bench" ] || { echo "no $bench: build first" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd not installed (scripts/deps)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

max=0
for f in "${flows_list[@]}"; do [ "$f" -gt "$max" ] && max=$f; done
need_mb=$(( 512 + max * 3 / 1000 ))
pages=$(( need_mb / 2 + 64 ))
if [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$pages" ]; then
    sysctl -qw vm.nr_hugepages="$pages" || true
fi
huge=()
free_mb=$(( $(awk '/HugePages_Free/ {print $2}' /proc/meminfo) * 2 ))
if [ "$free_mb" -lt "$need_mb" ]; then
    huge=(--no-huge)
    echo "# not enough free hugepages ($free_mb MiB < $need_mb MiB): running with --no-huge"
fi

rows=()
for flows in "${flows_list[@]}"; do
    pcap=$tmp/in-$flows.pcap
    "$bench" --write-pcap "$pcap" --flows "$flows" --size 64
    nb=$(( flows + 32768 ))
    mem=$(( 384 + nb * 2560 / 1048576 ))
    echo "== $flows flows: dpdk-testpmd --forward-mode=io, ${secs}s"
    sleep "$((secs + 2 + flows / 200000))" | dpdk-testpmd -l 0-1 --no-pci \
        --file-prefix phx_bench_tp "${huge[@]}" -m "$mem" --log-level='*:warning' \
        --vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev net_null0,no-rx=1 -- \
        --forward-mode=io --record-core-cycles --nb-cores=1 --txq=1 --rxq=1 \
        --total-num-mbufs="$nb" --no-lsc-interrupt >"$tmp/tp.log" 2>&1 || true
    tp_cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$tmp/tp.log" | tail -1)
    grep -E 'cycles/packet' "$tmp/tp.log" | tail -1 | sed 's/^ */  /'
    echo "== $flows flows: phalanx-bench, ${secs}s"
    "$bench" --pcap "$pcap" --flows "$flows" --seconds "$secs" \
        --file-prefix phx_bench_px "${huge[@]}" >"$tmp/px.log" 2>&1 || true
    grep -E 'Rx-pps|cycles/packet|sessions:|setup:|memory:' "$tmp/px.log" | sed 's/^ */  /'
    px_pps=$(sed -n 's/.*Rx-pps: *\([0-9]*\).*/\1/p' "$tmp/px.log")
    px_cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$tmp/px.log")
    echo "== $flows flows: phalanx-bench --fresh-table, ${secs}s"
    "$bench" --pcap "$pcap" --flows "$flows" --seconds "$secs" --fresh-table \
        --file-prefix phx_bench_px "${huge[@]}" >"$tmp/pxf.log" 2>&1 || true
    grep -E 'cycles/packet' "$tmp/pxf.log" | sed 's/^ */  /'
    fr_cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$tmp/pxf.log")
    setup=$(sed -n 's/.*: \([0-9]*\) new sessions\/s.*/\1/p' "$tmp/px.log")
    memb=$(sed -n 's/.*memory: \([0-9.]*\) bytes.*/\1/p' "$tmp/px.log")
    rows+=("$(printf '  %9s %14s %12s %14s %12s %12s %14s %10s' "$flows" "${tp_cpp:-n/a}" \
        "$(awk -v p="${px_pps:-0}" 'BEGIN{printf "%.2f", p/1e6}')" "${px_cpp:-n/a}" \
        "${fr_cpp:-n/a}" \
        "$(awk -v a="${px_cpp:-0}" -v b="${tp_cpp:-0}" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }')" \
        "${setup:-n/a}" "${memb:-n/a}")")
done
echo "== summary (64-byte frames, one worker, established traffic over all sessions, aged table)"
printf '  %9s %14s %12s %14s %12s %12s %14s %10s\n' flows "testpmd cyc/p" "phx Mpps" "phx cyc/pkt" "fresh cyc/p" "phx/testpmd" "setup/s" "B/session"
printf '%s\n' "${rows[@]}"
