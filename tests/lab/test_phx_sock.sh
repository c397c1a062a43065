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
#   4. The same server as a member with two workers' sessions, rules and a
#      policy: phx conn walks every page of every worker into one table
#      (filters checked before asking, normalised, passed on; --limit;
#      --json rows), rules, policy, metrics (checked by promtool when it is
#      installed), and reload: SIGHUP to the server, then ok, refused, a
#      timeout, and a refusal to signal when the socket's server is not
#      the pid the member claims.
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
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
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
# fake.py PATH MODE [LOG]: a one-client-at-a-time telemetry v2 server.
# MODE good/refuse/deaf also answers the phalanx commands of phx conn,
# rules, policy, metrics and reload, with its own pid in /phalanx/version;
# on SIGHUP good counts a successful reload, refuse a refused one, deaf
# nothing. otherpid is good claiming pid 1. Every command goes to LOG.
import json, os, signal, socket, sys, time

path, mode = sys.argv[1], sys.argv[2]
log = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None
GREETING = b'{"version":"DPDK 22.11.0","pid":1,"max_output_len":16384}'
COUNTERS = {"rx_pkts": 10, "tx_pkts": 9, "icmp_echo_replies": 1}
PSTAT = {"scope": "all", "workers": 2, "sessions": 3, "sessions_max": 2048,
         "policy_generation": 1, "counters": COUNTERS,
         "drops": {"no_route": 1, "ttl_exceeded": 0}}
VERSION = {"version": "0.1.0", "name": "fake-fw", "dpdk": "DPDK 22.11.0",
           "pid": 1 if mode in ("otherpid", "bad", "notjson", "wrongkey",
                                "mute") else os.getpid(),
           "uptime_s": 5, "config": "fake.json"}
POLICY = {"generation": 1, "path": "fake.json", "rules": 2,
          "default_action": "drop", "reloads_ok": 0, "reloads_failed": 0,
          "last_reload_unix": 0, "last_reload": "boot: generation 1"}
RULES = {"generation": 1, "name": ["client-out", "ping"],
         "action": ["accept", "accept"], "nat": ["source", ""],
         "hits": [3, 1]}
PORTS = {"in0": {"port_id": 0, "device": "net_null0", "mac": "02:00:00:00:00:01",
                 "mtu": 1500, "link": "up", "speed_mbps": 10000,
                 "duplex": "full", "rx_queues": 1, "tx_queues": 1,
                 "addresses": "10.1.0.1/24", "rx_pkts": 10, "rx_bytes": 640,
                 "tx_pkts": 0, "tx_bytes": 0, "rx_missed": 0,
                 "rx_errors": 0, "tx_errors": 0, "rx_nombuf": 0}}
# Sessions by worker, each (slot, proto, orig, reply, nat, state, left, rule).
SESS = {0: [(12, "tcp", "10.1.0.100:40000 > 10.2.0.9:8080",
             "10.2.0.9:8080 > 10.2.0.11:1025", "snat 10.2.0.11:1025",
             "ESTABLISHED", 3723, "client-out"),
            (70001, "udp", "10.1.0.100:5353 > 10.2.0.9:53",
             "10.2.0.9:53 > 10.2.0.11:1026", "snat 10.2.0.11:1026",
             "replied", 45, "client-out")],
        1: [(5, "icmp", "10.1.0.100#4660 > 10.2.0.9#4660",
             "10.2.0.9#1027 > 10.2.0.11#1027", "snat 10.2.0.11#1027",
             "new", 9, "ping")]}
SCAN = 65536  # slots a page covers, as the member scans them

def on_hup(sig, frame):
    if mode in ("good", "otherpid"):
        POLICY["reloads_ok"] += 1
        POLICY["generation"] += 1
        POLICY["last_reload"] = "ok: generation %d, 2 rules" % POLICY["generation"]
    elif mode == "refuse":
        POLICY["reloads_failed"] += 1
        POLICY["last_reload"] = 'refused: section "eal" changed; it needs a restart'
    POLICY["last_reload_unix"] = int(time.time())
