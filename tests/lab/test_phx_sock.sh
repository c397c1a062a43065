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
#      --json rows; a worker that does not answer), rules, policy, metrics (checked by promtool when it is
#      installed), and reload: SIGHUP to the server, then ok, refused (a
#      reason longer than one 127-byte telemetry string, sent in pieces,
#      printed whole), a timeout, and a refusal to signal when the
#      socket's server is not the pid the member claims. Then a member
#      with 600 rules: rules, pstat and metrics read every 128-rule page,
#      and start over when a reload changes the generation mid-walk; an
#      older daemon's unpaged rules answer still works.
#   5. The cluster commands against the same server as an older daemon
#      (no cluster commands), a member without a cluster section, and a
#      clustered member: state, if [-a], list, ccpstat, metrics,
#      register/report/unregister (-d and -f) with the member's messages,
#      failover/stop/admin, and every usage error before anything is asked.
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
# nothing. otherpid is good claiming pid 1. manyrules is good with 600
# rules whose generation moves on once while the first walk reads page
# 2; oldrules is good answering /phalanx/rules unpaged and only without a
# parameter, as daemons did before pages; stuck is good with a worker 1
# that does not answer its /phalanx/conn pages. Every command goes to LOG.
import json, os, signal, socket, sys, time

path, mode = sys.argv[1], sys.argv[2]
log = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None
GREETING = b'{"version":"DPDK 22.11.0","pid":1,"max_output_len":16384}'
COUNTERS = {"rx_pkts": 10, "tx_pkts": 9, "icmp_echo_replies": 1}
PSTAT = {"scope": "all", "workers": 2, "sessions": 3, "sessions_max": 2048,
         "policy_generation": 1, "counters": COUNTERS,
         "drops": {"no_route": 1, "ttl_exceeded": 0}}
# Long texts come in pieces of at most 127 bytes (DPDK 22.11's string).
def pieces(text):
    return [text[i:i + 127] for i in range(0, len(text), 127)] or [""]
VERSION = {"version": "0.1.0", "name": "fake-fw", "dpdk": "DPDK 22.11.0",
           "pid": 1 if mode in ("otherpid", "bad", "notjson", "wrongkey",
                                "mute") else os.getpid(),
           "uptime_s": 5, "config": pieces("fake.json")}
POLICY = {"generation": 1, "path": pieces("fake.json"), "rules": 2,
          "default_action": "drop", "reloads_ok": 0, "reloads_failed": 0,
          "last_reload_unix": 0, "last_reload": pieces("boot: generation 1")}
RULES = {"generation": 1, "name": ["client-out", "ping"],
         "action": ["accept", "accept"], "nat": ["source", ""],
         "hits": [3, 1]}
if mode == "manyrules":
    RULES = {"generation": 1,
             "name": ["rule-%026d" % i for i in range(600)],
             "action": ["accept" if i % 2 else "drop" for i in range(600)],
             "nat": ["" if i % 3 else "source" for i in range(600)],
             "hits": [i for i in range(600)]}
    POLICY["rules"] = 600
RULES_PAGE = 128
WALKS = {"page2": 0}
# The refusal of mode refuse: longer than one telemetry string.
REFUSAL = ('refused: 1 error(s); 41:17 rules[4].name: "a name that is far '
           'too long for any rule, and has blanks in it" is not a valid '
           "name: use letters, digits, '_' and '-'")

def rules(param):
    if mode == "oldrules":
        return RULES if not param else None
    if param and not param.isdigit():
        return None
    frm = int(param) if param else 0
    total = len(RULES["name"])
    if frm > total:
        return None
    if mode == "manyrules" and frm == 2 * RULES_PAGE:
        WALKS["page2"] += 1
        if WALKS["page2"] == 1:   # a reload between pages 1 and 2
            RULES["generation"] += 1
    end = min(frm + RULES_PAGE, total)
    page = {"generation": RULES["generation"], "total": total,
            "from": frm, "next": end if end < total else -1}
    for k in ("name", "action", "nat", "hits"):
        page[k] = RULES[k][frm:end]
    return page
