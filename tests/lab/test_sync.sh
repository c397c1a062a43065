#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Acceptance test of state sync (issue 5; SPEC 3, 6.6, 6.7) in the
# standard lab with the shipped cluster configs conf/lab/memberK.json:
# established connections (1000 idle ones plus a stream, and DNAT'd ones)
# survive kill -9 of the active member with no reset and a short gap; with
# sync disabled the same kill loses them while new connections work; with
# 10 % loss on the sync link and with the sync link cut and restored,
# `phx syncstat` shows retransmissions and `phx diff` the tables equal
# (during the cut the active member stops waiting for the silent peer,
# SPEC CCP-42, and waits for it again once it ACKs); a
# member cut off on every link while the operator clears sessions on the
# other (phx conn --clear) and connections open counts the lost and
# regained sync, resyncs and purges what the resync did not bring; the
# active member's one worker stalled for 2 s (ptrace on that thread only)
# hands the traffic to the other member and nothing is lost; a
# member restarted under traffic does a full
# sync and (primary-up) takes the role back without losing a connection.
#
# The connections are tests/lab/probe.py hold-server (lab-server) and
# hold-client (lab-client). What the test expects of the sync tools:
#   phx -c CONF syncstat    SPEC 6.6 counter names, each on a line ending
#                           with its value ("Total generated updates ... 12")
#   phx -c CONF pstat       SPEC 6.7's line " total : N, retransmitted : N"
#   phx diff PREFIX_A PREFIX_B   members by EAL file prefix; exit 0 equal,
#                           1 differ, anything else an error
#   phx raw /phalanx/sync   "full_sync_state": "done" once a full sync ended
# PHX_LAB_SYNC_SCENARIOS="a c" runs some scenarios only (default a..h);
# PHX_LAB_SYNC_LOSS=all makes d. drop heartbeats too.
# Needs root; exits 77 otherwise.
set -euo pipefail

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
lab_require_bins

PROBE="$LAB_ROOT/tests/lab/probe.py"
SCENARIOS=${PHX_LAB_SYNC_SCENARIOS:-a b c d e g h f}
# Issue 5's "largest gap under 40 ms" is a speed goal: tests/bench/takeover.sh
# measures kill -9 takeovers over many rounds and prints the figures. Here
# the stream's largest gap must stay under Linux's minimum TCP
# retransmission timeout (200 ms): no connection has to retransmit across
# a takeover. Every gap is printed.
GAP_MS=${PHX_LAB_GAP_MS:-200}
SYNC_WAIT_S=1                         # let sync catch up before the kill
DIFF_WAIT_S=5                         # phx diff must converge within this
PORT=5101                             # hold-server, plain forwarding
DNAT_VIP=10.1.0.1:8080                # conf/lab rule dnat-web ...
DNAT_PORT=80                          # ... to 10.2.0.100:80
START_WAIT_S=10                       # a joiner stays READY until full sync
# d. drops 10 % of the sync frames only (CCP opcode 10); "all" drops 10 %
# of all UDP 8116 on the sync bridge, heartbeats included.
LOSS_FRAMES=${PHX_LAB_SYNC_LOSS:-sync}

phx_diff() {
    timeout 10 "$PHX" diff "$(lab_file_prefix "$(lab_conf 1)")" \
        "$(lab_file_prefix "$(lab_conf 2)")"
}

# diff_converges SECONDS: poll phx diff (bounded) until it says equal;
# prints "equal after N ms", or its last status and output.
diff_converges() {
    local i rc=0 out=""
    for ((i = 0; i < $1 * 5; i++)); do
        rc=0
        out=$(phx_diff 2>&1) || rc=$?
        if [ "$rc" -eq 0 ]; then
            echo "equal after $((i * 200)) ms"
            return 0
        fi
        [ "$rc" -eq 1 ] || break          # not "differ": an error
        sleep 0.2
    done
    echo "status $rc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
}

