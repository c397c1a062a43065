#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# CCP frames as tshark sees them (DESIGN 5): the CCP header follows
# Wireshark's CPHA dissector, so tshark must decode our heartbeats as CPHA
# FWHA_MY_STATE with the member states we encoded, and our probes as
# FWHA_IF_PROBE_REQ/REPLY, with no plugin; a sync frame (opcode 10) as
# FWHAP_SYNC, and its body through tools/ccp.lua.
#
#   test_ccp_tshark.sh <path to ccp_pcap> [<path to tools/ccp.lua>]
#
# ccp_pcap writes tests/unit/ccp_samples.h's frames into a pcap. With the
# Lua dissector given and a tshark built with Lua, our extension fields
# are checked too. Exit 77 (meson: skipped) when tshark is not installed.
set -eu

gen="${1:?usage: $0 <ccp_pcap> [<ccp.lua>]}"
lua="${2:-}"
if ! command -v tshark >/dev/null 2>&1; then
    echo "tshark not installed: skipped"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# A private HOME: no user profile (decode-as rules, disabled protocols)
# can change what tshark prints.
HOME="$tmp"
export HOME

"$gen" "$tmp/ccp.pcap"

fail=0
check() {   # check <description> <fixed string> <file>
    if grep -qF -- "$2" "$3"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: no line with '$2'"
        fail=1
    fi
}

# 1. The packet tree of the known-answer heartbeat (frame 1: member 1
#    active, member 2 standby).
tshark -r "$tmp/ccp.pcap" -d udp.port==8116,cpha -V -Y frame.number==1 \
    >"$tmp/v1.txt" 2>/dev/null
check "protocol" "Check Point High Availability Protocol" "$tmp/v1.txt"
check "opcode" "HA OpCode: FWHA_MY_STATE" "$tmp/v1.txt"
check "cluster" "Cluster Number: 7" "$tmp/v1.txt"
check "member 1 active" \
    "State node: Active/Active-Attention (4) (Nodes 0)" "$tmp/v1.txt"
check "member 2 standby" "State node: Standby (2) (Nodes 1)" "$tmp/v1.txt"
check "report code" "Machine & Interface information included (3)" \
    "$tmp/v1.txt"
check "HA mode" "HA mode: FWHA_ONE_UP_MODE (4)" "$tmp/v1.txt"
check "policy id" "Policy ID: 2" "$tmp/v1.txt"
echo "--- tshark -V, frame 1 (CPHA part) ---"
sed -n '/^Check Point High Availability Protocol/,$p' "$tmp/v1.txt"
echo "---"

# 2. Every frame, field by field: header, states of all five members,
#    interface counts, last-heard bytes, probe interface numbers.
tshark -r "$tmp/ccp.pcap" -d udp.port==8116,cpha -T fields -E separator='|' \
    -e frame.number -e cpha.version -e cpha.cluster_number -e cpha.opcode \
    -e cpha.src_id -e cpha.dst_id -e cpha.policy_id -e cpha.id_num \
    -e cpha.report_code -e cpha.ha_mode -e cpha.ha_time_unit \
    -e cpha.state_node -e cpha.in_up -e cpha.out_up \
    -e cpha.cluster_last_packet -e cpha.ifn \
    >"$tmp/fields.txt" 2>/dev/null
cat >"$tmp/want.txt" <<'EOF'
1|530|7|1|1|65535|2|2|3|4|100|4,2|2|2|0,1|
2|530|7|1|5|65535|2|5|3|2|200|0,1,2,3,4|1|3|127,3,2,1,0|
3|530|7|1|1|65535|2|1|3|3|100|4|0|0|0|
4|530|7|3|1|65535|0|||||||||1
5|530|7|4|3|1|0|||||||||1
6|530|7|11|1|65535|2|||||||||
7|530|7|12|3|1|0|||||||||
8|530|7|12|4|1|0|||||||||
9|530|7|10|1|65535|2|||||||||
EOF
if diff -u "$tmp/want.txt" "$tmp/fields.txt"; then
    echo "ok: fields of all 9 frames"
else
    echo "FAIL: tshark fields differ (- expected, + tshark)"
    fail=1
