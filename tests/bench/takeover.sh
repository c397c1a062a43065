#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Takeover benchmark (issues 4 and 5): ROUNDS times `kill -9` of the
# active member of a two-member cluster in the standard lab (LAB.md),
# each timed from the kill to the first gratuitous ARP for 10.1.0.1 seen
# in lab-client, with the largest gap of a TCP stream (one segment echoed
# every 5 ms, client -> server through the VIPs) around it. The killed
# member is started again and comes back standby (active-up), so the
# rounds alternate between the members; the stream's largest gap while
# it starts again is printed too.
#
# Then the Linux reference on the same namespaces, in the same run:
# keepalived (VRRPv3 at its 10 ms minimum advertisement interval, both
# VIPs in one sync group, nopreempt) with kernel forwarding, killed the
# same way (its parent stopped first, so neither restarts nor says
# goodbye, as in a crash) with the member's links taken down at once (a
# dead member forwards nothing). Without keepalived installed, and as root,
# it is installed from the Debian archive; PHX_BENCH_NO_BASELINE=1 skips
# the baseline.
#
# A benchmark, not a test: it prints every figure, min/median/max and the
# ratio of the medians, and judges nothing.
#
#   tests/bench/takeover.sh [BUILD_DIR] [ROUNDS]
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
export PHX_BUILD_ROOT=${1:-$root/build}
rounds=${2:-10}
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || { echo "usage: $0 [BUILD_DIR] [ROUNDS 1-99]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (network namespaces, DPDK)" >&2; exit 2; }
# shellcheck source=../lab/lib.sh
. "$root/tests/lab/lib.sh"
for b in "$PHALANX" "$PHX"; do
    [ -x "$b" ] || { echo "no $b: build first (ninja -C build)" >&2; exit 1; }
done
PROBE=$root/tests/lab/probe.py
PORT=5101

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM
lab_up 2 >/dev/null

timeout 1800 ip netns exec lab-server python3 "$PROBE" hold-server --bind 10.2.0.100 \
    --port "$PORT" --ready-file "$LAB_TMP/server.ready" >"$LAB_TMP/server.out" 2>&1 &
for ((i = 0; i < 50; i++)); do [ -e "$LAB_TMP/server.ready" ] && break; sleep 0.1; done
[ -e "$LAB_TMP/server.ready" ] || { echo "hold-server did not start" >&2; exit 1; }

# hold_start NAME: 20 idle connections and the 5 ms stream, until
# $LAB_TMP/NAME.stop exists; hold_stop NAME waits for its summary.
hold_start() {
    rm -f "$LAB_TMP/$1.ready" "$LAB_TMP/$1.stop"
    timeout 1800 ip netns exec lab-client python3 "$PROBE" hold-client \
        --target "10.2.0.100:$PORT" --conns 20 --stream-ms 5 --duration 1700 \
        --ready-file "$LAB_TMP/$1.ready" --stop-file "$LAB_TMP/$1.stop" \
        --out "$LAB_TMP/$1.json" >"$LAB_TMP/$1.out" 2>&1 &
    HOLD_PID=$!
    for ((i = 0; i < 300; i++)); do [ -e "$LAB_TMP/$1.ready" ] && return 0; sleep 0.1; done
    echo "hold-client did not open its connections: $(tail -n 3 "$LAB_TMP/$1.out")" >&2
    return 1
}
hold_stop() {
    touch "$LAB_TMP/$1.stop"
    wait "$HOLD_PID" 2>/dev/null
    echo "  connections: $(python3 "$PROBE" hold-summary "$LAB_TMP/$1.json" 2>/dev/null || echo '(no summary)')"
}

# report NAME: per-round lines and min/median/max of $LAB_TMP/NAME.rounds
# ("t0 member takeover_ms t_restart"), the gaps from $LAB_TMP/NAME.json; prints the
# median takeover to $LAB_TMP/NAME.median.
report() {
    python3 - "$LAB_TMP/$1.rounds" "$LAB_TMP/$1.json" "$LAB_TMP/$1.median" <<'PY'
import json, statistics, sys
rounds = [l.split() for l in open(sys.argv[1]) if l.strip()]
try:
    gaps = json.load(open(sys.argv[2])).get("stream_gaps", [])
except (OSError, ValueError):
    gaps = []
tk, gp = [], []
rj = []
for i, (t0, who, ms, tr) in enumerate(rounds):
    t0, tr = float(t0), float(tr)
    # a gap is stamped where it began: the takeover's just before the
    # kill (so the next round's belongs to it, not to this restart), the
    # restart's from when the member was started again
    end = float(rounds[i + 1][0]) - 0.1 if i + 1 < len(rounds) else tr + 3
    g = max([m for t, m in gaps if t0 - 0.1 <= t < tr] or [0.0])
    r = max([m for t, m in gaps if tr <= t < end] or [0.0])
    gp.append(g)
    rj.append(r)
    if ms != "none":
        tk.append(float(ms))
    print("  round %2d: %s killed, first GARP after %s ms, stream's largest gap %.1f ms"
          " (%.1f ms while it started again)" % (i + 1, who, ms, g, r))
def line(what, v):
    if not v:
        return "  %s: no figure" % what
    return "  %s: min %.1f  median %.1f  max %.1f  (under 40 ms: %d/%d)" % (
        what, min(v), statistics.median(v), max(v), sum(x < 40 for x in v), len(v))
print(line("takeover ms", tk))
print(line("stream gap ms", gp))
print(line("stream gap ms while the killed member started again", rj))
if len(tk) < len(rounds):
    print("  no GARP seen in %d round(s)" % (len(rounds) - len(tk)))
open(sys.argv[3], "w").write("%.1f\n" % statistics.median(tk) if tk else "")
PY
}