# sync_counter K NAME: the value of a SPEC 6.6 counter in member K's phx
# syncstat (the last number on the first line that starts with NAME).
sync_counter() {
    lab_phx "$1" syncstat 2>/dev/null | awk -v n="$2" '
        { line = $0; sub(/^[ \t]+/, "", line) }
        tolower(substr(line, 1, length(n))) == tolower(n) {
            for (i = NF; i > 0; i--) if ($i ~ /^[0-9]+$/) { print $i; exit }
        }' || true
}

# pstat_retransmitted K: N of SPEC 6.7's " total : N, retransmitted : N".
pstat_retransmitted() {
    lab_phx "$1" pstat 2>/dev/null |
        sed -n 's/.*total : [0-9]*, retransmitted : \([0-9]*\).*/\1/p' | head -n 1 || true
}

full_sync_state() { lab_tel "$1" /phalanx/sync 'd["full_sync_state"]'; }

# wait_full_sync K SECONDS: prints the last full_sync_state seen.
wait_full_sync() {
    local s="" i
    for ((i = 0; i < $2 * 10; i++)); do
        s=$(full_sync_state "$1")
        [ "$s" = "done" ] && break
        sleep 0.1
    done
    echo "${s:-no answer}"
}

now() { lab_now; }

# gt A B / lt A B: A > B / A < B for decimals; false when A is not a number.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a + 0 > b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a + 0 < b + 0) }'; }

# members_up: start members 1 and 2 with lab_conf, member 2 once member 1
# is active; wait (START_WAIT_S) for member 2 to be standby (after its
# full sync). Returns 1 (with a not ok) when they do not come up.
members_up() {
    local k s2
    for k in 1 2; do
        if ! lab_member_start "$k" "$(lab_conf "$k")" >/dev/null; then
            not_ok "member $k starts with $(basename "$(lab_conf "$k")")"
            return 1
        fi
        [ "$k" = 2 ] || lab_wait_state 1 'ACTIVE|ACTIVE_ATTENTION' >/dev/null
    done
    s2=$(lab_wait_state 2 STANDBY "$START_WAIT_S")
    if [ "$(lab_state 1)/$s2" != ACTIVE/STANDBY ]; then
        not_ok "members up: member 1 active, member 2 standby (got $(lab_state 1)/$s2)"
        return 1
    fi
    lab_log "members 1 and 2 up${LAB_VARIANT:+ (variant $LAB_VARIANT)}: ACTIVE/STANDBY"
}

# members_down: stop whichever members run (SIGTERM, exit status asserted).
members_down() {
    local k
    for k in 1 2; do
        [ -z "${LAB_PID[$k]:-}" ] || lab_member_stop "$k"
    done
}

# kill_member K: kill -9; T_KILL is the epoch time of the kill.
T_KILL=0
kill_member() {
    T_KILL=$(now)
    kill -KILL "${LAB_PID[$1]}"
    wait "${LAB_PID[$1]}" 2>/dev/null || true
    unset "LAB_PID[$1]"
}