PORTS = {"in0": {"port_id": 0, "device": pieces("net_null0"), "mac": "02:00:00:00:00:01",
                 "mtu": 1500, "link": "up", "speed_mbps": 10000,
                 "duplex": "full", "rx_queues": 1, "tx_queues": 1,
                 "addresses": ["10.1.0.1/24"], "rx_pkts": 10, "rx_bytes": 640,
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

# Mode cluster: a clustered member (docs/telemetry.md, cluster commands;
# tables as dicts of rows and durations in ms, as DPDK 22.11 can send
# them); nocluster: one without a cluster section. Other modes do not know
# the cluster commands at all (an older daemon).
CLUSTER = {"enabled": 1, "cluster_id": 1, "member": 1, "mode": "ha",
           "recovery": "active-up", "transport": "multicast",
           "hello_ms": 5, "dead_count": 4, "state": "ACTIVE",
           "state_display": "Active", "forwarding": 1, "admin": "up",
           "reason": "member 1 (10.0.0.1) is active (confirmed by all)",
           "transitions": 3, "since_change_ms": 12500, "ifs_up": 2,
           "ifs_required": 3, "sec_up": 0, "sec_required": 1,
           "pnote": "OK", "pnote_culprit": "", "cfg_gen": 4,
           "cfg_digest": "0123456789abcdef" * 4, "joining": 0}
def member(i, state, display, heard, local=0, stale=0):
    return {"id": i, "prio": i, "ip": "10.0.0.%d" % i, "local": local,
            "state": state, "state_display": display, "heard_ms": heard,
            "ifs_up": 3, "ifs_required": 3, "pnote": "OK", "cfg_gen": 4,
            "cfg_digest": "0123456789abcdef", "cfg_stale": stale,
            "ghost": 0}
MEMBERS = {"m1": member(1, "ACTIVE", "Active", 0, local=1),
           "m2": member(2, "STANDBY", "Standby", 3),
           "m3": member(3, "READY", "Ready", 1500, stale=1)}
CIF = {"if0": {"port": "in0", "ip": "10.1.0.11", "secured": 0, "up": 1,
               "since_ms": 100000, "cast": "multicast",
               "vips": "10.1.0.1/24"},
       "if1": {"port": "out0", "ip": "10.2.0.11", "secured": 0, "up": 1,
               "since_ms": 100000, "cast": "multicast",
               "vips": "10.2.0.1/24,10.2.0.2/24"},
       "if2": {"port": "sync0", "ip": "10.0.0.1", "secured": 1, "up": 0,
               "since_ms": 12300, "cast": "multicast", "vips": ""}}
CCP = {"tx_frames": 2400, "tx_heartbeats": 2398, "tx_requests": 1,
       "tx_confirms": 1, "tx_garps": 6, "tx_errors": 0, "rx_frames": 4800,
       "rx_ok": 4797, "rx_heartbeats": 4795, "rx_requests": 1,
       "rx_confirms": 1, "rx_sync": 0, "rx_ignored": 0,
       "drop_too_short": 0, "drop_bad_magic": 2, "drop_from_self": 1}
BUILTIN = [("Interface Active Check", -1), ("Synchronization", 0),
           ("Filter", 1), ("Workers", 2)]
PNOTES = {}   # name -> [regno, timeout, status, persistent]

def pnotes():
    rows = [{"name": n, "regno": r, "builtin": 1, "persistent": 0,
             "timeout_s": 0, "state": "OK", "since_report_ms": 15998400}
            for n, r in BUILTIN]
    for n, (r, t, st, p) in sorted(PNOTES.items(), key=lambda x: x[1][0]):
        rows.append({"name": n, "regno": r, "builtin": 0, "persistent": p,
                     "timeout_s": t, "state": {"ok": "OK"}.get(st, st),
                     "since_report_ms": 4500})
    return dict(("d%d" % i, r) for i, r in enumerate(rows))

def pnote_op(param):
    """lib/pnote's answers, for the few cases the test needs."""
    if mode == "nocluster":
        return {"ok": 0, "message": "cluster is not configured"}
    op, _, rest = param.partition(" ")
    args = rest.split(" ")
    if op in ("register", "regfile", "regfilep"):
        lines = [rest] if op == "register" else rest.split(";")
        for line in lines:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            known = dict((n, r) for n, r in BUILTIN)
            known.update((n, v[0]) for n, v in PNOTES.items())
            if w[0] in known:
                return {"ok": 0, "message": "FW-1: fwha_pnote_register: "
                        "%s already registered (# %d)" % (w[0], known[w[0]])}
            free = set(range(3, 19)) - set(v[0] for v in PNOTES.values())
            if not free:
                return {"ok": 0, "message": "FW-1: fwha_pnote_register: "
                        "too many registering members, cannot register"}
            regno = min(free)
            PNOTES[w[0]] = [regno, int(w[1]), w[2],
                            int(op == "regfilep" or w[-1] == "persistent")]
        return {"ok": 1, "message": "registered"}
    if op == "report" and args[0] in PNOTES:
        PNOTES[args[0]][2] = args[1]
        return {"ok": 1, "message": "%s: %s" % (args[0], args[1])}
    if op == "unregister":
        if args[0] not in PNOTES:
            return {"ok": 0, "message": "FW-1: fwha_pnote_unregister: "
                    "attempting to unregister an unregistered device %s"
                    % args[0]}
        del PNOTES[args[0]]
        return {"ok": 1, "message": "unregistered %s" % args[0]}
    return None

def cluster(name, param):
    if mode == "nocluster":
        if name == "/phalanx/cluster/admin":
            return {"ok": 0, "message": "cluster is not configured"}
        return {"enabled": 0} if name == "/phalanx/cluster" else None
    if name == "/phalanx/cluster/admin":
        if param not in ("failover", "stop", "start", "down", "up"):
            return None
        if param == "failover":
            return {"ok": 0, "message": "no other member can take over"}
        return {"ok": 1, "message": "%s: done" % param}
    return {"/phalanx/cluster": CLUSTER, "/phalanx/cluster/members": MEMBERS,
            "/phalanx/cluster/if": CIF, "/phalanx/cluster/ccp": CCP,
            "/phalanx/cluster/pnotes": pnotes()}.get(name)

def on_hup(sig, frame):
    if mode in ("good", "otherpid"):
        POLICY["reloads_ok"] += 1
        POLICY["generation"] += 1
        POLICY["last_reload"] = pieces("ok: generation %d, 2 rules" % POLICY["generation"])
    elif mode == "refuse":
        POLICY["reloads_failed"] += 1
        POLICY["last_reload"] = pieces(REFUSAL)
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
    if mode == "stuck" and w == 1:   # a worker that does not answer
        return {"error": "worker 1 did not respond within 1000 ms"}
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
            elif name == "/phalanx/rules":
                c.send(json.dumps({name: rules(param)}).encode())
            elif name == "/phalanx/ports" and not param:
                c.send(json.dumps({name: PORTS}).encode())
            elif name == "/phalanx/cluster/pnote" and mode in ("cluster", "nocluster"):
                c.send(json.dumps({name: pnote_op(param)}).encode())
            elif name.startswith("/phalanx/cluster") and mode in ("cluster", "nocluster"):
                c.send(json.dumps({name: cluster(name, param)}).encode())
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

for args in "version" "--help"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    timeout 10 "$PHX" -s "$FAKE" $args >/dev/full 2>"$TMP/full.err"
    RC=$? OUT='' ERR=$(cat "$TMP/full.err")
    expect "phx $args with stdout on /dev/full: says so, exit 1" 1 '' \
        'phx: cannot write to standard output: No space left on device'
done

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

fake stuck
run connstuck "$PHX" -s "$FAKE" conn
expect "conn: a worker that does not answer is said so, exit 1" 1 '' \
    "phx: the member could not answer /phalanx/conn,w=1,from=0: worker 1 did not respond within 1000 ms"
run connstuckraw "$PHX" -s "$FAKE" raw /phalanx/conn,w=1
expect "raw: the error answer printed as sent, said so, exit 1" 1 \
    '{"/phalanx/conn": {"error": "worker 1 did not respond within 1000 ms"}}' \
    "phx: the member could not answer /phalanx/conn,w=1: worker 1 did not respond within 1000 ms"
fake good

run connw "$PHX" -s "$FAKE" conn -w 5
expect "conn -w 5 rejected by the member: says which parameter" 1 '' \
    "phx: the member rejected parameter \"w=5,from=0\" of /phalanx/conn: workers are numbered from 0 ('phx config' shows how many)"

: >"$TMP/fake.log"
for bad in "--ip 10.1.0.300|--ip: '10.1.0.300' is not an IPv4 address (A.B.C.D)" \
           "--ip 0.0.0.0|--ip: 0.0.0.0 is not an address a session can have (leave --ip out for every session)" \
           "--port 0|--port: '0' is not a port number (1..65535)" \
           "--proto sctp|--proto: 'sctp' is not tcp, udp or icmp" \
           "--state open|--state: 'open' is not a TCP state (SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE)" \
           "--proto udp --state CLOSE|--state: TCP states do not apply to --proto udp" \
           "--limit -1|--limit: '-1' is not a number of rows (0..100000000; 0: no limit)" \
           "-w x|--worker: 'x' is not a worker number (0..255)" \
           "--clear|--clear needs a filter (--ip, --port, --proto, --state) or --all, not both" \
           "--clear --all --port 80|--clear needs a filter (--ip, --port, --proto, --state) or --all, not both" \
           "--all|--all goes with --clear" \
           "--clear --port 80 -w 0|--clear acts on every worker and prints no table: no -w, no --limit" \
           "--clear --ip 0.0.0.0|--ip: 0.0.0.0 is not an address a session can have (leave --ip out for every session)"; do
    args=${bad%%|*}
    # shellcheck disable=SC2086 # the arguments are meant to split
    run connbad "$PHX" -s "$FAKE" conn $args
    expect "conn $args: usage error before asking" 2 '' \
        "phx conn: ${bad#*|}
Usage: phx [OPTIONS] conn [--ip A.B.C.D] [--port N] [--proto P] [--state S] [-w N] [--limit N] | --clear FILTER... | --clear --all
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
REFUSAL='1 error(s); 41:17 rules[4].name: "a name that is far too long for any rule, and has blanks in it" is not a valid name: use letters, digits, '"'_' and '-'"
run refuse "$PHX" -s "$FAKE" reload
expect "reload refused: exit 1 and the member's reason, all ${#REFUSAL} bytes of it" 1 \
    "reload refused: $REFUSAL" ''
run refusep "$PHX" -s "$FAKE" policy
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -qxF "Result:          refused: $REFUSAL"; then
    ok "... and policy shows it whole"
else
    not_ok "... and policy shows it whole (exit $RC: $OUT)"
fi

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

# ---------------------------------------------------------------- many rules

# 600 rules: more than one telemetry array (512) and than one 16 KiB
# reply hold; the member sends pages of 128.
fake manyrules
run manyr "$PHX" -s "$FAKE" rules
rows=$(grep -c '^rule-' "$TMP/manyr.out")
if [ "$RC" = 0 ] && [ "$rows" = 600 ] && [ "$(tail -n 1 "$TMP/manyr.out")" = "600 rules" ] &&
    [ "$(head -n 1 "$TMP/manyr.out")" = "Policy generation 2" ] &&
    grep -Eqx 'rule-0{23}599 +accept +- +599' "$TMP/manyr.out"; then
    ok "rules: 600 rules, every page, one table of the generation read whole"
else
    not_ok "rules: 600 rules (exit $RC, $rows rows): $(head -n 3 "$TMP/manyr.out"; tail -n 2 "$TMP/manyr.out") $ERR"
fi
OUT=$(grep '^/phalanx/rules' "$TMP/fake.log" | tr '\n' ' ')
if [ "$OUT" = "/phalanx/rules /phalanx/rules,128 /phalanx/rules,256 /phalanx/rules /phalanx/rules,128 /phalanx/rules,256 /phalanx/rules,384 /phalanx/rules,512 " ]; then
    ok "... started over when the generation changed between pages"
else
    not_ok "... asked: $OUT"
fi
run manyrj "$PHX" -s "$FAKE" --json rules
OUT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["name"]), len(d["hits"]), d["total"], d["next"], d["generation"])' "$TMP/manyrj.out" 2>&1)
expect "rules --json: the pages as one answer" 0 "600 600 600 -1 2" ''
run manyrp "$PHX" -s "$FAKE" pstat
if [ "$RC" = 0 ] && [ "$(grep -c '^rule-' "$TMP/manyrp.out")" = 600 ] &&
    grep -qx '600 rules' "$TMP/manyrp.out"; then
    ok "pstat: the hits of all 600 rules"
