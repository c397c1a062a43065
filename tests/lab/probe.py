# SPDX-License-Identifier: BSD-3-Clause
"""Small bounded network probes for the lab tests, run inside a namespace.

  tcp-echo-server ADDR PORT READY        one connection: report the peer,
                                         echo lines until EOF; prints PEER ip
  tcp-client HOST PORT LINE [LINE...]    send each line (a line "sleep:N"
                                         sleeps N s), print each echo
  udp-echo-server ADDR PORT N READY      echo N datagrams, print their peers
  udp-client HOST PORT MSG               send MSG, print the answer or
                                         "timeout"
  udp-listen ADDR PORT SECONDS           print "got" if anything arrives
  tcp-connect HOST PORT SECONDS          print "connected" or "failed"
  tcp-stream HOST PORT SECONDS RATE      send a numbered stream for SECONDS
                                         at RATE bytes/s; prints sha256
  tcp-sink ADDR PORT READY               receive one stream; prints sha256
  garp-watch DEV VIP SECONDS READY       print "GARP <epoch> <mac>" for
                                         each gratuitous ARP for VIP on DEV
                                         (kernel receive timestamp, at most
                                         64), then "timeout"
  hold-server --bind IP --port P [--port P ...] [--ready-file F]
                                         echo every byte of any number of
                                         TCP connections until killed
  hold-client --target IP:PORT --conns N [--stream-ms 5] [--duration S]
              [--ready-file F] [--stop-file F] [--out FILE.json] ...
                                         N idle connections and a stream
                                         held across a fault; JSON summary;
                                         exit 0 all survived, 1 lost, 3 not
                                         opened (hold-client --help)
  hold-summary FILE.json [KEY...]        one stable line for a test log, or
                                         the values of KEYs
  vlan-access ACCESS TRUNK VID READY SECONDS
                                         a switch's access port of VLAN VID:
                                         frames from ACCESS go out of TRUNK
                                         tagged VID, frames of VID from TRUNK
                                         out of ACCESS untagged, other VLANs
                                         and untagged trunk frames dropped
                                         (for kernels without 802.1Q)
  stall-thread PID COMM SECONDS          stop the one thread of PID named
                                         COMM (ptrace seize + interrupt: the
                                         others run on) for SECONDS; prints
                                         "stalled TID" and "released"

Every socket operation has a timeout; nothing runs longer than asked.
"""
import argparse
import asyncio
import ctypes
import errno
import gc
import hashlib
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time

T = 10


def ready(path):
    open(path, "w").close()


def tcp_echo_server(addr, port, rdy):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(T)
    ready(rdy)
    s, peer = ls.accept()
    print("PEER", peer[0], flush=True)
    s.settimeout(20)
    f = s.makefile("rwb")
    try:
        for line in f:
            print("RECV", line.decode().strip(), flush=True)
            f.write(line)
            f.flush()
    except (socket.timeout, ConnectionError):
        print("EOF-timeout", flush=True)


def tcp_client(host, port, *lines):
    s = socket.create_connection((host, int(port)), timeout=T)
    s.settimeout(3)
    f = s.makefile("rwb")
    for line in lines:
        if line.startswith("sleep:"):
            time.sleep(float(line[6:]))
            continue
        try:
            f.write((line + "\n").encode())
            f.flush()
            print("ECHO", f.readline().decode().strip(), flush=True)
        except (socket.timeout, ConnectionError, OSError):
            print("NOECHO", line, flush=True)
            return


def udp_echo_server(addr, port, n, rdy):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(T)
    ready(rdy)
    for _ in range(int(n)):
        data, peer = s.recvfrom(2048)
        print("PEER", peer[0], flush=True)
        s.sendto(data, peer)


def udp_client(host, port, msg):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(msg.encode(), (host, int(port)))
    try:
        print(s.recvfrom(2048)[0].decode())
    except socket.timeout:
        print("timeout")