# assert_survived WHAT MAX_GAP_MS: no reset, every connection ok, the
# stream's largest gap (printed, with where it fell relative to T_KILL)
# under MAX_GAP_MS ("-" to skip that check).
assert_survived() {
    local what=$1 lim=$2 gap at
    gap=$(hold stream_max_gap_ms)
    at=$(python3 -c 'import sys; g, k = sys.argv[1:]
print("%.0f ms after the kill" % ((float(g) - float(k)) * 1000) if g != "-" else "-")' \
        "$(hold stream_gap_epoch)" "$T_KILL" 2>/dev/null || echo -)
    lab_log "$what: largest stream gap ${gap} ms, starting $at"
    lab_log "$what: stream gaps >= 20 ms (ms after the kill: length): $(python3 -c '
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
print(" ".join("%+.0f:%.1f" % ((t - float(sys.argv[2])) * 1000, ms)
               for t, ms in r.get("stream_gaps", []) if ms >= 20) or "none")
' "$LAB_TMP/$HOLD_NAME.json" "$T_KILL" 2>/dev/null)"
    assert_eq "$(hold resets)" 0 "$what: no connection reset"
    assert_eq "$(hold conns_ok)/$(hold conns_failed)" "$(hold conns_wanted)/0" \
        "$what: every connection survived ($(hold conns_wanted) incl. the stream)"
    assert_eq "$(hold stream_echoed)" "$(hold stream_sent)" \
        "$what: every stream message echoed"
    [ "$lim" = - ] || assert_lt "$gap" "$lim" "$what: stream's largest gap ${gap} ms < ${lim} ms"
    assert_eq "$HOLD_RC" 0 "$what: hold-client exits 0"
}

# assert_lt GOT LIMIT MSG: decimals.
assert_lt() {
    if lt "$1" "$2"; then ok "$3"; else not_ok "$3"; fi
}

want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

lab_init
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

lab_up 2
timeout 600 ip netns exec lab-server python3 "$PROBE" hold-server --bind 10.2.0.100 \
    --port "$PORT" --port "$DNAT_PORT" --ready-file "$LAB_TMP/server.ready" \
    >"$LAB_TMP/server.out" 2>&1 &
for ((i = 0; i < 50; i++)); do [ -e "$LAB_TMP/server.ready" ] && break; sleep 0.1; done
assert_cmd "hold-server listens on 10.2.0.100:$PORT and :$DNAT_PORT" test -e "$LAB_TMP/server.ready"

# use_variant NAME PYTHON: members 1 and 2 run their configurations edited
# by PYTHON (see lab_make_variant) from now on.
use_variant() {
    local k
    LAB_VARIANT=$1
    for k in 1 2; do lab_make_variant "$1" "$k" "$2"; done
}

# hold_and_kill NAME CONNS TARGET: hold CONNS connections and the stream
# to TARGET through member 1, let sync catch up, kill -9 member 1. Returns
# 1 (with a not ok) when the connections do not open.
hold_and_kill() {
    if ! hold_start "$1" --target "$3" --conns "$2" --stream-ms 5; then
        hold_stop
        not_ok "$1: $2 connections and a stream open through member 1"
        return 1
    fi
    lab_log "$1: $2 connections and the stream open through member 1"
    sleep "$SYNC_WAIT_S"
    kill_member 1
}

# kill_under_hold WHAT NAME CONNS TARGET: scenarios a and b: hold, kill -9
# the active member, assert that every connection survived.
kill_under_hold() {
    local what=$1
    members_up || return 0
    if hold_and_kill "$2" "$3" "$4"; then
        sleep 2
        hold_stop
        assert_survived "$what" "$GAP_MS"
        assert_match "$(lab_state 2)" "^ACTIVE" "$what: member 2 active after kill -9 of member 1"
    fi
    members_down
}

# ------------------------------------------------------ a. kill -9, 1000
if want a; then
    kill_under_hold "a. kill -9 with 1000 connections" a-hold 1000 "10.2.0.100:$PORT"
fi

# ----------------------------------------------------------- b. DNAT
if want b; then
    kill_under_hold "b. kill -9 with 100 DNAT'd connections ($DNAT_VIP)" b-dnat 100 "$DNAT_VIP"
fi

# --------------------------------------------------- c. sync disabled
if want c; then
    use_variant nosync 'c["cluster"]["sync"] = {"enabled": False}'
    if members_up; then
        if hold_and_kill c-nosync 100 "10.2.0.100:$PORT"; then
            sleep 2
            hold_stop
            lost=$(awk -v f="$(hold conns_failed)" -v r="$(hold resets)" \
                'BEGIN { print (f r ~ /^[0-9]+$/) ? f + r : "-" }')
            assert_ge "$lost" 1 "c. sync disabled: kill -9 loses established connections (failed $(hold conns_failed), resets $(hold resets))"
            assert_eq "$HOLD_RC" 1 "c. sync disabled: hold-client reports the loss (exit 1)"
            hold_start c-new --target "10.2.0.100:$PORT" --conns 5 --duration 0.5 || true
            hold_stop
            assert_eq "$HOLD_RC/$(hold conns_ok)" 0/6 "c. sync disabled: new connections through member 2 work"
        fi
        members_down
    fi
    LAB_VARIANT=
fi

# ------------------------------------------- d. 10 % loss on the sync link
if want d; then
    if ! lab_have_nft; then
        not_ok "d. nft is installed (the nftables package: random loss on the sync bridge)"
    elif members_up; then
        if [ "$LOSS_FRAMES" = all ]; then
            lab_loss_on lab-swsync 10
        else
            lab_loss_on lab-swsync 10 "${LAB_SYNC_FRAMES[@]}"
        fi
        if hold_start loss --target "10.2.0.100:$PORT" --conns 300 --stream-ms 5; then
            sleep 2
            hold_stop
            assert_eq "$HOLD_RC" 0 "d. 300 connections opened and used with 10 % sync loss"
        else
            hold_stop
            not_ok "d. 300 connections open with 10 % sync loss"
        fi
        dropped=$(lab_loss_count lab-swsync)
        lab_loss_off lab-swsync
        assert_ge "${dropped:-0}" 1 "d. the loss rule dropped sync frames (${dropped:-none})"
        gen=$(sync_counter 1 "Total generated updates")
        assert_ge "${gen:-x}" 1 "d. member 1 syncstat: Total generated updates > 0 (${gen:-none})"
        rtx=$(pstat_retransmitted 1)
        rrq=$(sync_counter 1 "Recv Retransmission requests")
        if gt "${rtx:-x}" 0 || gt "${rrq:-x}" 0; then
            ok "d. member 1 retransmitted (pstat retransmitted ${rtx}, syncstat Recv Retransmission requests ${rrq})"
        else
            not_ok "d. member 1 retransmitted (pstat retransmitted '${rtx}', syncstat Recv Retransmission requests '${rrq}')"
        fi
        out=$(diff_converges "$DIFF_WAIT_S")
        assert_match "$out" "^equal" "d. phx diff: tables equal within ${DIFF_WAIT_S} s once traffic stopped and the loss removed ($out)"
        members_down
    fi
fi

# ------------------------------------------------- e. sync link cut 3 s
if want e && members_up; then
    t0=$(now)
    lab_link_cut 2 sync0
    if hold_start cut --target "10.2.0.100:$PORT" --conns 200 --stream-ms 5; then
        sleep 0.5
        hold_stop
    else
        hold_stop
        not_ok "e. 200 connections open while member 2's sync link is cut"
    fi
    sleep "$(python3 -c 'import sys, time; print(max(0.0, 2.5 - (time.time() - float(sys.argv[1]))))' "$t0")"
    # SPEC CCP-42: member 2 ACKs nothing for over 1 s while CCP still
    # hears it: member 1 stops waiting for it (and says so), holding its
    # frames for when it comes back.
    ack2=$(lab_tel 1 /phalanx/sync/peers 'd["m2"]["acking"]')
    tmo1=$(sync_counter 1 "Timed out sync connection")
    peers1=$(lab_phx 1 syncstat 2>/dev/null | awk '$1 == "2" && $2 == "no" && $3 == "ACK"' || true)
    assert_eq "$ack2" 0 "e. member 1 stops waiting for member 2's ACKs during the cut (/phalanx/sync/peers m2 acking)"
    gt "${tmo1:-x}" 0 &&
        ok "e. member 1 counts Timed out sync connection ($tmo1)" ||
        not_ok "e. member 1 counts Timed out sync connection (got '$tmo1')"
    assert_match "$peers1" "no ACK" "e. phx syncstat on member 1 shows member 2 as 'no ACK'"
    sleep "$(python3 -c 'import sys, time; print(max(0.0, 3 - (time.time() - float(sys.argv[1]))))' "$t0")"
    lab_link_restore 2 sync0
    lab_log "e. sync link of member 2 cut for $(python3 -c 'import sys, time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$t0") s; states now $(lab_state 1)/$(lab_state 2)"
    s2=$(lab_wait_state 2 STANDBY "$START_WAIT_S")
    lab_log "e. member 2 $s2 after the link came back"
    out=$(diff_converges "$DIFF_WAIT_S")
    assert_match "$out" "^equal" "e. phx diff: tables equal within ${DIFF_WAIT_S} s after the sync link came back ($out)"
    assert_eq "$(lab_tel 1 /phalanx/sync/peers 'd["m2"]["acking"]')" 1 "e. member 2 acknowledges member 1's updates again"
    c1=$(sync_counter 1 "Recv Retransmission requests")
    c2=$(pstat_retransmitted 1)
    c3=$(sync_counter 2 "Sent retransmission requests")
    c4=$(sync_counter 1 "Lost sync connection")
    c5=$(sync_counter 2 "Lost sync connection")
    what="member 1 Recv Retransmission requests '$c1', retransmitted '$c2'; member 2 Sent retransmission requests '$c3'; Lost sync connection '$c4'/'$c5'"
    if gt "${c1:-x}" 0 || gt "${c2:-x}" 0 || gt "${c3:-x}" 0 || gt "${c4:-x}" 0 || gt "${c5:-x}" 0; then
        ok "e. syncstat shows retransmissions or lost-and-regained sync ($what)"
    else
        not_ok "e. syncstat shows retransmissions or lost-and-regained sync ($what)"
    fi
    members_down