else
    not_ok "pstat: the hits of all 600 rules (exit $RC: $(tail -n 3 "$TMP/manyrp.out") $ERR)"
fi
run manyrm "$PHX" -s "$FAKE" metrics
n=$(grep -c '^phalanx_rule_hits_total{' "$TMP/manyrm.out")
if [ "$RC" = 0 ] && [ "$n" = 600 ] &&
    grep -qx 'phalanx_rule_hits_total{member="fake-fw",rule="rule-00000000000000000000000599"} 599' "$TMP/manyrm.out"; then
    ok "metrics: phalanx_rule_hits_total for all 600 rules"
else
    not_ok "metrics: phalanx_rule_hits_total for all 600 rules (exit $RC, $n series) $ERR"
fi

# A daemon from before pages: one unpaged answer to a bare /phalanx/rules.
fake oldrules
run oldr "$PHX" -s "$FAKE" rules
expect "rules from an older daemon (no pages)" 0 "Policy generation 1

Name        Action  NAT     Hits
client-out  accept  source     3
ping        accept  -          1
2 rules" ''

# ---------------------------------------------------------------- cluster

PORTS_TABLE='Port  Link          MTU  MAC                Addresses    RX pkts  TX pkts  RX missed  RX errors  TX errors
in0   up 10G full  1500  02:00:00:00:00:01  10.1.0.1/24       10        0          0          0          0
1 port, 1 up'

