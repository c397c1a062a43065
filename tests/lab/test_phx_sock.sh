#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end check of phx's telemetry client (src/phx_sock.c) against a
# real DPDK 22.11 telemetry socket, and of its failure paths against a fake
# server. Needs no namespaces and no phalanx daemon:
#
#   1. dpdk-testpmd on net_null with a unique --file-prefix: phx finds the
#      socket by -p, -s and $PHX_FILE_PREFIX, sends /ethdev/list and /info
#      and prints the replies; null answers (unknown command, rejected
#      parameter) fail with exit 1 and say which.
#   2. An unknown prefix fails with the documented message and exit 1.
#   3. A small Python SOCK_SEQPACKET server plays a member that never
#      greets, greets with garbage, never answers, answers non-JSON, and
#      answers /phalanx/pstat well and badly: phx must time out in about
#      2 s, reject each bad reply with a clear message, and render the good
#      one.
#
# Prints "ok - ..." / "not ok - ..." per check; exits 0 when all pass,
# 1 otherwise, 77 (skip) without dpdk-testpmd or python3.
# phx comes from $PHX, else $PHX_BUILD_ROOT/src/phx, else <repo>/build/src/phx.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${PHX_SOURCE_ROOT:-$(cd "$HERE/../.." && pwd)}
PHX=${PHX:-${PHX_BUILD_ROOT:-$ROOT/build}/src/phx}
PREFIX="phxsock$$"
TMP=$(mktemp -d /tmp/test_phx_sock.XXXXXX)
TESTPMD_PID=""
FAKE_PID=""
FEED_PID=""
PASS=0
FAIL=0

for tool in dpdk-testpmd python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "# skip: $tool not found"
        exit 77
    fi
done
if [ ! -x "$PHX" ]; then
    echo "# phx not found at $PHX (set PHX or PHX_BUILD_ROOT)" >&2
    exit 1
fi

# DPDK's runtime directory, computed as EAL (and phx) do.
if [ -n "${RUNTIME_DIRECTORY:-}" ]; then
    RUNDIR=$RUNTIME_DIRECTORY/dpdk
elif [ "$(id -u)" -eq 0 ]; then
    RUNDIR=/var/run/dpdk
else
    RUNDIR=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
SOCK=$RUNDIR/$PREFIX/dpdk_telemetry.v2