fi

# --------------- h. the active member's worker stalls (its control runs on)
# A worker that stops looping (a stuck driver call, a livelock) is the
# Workers critical device's business (SPEC CCP-60's devices): member 1's
# only worker is stopped for 2 s with ptrace, the rest of the process runs
# on. Its heartbeats (sent by that worker) stop, so member 2 takes over;
# member 1 reports the stall. Once the worker runs again, exactly one
# member forwards, and the connections held through both changes survive.
if want h && members_up; then
    if hold_start h-stall --target "10.2.0.100:$PORT" --conns 50 --stream-ms 5; then
        sleep "$SYNC_WAIT_S"
        T_KILL=$(now)
        timeout 10 python3 "$LAB_ROOT/tests/lab/probe.py" stall-thread \
            "${LAB_PID[1]}" rte-worker-1 2 >"$LAB_TMP/stall.out" 2>&1 &
        stall_pid=$!
        assert_match "$(lab_wait_state 2 'ACTIVE|ACTIVE_ATTENTION' 2)" "^ACTIVE" \
            "h. member 2 takes over while member 1's worker is stalled"
        wait "$stall_pid" || true
        assert_match "$(cat "$LAB_TMP/stall.out")" "^stalled [0-9]+" \
            "h. member 1's worker thread was stopped (ptrace)"
        assert_match "$(cat "$LAB_TMP/fw1.log")" \
            "Workers on member 1 \(10\.0\.0\.1\) detected a problem \(worker 0 stalled for [0-9]+ ms\)" \
            "h. member 1 logs its Workers device's problem"
        # settled: one forwards, the other stands by
        for ((i = 0; i < 50; i++)); do
            st="$(lab_state 1)/$(lab_state 2)"
            [[ "$st" =~ ^(ACTIVE/STANDBY|STANDBY/ACTIVE)$ ]] && break
            sleep 0.1
        done
        assert_match "$st" "^(ACTIVE/STANDBY|STANDBY/ACTIVE)$" \
            "h. after the stall exactly one member forwards ($st)"
        assert_match "$(grep 'Workers on member 1 ' "$LAB_TMP/fw1.log" | tail -n 1)" \
            "status OK \(all 1 workers running\)" \
            "h. member 1's Workers device is OK again (its last report)"
        sleep 1
        hold_stop
        assert_survived "h. a worker stalled for 2 s" -
    else
        hold_stop
        not_ok "h. 50 connections open before the stall"
    fi
    members_down
