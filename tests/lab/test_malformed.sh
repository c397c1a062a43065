#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Hostile and malformed frames against a running member (conf/lab/gateway.json
# in the standard lab): lab-client writes each kind with a raw AF_PACKET
# socket to the member's in0 MAC; the member must stay up, count every kind
# under its own drop reason, still forward, and exit 0 on SIGTERM.
# Two kinds cannot arrive this way and are covered by tests/dp instead:
# frames shorter than 14 bytes (the kernel refuses to send them), and
# fragments (DPDK's net_af_packet joins a fanout group with
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles before phalanx sees
# anything). Needs root; exits 77 otherwise.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

CONF=${PHX_LAB_CONF:-$LAB_ROOT/conf/lab/gateway.json}
IN_MAC=$(lab_mac 10 1 0 11)
COUNT=3

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

lab_up 1
if ! lab_member_start 1 "$CONF"; then
    not_ok "member 1 starts"
    lab_finish
    exit 1
fi
ok "member 1 starts"

# reason -> frame kind, sent COUNT times each
REASONS=(vlan_tagged ipv6_unsupported ethertype_unsupported arp_malformed
    ipv4_truncated ipv4_bad_version ipv4_bad_ihl ipv4_bad_len ipv4_bad_csum
    ipv4_options ipv4_martian_src ipv4_martian_dst l4_truncated
    tcp_bad_doff udp_bad_len l2_other_host local_unhandled)

declare -A before
for r in "${REASONS[@]}"; do
    before[$r]=$(lab_counter "$CONF" drops "$r")
done

client_mac=$(lab_ifmac lab-client eth0)
ip netns exec lab-client python3 - "$IN_MAC" "$client_mac" "$COUNT" <<'PY'
import socket, struct, sys

dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = bytes.fromhex(sys.argv[2].replace(":", ""))
count = int(sys.argv[3])
CLIENT, SERVER, MEMBER = (10, 1, 0, 100), (10, 2, 0, 100), (10, 1, 0, 1)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def ipv4(payload, proto=17, src_ip=CLIENT, dst_ip=SERVER, ver_ihl=0x45,
         total=None, frag=0, options=b"", fix_csum=True):
    hlen = 20 + len(options)
    total = hlen + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4B4B", ver_ihl, 0, total, 1, frag, 64, proto, 0,
                    *src_ip, *dst_ip) + options
    if fix_csum:
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload

def eth(ethertype, body, d=dst):
    return d + src + struct.pack("!H", ethertype) + body

udp = struct.pack("!HHHH", 1000, 2000, 8 + 4, 0) + b"abcd"
tcp_bad = struct.pack("!HHIIBBHHH", 1000, 80, 1, 0, 0x30, 0x02, 1024, 0, 0)
frames = {
    "vlan_tagged": eth(0x8100, struct.pack("!HH", 10, 0x0800) + ipv4(udp)),
    "ipv6_unsupported": eth(0x86DD, bytes([0x60]) + bytes(39)),
    "ethertype_unsupported": eth(0x88B5, b"local experimental" + bytes(30)),
    "arp_malformed": eth(0x0806, struct.pack("!HHBBH", 1, 0x0800, 8, 4, 1) + bytes(30)),
    "ipv4_truncated": eth(0x0800, ipv4(udp)[:12]),
    "ipv4_bad_version": eth(0x0800, ipv4(udp, ver_ihl=0x65)),
    "ipv4_bad_ihl": eth(0x0800, ipv4(udp, ver_ihl=0x44)),
    "ipv4_bad_len": eth(0x0800, ipv4(udp, total=400)),
    "ipv4_bad_csum": eth(0x0800, ipv4(udp, fix_csum=False)[:10] + b"\xde\xad" + ipv4(udp)[12:]),
    "ipv4_options": eth(0x0800, ipv4(udp, ver_ihl=0x46, options=b"\x94\x04\x00\x00")),
    "ipv4_martian_src": eth(0x0800, ipv4(udp, src_ip=(127, 0, 0, 1))),
    "ipv4_martian_dst": eth(0x0800, ipv4(udp, dst_ip=(224, 0, 0, 9))),
    "l4_truncated": eth(0x0800, ipv4(udp[:4])),
    "tcp_bad_doff": eth(0x0800, ipv4(tcp_bad, proto=6)),
    "udp_bad_len": eth(0x0800, ipv4(struct.pack("!HHHH", 1, 2, 200, 0) + b"abcd")),
    "l2_other_host": eth(0x0800, ipv4(udp), d=bytes.fromhex("020000000099")),
    "local_unhandled": eth(0x0800, ipv4(udp, dst_ip=MEMBER)),
}
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for name, f in frames.items():
    for _ in range(count):
        s.send(f)
print("sent %d kinds x %d" % (len(frames), count))
PY

for r in "${REASONS[@]}"; do
    want=$(( ${before[$r]:-0} + COUNT ))
    got=$(lab_wait_counter "$CONF" drops "$r" "$want")
    assert_ge "${got:-0}" "$want" "drops.$r counted ($got, was ${before[$r]:-0})"
done

out=$(timeout 30 ip netns exec lab-client ping -c 3 -i 0.2 -W 2 10.2.0.100 2>&1 || true)
assert_match "$out" ' 3 received' "member still forwards after the hostile frames"

lab_member_stop 1
lab_finish