# ------------------------------------------------------------- phalanx

echo "== phalanx ($(git -C "$root" describe --always --dirty 2>/dev/null || echo "$PHALANX")), conf/lab (CCP 5 ms x 4, active-up), kill -9 of the active member, $rounds rounds"
for k in 1 2; do
    lab_member_start "$k" "$(lab_conf "$k")" >/dev/null || { echo "member $k did not start" >&2; exit 1; }
done
[ "$(lab_wait_state 1 ACTIVE 10) $(lab_wait_state 2 STANDBY 10)" = "ACTIVE STANDBY" ] ||
    { echo "the cluster did not form" >&2; exit 1; }
hold_start phx || exit 1
sleep 1
: >"$LAB_TMP/phx.rounds"
for ((r = 1; r <= rounds; r++)); do
    s1=$(lab_state 1); s2=$(lab_state 2)
    case "$s1/$s2" in
    ACTIVE/STANDBY) a=1 ;;
    STANDBY/ACTIVE) a=2 ;;
    *) echo "round $r: members are $s1/$s2, not one Active and one Standby" >&2; exit 1 ;;
    esac
    lab_garp_watch 10.1.0.1 || { echo "GARP watcher did not start" >&2; exit 1; }
    t0=${EPOCHREALTIME/,/.}     # inline: no subshell between it and the kill
    kill -KILL "${LAB_PID[$a]}"
    ms=$(lab_takeover_ms "$t0")
    wait "${LAB_PID[$a]}" 2>/dev/null
    unset "LAB_PID[$a]"
    kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null
    echo "$t0 member-$a $ms $(lab_now)" >>"$LAB_TMP/phx.rounds"
    lab_member_start "$a" "$(lab_conf "$a")" >/dev/null || { echo "member $a did not restart" >&2; exit 1; }
    s=$(lab_wait_state "$a" STANDBY 30)
    [ "$s" = STANDBY ] || { echo "member $a came back $s, not STANDBY" >&2; exit 1; }
    sleep 1    # its full sync is done; the stream settles
done
hold_stop phx >"$LAB_TMP/phx.conns"
report phx
cat "$LAB_TMP/phx.conns"
for k in 1 2; do
    kill -TERM "${LAB_PID[$k]}" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "${LAB_PID[$k]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${LAB_PID[$k]}" 2>/dev/null     # bounded: 10 s
    wait "${LAB_PID[$k]}" 2>/dev/null
    unset "LAB_PID[$k]"
done

[ "${PHX_BENCH_NO_BASELINE:-0}" = 1 ] && exit 0

# ----------------------------------------------------------- keepalived

if ! command -v keepalived >/dev/null; then
    echo "== installing keepalived (the baseline) from the Debian archive"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepalived \
        >"$LAB_TMP/apt.log" 2>&1 || { echo "apt-get install keepalived failed:"; tail -n 5 "$LAB_TMP/apt.log"; exit 1; }
    # the package's own service has no business running here (a host's
    # keepalived that was there before is left alone: ours run in the
    # lab's namespaces)
    systemctl disable --now keepalived >/dev/null 2>&1 || true
fi

# The members' ports become kernel interfaces with the addresses of
# LAB.md; the VIPs belong to keepalived.
for k in 1 2; do
    ns=lab-fw$k
    ip -n "$ns" addr add "10.1.0.1$k/24" dev in0
    ip -n "$ns" addr add "10.2.0.1$k/24" dev out0
    ip -n "$ns" addr add "10.0.0.$k/24" dev sync0
    ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
        net.ipv4.conf.in0.rp_filter=0 net.ipv4.conf.out0.rp_filter=0
    cat >"$LAB_TMP/ka$k.conf" <<EOF
global_defs {
    router_id lab-fw$k
    vrrp_version 3
    vrrp_garp_master_repeat 3
    vrrp_garp_master_delay 0
    enable_script_security
}
vrrp_sync_group LAB {
    group {
        VIP_IN
        VIP_OUT
    }
}
vrrp_instance VIP_IN {
    state BACKUP
    nopreempt
    interface in0
    virtual_router_id 51
    priority $((160 - 10 * k))
    advert_int 0.01
    virtual_ipaddress {
        10.1.0.1/24
    }
}
vrrp_instance VIP_OUT {
    state BACKUP
    nopreempt
    interface out0
    virtual_router_id 52
    priority $((160 - 10 * k))
    advert_int 0.01
    virtual_ipaddress {
        10.2.0.1/24
    }
}
EOF
done