fi

# --------------- g. member 2 cut off on every link: lost, regained, resync
# 100 connections are synced to member 2; then CCP loses member 2 (and it,
# member 1) while the operator clears those sessions on member 1 (phx conn
# --clear) and new connections are opened: those updates are gone from
# member 1's window, so member 2 must count the lost-and-regained sync
# (SPEC SYNC-37), ask for a full sync again, and remove what the resync
# did not bring (the cleared sessions: sess_resync_purged).
if want g && members_up; then
    hold_start gpre --target "10.2.0.100:$PORT" --conns 100 --duration 30 ||
        not_ok "g. 100 connections open before member 2 is cut off"
    sleep "$SYNC_WAIT_S"
    live2=$(lab_tel 2 /phalanx/pstat 'd["sessions"]')
    for p in sync0 in0 out0; do lab_link_cut 2 "$p"; done
    out=$(lab_phx 1 conn --clear --port "$PORT" 2>&1 || true)
    assert_match "$out" "^[0-9]+ sessions cleared" "g. phx conn --clear on member 1: $out"
    cleared=$(sed -n 's/^\([0-9]*\) sessions cleared.*/\1/p' <<<"$out")
    assert_ge "${cleared:-0}" 100 "g. the 100 connections' sessions cleared on member 1 (${cleared:-none})"
    hold_stop    # broken now: their sessions are gone
    hold_start part --target "10.2.0.100:$PORT" --conns 100 --stream-ms 5 --duration 5 ||
        not_ok "g. 100 connections open while member 2 is cut off"
    for p in sync0 in0 out0; do lab_link_restore 2 "$p"; done
    s2=$(lab_wait_state 2 STANDBY "$START_WAIT_S")
    lab_log "g. member 2 $s2 after its links came back (it had $live2 sessions before the cut)"
    hold_stop    # the connections end: member 1 sends again
    sleep 0.5
    gt "$(sync_counter 2 "Lost sync connection")" 0 &&
        ok "g. member 2 counts the lost-and-regained sync connection" ||
        not_ok "g. member 2 counts the lost-and-regained sync connection (got '$(sync_counter 2 "Lost sync connection")')"
    gt "$(lab_tel 2 /phalanx/sync 'd["resyncs"]')" 0 &&
        ok "g. member 2 asks member 1 for a full sync again" ||
        not_ok "g. member 2 asks member 1 for a full sync again (resyncs '$(lab_tel 2 /phalanx/sync 'd["resyncs"]')')"
    out=$(diff_converges "$DIFF_WAIT_S")
    assert_match "$out" "^equal" "g. phx diff: tables equal after the resync ($out)"
    purged=$(lab_tel 2 /phalanx/pstat 'd["counters"]["sess_resync_purged"]')
    assert_ge "${purged:-0}" 100 "g. member 2 removed the cleared sessions the resync did not bring (sess_resync_purged ${purged:-none})"
    members_down
