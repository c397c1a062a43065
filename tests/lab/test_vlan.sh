#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# VLAN sub-interfaces (SPEC MODE-08, ADDR-60) in the standard lab with two
# members: the client side becomes a trunk. lab-client sits on VLAN 100
# (an access port of the client-side switch); each member's in0
# carries no address of its own and its sub-interface in0_100 holds the
# member address and the VIP 10.1.0.1. Asserted: what crosses lab-swin is
# tagged (CCP, ARP, data), the client reaches the server through the VIP,
# the standby hears the active over VLAN 100, established connections
# survive kill -9 of the active member (the VIP's gratuitous ARP goes out
# on VLAN 100), and a VLAN no member has is counted vlan_unknown.
# Needs root; exits 77 otherwise.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

PROBE="$LAB_ROOT/tests/lab/probe.py"
PORT=5101                             # lab_tcp_transfer
HOLD_PORT=5102                        # hold-server
START_WAIT_S=10

now() { lab_now; }

# members_up: member 1, once active member 2; member 2 standby.
members_up() {
    local k s2
    for k in 1 2; do
        if ! lab_member_start "$k" "$(lab_conf "$k")" >/dev/null; then
            not_ok "member $k starts with a VLAN sub-interface"
            return 1
        fi
        [ "$k" = 2 ] || lab_wait_state 1 'ACTIVE|ACTIVE_ATTENTION' >/dev/null
    done
    s2=$(lab_wait_state 2 STANDBY "$START_WAIT_S")
    assert_eq "$(lab_state 1)/$s2" ACTIVE/STANDBY \
        "members up on the trunk: member 1 active, member 2 standby"
}

# capture NAME FILTER SECONDS: tcpdump on lab-swin's bridge in the
# background (CAP_PID), frames matching FILTER into $LAB_TMP/NAME.txt.
capture() {
    timeout "$3" ip netns exec lab-swin tcpdump -l -nn -e -i br0 "$2" \
        >"$LAB_TMP/$1.txt" 2>/dev/null &
    CAP_PID=$!
    sleep 0.5
}

TAGGER_PID=
cleanup() {
    local rc=$?
    set +e    # (exit) below must not end the trap before lab_cleanup
    [ -z "$TAGGER_PID" ] || kill "$TAGGER_PID" 2>/dev/null
    (exit "$rc")
    lab_cleanup
}

lab_init
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_up 2

# The client on VLAN 100: its port on the client-side switch becomes an
# access port of VLAN 100 (this kernel has no 8021q, so the switch tags:
# probe.py vlan-access between the client's veth and a new trunk veth).
ip -n lab-swin link set client nomaster
ip -n lab-swin link add cltag type veth peer name cltrunk
for d in client cltag cltrunk; do
    ip netns exec lab-swin ethtool -K "$d" rx off tx off sg off tso off \
        gso off gro off >/dev/null 2>&1 || true
    ip -n lab-swin link set "$d" promisc on up
done
ip -n lab-swin link set cltrunk master br0
timeout 300 ip netns exec lab-swin python3 "$PROBE" vlan-access client cltag 100 \
    "$LAB_TMP/tagger.ready" 300 >"$LAB_TMP/tagger.out" 2>&1 &
TAGGER_PID=$!
for ((i = 0; i < 50; i++)); do [ -e "$LAB_TMP/tagger.ready" ] && break; sleep 0.1; done
assert_cmd "the client's switch port is an access port of VLAN 100" test -e "$LAB_TMP/tagger.ready"

# Members: in0 a trunk, in0_100 the client side (ADDR-60: the VIP on the
# sub-interface, never on the trunk). PHX_LAB_VLAN_WORKERS=2 (meson test
# vlan_2w) runs each member with two workers on two RX/TX queue pairs
# (lcore@cpu: three lcores on this machine's two CPUs), so tagged frames
# are spread over both and sessions cross workers through the handoff.
WORKERS=${PHX_LAB_VLAN_WORKERS:-1}
LAB_VARIANT=vlan
for k in 1 2; do
    lab_make_variant vlan "$k" '
if '"$WORKERS"' == 2:
    c["dataplane"]["workers"] = 2
    c["eal"]["lcores"] = "0@0,1@1,2@1"
    for p in c["ports"]:
        if "device" in p:
            p["device"] += ",qpairs=2"
in0 = next(p for p in c["ports"] if p["name"] == "in0")
sub = {"name": "in0_100", "parent": "in0", "vlan": 100,
       "addresses": in0.pop("addresses")}
c["ports"].insert(c["ports"].index(in0) + 1, sub)
c["zones"]["inside"] = ["in0_100"]
for v in c["cluster"]["vips"]:
    if v["port"] == "in0":
        v["port"] = "in0_100"
