#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Policy reload under a running TCP stream loses no packet of it: a client
# streams to the server through member 1 while the policy is reloaded four
# times (each time with a changed rule set); afterwards the member's drop
# counters did not move, every TCP segment either end sent reached the
# other (kernel segment counters), and the bytes arrived intact. First, a
# second phalanx on the member's file prefix (also with eal.in_memory) is
# refused and says why. Then a reload that changes a restart-only
# section is refused and the running policy stays. Then the telemetry of
# a big policy and of a reload's result: 1024 rules with 31-byte names
# (more than one telemetry array or reply holds) come whole through phx
# rules and phx metrics; a refusal longer than one telemetry string comes
# whole through phx reload and phx policy; a changed member name is
# refused. Last, with workers that sleep 100 ms when idle (so the sweep
# takes minutes to re-check a session), phx conn never names a session's
# rule from the wrong policy after a reload that moved the rules. Needs
# root.
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

# A second process on the member's file prefix is refused before EAL
# starts, also with eal.in_memory (where EAL has no lock to refuse it):
# phx finds a member by its prefix, and would talk to the wrong one.
for v in plain in_memory; do
    python3 - "$CONF" "$LAB_TMP/second-$v.json" "$v" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
if sys.argv[3] == "in_memory":
    c["eal"]["in_memory"] = True
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
    out=$(timeout 20 ip netns exec lab-fw1 "$PHALANX" -c "$LAB_TMP/second-$v.json" 2>&1) && st=0 || st=$?
    assert_eq "$st" 1 "a second member on file prefix lab-fw1 ($v) exits 1"
    assert_match "$out" 'eal.file_prefix "lab-fw1" is in use: another DPDK process answers on /var/run/dpdk/lab-fw1/dpdk_telemetry.v2' \
        "... and says why: $(head -n 1 <<<"$out")"
done
assert_match "$(timeout 10 "$PHX" -c "$CONF" version 2>&1)" 'lab-fw1' "the first member still answers"

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

# ---- telemetry of a big policy and of the reload's result

# big_rules N OUT: the shipped config with N more rules named with 31
# bytes each (the longest names) at the end.
big_rules() {
    python3 - "$SRC_CONF" "$2" "$1" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(src))
for i in range(n):
    c["rules"].append({"name": "x%030d" % i, "proto": 47, "action": "drop"})
json.dump(c, open(dst, "w"), indent=2)
PY
}
# json_of CMD...: phx --json CMD, unwrapped to the answer.
unwrap='import json,sys; d=json.load(sys.stdin); d=next(iter(d.values())) if len(d)==1 and next(iter(d)).startswith("/") else d'