signal.signal(signal.SIGHUP, on_hup)

def conn(param):
    try:
        p = dict(kv.split("=", 1) for kv in param.split(",")) if param else {}
        w, frm = int(p.get("w", 0)), int(p.get("from", 0))
    except ValueError:
        return None
    if w not in SESS:
        return None
    rows = [r for r in SESS[w] if frm <= r[0] < frm + SCAN
            and ("proto" not in p or r[1] == p["proto"])
            and ("ip" not in p or p["ip"] + ":" in r[2] + r[3]
                 or p["ip"] + "#" in r[2] + r[3])]
    nxt = frm + SCAN if any(r[0] >= frm + SCAN for r in SESS[w]) else -1
    cols = list(zip(*rows)) if rows else [()] * 8
    ans = {"worker": w, "workers": 2, "from": frm, "next": nxt,
           "sessions": len(SESS[w]), "rows": len(rows)}
    for k, col in zip(("idx", "proto", "orig", "reply", "nat", "state",
                       "remaining_s", "rule"), cols):
        ans[k] = list(col)
    return ans

def pstat(param):
    if param == "":
        return PSTAT
    if param in ("0", "1", "ctl"):
        return dict(PSTAT, scope="ctl" if param == "ctl" else "worker" + param,
                    sessions=0 if param == "ctl" else len(SESS[int(param)]),
                    sessions_max=1024)
    return None

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
            if log:
                log.write(cmd + "\n")
            name, _, param = cmd.partition(",")
            if mode == "mute":
                time.sleep(30)
            elif mode == "notjson":
                c.send(b'{"/phalanx/pstat": {"scope": ')
            elif mode == "wrongkey":
                c.send(b'{"/phalanx/other": {}}')
            elif name == "/phalanx/version":
                c.send(json.dumps({name: VERSION}).encode())
            elif name == "/phalanx/pstat" and mode == "bad":
                bad = dict(PSTAT, counters={"rx_pkts": "ten"})
                c.send(json.dumps({name: bad}).encode())
            elif name == "/phalanx/pstat":
                c.send(json.dumps({name: pstat(param)}).encode())
            elif name == "/phalanx/conn":
                c.send(json.dumps({name: conn(param)}).encode())
            elif name == "/phalanx/policy" and not param:
                c.send(json.dumps({name: POLICY}).encode())
            elif name == "/phalanx/rules" and not param:
                c.send(json.dumps({name: RULES}).encode())
            elif name == "/phalanx/ports" and not param:
                c.send(json.dumps({name: PORTS}).encode())
            elif name == "/":
                c.send(json.dumps({name: ["/", "/phalanx/conn",
                                          "/phalanx/pstat",
                                          "/phalanx/version"]}).encode())
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
    : >"$TMP/fake.log"
    python3 "$TMP/fake.py" "$FAKE" "$1" "$TMP/fake.log" 2>"$TMP/fake.err" &
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
Sessions: 3 / 2048  Policy generation: 1

Packets:
  rx_pkts            10
  tx_pkts             9

  icmp_echo_replies   1

Drops:
  no_route            1  no route to the destination
  total               1

Policy generation 1

Name        Action  NAT     Hits
client-out  accept  source     3
ping        accept  -          1
2 rules" ''

run goodworker "$PHX" -s "$FAKE" pstat -w 7
expect "pstat -w 7 rejected by the member: says which parameter" 1 '' \
    "phx: the member rejected parameter \"7\" of /phalanx/pstat: workers are numbered from 0 ('phx config' shows how many)"

# ---------------------------------------------------------------- conn