fi

# 3. Nothing tshark calls malformed.
tshark -r "$tmp/ccp.pcap" -d udp.port==8116,cpha -V >"$tmp/all.txt" \
    2>/dev/null
if grep -q "Malformed" "$tmp/all.txt"; then
    echo "FAIL: tshark reports a malformed packet"
    fail=1
else
    echo "ok: no malformed packets"
fi

# 4. Our extension, through tools/ccp.lua (when tshark has Lua).
if [ -n "$lua" ] && tshark -v 2>/dev/null | grep -q "with Lua"; then
    tshark -X "lua_script:$lua" -r "$tmp/ccp.pcap" -T fields -E separator='|' \
        -e frame.number -e phx_ccp.ext_version -e phx_ccp.mac_magic \
        -e phx_ccp.boot_id -e phx_ccp.counter -e phx_ccp.config.generation \
        -e phx_ccp.member.priority -e phx_ccp.member.mode \
        -e phx_ccp.member.flags -e phx_ccp.member.pnote -e phx_ccp.echo \
        -e phx_ccp.req.new_state -e phx_ccp.req.reason -e phx_ccp.req.seq \
        -e phx_ccp.confirm.verdict -e phx_ccp.confirm.refusal \
        -e phx_ccp.confirm.seq -e phx_ccp.platform.workers \
        -e phx_ccp.platform.sync_version -e phx_ccp.platform.sync_mtu \
        -e phx_ccp.platform.version >"$tmp/lua.txt" 2>"$tmp/lua.err" || true
    cat >"$tmp/want_lua.txt" <<'EOF'
1|1|0xfe|0x0123456789abcdef|42|65538|100|1|0x04|0|||||||||||
2|1|0xfe|0x0123456789abcdef|1000|65538|100|2|0x1f|2||||||||4|1|9000|0.1.0+dev.0123ab
3|1|0xfe|0x0123456789abcdef|1|65538|100|1|0x03|1|||||||||||
4|1|0xfe|0x0123456789abcdef|43||||||||||||||||
5|1|0xfe|0x0123456789abcdef|7||||||43||||||||||
6|1|0xfe|0x0123456789abcdef|44|65538|100|1|0x04|0||4|1|7|||||||
7|1|0xfe|0x0123456789abcdef|8||||||44||||1|0|7||||
8|1|0xfe|0x0123456789abcdef|18446744073709551615||||||44||||2|2|7||||
9|1|0xfe|0x0123456789abcdef|45||||||||||||||||
EOF
    if diff -u "$tmp/want_lua.txt" "$tmp/lua.txt"; then
        echo "ok: tools/ccp.lua fields of all 9 frames"
    else
        echo "FAIL: tools/ccp.lua fields differ (- expected, + tshark)"
        cat "$tmp/lua.err"
        fail=1
    fi
    # The sync body of frame 9 (opcode 10): header, both records, the
    # session's key, NAT, owner and window.
    tshark -X "lua_script:$lua" -r "$tmp/ccp.pcap" -Y phx_sync \
        -T fields -E separator='|' -e frame.number -e phx_sync.flags \
        -e phx_sync.seq -e phx_sync.n_records -e phx_sync.rec.type \
        -e phx_sync.sess.src -e phx_sync.sess.dport \
        -e phx_sync.sess.nat_ip -e phx_sync.sess.owner \
        -e phx_sync.win.end -e phx_sync.win.wscale \
        >"$tmp/sync.txt" 2>"$tmp/sync.err" || true
    echo '9|0x01|4294967280|2|1,3|10.1.0.100,10.1.0.100|80,80|192.0.2.1|2|286331153,4294967280|7,15' \
        >"$tmp/want_sync.txt"
    if diff -u "$tmp/want_sync.txt" "$tmp/sync.txt"; then
        echo "ok: tools/ccp.lua sync body of frame 9"
    else
        echo "FAIL: tools/ccp.lua sync fields differ (- expected, + tshark)"
        cat "$tmp/sync.err"
        fail=1
    fi
else
    echo "skip: no Lua dissector given, or tshark without Lua"
fi

exit "$fail"