# An older daemon (mode good knows no /phalanx/cluster): if and metrics as
# before, the cluster commands say what is missing.
fake good
run ifold "$PHX" -s "$FAKE" if -a
expect "if -a on a daemon without cluster commands: the ports only" 0 \
    "$PORTS_TABLE" ''
run stateold "$PHX" -s "$FAKE" state
expect "state on a daemon without cluster commands" 1 '' \
    'phx: the member does not know /phalanx/cluster (not a phalanx daemon, or an older one?)'

fake nocluster
run ifnc "$PHX" -s "$FAKE" if -a
expect "if -a on a member without a cluster: the ports only" 0 \
    "$PORTS_TABLE" ''
run ifncj "$PHX" -s "$FAKE" --json if
expect_grep "... --json: /phalanx/ports as before" 0 OUT '^  "in0": \{$'
for c in state list ccpstat; do
    run nc "$PHX" -s "$FAKE" $c
    expect "$c on a member without a cluster: exit 1" 1 '' \
        'phx: the member is not in a cluster (its configuration has no cluster section)'
done
for c in failover stop start "admin down" "register -d x -t 0 -s ok" \
         "report -d x -s ok" "unregister -d x"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    run nc "$PHX" -s "$FAKE" $c
    expect "$c on a member without a cluster: the member's refusal" 1 '' \
        'phx: cluster is not configured'