# three more VIPs on in0_100: one more than SPEC ADDR-04 supports
c["cluster"]["vips"] += [{"port": "in0_100", "address": "10.1.0.%d/24" % i}
                         for i in (2, 3, 4)]
'
done

lab_log "--- a trunk refuses a VIP (ADDR-60)"
lab_make_variant vipbad 1 '
c["ports"].append({"name": "in0_200", "parent": "in0", "vlan": 200,
                   "addresses": ["10.5.0.11/24"]})
'
out=$("$PHALANX" --check-config "$LAB_TMP/member1-vipbad.json" 2>&1) && rc=0 || rc=$?
assert_eq "$rc" 1 "phalanx --check-config: a VIP on a trunk is refused"
assert_match "$out" 'carries VLAN sub-interfaces' "the error names the trunk"

timeout 300 ip netns exec lab-server python3 "$PROBE" hold-server --bind 10.2.0.100 \
    --port "$HOLD_PORT" --ready-file "$LAB_TMP/server.ready" >"$LAB_TMP/server.out" 2>&1 &
for ((i = 0; i < 50; i++)); do [ -e "$LAB_TMP/server.ready" ] && break; sleep 0.1; done
assert_cmd "hold-server listens on 10.2.0.100:$HOLD_PORT" test -e "$LAB_TMP/server.ready"

members_up || exit 1
assert_eq "$(grep -c 'FW-1: fwha_notify_interface: there are more than 4 IPs on interface in0_100 notifying only the first ones' "$LAB_TMP/fw1.log")" 1 \
    "ADDR-04: member 1 logs that in0_100 has more VIPs than it announces"

lab_log "--- the sub-interface in the operator's view"
out=$(lab_phx 1 if 2>&1) || true
assert_match "$out" 'in0_100@in0 ' "phx if shows in0_100@in0"
assert_eq "$(lab_tel 1 /phalanx/ports 'd["in0_100"]["vlan"]')" 100 \
    "/phalanx/ports: in0_100 has vlan 100"

lab_log "--- tagged on the wire"
m1=$(lab_mac 10 1 0 11)
m2=$(lab_mac 10 1 0 12)
# CCP frames come from the magic MAC 00:00:00:00:<magic>:<member> (CCP-06)
c1="00:00:00:00:[0-9a-f]{2}:01"
c2="00:00:00:00:[0-9a-f]{2}:02"
capture wire "ether src $m1 or ether src $m2 or udp port 8116" 6
assert_cmd "client pings the VIP 10.1.0.1 over VLAN 100" \
    ip netns exec lab-client ping -c 3 -i 0.2 -W 1 10.1.0.1
lab_tcp_transfer down 1 "$PORT"
lab_tcp_transfer up 1 "$PORT"
wait "$CAP_PID" 2>/dev/null || true
n_ccp1=$(grep -cE "^[0-9:.]* $c1 > .*vlan 100,.*10\.1\.0\.11\.8116 >" "$LAB_TMP/wire.txt" || true)
n_ccp2=$(grep -cE "^[0-9:.]* $c2 > .*vlan 100,.*10\.1\.0\.12\.8116 >" "$LAB_TMP/wire.txt" || true)
n_data=$(grep -c "^[0-9:.]* $m1 > .*vlan 100,.*10\.2\.0\.100\.$PORT > 10\.1\.0\.100" "$LAB_TMP/wire.txt" || true)
n_bare=$(grep -v "vlan 100," "$LAB_TMP/wire.txt" | grep -cE "^[0-9:.]* ($m1|$c1) > " || true)
lab_log "frames from the members on lab-swin in 6 s: CCP on VLAN 100 from member 1 $n_ccp1, from member 2 $n_ccp2; server data on VLAN 100 from member 1 $n_data; untagged from member 1 $n_bare"
assert_ge "$n_ccp1" 10 "member 1's heartbeats cross the trunk tagged 100"
assert_ge "$n_ccp2" 10 "member 2's heartbeats cross the trunk tagged 100"
assert_ge "$n_data" 100 "forwarded data leaves member 1 tagged 100"
assert_eq "$n_bare" 0 "nothing leaves member 1 untagged on in0"
assert_eq "$(lab_tel 2 /phalanx/cluster/if '[v["up"] for v in d.values() if v["port"] == "in0_100"][0]')/$(lab_tel 2 /phalanx/cluster/if '[v["ccp_rx_ms"] < 1000 for v in d.values() if v["port"] == "in0_100"][0]')" 1/True \
    "member 2 reports in0_100 up and hears CCP there"

