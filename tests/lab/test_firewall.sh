#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Acceptance test of stateful inspection with the shipped
# conf/lab/gateway.json policy (docs/config.md, lab section): the client
# side may open anything to the server side; dnat-web forwards
# 10.1.0.11:8080 to the server's port 80; snat-hide hides the client behind
# 10.2.0.11 for TCP 9000-9099; short-idle gives TCP 7000-7099 a 3 s idle
# timeout; the server side may open nothing (SPEC SI-02). Real Linux TCP
# and UDP in lab-client and lab-server. Needs root; exits 77 otherwise.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

CONF=${PHX_LAB_CONF:-$LAB_ROOT/conf/lab/gateway.json}
PROBE="$LAB_ROOT/tests/lab/probe.py"
phx() { timeout 10 "$PHX" -c "$CONF" "$@"; }
in_ns() { local ns=$1; shift; timeout 30 ip netns exec "$ns" python3 "$PROBE" "$@" 2>&1 || true; }

# bg_server NS NAME ARGS...: start a probe server in the background, set
# BG to its pid and wait for it to be listening. (Never a bare `wait`: the
# member itself is a background job of this shell.)
BG=
bg_server() {
    local ns=$1 name=$2 i
    shift 2
    rm -f "$LAB_TMP/$name.ready"
    timeout 30 ip netns exec "$ns" python3 "$PROBE" "$@" "$LAB_TMP/$name.ready" \
        >"$LAB_TMP/$name.out" 2>&1 &
    BG=$!
    for ((i = 0; i < 50; i++)); do
        [ -e "$LAB_TMP/$name.ready" ] && return 0
        sleep 0.1
    done
    return 1
}

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

lab_up 1
if ! lab_member_start 1 "$CONF"; then
    not_ok "member 1 starts with the firewall policy"
    lab_finish
    exit 1
fi
ok "member 1 starts with the firewall policy"

# --- allowed: TCP and UDP from the client side
lab_tcp_transfer down 4 5001
bg_server lab-server udp udp-echo-server 10.2.0.100 5353 1 || true
out=$(in_ns lab-client udp-client 10.2.0.100 5353 hello-dns)
wait "$BG" || true
assert_eq "$out" "hello-dns" "UDP request/response client -> server:5353"

# --- SPEC SI-02: nothing unsolicited from the server side
before=$(lab_counter "$CONF" drops no_session)
bg_server lab-client listen tcp-echo-server 10.1.0.100 2222 || true
out=$(in_ns lab-server tcp-connect 10.1.0.100 2222 2)
assert_eq "$out" "failed" "TCP SYN from the server side to the client is dropped"
pkill -f "tcp-echo-server 10.1.0.100 2222" 2>/dev/null || true
in_ns lab-client udp-listen 10.1.0.100 5555 3 >"$LAB_TMP/udpl.out" &
BG=$!
sleep 0.5
ip netns exec lab-server python3 -c '
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"unsolicited", ("10.1.0.100", 5555))'
wait "$BG" || true
assert_eq "$(cat "$LAB_TMP/udpl.out")" "nothing" "UDP from the server side to the client is dropped"
after=$(lab_wait_counter "$CONF" drops no_session $((before + 2)))
assert_ge "$after" $((before + 2)) "drops.no_session counted them ($before -> $after)"

# --- destination NAT: 10.1.0.11:8080 -> 10.2.0.100:80
bg_server lab-server dnat tcp-echo-server 10.2.0.100 80 || true
out=$(in_ns lab-client tcp-client 10.1.0.11 8080 via-dnat)
wait "$BG" || true
assert_match "$out" "ECHO via-dnat" "DNAT 10.1.0.11:8080 reaches the server's port 80 and back"
assert_match "$(cat "$LAB_TMP/dnat.out")" "PEER 10.1.0.100" "the server sees the real client behind DNAT"

# --- source NAT: the server sees 10.2.0.11
bg_server lab-server snat tcp-echo-server 10.2.0.100 9000 || true
out=$(in_ns lab-client tcp-client 10.2.0.100 9000 via-snat)
wait "$BG" || true
assert_match "$out" "ECHO via-snat" "SNAT TCP to 9000 works both ways"
assert_match "$(cat "$LAB_TMP/snat.out")" "PEER 10.2.0.11" "the server sees 10.2.0.11, the client is hidden"

# --- the session table as the operator sees it
bg_server lab-server conn tcp-echo-server 10.2.0.100 9001 || true
in_ns lab-client tcp-client 10.2.0.100 9001 one sleep:2 two >"$LAB_TMP/conn-cli.out" &
cli=$!
sleep 1
conn=$(phx conn --port 9001 2>&1 || true)
wait "$cli" || true
wait "$BG" || true
assert_match "$conn" "snat 10\.2\.0\.11" "phx conn lists the SNAT session with its translation"
assert_match "$conn" "ESTABLISHED" "phx conn shows its TCP state"

