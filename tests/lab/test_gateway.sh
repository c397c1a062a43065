#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Acceptance test of the single-member gateway (conf/lab/gateway.json) in the
# standard lab of shared/LAB.md, proved with the kernel's own tools: ping,
# ARP caches, real TCP, dpdk-dumpcap and dpdk-telemetry.py.
# Needs root; exits 77 (skip) otherwise. Prints ok/not ok lines; exit 1 if
# any check failed.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

CONF=${PHX_LAB_CONF:-$LAB_ROOT/conf/lab/gateway.json}
if [ ! -r "$CONF" ]; then
    echo "not ok - config $CONF missing"
    exit 1
fi
PREFIX=$(lab_file_prefix "$CONF")
IN_MAC=$(lab_mac 10 1 0 11)
OUT_MAC=$(lab_mac 10 2 0 11)

phx() { timeout 10 "$PHX" -c "$CONF" "$@"; }

# ping_out NS ARGS...: ping's output; never fails the script.
ping_out() {
    local ns=$1
    shift
    timeout 30 ip netns exec "$ns" ping "$@" 2>&1 || true
}

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

lab_log "phalanx $PHALANX, phx $PHX, config $CONF (prefix $PREFIX)"
lab_log "hugepages: $(awk '/HugePages_(Total|Free)/ {printf "%s %s ", $1, $2}' /proc/meminfo)"
lab_up 1
if ! lab_member_start 1 "$CONF"; then
    not_ok "member 1 starts and answers telemetry within ${LAB_START_TIMEOUT}s"
    lab_finish
    exit 1
fi
ok "member 1 starts and answers telemetry"

# --- ICMP echo answered by phalanx itself, on both sides
out=$(ping_out lab-client -c 3 -i 0.2 -W 2 10.1.0.1)
assert_match "$out" ' 3 received' "client pings 10.1.0.1 (the member), 3 of 3 replies"
out=$(ping_out lab-server -c 3 -i 0.2 -W 2 10.2.0.1)
assert_match "$out" ' 3 received' "server pings 10.2.0.1 (the member), 3 of 3 replies"

# --- forwarding client -> server, one hop
out=$(ping_out lab-client -c 5 -i 0.2 -W 2 10.2.0.100)
assert_match "$out" ' 5 received' "client pings server 10.2.0.100, 5 of 5 replies"
ttls=$(grep -oE 'ttl=[0-9]+' <<<"$out" | sort -u | tr '\n' ' ' || true)
assert_eq "$ttls" "ttl=63 " "replies carry TTL 63 (decremented by one hop)"

# --- ARP, both directions
assert_match "$(ip -n lab-client neigh show 10.1.0.1)" "lladdr $IN_MAC" \
    "lab-client resolved 10.1.0.1 to $IN_MAC"
assert_match "$(ip -n lab-server neigh show 10.2.0.1)" "lladdr $OUT_MAC" \
    "lab-server resolved 10.2.0.1 to $OUT_MAC"
client_mac=$(lab_ifmac lab-client eth0)
server_mac=$(lab_ifmac lab-server eth0)
arp=$(phx arp 2>&1 || true)
assert_match "$arp" "(^|[^0-9.])10\.1\.0\.100([^0-9].*)?$client_mac" \
    "phx arp lists 10.1.0.100 at $client_mac"
assert_match "$arp" "(^|[^0-9.])10\.2\.0\.100([^0-9].*)?$server_mac" \
    "phx arp lists 10.2.0.100 at $server_mac"
arp=$(phx arp --all 2>&1 || true)
assert_match "$arp" "^[0-9]+ entr(y|ies)\$" "phx arp --all walks every page to the end"
st=0
arp=$(phx arp --page 5 2>&1) || st=$?
assert_eq "$st" 1 "phx arp --page 5 past the last page exits 1"
assert_match "$arp" "^phx: page 5 is beyond the last: the table has 1 page \(0-0\), [0-9]+ entr" \
    "... and says how many pages there are"

# --- real TCP through the member, both directions
lab_tcp_transfer down 8 5001
lab_tcp_transfer up 8 5002

# --- no route: dropped, counted, not answered
before=$(lab_counter "$CONF" drops no_route)
out=$(ping_out lab-client -c 3 -i 0.2 -W 1 192.0.2.1)
assert_match "$out" ' 0 received' "192.0.2.1 (no route) gets no echo reply"
if [[ "$before" =~ ^[0-9]+$ ]]; then
    after=$(lab_wait_counter "$CONF" drops no_route $((before + 3)))
    assert_ge "$((${after:-0} - before))" 3 "pstat drops.no_route grew by >= 3 ($before -> $after)"
else
    not_ok "phx --json pstat has drops.no_route (got '$before')"
fi

# --- forwarded counter (docs/counters.md: fwd_pkts) in the table view
pstat=$(phx pstat 2>&1 || true)
assert_match "$pstat" '(fwd_pkts|forward[a-z_]*)[[:space:]:=|]+[1-9]' \
    "phx pstat shows a non-zero forwarded counter (fwd_pkts)"

# --- TTL 1: ICMP time exceeded from the member, counted
before=$(lab_counter "$CONF" drops ttl_exceeded)
out=$(ping_out lab-client -c 1 -t 1 -W 2 10.2.0.100)
assert_match "$out" 'From 10\.1\.0\.11? .*Time to live exceeded' \
    "ping -t 1 gets Time to live exceeded from the member"
