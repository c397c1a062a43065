# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Helpers for the standard lab of shared/LAB.md: network namespaces, veth
# pairs and Linux bridges, nothing configured in the root namespace.
#
#   lab-client  eth0 10.1.0.100/24 via 10.1.0.1 ──┐
#                                    lab-swin br0 ├─ in0    lab-fwK
#   lab-server  eth0 10.2.0.100/24 via 10.2.0.1 ──┐
#                                   lab-swout br0 ├─ out0   lab-fwK
#                                  lab-swsync br0 ├─ sync0  lab-fwK
#
# Member ports carry the MACs of LAB.md but no kernel address: phalanx owns
# them through DPDK (net_af_packet). Source this file, then:
#
#   lab_init                    temp dir for logs and helpers
#   trap lab_cleanup EXIT       always tear the lab down
#   lab_up N                    build the lab with members 1..N
#   lab_member_start K CONFIG [args]   run phalanx in lab-fwK, wait until it answers
#   lab_member_stop K           SIGTERM, bounded wait, assert exit status 0
#   ok/not_ok/assert_*          print "ok - ..." / "not ok - ..." and count
#   lab_finish                  summary; returns 1 if anything failed
#
# Binaries come from $PHALANX and $PHX (meson sets them), else from
# $PHX_BUILD_ROOT/src, else from <repo>/build/src.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=${PHX_SOURCE_ROOT:-$(cd "$LAB_DIR/../.." && pwd)}
_lab_build=${PHX_BUILD_ROOT:-$LAB_ROOT/build}
PHALANX=${PHALANX:-$_lab_build/src/phalanx}
PHX=${PHX:-$_lab_build/src/phx}
unset _lab_build

LAB_SWITCHES=(lab-swin lab-swout lab-swsync)
LAB_DPDK_RUNDIR=/var/run/dpdk
LAB_START_TIMEOUT=${LAB_START_TIMEOUT:-20}   # seconds for a member to answer
LAB_STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-10}     # seconds between SIGTERM and SIGKILL

LAB_PASS=0
LAB_FAIL=0
LAB_TMP=""
declare -A LAB_PID=()     # member number -> pid

lab_log() { echo "# $*"; }

# _lab_quote TEXT: the first lines of TEXT as comments.
_lab_quote() {
    printf '%s\n' "$1" | head -n 20 | sed 's/^/#   | /'
}

# ---------------------------------------------------------------- results

ok() {
    LAB_PASS=$((LAB_PASS + 1))
    echo "ok - $*"
}

not_ok() {
    LAB_FAIL=$((LAB_FAIL + 1))
    echo "not ok - $*"
}

# assert_cmd MSG CMD...: ok when CMD exits 0.
assert_cmd() {
    local msg=$1
    shift
    if "$@"; then ok "$msg"; else not_ok "$msg (command failed: $*)"; fi
}

# assert_eq GOT WANT MSG
assert_eq() {
    if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 (got '$1', want '$2')"; fi
}

# assert_ge GOT MIN MSG: integers.
assert_ge() {
    if [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ]; then
        ok "$3"
    else
        not_ok "$3 (got '$1', want >= $2)"
    fi
}

# assert_match TEXT ERE MSG: some line of TEXT matches the extended regex.
assert_match() {
    if grep -qiE -- "$2" <<<"$1"; then
        ok "$3"
    else
        not_ok "$3 (no line matches /$2/)"
        _lab_quote "$1"
    fi
}

# assert_no_match TEXT ERE MSG
assert_no_match() {
    if grep -qiE -- "$2" <<<"$1"; then
        not_ok "$3 (a line matches /$2/)"
        _lab_quote "$1"
    else
        ok "$3"
    fi
}

# lab_finish: summary line; returns 1 if anything failed or nothing ran.
lab_finish() {
    echo "# lab: $LAB_PASS ok, $LAB_FAIL not ok"
    [ "$LAB_FAIL" -eq 0 ] && [ "$LAB_PASS" -gt 0 ]
}

# lab_require_root: exit 77 (meson's skip code) unless root.
lab_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: lab tests need root (network namespaces, DPDK)"
        exit 77
    fi
}