CONN_HEAD='Proto  Original                          Reply                           NAT                  State         Expires  Rule        Worker'
CONN_TCP='tcp    10.1.0.100:40000 > 10.2.0.9:8080  10.2.0.9:8080 > 10.2.0.11:1025  snat 10.2.0.11:1025  ESTABLISHED  1h02m03s  client-out       0'
run conn "$PHX" -s "$FAKE" conn
expect "conn: every page of every worker in one table" 0 \
"$CONN_HEAD
$CONN_TCP
udp    10.1.0.100:5353 > 10.2.0.9:53     10.2.0.9:53 > 10.2.0.11:1026    snat 10.2.0.11:1026  replied           45s  client-out       0
icmp   10.1.0.100#4660 > 10.2.0.9#4660   10.2.0.9#1027 > 10.2.0.11#1027  snat 10.2.0.11#1027  new                9s  ping             1
3 sessions shown (3 live)" ''
OUT=$(grep '^/phalanx/conn' "$TMP/fake.log" | tr '\n' ' ')
if [ "$OUT" = "/phalanx/conn,w=0,from=0 /phalanx/conn,w=0,from=65536 /phalanx/conn,w=1,from=0 " ]; then
    ok "... asked worker 0 twice (from=0, then its next) and worker 1 once"
else
    not_ok "... asked: $OUT"
fi

: >"$TMP/fake.log"
run connf "$PHX" -s "$FAKE" conn --ip 10.1.0.100 --port 8080 --proto TCP --state established -w 0
expect "conn with filters" 0 "$CONN_HEAD
$CONN_TCP
1 session shown (2 live)" ''
OUT=$(grep '^/phalanx/conn' "$TMP/fake.log" | tr '\n' ' ')
if [ "$OUT" = "/phalanx/conn,w=0,from=0,ip=10.1.0.100,port=8080,proto=tcp,state=ESTABLISHED /phalanx/conn,w=0,from=65536,ip=10.1.0.100,port=8080,proto=tcp,state=ESTABLISHED " ]; then
    ok "... passed to the member, normalised"
else
    not_ok "... asked: $OUT"
fi

run connlimit "$PHX" -s "$FAKE" conn --limit 1
expect "conn --limit 1: stops, says so, live count from pstat" 0 "$CONN_HEAD
$CONN_TCP
1 session shown (3 live; --limit 1 reached)" ''

run connjson "$PHX" -s "$FAKE" --json conn --proto icmp
expect "conn --json: one array of row objects" 0 '[
  {
    "worker": 1,
    "idx": 5,
    "proto": "icmp",
    "orig": "10.1.0.100#4660 > 10.2.0.9#4660",
    "reply": "10.2.0.9#1027 > 10.2.0.11#1027",
    "nat": "snat 10.2.0.11#1027",
    "state": "new",
    "remaining_s": 9,
    "rule": "ping"
  }
]' ''

run connw "$PHX" -s "$FAKE" conn -w 5
expect "conn -w 5 rejected by the member: says which parameter" 1 '' \
    "phx: the member rejected parameter \"w=5,from=0\" of /phalanx/conn: workers are numbered from 0 ('phx config' shows how many)"

: >"$TMP/fake.log"
for bad in "--ip 10.1.0.300|--ip: '10.1.0.300' is not an IPv4 address (A.B.C.D)" \
           "--port 0|--port: '0' is not a port number (1..65535)" \
           "--proto sctp|--proto: 'sctp' is not tcp, udp or icmp" \
           "--state open|--state: 'open' is not a TCP state (SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE)" \
           "--proto udp --state CLOSE|--state: TCP states do not apply to --proto udp" \
           "--limit -1|--limit: '-1' is not a number of rows (0..100000000; 0: no limit)" \
           "-w x|--worker: 'x' is not a worker number (0..255)"; do
    args=${bad%%|*}
    # shellcheck disable=SC2086 # the arguments are meant to split
    run connbad "$PHX" -s "$FAKE" conn $args
    expect "conn $args: usage error before asking" 2 '' \
        "phx conn: ${bad#*|}