if [[ "$before" =~ ^[0-9]+$ ]]; then
    after=$(lab_wait_counter "$CONF" drops ttl_exceeded $((before + 1)))
    assert_ge "$((${after:-0} - before))" 1 "pstat drops.ttl_exceeded grew ($before -> $after)"
else
    not_ok "phx --json pstat has drops.ttl_exceeded (got '$before')"
fi

# --- dpdk-dumpcap (secondary process) captures port in0 while the client pings
pcap="$LAB_TMP/in0.pcapng"
ip netns exec lab-fw1 timeout 30 dpdk-dumpcap --file-prefix="$PREFIX" \
    -i net_af_packet0 -c 10 -a duration:15 -w "$pcap" \
    >"$LAB_TMP/dumpcap.log" 2>&1 &
dumpcap_pid=$!
for ((i = 0; i < 50; i++)); do
    grep -q 'Capturing on' "$LAB_TMP/dumpcap.log" && break
    kill -0 "$dumpcap_pid" 2>/dev/null || break
    sleep 0.2
done
ping_out lab-client -c 10 -i 0.2 -W 1 10.2.0.100 >/dev/null
dumpcap_st=0
wait "$dumpcap_pid" || dumpcap_st=$?
if [ "$dumpcap_st" -eq 0 ] && [ -s "$pcap" ]; then
    icmp=$(tshark -r "$pcap" -Y icmp 2>/dev/null | wc -l || true)
    assert_ge "$icmp" 1 "dpdk-dumpcap on in0 captured ICMP ($icmp packets)"
else
    not_ok "dpdk-dumpcap on in0 (status $dumpcap_st)"
    _lab_quote "$(cat "$LAB_TMP/dumpcap.log")"
fi

# --- DPDK's own telemetry client sees our commands
tel=$(echo / | timeout 10 dpdk-telemetry.py -f "$PREFIX" 2>&1 || true)
assert_match "$tel" '"/phalanx/' "dpdk-telemetry.py -f $PREFIX lists /phalanx/ commands"

# --- parameters are strict (docs/telemetry.md): a sign, a blank, a key given
# twice, or w= and from= where /phalanx/conn/clear takes none, answer null
for cmd in '/phalanx/pstat,-0' '/phalanx/pstat,+0' '/phalanx/pstat, 0' \
    '/phalanx/rules,-0' '/phalanx/conn,w=0,w=0' '/phalanx/conn,from=-1' \
    '/phalanx/conn,ip=10.1.0.100 ' '/phalanx/conn/clear,ip=10.9.9.9,from=4294967295'; do
    st=0
    out=$(phx raw "$cmd" 2>/dev/null) || st=$?
    assert_eq "$st $out" "1 {\"${cmd%%,*}\":null}" "$cmd is a bad parameter"
done
assert_match "$(phx raw /phalanx/pstat,0 2>&1 || true)" '"scope":"worker0"' \
    "/phalanx/pstat,0 still answers"

routes=$(phx routes 2>&1 || true)
assert_match "$routes" '^10\.1\.0\.0/24 +connected +in0$' "phx routes lists in0's subnet"
assert_match "$routes" '^2 routes$' "... and out0's: 2 routes"

# --- a table larger than one telemetry answer comes in pages, and texts
# longer than one telemetry string come whole: the member again, with 1000
# static routes, 6 more addresses on in0 and a configuration path of more
# than 127 bytes
lab_member_stop 1
BIG="$LAB_TMP/gateway-with-1000-routes-and-8-addresses-$(printf '%0100d' 0).json"
python3 - "$CONF" "$BIG" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["routes"] = [{"prefix": "172.%d.%d.0/24" % (16 + i // 256, i % 256),
                "via": "10.2.0.100"} for i in range(1000)]
c["ports"][0]["addresses"] += ["192.168.%d.254/24" % i for i in range(100, 106)]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
if lab_member_start 1 "$BIG"; then
    routes=$(phx routes 2>&1 || true)
    assert_match "$routes" '^1008 routes$' "phx routes walks every page: 8 connected and 1000 static routes"
    assert_match "$routes" '^172\.19\.231\.0/24 +10\.2\.0\.100 +out0$' "... the last static route included"
    assert_match "$routes" '^192\.168\.105\.0/24 +connected +in0$' "... and every connected one"
    assert_eq "$(phx raw /phalanx/routes | python3 -c 'import json,sys; d=json.load(sys.stdin)["/phalanx/routes"]; print(d["total"], d["from"], d["next"], len(d["port"]))')" \
        "1008 0 128 128" "/phalanx/routes without a parameter: the first page, every column whole"
    assert_match "$(phx if 2>&1 || true)" '^in0 .* 10\.1\.0\.11/24 10\.1\.0\.1/24 192\.168\.100\.254/24 .* 192\.168\.105\.254/24 ' \
        "phx if shows all 8 addresses of in0"
    assert_match "$(phx version 2>&1 || true)" "^Config: +$BIG\$" "phx version shows the whole ${#BIG}-byte config path"
    assert_match "$(phx policy 2>&1 || true)" "^File: +$BIG\$" "... and so does phx policy"
    lab_member_stop 1
else
    not_ok "member 1 starts with $BIG"
fi

lab_finish