lab_log "--- connections survive kill -9 of the active member"
if hold_start v-hold --target "10.2.0.100:$HOLD_PORT" --conns 50 --stream-ms 5; then
    sleep 1
    capture garp "vlan 100 and arp" 4
    kill -KILL "${LAB_PID[1]}"
    wait "${LAB_PID[1]}" 2>/dev/null || true
    unset "LAB_PID[1]"
    sleep 2
    hold_stop
    wait "$CAP_PID" 2>/dev/null || true
    assert_match "$(lab_state 2)" '^ACTIVE' "member 2 active after kill -9 of member 1"
    assert_eq "$(hold resets)" 0 "no connection reset"
    assert_eq "$(hold conns_ok)/$(hold conns_failed)" "$(hold conns_wanted)/0" \
        "every connection survived ($(hold conns_wanted) incl. the stream)"
    assert_eq "$HOLD_RC" 0 "hold-client exits 0"
    garps() { grep -cE "^[0-9:.]* $m2 > ff:ff:ff:ff:ff:ff.*vlan 100,.*(who-has $1 tell $1,|Reply $1 is-at)" "$LAB_TMP/garp.txt" || true; }
    lab_log "member 2's GARPs on VLAN 100 for 10.1.0.1..4: $(garps '10\.1\.0\.1') $(garps '10\.1\.0\.2') $(garps '10\.1\.0\.3') $(garps '10\.1\.0\.4')"
    assert_ge "$(garps '10\.1\.0\.1')" 1 "member 2's gratuitous ARP for the VIP goes out on VLAN 100"
    assert_eq "$(( $(garps '10\.1\.0\.2') > 0 ))/$(( $(garps '10\.1\.0\.3') > 0 ))/$(garps '10\.1\.0\.4')" 1/1/0 \
        "ADDR-04: GARPs for the first three VIPs of in0_100, none for the fourth"
else
    hold_stop
    not_ok "50 connections and a stream open through member 1 over VLAN 100"
fi

lab_log "--- a VLAN no member has"
before=$(lab_counter "$(lab_conf 2)" drops vlan_unknown)
# three broadcasts tagged 300 into the client-side switch
ip netns exec lab-swin python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("cltag", 0))
f = b"\xff" * 6 + bytes.fromhex("020000090064") + struct.pack("!HH", 0x8100, 300) + \
    struct.pack("!H", 0x0806) + bytes(46)
for _ in range(3):
    s.send(f)
PY
got=$(lab_wait_counter "$(lab_conf 2)" drops vlan_unknown "$((${before:-0} + 3))")
assert_ge "${got:-0}" "$((${before:-0} + 3))" \
    "3 broadcasts on VLAN 300 are counted vlan_unknown by member 2 (${before:-?} -> ${got:-?})"

if [ "$WORKERS" = 2 ]; then
    lab_log "--- both workers"
    read -r rx0 rx1 <<<"$(lab_tel 2 /phalanx/pstat,0 'd["counters"]["rx_pkts"]') $(lab_tel 2 /phalanx/pstat,1 'd["counters"]["rx_pkts"]')"
    assert_ge "${rx0:-0}" 1 "member 2's worker 0 received frames (${rx0:-?})"
    assert_ge "${rx1:-0}" 1 "member 2's worker 1 received frames (${rx1:-?})"
    # af_packet spreads by the kernel's hash: the synced sessions sit on
    # the worker their tuple hashes to, packets that land on the other
    # are handed over (soft_spread)
    ho=$(lab_tel 2 /phalanx/pstat 'd["counters"]["handoff_tx"]')
    assert_ge "${ho:-0}" 1 "member 2 handed packets of synced sessions to their worker (handoff_tx ${ho:-?})"
fi

lab_log "--- the sub-interface's own counters"
# /phalanx/ports: in0's are the device's (every frame on the trunk),
# in0_100's only what carried its tag; the VLAN 300 frames are in the
# first and not in the second
read -r own dev tx <<<"$(lab_tel 2 /phalanx/ports '"%d %d %d" % (d["in0_100"]["rx_pkts"], d["in0"]["rx_pkts"], d["in0_100"]["tx_pkts"])')"
assert_ge "${own:-0}" 1 "in0_100 counts the frames of VLAN 100 it received (${own:-?})"
assert_ge "${tx:-0}" 1 "in0_100 counts the frames it sent (${tx:-?})"
assert_ge "$((${dev:-0} - ${own:-0}))" 3 \
    "in0 (the device) counts at least the 3 VLAN 300 frames more than in0_100 (${dev:-?} vs ${own:-?})"

lab_member_stop 2
lab_finish
