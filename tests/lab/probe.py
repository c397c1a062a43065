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
  garp-watch DEV VIP SECONDS READY       print "GARP <epoch> <mac>" for the
                                         first gratuitous ARP for VIP on DEV
                                         (kernel receive timestamp), or
                                         "timeout"

Every socket operation has a timeout; nothing runs longer than asked.
"""
import hashlib
import select
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
    """First ARP frame with sender IP = target IP = vip (an announcement
    or gratuitous reply), timestamped by the kernel on receipt."""
    so_timestampns = 35
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    s.bind((dev, 0))
    s.setsockopt(socket.SOL_SOCKET, so_timestampns, 1)
    want = socket.inet_aton(vip)
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
        return
    print("timeout", flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1].replace("-", "_")
    globals()[cmd](*sys.argv[2:])