# --- SPEC SI-05: idle past its timeout (short-idle: 3 s) cuts a session
before=$(lab_counter "$CONF" drops tcp_not_syn)
bg_server lab-server idle tcp-echo-server 10.2.0.100 7000 || true
out=$(in_ns lab-client tcp-client 10.2.0.100 7000 before-idle sleep:5 after-idle)
wait "$BG" || true
assert_match "$out" "ECHO before-idle" "a TCP session to port 7000 works while active"
assert_match "$out" "NOECHO after-idle" "after 5 s idle (timeout 3 s) its next packet does not pass"
assert_no_match "$(cat "$LAB_TMP/idle.out")" "RECV after-idle" "the server never receives it"
after=$(lab_wait_counter "$CONF" drops tcp_not_syn $((before + 1)))
assert_ge "$after" $((before + 1)) "dropped as out of state: first packet isn't SYN ($before -> $after)"
# SPEC SI-03: and logged with its message (control logs a sample once a
# second: the count and one packet)
wait_log() {
    local i
    for ((i = 0; i < 30; i++)); do
        grep -qE "$1" "$LAB_TMP/fw1.log" && return 0
        sleep 0.1
    done
    return 1
}
assert_cmd "logged: TCP packet out of state - first packet isn't SYN, with the packet" \
    wait_log "phx\.fw: TCP packet out of state - first packet isn't SYN: [0-9]+ in the last second; last 10\.1\.0\.100:[0-9]+ -> 10\.2\.0\.100:7000 flags [FSRPAUEC.]+ on in0"

# --- SPEC SI-04: a SYN on an established connection (the client's kernel
# holds it; a raw SYN with its addresses and ports follows) is dropped and
# logged, and the connection goes on
before=$(lab_counter "$CONF" drops tcp_syn_established)
bg_server lab-server synest tcp-echo-server 10.2.0.100 7001 || true
out=$(timeout 20 ip netns exec lab-client python3 - "$(lab_mac 10 1 0 11)" "$(lab_ifmac lab-client eth0)" <<'PY' 2>&1 || true
import socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

c = socket.create_connection(("10.2.0.100", 7001), timeout=5)
c.sendall(b"before\n")
print("ECHO " + c.recv(100).decode().strip())
sport = c.getsockname()[1]
src, dst = socket.inet_aton("10.1.0.100"), socket.inet_aton("10.2.0.100")
tcp = struct.pack("!HHIIBBHHH", sport, 7001, 12345, 0, 5 << 4, 0x02, 64240, 0, 0)
tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
r.bind(("eth0", 0))
r.send(bytes.fromhex(sys.argv[1].replace(":", "")) +
       bytes.fromhex(sys.argv[2].replace(":", "")) + b"\x08\x00" + ip + tcp)
time.sleep(0.3)
c.sendall(b"after\n")
print("ECHO " + c.recv(100).decode().strip())
print("port %d" % sport)
PY
)
wait "$BG" 2>/dev/null || true
sport=$(sed -n 's/^port \([0-9]*\)$/\1/p' <<<"$out")
assert_match "$out" "^ECHO after" "the connection goes on after a SYN with its ports"
after=$(lab_wait_counter "$CONF" drops tcp_syn_established $((before + 1)))
assert_ge "$after" $((before + 1)) "dropped as SYN packet for established connection ($before -> $after)"
assert_cmd "logged: SYN packet for established connection, with the packet" \
    wait_log "phx\.fw: SYN packet for established connection: 1 in the last second; last 10\.1\.0\.100:${sport:-x} -> 10\.2\.0\.100:7001 flags S on in0"

# --- a datagram larger than the MTU: the client's kernel fragments it,
# af_packet hands it over reassembled (framesz=4096 holds it), phalanx
# cuts it to out0's MTU again; the server's answer comes back the same way
before=$(lab_counter "$CONF" counters frag_tx)
out=$(timeout 20 ip netns exec lab-client ping -c 3 -i 0.3 -W 2 -s 3000 10.2.0.100 2>&1 || true)
assert_match "$out" " 0% packet loss" "a 3 KB ping through the member, fragments both ways"
after=$(lab_wait_counter "$CONF" counters frag_tx $((before + 18)))
assert_ge "$after" $((before + 18)) "phalanx sent it in fragments: 3 pings x 2 ways x 3 of 1500 ($before -> $after)"

rules=$(phx rules 2>&1 || true)
assert_match "$rules" "client-out" "phx rules lists the policy with hit counts"
lab_member_stop 1
lab_finish