Usage: phx [OPTIONS] conn [--ip A.B.C.D] [--port N] [--proto P] [--state S] [-w N] [--limit N]
Try 'phx conn --help'."
done
if [ -s "$TMP/fake.log" ]; then not_ok "... but the member was asked: $(cat "$TMP/fake.log")"; else ok "... and the member was never asked"; fi

# ---------------------------------------------------------------- rules, policy

run rules "$PHX" -s "$FAKE" rules
expect "rules" 0 "Policy generation 1

Name        Action  NAT     Hits
client-out  accept  source     3
ping        accept  -          1
2 rules" ''

run policy "$PHX" -s "$FAKE" policy
expect "policy" 0 "Generation:      1
File:            fake.json
Rules:           2
Default action:  drop
Reloads:         0 ok, 0 failed
Last reload:     never
Result:          boot: generation 1" ''

# ---------------------------------------------------------------- metrics

run metrics "$PHX" -s "$FAKE" metrics
expect_grep "metrics: one series per counter, member label" 0 OUT \
    '^phalanx_rx_pkts_total\{member="fake-fw"\} 10$'
expect_grep "... drops by reason" 0 OUT \
    '^phalanx_drops_total\{member="fake-fw",reason="no_route"\} 1$'
expect_grep "... port counters and link" 0 OUT \
    '^phalanx_port_up\{member="fake-fw",port="in0"\} 1$'
expect_grep "... rule hits" 0 OUT \
    '^phalanx_rule_hits_total\{member="fake-fw",rule="client-out"\} 3$'
run metricsw "$PHX" -s "$FAKE" metrics --per-worker
expect_grep "metrics --per-worker: worker labels, ctl too" 0 OUT \
    '^phalanx_tx_pkts_total\{member="fake-fw",worker="ctl"\} 9$'
# promtool (Debian: prometheus) only checks, when it is there.
if command -v promtool >/dev/null; then
    for f in metrics metricsw; do
        if promtool check metrics <"$TMP/$f.out" >"$TMP/$f.lint" 2>&1; then
            ok "promtool check metrics accepts phx $f"
        else
            not_ok "promtool check metrics on phx $f: $(cat "$TMP/$f.lint")"
        fi
    done
else
    echo "# promtool not found: exposition format not checked by it"
fi

# ---------------------------------------------------------------- reload

run reload "$PHX" -s "$FAKE" reload
expect "reload: SIGHUP, then the new generation" 0 'reload ok: generation 2' ''
run reloadp "$PHX" -s "$FAKE" policy
expect_grep "... which policy shows" 0 OUT '^Reloads:         1 ok, 0 failed$'

fake refuse
run refuse "$PHX" -s "$FAKE" reload
expect "reload refused: exit 1 and the member's reason" 1 \
    'reload refused: section "eal" changed; it needs a restart' ''

fake deaf
timed deaf "$PHX" -s "$FAKE" reload --timeout 0.5
expect_grep "reload nobody answers: times out" 1 ERR \
    '^phx: no reload result within 0\.5 s: reloads_ok \(0\) and reloads_failed \(0\) did not change after SIGHUP to pid [0-9]+$'
if [ "$MS" -ge 500 ] && [ "$MS" -lt 3000 ]; then ok "... after about 0.5 s (${MS} ms)"; else not_ok "... took ${MS} ms"; fi

fake otherpid
run otherpid "$PHX" -s "$FAKE" reload
expect "reload: socket served by another process than the member's pid: refused" 1 '' \
    "phx: $FAKE is served by pid $FAKE_PID, not by the member's pid 1: not sending SIGHUP"

for bad in 0 -1 1.2345 abc 3601; do
    run reloadbad "$PHX" -s "$FAKE" reload --timeout "$bad"
    expect "reload --timeout $bad: usage error" 2 '' \
        "phx reload: --timeout: '$bad' is not a number of seconds above 0 and up to 3600 (e.g. 10 or 2.5)
Usage: phx [OPTIONS] reload [-t S | --timeout S]
Try 'phx reload --help'."
done

echo "# $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