big_rules 1020 "$CONF"
out=$(phx reload 2>&1) || true
assert_match "$out" "^reload ok: generation $((gen0 + 5))\$" "a policy of 1024 rules loads: $out"
out=$(phx rules 2>&1) || true
assert_eq "$(grep -cE '^x[0-9]{30} +drop ' <<<"$out")" 1020 "phx rules lists the 1020 added rules"
assert_eq "$(tail -n 1 <<<"$out")" "1024 rules" "... 1024 rules in all (8 pages of 128)"
assert_match "$out" '^x0{26}1019 +drop +- +0$' "... the last one too"
out=$(timeout 15 "$PHX" --json -c "$CONF" rules 2>&1 | python3 -c "$unwrap"'
print(d["total"], len(d["name"]), len(set(d["name"])), d["next"])' 2>&1) || true
assert_eq "$out" "1024 1024 1024 -1" "phx --json rules: one answer, every rule once"
out=$(phx metrics 2>&1) || true
assert_eq "$(grep -c '^phalanx_rule_hits_total{' <<<"$out")" 1024 \
    "phx metrics: phalanx_rule_hits_total for each of the 1024 rules"
out=$(phx pstat 2>&1) || true
assert_match "$out" '^1024 rules$' "phx pstat: the hits of the 1024 rules"
# A start past the end is a bad parameter; the end itself an empty page.
out=$(timeout 10 "$PHX" -c "$CONF" raw /phalanx/rules,1025 2>&1) || true
assert_match "$out" 'rejected parameter "1025"' "/phalanx/rules,1025: null"
out=$(timeout 10 "$PHX" -c "$CONF" raw /phalanx/rules,1x 2>&1) || true
assert_match "$out" 'rejected parameter "1x"' "/phalanx/rules,1x: null"
out=$(timeout 10 "$PHX" --json -c "$CONF" raw /phalanx/rules,1024 2>&1 | python3 -c "$unwrap"'
print(d["from"], d["next"], len(d["name"]))' 2>&1) || true
assert_eq "$out" "1024 -1 0" "/phalanx/rules,1024: the empty last page"

# A refusal longer than DPDK 22.11's 127-byte strings, whole.
python3 - "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["rules"][1000]["name"] = "bad name with blanks 0123456789"
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
why='1 error\(s\); [0-9]+:[0-9]+ rules\[1000\]\.name: "bad name with blanks 0123456789" is not a valid name: use letters, digits, '"'_' and '-'"
# phx -c would load the bad file itself: name the member by its prefix.
out=$(timeout 15 "$PHX" -p lab-fw1 reload 2>&1) && st=0 || st=$?
assert_eq "$st" 1 "a reload with a bad rule name exits 1"
assert_match "$out" "^reload refused: $why\$" "phx reload prints the refusal whole: $out"
out=$(timeout 15 "$PHX" -p lab-fw1 policy 2>&1) || true
res=$(sed -n 's/^Result:          //p' <<<"$out")
assert_match "$res" "^refused: $why\$" "phx policy shows it whole"
assert_ge "${#res}" 128 "... and it is longer than one telemetry string (${#res} bytes)"

# The member's name needs a restart.
python3 - "$SRC_CONF" "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["name"] = "lab-fw1-renamed"
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
out=$(phx reload 2>&1) && st=0 || st=$?
assert_eq "$st" 1 "a reload that changes the member's name exits 1"
assert_match "$out" '^reload refused: section "name" changed; it needs a restart$' "and says why: $out"
out=$(phx version 2>&1) || true
assert_match "$out" 'lab-fw1' "the member keeps its name"
assert_no_match "$out" 'renamed' "... not the refused one"

# sessions.tcp_trust_rst_ports is applied by a reload (SPEC §8:
# fw_trust_rst_on_port is a runtime parameter); the rest of the sessions
# section still needs a restart.
python3 - "$SRC_CONF" "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("sessions", {})["tcp_trust_rst_ports"] = [443, "8000-8080"]
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
out=$(phx reload 2>&1) && st=0 || st=$?
assert_eq "$st" 0 "a reload that changes sessions.tcp_trust_rst_ports is applied ($out)"
python3 - "$SRC_CONF" "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
s = c.setdefault("sessions", {})
s["tcp_trust_rst_ports"] = [443, "8000-8080"]
s["max"] = 3000
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
out=$(phx reload 2>&1) && st=0 || st=$?
assert_eq "$st" 1 "... sessions.max still needs a restart"
assert_match "$out" '^reload refused: section "sessions" changed; it needs a restart$' "and says why: $out"
lab_member_stop 1

# ---- phx conn after a reload that moved the rules

# Workers asleep for 100 ms when idle sweep 64 slots a loop: a session
# waits up to minutes for its re-check, so phx conn sees it with the
# generation that admitted it. A rule put first moves client-out from
# index 3 to 4; index 3 of the new policy is short-idle.
python3 - "$SRC_CONF" "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["dataplane"]["idle_sleep_us"] = 100000
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
if ! lab_member_start 1 "$CONF"; then
    not_ok "member 1 starts with sleepy workers"
    lab_finish
    exit 1
fi
icmp_rules() { # the Rule of every ICMP session, one a line
    timeout 15 "$PHX" --json -c "$CONF" conn --proto icmp 2>&1 |
        python3 -c 'import json,sys; [print(r["rule"]) for r in json.load(sys.stdin)]' 2>&1
}
out=$(timeout 10 ip netns exec lab-client ping -c 1 -W 3 10.2.0.100 2>&1 || true)
assert_match "$out" ' 1 received' "a ping through the member"
assert_eq "$(icmp_rules)" "client-out" "phx conn: its session, admitted by client-out"
python3 - "$CONF" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["rules"].insert(0, {"name": "gre-first", "proto": 47, "action": "drop"})
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
out=$(phx reload 2>&1) || true
assert_match "$out" '^reload ok: generation 2$' "a reload that moves client-out: $out"
rule=$(icmp_rules)
case "$rule" in
"(gen 1)") ok "phx conn: the session not re-checked yet shows (gen 1)" ;;
client-out) ok "phx conn: the session, re-checked already, shows client-out" ;;
*) not_ok "phx conn names the session's rule '$rule' (want (gen 1) or client-out; short-idle is index 3 of the new policy)" ;;
esac

lab_member_stop 1
lab_finish
