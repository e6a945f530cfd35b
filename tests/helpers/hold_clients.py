#!/usr/bin/python3
"""tests/helpers/hold_clients.py - idle clients that hold a server's
slots, for tests/hostile/45-idle-clients.sh.

  unix PATH N      N connections to a SOCK_SEQPACKET unix socket (jitsud's
                   control socket)
  tcp ADDR PORT N  N TCP connections (the metrics port)

Each connection sends nothing. Prints "open=N" once all are connected,
then "closed=K" each time the server has closed more of them, and exits
when all are closed (or when killed).
"""
import select
import socket
import sys


def main():
    mode = sys.argv[1]
    if mode == "unix":
        path, n = sys.argv[2], int(sys.argv[3])
        target, fam, typ = path, socket.AF_UNIX, socket.SOCK_SEQPACKET
    elif mode == "tcp":
        addr, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        target, fam, typ = (addr, port), socket.AF_INET, socket.SOCK_STREAM
    else:
        sys.exit("usage: hold_clients.py unix PATH N | tcp ADDR PORT N")
    socks = []
    for _ in range(n):
        s = socket.socket(fam, typ)
        s.connect(target)
        socks.append(s)
    print("open=%d" % len(socks), flush=True)
    closed = 0
    live = list(socks)
    while live:
        r, _, _ = select.select(live, [], [])
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                live.remove(s)
                closed += 1
        print("closed=%d" % closed, flush=True)


main()
