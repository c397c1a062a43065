#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of phalanx-bench: one second of the real worker loop on
# net_pcap -> net_null must forward packets and print the testpmd-style
# figures. Asserts behaviour only; the figures are never judged here.
set -euo pipefail
bench=${PHALANX_BENCH:?PHALANX_BENCH not set}
prefix="phx_bench_smoke_$$"
# EAL leaves its runtime directory behind (a few MB of tmpfs per run)
trap 'rm -rf "/var/run/dpdk/$prefix"' EXIT
out=$("$bench" --seconds 1 --flows 64 --no-huge --file-prefix "$prefix" 2>&1) || {
	echo "not ok - phalanx-bench failed"; echo "$out"; exit 1; }
fail=0
for want in 'Forward statistics for port 0' 'Rx-pps:' 'CPU cycles/packet='; do
	if grep -qF -- "$want" <<<"$out"; then echo "ok - prints '$want'"
	else echo "not ok - missing '$want'"; fail=1; fi
done
# The table was aged (every session deleted in a random order and
# re-created) before the measured phase, which then creates none.
if grep -qE 'sessions: 64 live, 0 created during the measured phase' <<<"$out"; then
	echo "ok - aged table of 64 sessions, none created while measuring"
else echo "not ok - session table not as expected after aging"; fail=1; fi
tx=$(sed -n 's/.*TX-packets: *\([0-9]*\) *seconds.*/\1/p' <<<"$out")
if [ "${tx:-0}" -gt 0 ]; then echo "ok - forwarded $tx packets"
else echo "not ok - forwarded nothing"; fail=1; fi
[ $fail -eq 0 ] || echo "$out"
# bad arguments: exit 2 and say which, before EAL starts
for bad in "--flows 10x" "--seconds 0" "--size 99999999999" "stray"; do
	# shellcheck disable=SC2086
	err=$("$bench" $bad 2>&1 >/dev/null) && rc=0 || rc=$?
	if [ "$rc" -eq 2 ] && grep -qE 'is not a number in|unexpected argument' <<<"$err"; then
		echo "ok - '$bad' refused: $err"
	else echo "not ok - '$bad': exit $rc: $err"; fail=1; fi
done
exit $fail