done
run metricsnc "$PHX" -s "$FAKE" metrics
expect_grep "metrics on a member without a cluster: no cluster series" 0 OUT '^phalanx_rx_pkts_total'
if grep -q 'phalanx_cluster\|phalanx_ccp' "$TMP/metricsnc.out"; then
    not_ok "... but it has some"
else
    ok "... and none of phalanx_cluster_* or phalanx_ccp_*"
fi

fake cluster
run state "$PHX" -s "$FAKE" state
expect "state: CLI-10 table, reason, devices, interfaces, config guard" 0 \
'Cluster mode:   High Availability New Mode (Active Up)

Number     Unique Address  Assigned Load  State    Last heard
1 (local)  10.0.0.1        100%           Active   -
2          10.0.0.2        0%             Standby  3 ms ago
3          10.0.0.3        0%             Ready    1.5 sec ago

Local member:      member 1 (10.0.0.1) is active (confirmed by all)
Last change:       12.5 sec ago, 3 transitions
Critical devices:  OK
Interfaces:        2 of 3 up, secured 0 of 1 up
Configuration:     generation 4 digest 0123456789abcdef
Warning: member 3 runs a different configuration: it will not become active' ''
run statej "$PHX" -s "$FAKE" --json state
expect_grep "state --json: both answers, keyed by command" 0 OUT '^  "/phalanx/cluster/members": \{$'

CIF='Required interfaces: 3
Required secured interfaces: 1
in0    UP                (non secured, unique, multicast)
out0   UP                (non secured, unique, multicast)
sync0  DOWN (12.3 secs)  (secured, unique, multicast)'
run if "$PHX" -s "$FAKE" if
expect "if: ports, then the cluster interfaces (CLI-20)" 0 "$PORTS_TABLE

$CIF" ''
run ifa "$PHX" -s "$FAKE" if -a
expect "if -a: and the virtual cluster interfaces" 0 "$PORTS_TABLE

$CIF
Virtual cluster interfaces: 3
in0    10.1.0.1
out0   10.2.0.1
out0   10.2.0.2" ''
run ifj "$PHX" -s "$FAKE" --json if
expect_grep "if --json on a clustered member: the three answers" 0 OUT '^  "/phalanx/cluster/if": \{$'