# lab_require_bins: fail clearly when the binaries are not built.
lab_require_bins() {
    local b
    for b in "$PHALANX" "$PHX"; do
        if [ ! -x "$b" ]; then
            echo "not ok - binary $b missing: build first (ninja -C build) or set PHALANX/PHX"
            exit 1
        fi
    done
}

# --------------------------------------------------------------- lifecycle

# lab_init: temp dir for logs, payloads and the TCP helper.
lab_init() {
    LAB_TMP=$(mktemp -d /tmp/phx-lab.XXXXXX)
    _lab_write_tcp_helper "$LAB_TMP/tcp.py"
}

# lab_cleanup: for `trap lab_cleanup EXIT`. Tears the lab down, shows the
# tail of each member log on failure and removes the temp dir on success.
lab_cleanup() {
    local rc=$? k
    trap - EXIT INT TERM
    lab_down
    if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
        if [ "$rc" -ne 0 ] || [ "$LAB_FAIL" -ne 0 ]; then
            for k in "${!LAB_PID[@]}"; do
                [ -f "$LAB_TMP/fw$k.log" ] || continue
                echo "# --- last lines of $LAB_TMP/fw$k.log"
                tail -n 30 "$LAB_TMP/fw$k.log" | sed 's/^/#   | /'
            done
            echo "# logs kept in $LAB_TMP"
        else
            rm -rf "$LAB_TMP"
        fi
    fi
    exit "$rc"
}

# lab_namespaces: lab namespaces that exist now.
lab_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' |
        grep -E '^lab-(client|server|swin|swout|swsync|fw[0-9]+)$' || true
}