stop() { # stop PID: SIGTERM, bounded wait, SIGKILL
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    stop "$FAKE_PID"
    stop "$TESTPMD_PID"
    stop "$FEED_PID"
    rm -rf "$TMP" "${RUNDIR:?}/$PREFIX"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# run NAME CMD...: run with a 10 s bound; sets OUT, ERR, RC.
run() {
    local name=$1
    shift
    timeout 10 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    RC=$?
    OUT=$(cat "$TMP/$name.out")
    ERR=$(cat "$TMP/$name.err")
}

# expect MSG WANT_RC WANT_OUT WANT_ERR: exact stdout/stderr ("*" = any).
expect() {
    local msg=$1 rc=$2 out=$3 err=$4 why=""
    [ "$RC" = "$rc" ] || why="exit $RC, want $rc"
    [ "$out" = "*" ] || [ "$OUT" = "$out" ] || why="${why:+$why; }stdout '$OUT', want '$out'"
    [ "$err" = "*" ] || [ "$ERR" = "$err" ] || why="${why:+$why; }stderr '$ERR', want '$err'"
    if [ -z "$why" ]; then ok "$msg"; else not_ok "$msg ($why)"; fi
}

# expect_grep MSG WANT_RC STREAM REGEX: STREAM is OUT or ERR.
expect_grep() {
    local msg=$1 rc=$2 text
    if [ "$3" = OUT ]; then text=$OUT; else text=$ERR; fi
    if [ "$RC" = "$rc" ] && printf '%s\n' "$text" | grep -Eq -- "$4"; then
        ok "$msg"
    else
        not_ok "$msg (exit $RC, want $rc; $3 '$text' does not match /$4/)"
    fi
}

# ---------------------------------------------------------------- testpmd

echo "# phx: $PHX; testpmd file prefix $PREFIX"
# Interactive testpmd forwards nothing and waits on stdin, which a sleep
# keeps open; two lcores because testpmd wants one to forward with.
mkfifo "$TMP/feed"
sleep 600 >"$TMP/feed" &
FEED_PID=$!
dpdk-testpmd -l 0-1 --no-huge -m 256 --no-pci --vdev net_null0 \
    --file-prefix "$PREFIX" -- -i --total-num-mbufs=2048 \
    <"$TMP/feed" >"$TMP/testpmd.log" 2>&1 &
TESTPMD_PID=$!
# The socket file exists a while before the telemetry thread serves it,
# so wait for a greeting, not for the file: 20 s at most.
up=0
deadline=$((SECONDS + 20))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$TESTPMD_PID" 2>/dev/null; do
    if [ -S "$SOCK" ] && timeout 5 "$PHX" -s "$SOCK" raw /info >/dev/null 2>&1; then
        up=1
        break
    fi
    sleep 0.2
done
if [ "$up" != 1 ]; then
    not_ok "testpmd telemetry socket $SOCK did not answer within 20 s"
    sed 's/^/#   | /' "$TMP/testpmd.log" | tail -n 20
    exit 1
fi
ok "testpmd up, socket $SOCK answers"

run list "$PHX" -p "$PREFIX" raw /ethdev/list
expect "phx -p PREFIX raw /ethdev/list prints the reply verbatim" 0 \
    '{"/ethdev/list":[0]}' ''

run info "$PHX" -p "$PREFIX" --json raw /info
expect_grep "phx -p PREFIX --json raw /info: DPDK version, indented" 0 OUT \
    '^  "version": "DPDK 22\.11'
expect_grep "... and max_output_len 16384" 0 OUT '^  "max_output_len": 16384$'
expect_grep "... and testpmd's pid" 0 OUT "^  \"pid\": $TESTPMD_PID,\$"

run sock "$PHX" -s "$SOCK" raw /ethdev/list
expect "phx -s PATH finds the same socket" 0 '{"/ethdev/list":[0]}' ''

run env env PHX_FILE_PREFIX="$PREFIX" "$PHX" raw /ethdev/list
expect "\$PHX_FILE_PREFIX finds the same socket" 0 '{"/ethdev/list":[0]}' ''

run json_after env PHX_FILE_PREFIX="$PREFIX" "$PHX" raw /ethdev/list --json
expect "--json after the command" 0 $'[\n  0\n]' ''

run unknown "$PHX" -p "$PREFIX" raw /no/such/cmd
expect "unknown command: null printed, exit 1, said so" 1 \
    '{"/no/such/cmd":null}' \
    'phx: the member does not know /no/such/cmd (not a phalanx daemon, or an older one?)'

run badparam "$PHX" -p "$PREFIX" raw /ethdev/stats,99
expect "rejected parameter: exit 1, said so" 1 '{"/ethdev/stats":null}' \
    'phx: the member rejected parameter "99" of /ethdev/stats'

run notphalanx "$PHX" -p "$PREFIX" pstat
expect "phx pstat on a non-phalanx DPDK app" 1 '' \
    'phx: the member does not know /phalanx/pstat (not a phalanx daemon, or an older one?)'

# ---------------------------------------------------------------- unknown prefix

run noprefix "$PHX" -p "nosuch$PREFIX" version
expect "unknown prefix: clear error, exit 1" 1 '' \
    "phx: cannot connect to $RUNDIR/nosuch$PREFIX/dpdk_telemetry.v2: No such file or directory (is the member running? file prefix \"nosuch$PREFIX\")"

run usage "$PHX" -p "$PREFIX" frobnicate
expect "unknown command: usage error, exit 2" 2 '' \
    $'phx: unknown command \'frobnicate\'\nTry \'phx --help\'.'

stop "$TESTPMD_PID"
TESTPMD_PID=""

# ---------------------------------------------------------------- fake server

cat >"$TMP/fake.py" <<'EOF'
# fake.py PATH MODE: a one-client-at-a-time telemetry v2 server.
import json, os, socket, sys, time

path, mode = sys.argv[1], sys.argv[2]
GREETING = b'{"version":"DPDK 22.11.0","pid":1,"max_output_len":16384}'
PSTAT = {"scope": "all", "workers": 2,
         "counters": {"rx_pkts": 10, "tx_pkts": 9, "icmp_echo_replies": 1},
         "drops": {"no_route": 1, "ttl_exceeded": 0}}
VERSION = {"version": "0.1.0", "name": "fake-fw", "dpdk": "DPDK 22.11.0",
           "pid": 1, "uptime_s": 5, "config": "fake.json"}

srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.bind(path)
srv.listen(4)
while True:
    c, _ = srv.accept()
    if mode == "silent":
        time.sleep(30)
    if mode == "garbage":
        c.send(b"hello")
        c.close()
        continue
    c.send(GREETING)
    try:
        while True:
            cmd = c.recv(1024).decode()
            if not cmd:
                break
            name = cmd.split(",")[0]
            if mode == "mute":
                time.sleep(30)
            elif mode == "notjson":
                c.send(b'{"/phalanx/pstat": {"scope": ')
            elif mode == "wrongkey":
                c.send(b'{"/phalanx/other": {}}')
            elif name == "/phalanx/version":
                c.send(json.dumps({name: VERSION}).encode())
            elif cmd == "/phalanx/pstat" and mode == "good":
                c.send(json.dumps({name: PSTAT}).encode())
            elif cmd == "/phalanx/pstat" and mode == "bad":
                bad = dict(PSTAT, counters={"rx_pkts": "ten"})
                c.send(json.dumps({name: bad}).encode())
            else:
                c.send(json.dumps({name: None}).encode())
    except OSError:
        pass
    c.close()
EOF

FAKE=$TMP/fake.sock
fake() { # fake MODE: (re)start the fake server, wait for its socket
    stop "$FAKE_PID"
    rm -f "$FAKE"
    python3 "$TMP/fake.py" "$FAKE" "$1" 2>"$TMP/fake.err" &
    FAKE_PID=$!
    for _ in $(seq 50); do
        [ -S "$FAKE" ] && return 0
        sleep 0.1
    done
    not_ok "fake server ($1) did not start"
}

# timed NAME CMD...: run and also measure the wall time in ms (MS).
timed() {
    local t0 t1
    t0=$(date +%s%N)
    run "$@"
    t1=$(date +%s%N)
    MS=$(((t1 - t0) / 1000000))
}

fake silent
timed silent "$PHX" -s "$FAKE" version
expect "no greeting: times out" 1 '' \
    "phx: cannot connect to $FAKE: no answer within 2000 ms"
if [ "$MS" -ge 1900 ] && [ "$MS" -lt 5000 ]; then
    ok "... after about 2 s (${MS} ms)"
else
    not_ok "... after about 2 s (took ${MS} ms)"
fi

fake garbage
run garbage "$PHX" -s "$FAKE" version
expect "garbage greeting: rejected" 1 '' \
    "phx: cannot connect to $FAKE: not a DPDK telemetry v2 socket (unexpected greeting)"

fake mute
timed mute "$PHX" -s "$FAKE" pstat
expect "no answer to a command: times out" 1 '' \
    "phx: /phalanx/pstat: no answer within 2000 ms"
if [ "$MS" -lt 5000 ]; then ok "... in ${MS} ms"; else not_ok "... took ${MS} ms"; fi

fake notjson
run notjson "$PHX" -s "$FAKE" pstat
expect_grep "truncated JSON reply: rejected" 1 ERR \
    '^phx: /phalanx/pstat: reply is not JSON: .* at byte [0-9]+$'

fake wrongkey
run wrongkey "$PHX" -s "$FAKE" pstat
expect "reply for another command: rejected" 1 '' \
    'phx: /phalanx/pstat: reply answers "/phalanx/other" instead'

fake bad
run bad "$PHX" -s "$FAKE" pstat
expect "malformed pstat answer: clear error, no table" 1 '' \
    'phx: bad answer to /phalanx/pstat: "counters.rx_pkts" is not a non-negative integer'

fake good
run good "$PHX" -s "$FAKE" pstat
expect "pstat rendered end to end" 0 \
"Member: fake-fw  Scope: all  Workers: 2

Packets:
  rx_pkts            10
  tx_pkts             9

  icmp_echo_replies   1

Drops:
  no_route            1  no route to the destination
  total               1" ''

run goodworker "$PHX" -s "$FAKE" pstat -w 7
expect "pstat -w 7 rejected by the member: says which parameter" 1 '' \
    "phx: the member rejected parameter \"7\" of /phalanx/pstat: workers are numbered from 0 ('phx config' shows how many)"

echo "# $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