BUILTINS='Built-in Devices:

Device Name: Interface Active Check
Current state: OK

Registered Devices:

Device Name: Synchronization
Registration number: 0
Timeout: none
Current state: OK
Time since last report: 15998.4 sec

Device Name: Filter
Registration number: 1
Timeout: none
Current state: OK
Time since last report: 15998.4 sec

Device Name: Workers
Registration number: 2
Timeout: none
Current state: OK
Time since last report: 15998.4 sec'
run list "$PHX" -s "$FAKE" list
expect "list: built-in and registered devices (CLI-30)" 0 "$BUILTINS" ''

run ccp "$PHX" -s "$FAKE" ccpstat
expect "ccpstat: every counter in the member's order, grouped" 0 \
'tx_frames       2400
tx_heartbeats   2398
tx_requests        1
tx_confirms        1
tx_garps           6
tx_errors          0

rx_frames       4800
rx_ok           4797
rx_heartbeats   4795
rx_requests        1
rx_confirms        1
rx_sync            0
rx_ignored         0

drop_too_short     0
drop_bad_magic     2
drop_from_self     1' ''

: >"$TMP/fake.log"
run reg "$PHX" -s "$FAKE" register -d faildevice -t 0 -s OK
expect "register -d -t -s: the member's message" 0 'registered' ''
run regdup "$PHX" -s "$FAKE" register -d faildevice -t 5 -s ok -p
expect "register a name twice: CCP-75's message, exit 1" 1 '' \
    'phx: FW-1: fwha_pnote_register: faildevice already registered (# 3)'
run rep "$PHX" -s "$FAKE" report -d faildevice -s Problem
expect "report" 0 'faildevice: problem' ''
run listp "$PHX" -s "$FAKE" list
expect "list shows the registered device" 0 "$BUILTINS

Device Name: faildevice
Registration number: 3
Timeout: none
Current state: problem
Time since last report: 4.5 sec" ''
run unreg "$PHX" -s "$FAKE" unregister -d faildevice
expect "unregister" 0 'unregistered faildevice' ''
run unreg2 "$PHX" -s "$FAKE" unregister -d faildevice
expect "unregister an unknown device: CCP-75's message, exit 1" 1 '' \
    'phx: FW-1: fwha_pnote_unregister: attempting to unregister an unregistered device faildevice'
printf 'dev1 5 ok\n  # comment; with a semicolon\n\n\tdev2\t0  init \r\n' >"$TMP/devs"
run regf "$PHX" -s "$FAKE" register -f "$TMP/devs" -p
expect "register -f FILE -p" 0 'registered' ''
OUT=$(grep '^/phalanx/cluster/pnote,' "$TMP/fake.log" | tr '\n' '|')
if [ "$OUT" = "/phalanx/cluster/pnote,register faildevice 0 ok|/phalanx/cluster/pnote,register faildevice 5 ok persistent|/phalanx/cluster/pnote,report faildevice problem|/phalanx/cluster/pnote,unregister faildevice|/phalanx/cluster/pnote,unregister faildevice|/phalanx/cluster/pnote,regfilep dev1 5 ok;dev2 0 init|" ]; then
    ok "... requests as docs/telemetry.md says (status in lower case, device lines joined by ';')"
else
    not_ok "... asked: $OUT"
fi

: >"$TMP/fake.log"
printf 'dev3 5\n' >"$TMP/devs"
run regfbad "$PHX" -s "$FAKE" register -f "$TMP/devs"
expect "register -f with a bad line: lib/pnote's message, before asking" 1 '' \
    "phx: $TMP/devs: line 1: expected <device> <timeout> <status>"
printf 'a;b 0 ok\n' >"$TMP/devs"
run regfsemi "$PHX" -s "$FAKE" register -f "$TMP/devs"
expect "register -f with a ';' in a line" 1 '' \
    "phx: $TMP/devs: line 1: ';' cannot be sent to the member (it separates the lines)"
run regfnone "$PHX" -s "$FAKE" register -f "$TMP/nosuch"
expect "register -f with a missing file" 1 '' \
    "phx: cannot open $TMP/nosuch: No such file or directory"
if [ -s "$TMP/fake.log" ]; then not_ok "... but the member was asked: $(cat "$TMP/fake.log")"; else ok "... and the member was never asked"; fi

