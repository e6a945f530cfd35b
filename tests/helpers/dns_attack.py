#!/usr/bin/python3
"""tests/helpers/dns_attack.py - the DNS attacker and fake upstream used by
tests/hostile/1x-dns-*.sh. Plain sockets, real packets; run it inside the
test's network namespace.

  upstream ADDR PORT MODE COUNTFILE   fake upstream resolver:
        big     answer every query with ~3.8 KB (240 A records), RA set
        silent  never answer (holds the forwarder's slots)
        holdq   never answer names whose first label starts with "q" (the
                flood's), answer others with one A record, RA clear
      each query received appends a line to COUNTFILE
  query SERVER NAME [--src A] [--rd 0|1] [--edns SIZE] [--tcp]
        one query; prints "rcode=N tc=0|1 ra=0|1 aa=0|1 qlen=N rlen=N"
  flood SERVER NAME N [--src A]
        N queries at once (distinct IDs), then reads replies for a while;
        prints "sent=N noerror=N refused=N servfail=N other=N none=N"
  slowloris SERVER PORT N [--src A] [--every S] [--secs S]
        N TCP connections, each sends a message one byte at a time every
        S seconds; prints, at the end, how many the server closed
        ("closed=N of N")
  hold SERVER PORT N [--src A]
        N TCP connections that send one byte of a message and wait;
        prints "open=N" once they are all connected, then sleeps until
        killed
"""
import os
import select
import socket
import struct
import sys
import time


def build_query(qid, name, rd=True, edns=None, qtype=1):
    flags = 0x0100 if rd else 0
    q = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack(">HHIH", 41, edns, 0, 0)
    return q


def qend(pkt):
    o = 12
    while pkt[o]:
        o += 1 + pkt[o]
    return o + 5


def opt_arg(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def flag_arg(args, name):
    if name in args:
        args.remove(name)
        return True
    return False


def upstream(addr, port, mode, countfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    print("ready", flush=True)
    while True:
        pkt, peer = s.recvfrom(4096)
        with open(countfile, "a") as f:
            f.write("q\n")
        if mode == "silent" or len(pkt) < 12:
            continue
        if mode == "holdq" and pkt[13:14] == b"q":
            continue
        e = qend(pkt)
        n = 240 if mode == "big" else 1
        # QR, RD copied; RA set by "big" (a resolver that says it
        # recurses), clear by "holdq" (jitsud must not copy either)
        flags = 0x8000 | (struct.unpack(">H", pkt[2:4])[0] & 0x0100)
        if mode == "big":
            flags |= 0x0080
        r = pkt[:2] + struct.pack(">HHHHH", flags, 1, n, 0, 0) + pkt[12:e]
        for i in range(n):
            r += struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([192, 0, 2, i])
        s.sendto(r, peer)


def parse_reply(r):
    flags = struct.unpack(">H", r[2:4])[0]
    return {"rcode": flags & 0xF, "tc": (flags >> 9) & 1,
            "ra": (flags >> 7) & 1, "aa": (flags >> 10) & 1}


def query(args):
    src = opt_arg(args, "--src")
    rd = opt_arg(args, "--rd", "1") == "1"
    edns = opt_arg(args, "--edns")
    tcp = flag_arg(args, "--tcp")
    server, name = args[0], args[1]
    q = build_query(0x5151, name, rd, int(edns) if edns else None)
    if tcp:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if src:
            s.bind((src, 0))
        s.settimeout(5)
        s.connect((server, 53))
        s.sendall(struct.pack(">H", len(q)) + q)
        hdr = s.recv(2, socket.MSG_WAITALL)
        r = s.recv(struct.unpack(">H", hdr)[0], socket.MSG_WAITALL)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if src:
            s.bind((src, 0))
        s.settimeout(5)
        s.sendto(q, (server, 53))
        try:
            r = s.recv(65535)
        except socket.timeout:
            print("timeout qlen=%d" % len(q))
            return
    p = parse_reply(r)
    print("rcode=%d tc=%d ra=%d aa=%d qlen=%d rlen=%d" % (
        p["rcode"], p["tc"], p["ra"], p["aa"], len(q), len(r)))


def flood(args):
    src = opt_arg(args, "--src")
    server, name, n = args[0], args[1], int(args[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    if src:
        s.bind((src, 0))
    for i in range(n):
        s.sendto(build_query(i, "q%d.%s" % (i, name)), (server, 53))
    got = {}
    # every query gets a reply (or SERVFAIL on the forward timeout); 5 s
    # of silence ends the wait for stragglers
    while len(got) < n and select.select([s], [], [], 5)[0]:
        pkt = s.recv(65535)
        got[struct.unpack(">H", pkt[:2])[0]] = parse_reply(pkt)["rcode"]
    c = {0: 0, 5: 0, 2: 0}
    other = 0
    for v in got.values():
        if v in c:
            c[v] += 1
        else:
            other += 1
    print("sent=%d noerror=%d refused=%d servfail=%d other=%d none=%d" % (
        n, c[0], c[5], c[2], other, n - len(got)))


def tcp_conns(server, port, n, src):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if src:
            s.bind((src, 0))
        s.connect((server, int(port)))
        socks.append(s)
    return socks


def slowloris(args):
    src = opt_arg(args, "--src")
    every = float(opt_arg(args, "--every", "0.2"))
    secs = float(opt_arg(args, "--secs", "30"))
    server, port, n = args[0], args[1], int(args[2])
    socks = tcp_conns(server, port, n, src)
    msg = struct.pack(">H", 40) + b"x" * 40  # never completed in time
    closed = set()
    end = time.time() + secs
    i = 0
    while time.time() < end and len(closed) < n:
        for k, s in enumerate(socks):
            if k in closed:
                continue
            try:
                s.send(msg[i % len(msg):i % len(msg) + 1])
            except OSError:
                closed.add(k)
                continue
            r, _, _ = select.select([s], [], [], 0)
            if r:
                try:
                    if s.recv(1) == b"":
                        closed.add(k)
                except OSError:
                    closed.add(k)
        i += 1
        time.sleep(every)
    print("closed=%d of %d" % (len(closed), n), flush=True)


def hold(args):
    src = opt_arg(args, "--src")
    server, port, n = args[0], args[1], int(args[2])
    socks = tcp_conns(server, port, n, src)
    for s in socks:
        s.send(b"\0")
    print("open=%d" % len(socks), flush=True)
    while True:
        time.sleep(3600)


def main():
    args = sys.argv[1:]
    cmd = args.pop(0)
    if cmd == "upstream":
        upstream(*args)
    elif cmd == "query":
        query(args)
    elif cmd == "flood":
        flood(args)
    elif cmd == "slowloris":
        slowloris(args)
    elif cmd == "hold":
        hold(args)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
