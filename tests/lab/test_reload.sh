#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Policy reload under a running TCP stream loses no packet of it: a client
# streams to the server through member 1 while the policy is reloaded four
# times (each time with a changed rule set); afterwards the member's drop
# counters did not move, every TCP segment either end sent reached the
# other (kernel segment counters), and the bytes arrived intact. Then a reload that changes a restart-only
# section is refused and the running policy stays. Needs root.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

SRC_CONF=${PHX_LAB_CONF:-$LAB_ROOT/conf/lab/gateway.json}
PROBE="$LAB_ROOT/tests/lab/probe.py"

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

# A copy the test may edit; same file prefix, same everything.
CONF="$LAB_TMP/member1.json"
cp "$SRC_CONF" "$CONF"
phx() { timeout 15 "$PHX" -c "$CONF" "$@"; }

# edit_rules N: the shipped rules plus N harmless extra rules at the end.
edit_rules() {
    python3 - "$SRC_CONF" "$CONF" "$1" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(src))
c.setdefault("rules", [])
for i in range(n):
    c["rules"].append({"name": "extra%d" % i, "proto": 47, "action": "drop"})
json.dump(c, open(dst, "w"), indent=2)
PY
}

# drops_json: the member's drop counters as one JSON object.
drops_json() {
    timeout 10 "$PHX" --json -c "$CONF" pstat 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
if len(d) == 1 and next(iter(d)).startswith("/"):
    d = next(iter(d.values()))
print(json.dumps(d["drops"]))'
}

# drops_moved A B: "reason +n ..." for every counter that grew.
drops_moved() {
    python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(" ".join("%s +%d" % (k, b[k] - a.get(k, 0)) for k in b if b[k] != a.get(k, 0)))' "$1" "$2"
}

# tcp_segs NS: "received sent" TCP segments of the namespace
# (/proc/net/snmp: InSegs; OutSegs + RetransSegs, since Linux leaves
# retransmissions out of OutSegs).
tcp_segs() {
    ip netns exec "$1" cat /proc/net/snmp |
        awk '/^Tcp:/ { if (h) { print $11, $12 + $13 } else { h = 1 } }'
}

lab_up 1
if ! lab_member_start 1 "$CONF"; then
    not_ok "member 1 starts"
    lab_finish
    exit 1
fi
ok "member 1 starts"

rm -f "$LAB_TMP/sink.ready"
timeout 40 ip netns exec lab-server python3 "$PROBE" tcp-sink 10.2.0.100 5002 \
    "$LAB_TMP/sink.ready" >"$LAB_TMP/sink.out" 2>&1 &
sink=$!
for ((i = 0; i < 50; i++)); do [ -e "$LAB_TMP/sink.ready" ] && break; sleep 0.1; done

# The lab's address-less interfaces send IGMPv3 unsolicited reports (with
# Router Alert, counted as ipv4_options) for about 2 s after link-up
# (robustness 2 x 1 s); measure once that has settled.
sleep 2.5
drops0=$(drops_json)
read -r cin0 cout0 < <(tcp_segs lab-client)
read -r sin0 sout0 < <(tcp_segs lab-server)
timeout 40 ip netns exec lab-client python3 "$PROBE" tcp-stream 10.2.0.100 5002 8 1000000 \
    >"$LAB_TMP/stream.out" 2>&1 &
stream=$!
gen0=$(phx --json policy | python3 -c 'import json,sys; d=json.load(sys.stdin); d=next(iter(d.values())) if len(d)==1 and next(iter(d)).startswith("/") else d; print(d["generation"])')
for k in 1 2 3 4; do
    sleep 1.5
    edit_rules "$k"
    out=$(phx reload 2>&1 || true)
    assert_match "$out" "reload ok: generation $((gen0 + k))" "reload $k under the stream: $out"
done
wait "$stream" || true
wait "$sink" || true
sleep 1 # let the closing FIN/ACK exchange finish before sampling
sent=$(cat "$LAB_TMP/stream.out")
got=$(cat "$LAB_TMP/sink.out")
assert_match "$sent" '^[0-9a-f]{64}$' "the client streamed for 8 s"
assert_eq "$got" "$sent" "the server received every byte (sha256 equal)"
drops1=$(drops_json)
read -r cin1 cout1 < <(tcp_segs lab-client)
read -r sin1 sout1 < <(tcp_segs lab-server)
assert_eq "$(drops_moved "$drops0" "$drops1")" "" "no drop of any reason during the reloads"
# Every segment one end sent reached the other (the stream is the only
# TCP in the lab; retransmissions, e.g. tail-loss probes, count on both).
assert_eq "$((sin1 - sin0))" "$((cout1 - cout0))" \
    "every TCP segment the client sent reached the server ($((cout1 - cout0)))"
assert_eq "$((cin1 - cin0))" "$((sout1 - sout0))" \
    "every TCP segment the server sent reached the client ($((sout1 - sout0)))"

# a restart-only change is refused and the policy stays
python3 - "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ports"][0]["mtu"] = 1400
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
out=$(phx reload 2>&1) && st=0 || st=$?
assert_eq "$st" 1 "a reload that changes ports exits 1"
assert_match "$out" 'refused: section "ports" changed' "and says why: $out"
out=$(timeout 10 ip netns exec lab-client ping -c 2 -i 0.2 -W 2 10.2.0.100 2>&1 || true)
assert_match "$out" ' 2 received' "traffic still flows on the running policy"

lab_member_stop 1
lab_finish