run adm "$PHX" -s "$FAKE" admin down
expect "admin down" 0 'down: done' ''
run stop "$PHX" -s "$FAKE" stop
expect "stop" 0 'stop: done' ''
run fo "$PHX" -s "$FAKE" failover
expect "failover refused: the member's reason on stderr, exit 1" 1 '' \
    'phx: no other member can take over'
run foj "$PHX" -s "$FAKE" --json failover
expect "failover --json: the answer, exit 1" 1 '{
  "ok": 0,
  "message": "no other member can take over"
}' ''

: >"$TMP/fake.log"
U_REG='Usage: phx [OPTIONS] register -d NAME -t TIMEOUT -s STATUS [-p] | -f FILE [-p]'
for bad in "register -d@option '-d' needs a value@$U_REG@register" \
           "register -d faildevice@register needs -d NAME, -t TIMEOUT and -s STATUS, or -f FILE@$U_REG@register" \
           "register -d 0123456789abcdef -t 0 -s ok@-d: '0123456789abcdef' is not a device name (1 to 15 printable characters, no spaces)@$U_REG@register" \
           "register -d x -t -1 -s ok@-t: '-1' is not a timeout (whole seconds, 0 .. 4294967295; 0: none)@$U_REG@register" \
           "register -d x -t 4294967296 -s ok@-t: '4294967296' is not a timeout (whole seconds, 0 .. 4294967295; 0: none)@$U_REG@register" \
           "register -d x -t 0 -s down@-s: 'down' is not a status (ok, init or problem)@$U_REG@register" \
           "register -f x -d y@-f excludes -d, -t and -s@$U_REG@register" \
           "report -d x@report needs -d NAME and -s STATUS@Usage: phx [OPTIONS] report -d NAME -s STATUS@report" \
           "report -d x -s ok -p@-p does not apply to report@Usage: phx [OPTIONS] report -d NAME -s STATUS@report" \
           "unregister@unregister needs -d NAME@Usage: phx [OPTIONS] unregister -d NAME [-p]@unregister" \
           "unregister -d x -t 1@-t does not apply to unregister@Usage: phx [OPTIONS] unregister -d NAME [-p]@unregister" \
           "admin@down or up?@Usage: phx [OPTIONS] admin down|up@admin" \
           "admin sideways@'sideways' is neither down nor up@Usage: phx [OPTIONS] admin down|up@admin" \
           "failover now@unexpected argument 'now'@Usage: phx [OPTIONS] failover@failover" \
           "state -a@unknown option '-a'@Usage: phx [OPTIONS] state@state" \
           "if -x@unknown option '-x'@Usage: phx [OPTIONS] if [-a]@if" \
           "if --all=1@option '--all' takes no value@Usage: phx [OPTIONS] if [-a]@if"; do
    IFS='@' read -r args msg usage cmd <<<"$bad"
    # shellcheck disable=SC2086 # the arguments are meant to split
    run usage "$PHX" -s "$FAKE" $args
    expect "$args: usage error before asking" 2 '' \
        "phx $cmd: $msg
$usage
Try 'phx $cmd --help'."
done
if [ -s "$TMP/fake.log" ]; then not_ok "... but the member was asked: $(cat "$TMP/fake.log")"; else ok "... and the member was never asked"; fi

run metricsc "$PHX" -s "$FAKE" metrics
expect_grep "metrics: the cluster state as a state set" 0 OUT \
    '^phalanx_cluster_state\{member="fake-fw",state="ACTIVE"\} 1$'
expect_grep "... forwarding" 0 OUT '^phalanx_cluster_forwarding\{member="fake-fw"\} 1$'
expect_grep "... CCP frames by direction" 0 OUT \
    '^phalanx_ccp_frames_total\{member="fake-fw",dir="rx"\} 4800$'
expect_grep "... CCP messages by type" 0 OUT \
    '^phalanx_ccp_messages_total\{member="fake-fw",dir="tx",type="heartbeat"\} 2398$'
expect_grep "... CCP drops by reason" 0 OUT \
    '^phalanx_ccp_drops_total\{member="fake-fw",reason="bad_magic"\} 2$'
if command -v promtool >/dev/null; then
    if promtool check metrics <"$TMP/metricsc.out" >"$TMP/metricsc.lint" 2>&1; then
        ok "promtool check metrics accepts phx metrics of a clustered member"
    else
        not_ok "promtool check metrics (cluster): $(cat "$TMP/metricsc.lint")"
    fi
fi

echo "# $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
