#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The configuration catalogue through the daemon itself: every
# tests/conf/bad file makes `phalanx --check-config` exit 1 and print exactly
# the expected errors (file:line:column: path: message) plus a summary line;
# every good file exits 0. Runs from tests/conf so paths match the .err files.
set -uo pipefail
phalanx=${PHALANX:?PHALANX not set}
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0
for f in tests/conf/bad/*.json tests/conf/bad/*.yaml; do
	out=$("$phalanx" --check-config "$f" 2>&1); rc=$?
	n=$(grep -c . "$f.err")
	want=$(cat "$f.err"; printf 'phalanx: %s: %d error%s, not started' "$f" "$n" "$([ "$n" = 1 ] || echo s)")
	if [ $rc -eq 1 ] && [ "$out" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok - $f: exit $rc"; diff <(echo "$want") <(echo "$out") | head -10
	fi
done
for f in tests/conf/good/*.json tests/conf/good/*.yaml; do
	# good goldens name devices that need not exist here: schema only
	grep -q 'iface=\|"[0-9a-f]*:[0-9a-f]*:[0-9a-f]*\.[0-9]"' "$f" && continue
	if out=$("$phalanx" --check-config "$f" 2>&1) && [ "$out" = "$f: ok" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "not ok - $f: $out"
	fi
done
"$phalanx" --check-config /nonexistent.json >/dev/null 2>&1; [ $? -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "not ok - missing file"; }
"$phalanx" --bogus >/dev/null 2>&1; [ $? -eq 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "not ok - bad option"; }
echo "check-config: $pass ok, $fail not ok"
[ $fail -eq 0 ]