def udp_listen(addr, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(float(secs))
    try:
        s.recvfrom(2048)
        print("got")
    except socket.timeout:
        print("nothing")


def tcp_connect(host, port, secs):
    try:
        socket.create_connection((host, int(port)), timeout=float(secs)).close()
        print("connected")
    except OSError:
        print("failed")


def tcp_stream(host, port, secs, rate):
    s = socket.create_connection((host, int(port)), timeout=T)
    h = hashlib.sha256()
    end = time.monotonic() + float(secs)
    chunk = max(1024, int(rate) // 50)
    n = 0
    while time.monotonic() < end:
        b = (("%012d" % n) * (chunk // 12 + 1))[:chunk].encode()
        s.sendall(b)
        h.update(b)
        n += 1
        time.sleep(0.02)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(T)
    while s.recv(65536):
        pass
    print(h.hexdigest())


def tcp_sink(addr, port, rdy):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(T)
    ready(rdy)
    s, _ = ls.accept()
    s.settimeout(T)
    h = hashlib.sha256()
    while True:
        b = s.recv(65536)
        if not b:
            break
        h.update(b)
    s.close()
    print(h.hexdigest())


def garp_watch(dev, vip, secs, rdy):
    """Every ARP frame with sender IP = target IP = vip (an announcement
    or gratuitous reply; at most 64), timestamped by the kernel on
    receipt, until secs have passed: the caller takes the first after its
    fault (one sent before it may still arrive after the watch began)."""
    so_timestampns = 35
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    s.bind((dev, 0))
    s.setsockopt(socket.SOL_SOCKET, so_timestampns, 1)
    want = socket.inet_aton(vip)
    seen = 0
    ready(rdy)
    end = time.time() + float(secs)
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        data, anc, _, _ = s.recvmsg(2048, 64)
        if len(data) < 42:
            continue
        sha, sip, tip = data[22:28], data[28:32], data[38:42]
        if sip != want or tip != want:
            continue
        ts = time.time()
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == so_timestampns:
                sec, nsec = struct.unpack("qq", val[:16])
                ts = sec + nsec / 1e9
        print("GARP %.6f %s" % (ts, ":".join("%02x" % b for b in sha)),
              flush=True)
        seen += 1
        if seen == 64:
            return
    print("timeout", flush=True)


# ---------------------------------------------------------------- hold-*
# Connections held across a fault (issue 5: established connections survive
# kill -9 of the active member). hold-server echoes every byte on any number
# of connections; hold-client opens N idle connections and one stream
# through the cluster, runs while the test breaks something, then checks
# that every connection still works and writes a JSON summary.

HOLD_OK = 0        # every connection survived, the stream never broke
HOLD_LOST = 1      # a connection was lost or reset, or the stream broke
HOLD_USAGE = 2     # bad arguments (argparse's own code)
HOLD_SETUP = 3     # not all N+1 connections established in --open-timeout
HOLD_MSG = 8       # bytes of a stream message: b"%07d\n", hello included
HOLD_HELLO = b"hello-!\n"
HOLD_KEYS = ("conns_wanted", "conns_opened", "conns_ok", "conns_failed",
             "resets", "stream_sent", "stream_echoed", "stream_max_gap_ms",
             "stream_gap_at", "exit")


def raise_nofile(want):
    """Raise RLIMIT_NOFILE to at least want (the hard limit too when we
    may); returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft >= want:
        return soft
    if hard == resource.RLIM_INFINITY or hard >= want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        return want
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
        return want
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard


def _why(exc):
    """A short name for why a connection ended."""
    if exc is None:
        return "EOF"
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, OSError) and exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return type(exc).__name__


class _EchoProto(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport

    def data_received(self, data):
        self.t.write(data)

    def eof_received(self):
        return False        # close our side as well


def hold_server(*argv):
    ap = argparse.ArgumentParser(
        prog="probe.py hold-server",
        description="Echo every byte of any number of TCP connections on "
        "each --port until SIGTERM/SIGINT (or kill).")
    ap.add_argument("--bind", required=True, help="address to listen on")
    ap.add_argument("--port", type=int, action="append", required=True,
                    help="a port to listen on (repeatable)")
    ap.add_argument("--ready-file", help="created once listening")
    a = ap.parse_args(argv)
    raise_nofile(65536)

    async def main():
        loop = asyncio.get_running_loop()
        servers = []
        for port in a.port:
            servers.append(await loop.create_server(
                _EchoProto, a.bind, port, backlog=4096, reuse_address=True))
        if a.ready_file:
            ready(a.ready_file)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for s in servers:
            s.close()

    asyncio.run(main())


class _HoldConn(asyncio.Protocol):
    """One client connection: counts echoed bytes, wakes a waiter when the
    count it waits for is reached or the connection breaks."""

    def __init__(self, run, idx):
        self.run, self.idx = run, idx
        self.t = None
        self.rx = 0
        self.want = 0
        self.waiter = None
        self.lost = None        # why it broke, once it did
        self.closing = False

    def connection_made(self, transport):
        self.t = transport

    def data_received(self, data):
        self.rx += len(data)
        self._wake()

    def eof_received(self):
        self._broke("EOF")
        return False

    def connection_lost(self, exc):
        if not self.closing:
            self._broke(_why(exc))

    def _broke(self, why):
        if self.lost is None:
            self.lost = why
            self.run.broken(self, why)
        self._wake()

    def _wake(self):
        w = self.waiter
        if w is not None and not w.done() and (self.rx >= self.want
                                               or self.lost):
            w.set_result(None)

    async def echo(self, data, timeout):
        """Send data and wait (bounded) for all of it to come back; None
        when it did, else why not."""
        if self.lost:
            return self.lost
        self.want = self.rx + len(data)
        self.waiter = asyncio.get_running_loop().create_future()
        self.t.write(data)
        try:
            await asyncio.wait_for(self.waiter, timeout)
        except asyncio.TimeoutError:
            return "no echo within %g s" % timeout
        return self.lost

    def close(self):
        self.closing = True
        if self.t is not None:
            if self.lost:
                self.t.abort()
            else:
                self.t.close()


class _HoldStream(_HoldConn):
    """The stream connection: HOLD_MSG-byte numbered messages; records the
    arrival time of every echo and the largest gap between two."""

    def __init__(self, run, idx):
        super().__init__(run, idx)
        self.buf = b""
        self.msgs = 0           # whole messages echoed, hello included
        self.sent = 0           # numbered messages sent
        self.measure = False
        self.last = None        # loop time of the last echo arrival
        self.max_gap = 0.0
        self.gap_start = None
        self.gap_log = 0.01     # gaps this long are listed in self.gaps
        self.gaps = []          # (loop time of the gap's start, seconds)
        self.bad = None

    @property
    def echoed(self):
        return max(0, self.msgs - 1)

    def data_received(self, data):
        now = self.run.loop.time()
        self.buf += data
        n = len(self.buf) // HOLD_MSG
        for k in range(n):
            m = self.buf[k * HOLD_MSG:(k + 1) * HOLD_MSG]
            want = (HOLD_HELLO if self.msgs == 0
                    else b"%07d\n" % ((self.msgs - 1) % 10000000))
            if m != want and self.bad is None:
                self.bad = "stream echo %r, expected %r" % (m, want)
                self.run.error("stream: " + self.bad)
            self.msgs += 1
        self.buf = self.buf[n * HOLD_MSG:]
        if n and self.measure:
            self.gap(now)
            self.last = now
        super().data_received(data)

    def gap(self, now):
        if self.last is None:
            return
        g = now - self.last
        if g >= self.gap_log:
            self.gaps.append((self.last, g))
        if g > self.max_gap:
            self.max_gap = g
            self.gap_start = self.last

    async def send_loop(self, period, stop):
        loop = self.run.loop
        t0 = loop.time()
        while not stop.is_set() and not self.lost:
            self.t.write(b"%07d\n" % (self.sent % 10000000))
            self.sent += 1
            delay = t0 + self.sent * period - loop.time()
            if delay < -period:        # fell behind: no burst to catch up
                t0 -= delay
                delay = 0
            await asyncio.sleep(max(0.0, delay))


class _HoldRun:
    def __init__(self, loop):
        self.loop = loop
        self.resets = 0
        self.errors = []
        self.ready = False

    def error(self, text):
        if len(self.errors) < 10:
            self.errors.append(text)

    def broken(self, conn, why):
        if why in ("ECONNRESET", "EOF"):
            self.resets += 1
        self.error("conn %d: %s%s" % (conn.idx, why,
                                      "" if self.ready else " (opening)"))


async def _hold_open(run, a, targets, n, stop):
    """Open n idle connections and the stream (index n), each with its
    hello echoed, unless stop is set first; returns the list, None where a
    connection failed."""
    loop = run.loop
    deadline = loop.time() + a.open_timeout
    sem = asyncio.Semaphore(a.parallel)

    async def one(i):
        cls = _HoldStream if i == n else _HoldConn
        host, port = targets[0 if i == n else i % len(targets)]
        last = "no attempt"
        async with sem:
            while loop.time() < deadline and not stop.is_set():
                left = deadline - loop.time()
                try:
                    _, p = await asyncio.wait_for(loop.create_connection(
                        lambda: cls(run, i), host, port), min(3.0, left))
                except (OSError, asyncio.TimeoutError) as e:
                    last = _why(e)
                    await asyncio.sleep(min(0.2, max(0.0, left)))
                    continue
                why = await p.echo(HOLD_HELLO, max(0.1, min(5.0, left)))
                if why is None:
                    return p
                p.close()
                last = "hello: " + why
                break
        run.error("conn %d: not established (%s)" % (i, last))
        return None

    return await asyncio.gather(*(one(i) for i in range(n + 1)))


async def _watch_stop_file(path, stop):
    while path is not None and not stop.is_set():
        if os.path.exists(path):
            stop.set()
        await asyncio.sleep(0.02)


async def _hold(a):
    loop = asyncio.get_running_loop()
    run = _HoldRun(loop)
    stop = asyncio.Event()
    for sig in (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    targets = []
    for t in a.target:
        host, _, port = t.rpartition(":")
        targets.append((host, int(port)))
    n = a.conns
    t_begin = loop.time()
    watcher = loop.create_task(_watch_stop_file(a.stop_file, stop))
    conns = await _hold_open(run, a, targets, n, stop)
    opened = sum(1 for c in conns if c is not None)
    res = {"conns_wanted": n + 1, "conns_opened": opened,
           "open_s": round(loop.time() - t_begin, 3)}
    if opened < n + 1:
        res.update(conns_ok=0, conns_failed=n + 1 - opened,
                   resets=run.resets, stream_sent=0, stream_echoed=0,
                   stream_max_gap_ms=None, stream_gap_at=None,
                   errors=run.errors, exit=HOLD_SETUP)
        for c in conns:
            if c is not None:
                c.close()
        stop.set()
        await watcher
        return res
    stream = conns[n]
    idle = conns[:n]
    # No collector pause while the gaps are timed; the stream flows for
    # --warmup s before they are.
    gc.collect()
    gc.freeze()
    gc.disable()
    sender = loop.create_task(stream.send_loop(a.stream_ms / 1000.0, stop))
    try:
        await asyncio.wait_for(stop.wait(), a.warmup)
    except asyncio.TimeoutError:
        pass
    run.ready = True
    t_ready, ready_epoch = loop.time(), time.time()
    if a.ready_file:
        with open(a.ready_file + ".tmp", "w") as f:
            f.write("%.6f\n" % ready_epoch)
        os.rename(a.ready_file + ".tmp", a.ready_file)
    stream.measure = True
    stream.gap_log = max(0.01, 2 * a.stream_ms / 1000.0)
    try:
        await asyncio.wait_for(stop.wait(), a.duration)
    except asyncio.TimeoutError:
        pass
    stop.set()
    await sender
    await watcher
    t_stop = loop.time()

    async def drain():
        lim = loop.time() + a.check_timeout
        while (stream.echoed < stream.sent and not stream.lost
               and loop.time() < lim):
            await asyncio.sleep(0.01)
        if stream.echoed < stream.sent and stream.last is not None:
            stream.gap(loop.time())     # a stall still open counts

    checks = await asyncio.gather(
        drain(), *(c.echo(b"?", a.check_timeout) for c in idle))
    failed = 0
    for c, why in zip(idle, checks[1:]):
        if why is not None:
            failed += 1
            if not c.lost:
                run.error("conn %d: %s" % (c.idx, why))
    stream_ok = (not stream.lost and stream.bad is None
                 and stream.echoed == stream.sent and stream.sent > 0)
    if not stream_ok:
        failed += 1
        if not stream.lost and stream.bad is None:
            run.error("stream: %d of %d messages echoed" % (stream.echoed,
                                                            stream.sent))
    gap_ms = round(stream.max_gap * 1000.0, 1)
    gaps = sorted(sorted(stream.gaps, key=lambda x: -x[1])[:50])
    res.update(
        conns_ok=opened - failed, conns_failed=failed, resets=run.resets,
        stream_sent=stream.sent, stream_echoed=stream.echoed,
        stream_max_gap_ms=gap_ms,
        stream_gap_at=(None if stream.gap_start is None
                       else round(stream.gap_start - t_ready, 3)),
        stream_gap_epoch=(None if stream.gap_start is None else
                          round(ready_epoch + stream.gap_start - t_ready, 6)),
        stream_gaps=[[round(ready_epoch + t - t_ready, 6),
                      round(g * 1000.0, 1)] for t, g in gaps],
        ready_epoch=round(ready_epoch, 6),
        held_s=round(t_stop - t_ready, 3), errors=run.errors)
    bad = failed or run.resets
    if a.max_gap_ms is not None and gap_ms >= a.max_gap_ms:
        run.error("stream gap %.1f ms >= %g ms" % (gap_ms, a.max_gap_ms))
        bad = True
    res["exit"] = HOLD_LOST if bad else HOLD_OK
    for c in conns:
        c.close()
    await asyncio.sleep(0)
    return res


def hold_client(*argv):
    """Hold N idle connections and a stream across a fault.

    Opens --conns idle connections (each sends a hello and waits for its
    echo, then stays idle) and one stream connection to the first
    --target, at most --parallel being opened at once, all within
    --open-timeout. Once all N+1 are up it streams a numbered 8-byte
    message every --stream-ms; after --warmup s it writes --ready-file (the
    epoch time in it) and times the echoes, for --duration seconds or until
    SIGUSR1/SIGTERM/SIGINT or --stop-file appears (either also ends the
    opening early).
    Then it waits at most --check-timeout for the stream's echoes and for
    one byte echoed on every idle connection.

    Prints (and writes to --out) a JSON summary: conns_wanted (N+1),
    conns_opened, conns_ok, conns_failed (the stream counts as one, failed
    when it broke or not every message came back), resets (ECONNRESET or
    EOF from the server), stream_sent, stream_echoed, stream_max_gap_ms
    (largest gap between two echo arrivals, a stall still open at the end
    included), stream_gap_at (its start, s after ready), stream_gap_epoch,
    stream_gaps ([epoch, ms] of the 50 largest gaps of 2 periods or more),
    ready_epoch, open_s, held_s, errors (the first 10), exit.

    Exit status: 0 every connection survived and the stream never broke
    (and its gap stayed under --max-gap-ms if given); 1 something was
    lost; 2 usage; 3 the connections could not all be opened.
    """
    ap = argparse.ArgumentParser(
        prog="probe.py hold-client", description=hold_client.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append", required=True,
                    metavar="IP:PORT", help="server (repeatable: idle "
                    "connections go round-robin, the stream to the first)")
    ap.add_argument("--conns", type=int, required=True,
                    help="idle connections (the stream comes on top)")
    ap.add_argument("--stream-ms", type=float, default=5.0)
    ap.add_argument("--duration", type=float, default=10.0,
                    help="seconds held once ready (default 10)")
    ap.add_argument("--ready-file")
    ap.add_argument("--stop-file", help="stop holding once this exists")
    ap.add_argument("--out", help="also write the JSON summary here")
    ap.add_argument("--open-timeout", type=float, default=30.0)
    ap.add_argument("--check-timeout", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=0.3,
                    help="seconds the stream flows before it is timed and "
                    "the ready file written (default 0.3)")
    ap.add_argument("--parallel", type=int, default=128)
    ap.add_argument("--max-gap-ms", type=float,
                    help="also fail (exit 1) when the stream's largest gap "
                    "reaches this")
    a = ap.parse_args(argv)
    if a.conns < 0 or a.stream_ms <= 0 or a.parallel < 1:
        ap.error("--conns >= 0, --stream-ms > 0, --parallel >= 1")
    raise_nofile(a.conns + 256)
    res = asyncio.run(_hold(a))
    text = json.dumps(res)
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.rename(a.out + ".tmp", a.out)
    print(text, flush=True)
    sys.exit(res["exit"])


def hold_summary(path, *keys):
    """One stable line for a test log from hold-client's JSON (or, with
    KEYs, their values separated by spaces, "-" when absent); exit 1 when
    the file is missing or not a summary."""
    try:
        with open(path) as f:
            res = json.load(f)
    except (OSError, ValueError):
        print("hold: no summary in %s" % path)
        sys.exit(1)
    if keys:
        print(" ".join("-" if res.get(k) is None else str(res[k])
                       for k in keys))
        return
    print("hold " + " ".join("%s=%s" % (k, "-" if res.get(k) is None
                                          else res[k]) for k in HOLD_KEYS))
    for e in res.get("errors") or []:
        print("hold error: " + e)


SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def vlan_access(access, trunk, vid, rdy, secs):
    """Userspace 802.1Q access port: this kernel may lack 8021q and
    act_vlan, so a Linux host cannot tag by itself. The kernel may have
    taken a received tag off already (then it is in PACKET_AUXDATA)."""
    vid, end = int(vid), time.time() + float(secs)
    socks = {}
    for dev in (access, trunk):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(0x0003))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.bind((dev, 0))
        s.setblocking(False)
        socks[s] = dev
    out = {d: s for s, d in socks.items()}
    tag = struct.pack("!HH", 0x8100, vid & 0xfff)
    ready(rdy)
    while time.time() < end:
        r, _, _ = select.select(list(socks), [], [], 0.5)
        for s in r:
            try:
                data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
            except BlockingIOError:
                continue
            if addr[2] == PACKET_OUTGOING or len(data) < 14:
                continue
            got = None          # VLAN id of a tagged trunk frame
            for lvl, typ, b in anc:
                # struct tpacket_auxdata: status at 0, vlan_tci at 16
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA and \
                        len(b) >= 18:
                    st, = struct.unpack_from("=I", b, 0)
                    tci, = struct.unpack_from("=H", b, 16)
                    if st & TP_STATUS_VLAN_VALID:
                        got = tci & 0xfff
            if socks[s] == access:
                frame = data[:12] + tag + data[12:]
                dst = trunk
            else:
                if got is None and data[12:14] == b"\x81\x00":
                    got = struct.unpack_from("!H", data, 14)[0] & 0xfff
                    data = data[:12] + data[16:]
                if got != vid:
                    continue
                frame, dst = data, access
            try:
                out[dst].send(frame)
            except OSError:
                pass


def stall_thread(pid, comm, secs):
    """A fault of one thread only, as a stuck worker would be: PTRACE_SEIZE
    and PTRACE_INTERRUPT stop that task and no other of its process (no
    group stop), PTRACE_DETACH lets it go on where it was."""
    seize, interrupt, detach, wall = 0x4206, 0x4207, 17, 0x40000000
    tid = None
    for t in sorted(os.listdir("/proc/%s/task" % pid)):
        with open("/proc/%s/task/%s/comm" % (pid, t)) as f:
            if f.read().strip() == comm:
                tid = int(t)
                break
    if tid is None:
        print("no thread %s in %s" % (comm, pid))
        sys.exit(1)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
                            ctypes.c_void_p]
    if libc.ptrace(seize, tid, None, None) != 0 or \
            libc.ptrace(interrupt, tid, None, None) != 0:
        print("ptrace: %s" % os.strerror(ctypes.get_errno()))
        sys.exit(1)
    os.waitpid(tid, wall)
    print("stalled %d" % tid, flush=True)
    time.sleep(min(float(secs), 30))
    libc.ptrace(detach, tid, None, None)
    print("released", flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1].replace("-", "_")
    globals()[cmd](*sys.argv[2:])