# _lab_any_alive PID...: true while one of them runs (zombies count as gone).
_lab_any_alive() {
    local p st
    for p in "$@"; do
        st=$(awk '/^State:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
        [ -n "$st" ] && [ "$st" != Z ] && return 0
    done
    return 1
}

# lab_down: idempotent. Stops every process inside a lab namespace (SIGTERM,
# bounded wait, SIGKILL) and deletes the namespaces; veths and bridges go
# with them.
lab_down() {
    local ns pids=() i
    for ns in $(lab_namespaces); do
        # shellcheck disable=SC2207
        pids+=($(ip netns pids "$ns" 2>/dev/null))
    done
    if [ ${#pids[@]} -gt 0 ]; then
        kill -TERM "${pids[@]}" 2>/dev/null || true
        for ((i = 0; i < LAB_STOP_TIMEOUT * 10; i++)); do
            _lab_any_alive "${pids[@]}" || break
            sleep 0.1
        done
        kill -KILL "${pids[@]}" 2>/dev/null || true
        # Reap our own children so no zombie holds the namespace.
        for i in "${pids[@]}"; do wait "$i" 2>/dev/null || true; done
    fi
    for ns in $(lab_namespaces); do
        ip netns del "$ns" 2>/dev/null || true
    done
    _lab_free_hugepages
}

# A member killed with SIGKILL (the failover tests) leaves its hugepage
# files behind: 512 MiB each until the next start with its file prefix.
# lab_down has just stopped every process of the lab: give them back.
_lab_free_hugepages() {
    rm -f /dev/hugepages/lab-fw[123]map_* 2>/dev/null || true
    # and the critical devices a test registered with -p (SPEC CCP-71),
    # which the next member of that name would register again
    rm -rf /var/lib/phalanx/lab-fw[1-9] 2>/dev/null || true
}

# _lab_ns NAME: create a namespace with lo up and IPv6 off.
_lab_ns() {
    ip netns add "$1"
    ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$1" link set lo up
}

# _lab_offloads NS DEV: LAB.md: offloads off on every lab veth end.
_lab_offloads() {
    ip netns exec "$1" ethtool -K "$2" rx off tx off sg off tso off gso off \
        gro off >/dev/null
}

# _lab_veth NS DEV MAC SWITCH PORT: DEV in NS, its peer PORT on SWITCH's br0.
_lab_veth() {
    local ns=$1 dev=$2 mac=$3 sw=$4 port=$5
    ip -n "$ns" link add name "$dev" address "$mac" type veth \
        peer name "$port" netns "$sw"
    ip netns exec "$sw" sysctl -q -w "net.ipv6.conf.$port.disable_ipv6=1"
    _lab_offloads "$ns" "$dev"
    _lab_offloads "$sw" "$port"
    ip -n "$sw" link set "$port" master br0 up
    ip -n "$ns" link set "$dev" up
}

# lab_mac A B C D: LAB.md MAC for IPv4 A.B.C.D: 02:00 + the address in hex.
lab_mac() {
    printf '02:00:%02x:%02x:%02x:%02x\n' "$1" "$2" "$3" "$4"
}

# lab_up N: the standard lab with members 1..N (1 <= N <= 9).
lab_up() {
    local n=${1:-1} k sw
    if ! [[ "$n" =~ ^[1-9]$ ]]; then
        echo "lab_up: member count 1..9, got '$n'" >&2
        return 1
    fi
    lab_down
    for sw in "${LAB_SWITCHES[@]}"; do
        _lab_ns "$sw"
        ip -n "$sw" link add name br0 type bridge stp_state 0 forward_delay 0
        ip -n "$sw" link set br0 up
        # A switch forwards frames, it does not check IP headers: where
        # br_netfilter is loaded, the bridge would validate and silently
        # drop malformed IPv4/IPv6 before a member could count them.
        if [ -d /proc/sys/net/bridge ]; then
            ip netns exec "$sw" sh -c 'for k in arptables iptables ip6tables; do
                echo 0 >/proc/sys/net/bridge/bridge-nf-call-$k; done' 2>/dev/null || true
        fi
    done

    _lab_ns lab-client
    _lab_veth lab-client eth0 "$(lab_mac 10 1 0 100)" lab-swin client
    ip -n lab-client addr add 10.1.0.100/24 dev eth0
    ip -n lab-client route add default via 10.1.0.1

    _lab_ns lab-server
    _lab_veth lab-server eth0 "$(lab_mac 10 2 0 100)" lab-swout server
    ip -n lab-server addr add 10.2.0.100/24 dev eth0
    ip -n lab-server route add default via 10.2.0.1

    for ((k = 1; k <= n; k++)); do
        _lab_ns "lab-fw$k"
        _lab_veth "lab-fw$k" in0 "$(lab_mac 10 1 0 $((10 + k)))" lab-swin "fw$k-in0"
        _lab_veth "lab-fw$k" out0 "$(lab_mac 10 2 0 $((10 + k)))" lab-swout "fw$k-out0"
        _lab_veth "lab-fw$k" sync0 "$(lab_mac 10 0 0 "$k")" lab-swsync "fw$k-sync0"
    done
    lab_log "lab up: client, server, 3 switches, $n member(s)"
}

# lab_ifmac NS DEV: the MAC of DEV in NS.
lab_ifmac() {
    ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# --------------------------------------------------------------- members

# lab_file_prefix CONFIG: the member's EAL file prefix (eal.file_prefix).
lab_file_prefix() {
    python3 - "$1" <<'PY'
import json, re, sys
path = sys.argv[1]
text = open(path).read()
if path.endswith(".json"):
    print(json.loads(text).get("eal", {}).get("file_prefix", ""))
else:
    m = re.search(r"^\s*file_prefix:\s*['\"]?([^'\"\s#]+)", text, re.M)
    print(m.group(1) if m else "")
PY
}

# lab_member_start K CONFIG [extra args]: run phalanx in lab-fwK in the
# background, log to $LAB_TMP/fwK.log, and wait (bounded) until its
# telemetry socket exists and `phx -c CONFIG version` answers.
# LAB_DETACH=1 starts it in its own session (it outlives the caller).
# LAB_WRAP, words put before phalanx (e.g. "faketime -f -1h").
lab_member_start() {
    local k=$1 conf=$2 log prefix sock pid i
    shift 2
    log="$LAB_TMP/fw$k.log"
    prefix=$(lab_file_prefix "$conf")
    if [ -z "$prefix" ]; then
        echo "lab_member_start: no eal.file_prefix in $conf" >&2
        return 1
    fi
    sock="$LAB_DPDK_RUNDIR/$prefix/dpdk_telemetry.v2"
    if [ "${LAB_DETACH:-0}" = 1 ]; then
        # shellcheck disable=SC2086 # LAB_WRAP: words
        setsid ip netns exec "lab-fw$k" ${LAB_WRAP:-} "$PHALANX" -c "$conf" \
            "$@" </dev/null >"$log" 2>&1 &
    else
        # shellcheck disable=SC2086
        ip netns exec "lab-fw$k" ${LAB_WRAP:-} "$PHALANX" -c "$conf" "$@" \
            </dev/null >"$log" 2>&1 &
    fi
    pid=$!
    LAB_PID[$k]=$pid
    for ((i = 0; i < LAB_START_TIMEOUT * 5; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            echo "lab_member_start: member $k exited early (status $?); log $log:" >&2
            tail -n 30 "$log" | sed 's/^/#   | /' >&2
            unset "LAB_PID[$k]"
            return 1
        fi
        if [ -S "$sock" ] && timeout 5 "$PHX" -c "$conf" version >/dev/null 2>&1; then
            lab_log "member $k up (pid $pid, prefix $prefix) after $((i * 200)) ms"
            return 0
        fi
        sleep 0.2
    done
    echo "lab_member_start: member $k did not answer within ${LAB_START_TIMEOUT}s; log $log:" >&2
    tail -n 30 "$log" | sed 's/^/#   | /' >&2
    return 1
}

# lab_member_stop K: SIGTERM, bounded wait, SIGKILL; asserts that the member
# exited with status 0 on SIGTERM.
lab_member_stop() {
    local k=$1 pid i st
    pid=${LAB_PID[$k]:-}
    if [ -z "$pid" ]; then
        not_ok "member $k stop: not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < LAB_STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        not_ok "member $k exits on SIGTERM within ${LAB_STOP_TIMEOUT}s (killed)"
    else
        st=0
        wait "$pid" 2>/dev/null || st=$?
        assert_eq "$st" 0 "member $k exits with status 0 on SIGTERM"
    fi
    unset "LAB_PID[$k]"
}

# ------------------------------------------------------------ telemetry

# lab_counter CONFIG DICT NAME: one value of `phx --json pstat`, e.g.
# lab_counter conf.json drops no_route. Prints nothing when absent.
lab_counter() {
    local j
    j=$(timeout 10 "$PHX" --json -c "$1" pstat 2>/dev/null) || return 0
    python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
if isinstance(d, dict) and len(d) == 1 and next(iter(d)).startswith("/"):
    d = next(iter(d.values()))   # raw telemetry answer {"/phalanx/pstat": {...}}
v = (d or {}).get(sys.argv[1], {}).get(sys.argv[2])
if v is not None:
    print(v)
' "$2" "$3" <<<"$j" || true
}

# lab_wait_counter CONFIG DICT NAME MIN: poll (bounded, 5 s) until the value
# is at least MIN; prints the last value read.
lab_wait_counter() {
    local v="" i
    for ((i = 0; i < 25; i++)); do
        v=$(lab_counter "$1" "$2" "$3")
        [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge "$4" ] && break
        sleep 0.2
    done
    echo "$v"
}

# ------------------------------------------------------- held connections

# hold_start NAME ARGS...: probe.py hold-client in lab-client in the
# background (HOLD_PID, HOLD_NAME); waits (bounded) until its connections
# are open. Returns 1 when they do not open.
hold_start() {
    local i
    HOLD_NAME=$1
    shift
    rm -f "$LAB_TMP/$HOLD_NAME".{json,ready,stop}
    timeout 120 ip netns exec lab-client python3 "$LAB_ROOT/tests/lab/probe.py" hold-client \
        --ready-file "$LAB_TMP/$HOLD_NAME.ready" --stop-file "$LAB_TMP/$HOLD_NAME.stop" \
        --out "$LAB_TMP/$HOLD_NAME.json" --duration 60 "$@" \
        >"$LAB_TMP/$HOLD_NAME.out" 2>&1 &
    HOLD_PID=$!
    for ((i = 0; i < 400; i++)); do
        [ -e "$LAB_TMP/$HOLD_NAME.ready" ] && return 0
        kill -0 "$HOLD_PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

# hold_stop: tell the client to stop, wait for its checks; HOLD_RC.
hold_stop() {
    touch "$LAB_TMP/$HOLD_NAME.stop"
    HOLD_RC=0
    wait "$HOLD_PID" || HOLD_RC=$?
    lab_log "$HOLD_NAME (exit $HOLD_RC): $(python3 "$LAB_ROOT/tests/lab/probe.py" hold-summary "$LAB_TMP/$HOLD_NAME.json" 2>&1 | head -n 3 | tr '\n' ' ')"
}

# hold KEY: a value of the last hold-client's summary.
hold() { python3 "$LAB_ROOT/tests/lab/probe.py" hold-summary "$LAB_TMP/$HOLD_NAME.json" "$1" 2>/dev/null || echo -; }

# ------------------------------------------------------------------ TCP

# lab_tcp_transfer DIR SIZE_MIB PORT: DIR "down" sends SIZE_MIB of random
# bytes from lab-server to lab-client, "up" from client to server; real
# kernel TCP on both ends. Asserts that the sha256 seen by the sender equals
# the receiver's.
lab_tcp_transfer() {
    local dir=$1 mib=$2 port=$3 src dst srv_mode cli_mode srv_ns cli_ns
    local srv_file cli_file srv_pid srv_out cli_out want st=0 i
    src="$LAB_TMP/tcp-$dir.src"
    dst="$LAB_TMP/tcp-$dir.dst"
    head -c "$((mib * 1024 * 1024))" /dev/urandom >"$src"
    rm -f "$dst" "$LAB_TMP/tcp-$dir.ready"
    srv_ns=lab-server
    cli_ns=lab-client
    if [ "$dir" = down ]; then
        srv_mode='send'; cli_mode='get'
        srv_file=$src; cli_file=$dst
    else
        srv_mode='recv'; cli_mode='put'
        srv_file=$dst; cli_file=$src
    fi
    timeout 60 ip netns exec "$srv_ns" python3 "$LAB_TMP/tcp.py" "$srv_mode" \
        10.2.0.100 "$port" "$srv_file" "$LAB_TMP/tcp-$dir.ready" \
        >"$LAB_TMP/tcp-$dir.srv" 2>&1 &
    srv_pid=$!
    for ((i = 0; i < 50; i++)); do
        [ -e "$LAB_TMP/tcp-$dir.ready" ] && break
        sleep 0.1
    done
    cli_out=$(timeout 60 ip netns exec "$cli_ns" python3 "$LAB_TMP/tcp.py" \
        "$cli_mode" 10.2.0.100 "$port" "$cli_file" 2>&1) || st=$?
    if ! wait "$srv_pid"; then
        st=1
    fi
    srv_out=$(cat "$LAB_TMP/tcp-$dir.srv")
    if [ "$st" -ne 0 ]; then
        not_ok "TCP $dir ${mib} MiB: transfer failed (client: $cli_out; server: $srv_out)"
        return 0
    fi
    want=$(sha256sum <"$src" | cut -d' ' -f1)
    if [ "$srv_out" = "$cli_out" ] && [ "$cli_out" = "$want" ] &&
        [ "$(sha256sum <"$dst" | cut -d' ' -f1)" = "$want" ]; then
        ok "TCP $dir ${mib} MiB: sha256 equal on both ends ($want)"
    else
        not_ok "TCP $dir ${mib} MiB: sha256 differs (file $want, server $srv_out, client $cli_out)"
    fi
}

_lab_write_tcp_helper() {
    cat >"$1" <<'PY'
# Bounded one-shot TCP sender/receiver for the lab; prints the sha256 of
# the bytes it sent or received.
#   send|recv ADDR PORT FILE READYFILE   (server side, one connection)
#   get|put   HOST PORT FILE             (client side)
import hashlib, socket, sys, time

TIMEOUT = 30

def pump_out(s, path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(65536)
            if not b:
                break
            s.sendall(b)
            h.update(b)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):       # wait for the peer to close
        pass
    return h.hexdigest()

def pump_in(s, path):
    h = hashlib.sha256()
    with open(path, "wb") as f:
        while True:
            b = s.recv(65536)
            if not b:
                break
            f.write(b)
            h.update(b)
    return h.hexdigest()

mode, addr, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if mode in ("send", "recv"):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    open(sys.argv[5], "w").close()
    s, _ = ls.accept()
    ls.close()
else:
    deadline = time.monotonic() + 10
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=TIMEOUT)
            break
        except (ConnectionRefusedError, socket.timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
s.settimeout(TIMEOUT)
if mode in ("send", "put"):
    print(pump_out(s, path))
else:
    print(pump_in(s, path))
s.close()
PY
}

# ------------------------------------------------------- cluster members

# The configurations of cluster tests: lab_conf K is member K's, from
# $LAB_CONFDIR (conf/lab) or, while LAB_VARIANT is set, the edited copy
# lab_make_variant saved under that name.
LAB_CONFDIR=${PHX_LAB_CLUSTER_CONF:-$LAB_ROOT/conf/lab}
LAB_VARIANT=
lab_conf() {
    if [ -n "$LAB_VARIANT" ]; then echo "$LAB_TMP/member$1-$LAB_VARIANT.json"
    else echo "$LAB_CONFDIR/member$1.json"; fi
}

# lab_make_variant NAME K PYTHON: member K's shipped configuration with
# PYTHON applied to it (as `c`), saved as variant NAME.
lab_make_variant() {
    python3 - "$LAB_CONFDIR/member$2.json" "$LAB_TMP/member$2-$1.json" "$3" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
}

# lab_phx K ARGS...: phx against member K (bounded).
lab_phx() {
    local k=$1
    shift
    timeout 10 "$PHX" -c "$(lab_conf "$k")" "$@"
}

# lab_tel K CMD EXPR: python EXPR over member K's telemetry answer to CMD
# (bound to `d`); prints nothing when the member does not answer.
lab_tel() {
    local j
    j=$(lab_phx "$1" raw "$2" 2>/dev/null) || return 0
    python3 -c '
import json, sys
try:
    d = next(iter(json.load(sys.stdin).values()))
except (ValueError, StopIteration, AttributeError):
    sys.exit(0)
print(eval(sys.argv[1]))
' "$3" <<<"$j" 2>/dev/null || true
}

# lab_state K: member K's cluster state (ACTIVE, STANDBY, ...).
lab_state() { lab_tel "$1" /phalanx/cluster 'd["state"]'; }

# lab_wait_state K ERE [SECONDS]: bounded poll (default 5 s) until member
# K's state matches the anchored ERE; prints the last state seen.
lab_wait_state() {
    local k=$1 want=$2 secs=${3:-5} s="" i
    for ((i = 0; i < secs * 20; i++)); do
        s=$(lab_state "$k")
        [[ "$s" =~ ^($want)$ ]] && break
        sleep 0.05
    done
    echo "$s"
}

# --------------------------------------------------------------- takeover

# lab_garp_watch VIP: start a watcher in lab-client; GW_PID, GW_OUT.
lab_garp_watch() {
    local i
    GW_OUT="$LAB_TMP/garp.$RANDOM"
    rm -f "$GW_OUT.ready"
    timeout 20 ip netns exec lab-client python3 "$LAB_ROOT/tests/lab/probe.py" garp-watch eth0 "$1" 8 \
        "$GW_OUT.ready" >"$GW_OUT" 2>&1 &
    GW_PID=$!
    for ((i = 0; i < 50; i++)); do
        [ -e "$GW_OUT.ready" ] && return 0
        sleep 0.1
    done
    return 1
}

# lab_takeover_ms T0: waits for the watcher's first GARP at or after T0
# (epoch s; one from before the fault, still on its way when the watch
# began, does not count) or the watcher's end; prints the ms from T0 to
# it, or "none". (Run as $(...), a subshell, which cannot `wait` for the
# watcher: polls, bounded.)
lab_takeover_ms() {
    local i ms
    for ((i = 0; i < 200; i++)); do
        ms=$(python3 - "$1" "$GW_OUT" <<'PY'
import sys
t0 = float(sys.argv[1])
try:
    lines = open(sys.argv[2]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    f = line.split()
    if len(f) >= 2 and f[0] == "GARP" and float(f[1]) >= t0:
        print("%.1f" % ((float(f[1]) - t0) * 1000))
        break
PY
)
        [ -n "$ms" ] && break
        kill -0 "$GW_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "${ms:-none}"
}

# lab_now: seconds since the epoch, microseconds, from bash's own clock.
# (It was python's: a time taken just before a fault came 7-19 ms early,
# python's exit, and every takeover measured that much too long.)
lab_now() { echo "${EPOCHREALTIME/,/.}"; }

# --------------------------------------------------------------- faults

# This kernel has no sch_netem (LAB.md): frames are lost with an nftables
# rule in the bridge family on a switch's br0 (table phxloss, chain loss,
# hook forward, so only frames crossing the bridge between two ports).
# Needs the nft command (Debian package nftables).
#
# LAB_SYNC_FRAMES: the nft match for state-sync frames only: UDP 8116 with
# CCP opcode 10 (PHX_CCP_OP_SYNC, lib/ccp_wire.h) at byte 6 of the UDP
# payload, so heartbeats on the sync network are left alone.
# shellcheck disable=SC2034  # used by the tests that source this file
LAB_SYNC_FRAMES=(udp dport 8116 '@th,112,16' 10)

lab_have_nft() { command -v nft >/dev/null 2>&1; }

# lab_loss_on SWITCH PCT [MATCH...]: drop PCT % (1..100) of the frames
# crossing SWITCH's bridge that match the nft MATCH (default: udp dport
# 8116, i.e. CCP and sync), at random (numgen), counted. Replaces an
# earlier rule.
lab_loss_on() {
    local sw=$1 pct=$2 rnd=()
    shift 2
    [ $# -gt 0 ] || set -- udp dport 8116
    [ "$pct" -ge 100 ] || rnd=(numgen random mod 100 '<' "$pct")
    lab_loss_off "$sw"
    ip netns exec "$sw" nft add table bridge phxloss &&
        ip netns exec "$sw" nft add chain bridge phxloss loss \
            '{ type filter hook forward priority 0; }' &&
        ip netns exec "$sw" nft add rule bridge phxloss loss "$@" \
            "${rnd[@]}" counter drop
}

# lab_loss_count SWITCH: frames the loss rule dropped so far (nothing when
# there is no rule).
lab_loss_count() {
    ip netns exec "$1" nft list chain bridge phxloss loss 2>/dev/null |
        sed -n 's/.* counter packets \([0-9]*\) .*/\1/p' | head -n 1 || true
}

# lab_loss_off SWITCH: remove the loss rule; idempotent.
lab_loss_off() {
    ip netns exec "$1" nft delete table bridge phxloss 2>/dev/null || true
}

# _lab_switch_port K PORT: "SWITCH BRIDGEPORT" of member K's PORT.
_lab_switch_port() {
    case $2 in
    in0) echo "lab-swin fw$1-in0" ;;
    out0) echo "lab-swout fw$1-out0" ;;
    sync0) echo "lab-swsync fw$1-sync0" ;;
    *) echo "_lab_switch_port: no port '$2'" >&2; return 1 ;;
    esac
}

# lab_link_cut K [PORT]: cut member K's link (default sync0) on the switch
# side: the bridge port goes down, so the member's veth loses its carrier.
# lab_link_restore K [PORT] brings it back.
lab_link_cut() {
    local sp
    sp=$(_lab_switch_port "$1" "${2:-sync0}") || return 1
    ip -n "${sp% *}" link set "${sp#* }" down
}

lab_link_restore() {
    local sp
    sp=$(_lab_switch_port "$1" "${2:-sync0}") || return 1
    ip -n "${sp% *}" link set "${sp#* }" up
}

# lab_port_block K PORT [WAY]: member K's PORT keeps its link (carrier up
# on both sides) but the switch forwards nothing from it (WAY tx), to it
# (rx) or either way (both, the default): the faults only an Interface
# Active Check (SPEC CCP-30) sees. Needs nft.
# lab_port_unblock K PORT lifts it; idempotent.
lab_port_block() {
    local sp sw bp way=${3:-both}
    sp=$(_lab_switch_port "$1" "$2") || return 1
    sw=${sp% *}
    bp=${sp#* }
    ip netns exec "$sw" nft add table bridge phxblock &&
        ip netns exec "$sw" nft add chain bridge phxblock blk \
            '{ type filter hook forward priority 0; }' || return 1
    if [ "$way" != rx ]; then
        ip netns exec "$sw" nft add rule bridge phxblock blk iifname "$bp" counter drop || return 1
    fi
    if [ "$way" != tx ]; then
        ip netns exec "$sw" nft add rule bridge phxblock blk oifname "$bp" counter drop || return 1
    fi
}

lab_port_unblock() {
    local sp
    sp=$(_lab_switch_port "$1" "$2") || return 1
    ip netns exec "${sp% *}" nft delete table bridge phxblock 2>/dev/null || true
}