fi

# -------------------------------- f. restart under traffic, primary-up
if want f; then
    use_variant pu 'c["cluster"]["recovery"] = "primary-up"'
    if members_up; then
        if hold_and_kill f-restart 300 "10.2.0.100:$PORT"; then
            s2=$(lab_wait_state 2 'ACTIVE|ACTIVE_ATTENTION' 2)
            assert_match "$s2" "^ACTIVE" "f. member 2 takes over after kill -9 of member 1"
            sleep 1
            t_restart=$(now)
            if lab_member_start 1 "$(lab_conf 1)" >/dev/null; then
                fs=$(wait_full_sync 1 "$START_WAIT_S")
                assert_eq "$fs" "done" "f. restarted member 1 completes a full sync (/phalanx/sync full_sync_state)"
                assert_eq "$(lab_wait_state 1 ACTIVE "$START_WAIT_S")/$(lab_wait_state 2 STANDBY 2)" \
                    ACTIVE/STANDBY "f. primary-up: member 1 takes the active role back, member 2 standby"
                out=$(diff_converges "$DIFF_WAIT_S")
                assert_match "$out" "^equal" "f. phx diff: tables equal after the full sync ($out)"
            else
                not_ok "f. member 1 restarts under traffic"
            fi
            sleep 1
            hold_stop
            # The gap limit holds for the first takeover only: the largest
            # gap that started before member 1 came back.
            gap1=$(python3 - "$LAB_TMP/f-restart.json" "$t_restart" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("-")
    sys.exit(0)
g = [ms for t, ms in r.get("stream_gaps", []) if t < float(sys.argv[2])]
print(max(g) if g else 0)
PY
)
            lab_log "f. largest stream gap before the restart: ${gap1} ms (whole run $(hold stream_max_gap_ms) ms)"
            assert_survived "f. kill -9 and primary-up return" -
            assert_lt "$gap1" "$GAP_MS" "f. first takeover: stream's largest gap ${gap1} ms < ${GAP_MS} ms"
        fi
        members_down
    fi
    LAB_VARIANT=
fi

lab_finish