# ka_start K: keepalived (VRRP only, no fork into the background) in
# lab-fwK; KA_PID[K] is its parent. (Started from a subshell that reaps
# it quietly: bash would report every kill -9 as "Killed".)
declare -A KA_PID=() KA_WRAP=()
ka_start() {
    local k=$1 i
    rm -f "$LAB_TMP/ka$k.pid" "$LAB_TMP/vrrp$k.pid" "$LAB_TMP/ka$k.started"
    (
        ip netns exec "lab-fw$k" keepalived --vrrp --dont-fork --log-console --log-detail \
            --use-file "$LAB_TMP/ka$k.conf" --pid "$LAB_TMP/ka$k.pid" \
            --vrrp_pid "$LAB_TMP/vrrp$k.pid" >>"$LAB_TMP/ka$k.log" 2>&1 &
        echo $! >"$LAB_TMP/ka$k.started"
        wait
    ) 2>/dev/null &
    KA_WRAP[$k]=$!
    for ((i = 0; i < 250; i++)); do [ -s "$LAB_TMP/ka$k.started" ] && break; sleep 0.02; done
    KA_PID[$k]=$(cat "$LAB_TMP/ka$k.started" 2>/dev/null)
    [ -n "${KA_PID[$k]}" ] || { echo "keepalived in lab-fw$k did not start" >&2; exit 1; }
}
# ka_master: the member whose in0 holds the VIP and runs keepalived.
ka_master() {
    local k
    for k in 1 2; do
        ip -n "lab-fw$k" -4 addr show dev in0 | grep -q ' 10\.1\.0\.1/' && { echo "$k"; return; }
    done
}
# ka_kill K: keepalived dies: stop the parent (no restart), kill the
# VRRP child (no goodbye advertisement), then the parent.
ka_kill() {
    local k=$1 child
    child=$(cat "$LAB_TMP/vrrp$k.pid" 2>/dev/null)
    kill -STOP "${KA_PID[$k]}" 2>/dev/null
    [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
    kill -KILL "${KA_PID[$k]}" 2>/dev/null
}
# ka_links K up|down: a dead member forwards nothing (a killed phalanx
# takes its ports with it; a killed keepalived leaves the kernel
# forwarding with the VIPs), so its links go down with keepalived, and
# it comes back without the VIPs, as after a reboot.
ka_links() {
    local d
    for d in in0 out0 sync0; do ip -n "lab-fw$1" link set "$d" "$2"; done
}

echo "== $(keepalived --version 2>&1 | head -n 1), VRRPv3 advert_int 0.01 (10 ms), kernel forwarding, same lab, kill -9 of the master, $rounds rounds"
ka_start 1
for ((i = 0; i < 50; i++)); do [ "$(ka_master)" = 1 ] && break; sleep 0.1; done
ka_start 2
sleep 1
[ "$(ka_master)" = 1 ] || { echo "keepalived: lab-fw1 is not master (log $LAB_TMP/ka1.log)" >&2; exit 1; }
hold_start ka || exit 1
sleep 1
: >"$LAB_TMP/ka.rounds"
for ((r = 1; r <= rounds; r++)); do
    a=$(ka_master)
    [ -n "$a" ] || { echo "keepalived: no master" >&2; exit 1; }
    lab_garp_watch 10.1.0.1 || { echo "GARP watcher did not start" >&2; exit 1; }
    t0=${EPOCHREALTIME/,/.}
    ka_kill "$a"
    ka_links "$a" down
    ms=$(lab_takeover_ms "$t0")
    wait "${KA_WRAP[$a]}"
    kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null
    echo "$t0 lab-fw$a $ms $(lab_now)" >>"$LAB_TMP/ka.rounds"
    ip -n "lab-fw$a" addr del 10.1.0.1/24 dev in0 2>/dev/null
    ip -n "lab-fw$a" addr del 10.2.0.1/24 dev out0 2>/dev/null
    ka_links "$a" up
    ka_start "$a"
    sleep 2
done
hold_stop ka >"$LAB_TMP/ka.conns"
report ka
cat "$LAB_TMP/ka.conns"
for k in 1 2; do ka_kill "$k"; wait "${KA_WRAP[$k]}"; done

pm=$(cat "$LAB_TMP/phx.median" 2>/dev/null)
km=$(cat "$LAB_TMP/ka.median" 2>/dev/null)
if [ -n "$pm" ] && [ -n "$km" ]; then
    echo "== median takeover: phalanx $pm ms, keepalived $km ms: keepalived/phalanx $(python3 -c "print('%.2f' % ($km / $pm))")"
fi
exit 0
