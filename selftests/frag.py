#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fragmented UDP datagrams into a monitored port, and their copies checked
byte for byte at the destinations (frag.sh).

Run in the destination's namespace: the receiving socket (AF_PACKET on
--rx, the copies' outer IPv4 header) is opened there; the process then
joins --gen-ns and sends from --tx.

Flows (IPv4 or IPv6 by --v), each a 4000-byte UDP datagram cut into three
fragments of at most 1500 bytes:
  X  192.0.2.1:40000 -> 192.0.2.2:5001   (2001:db8::1 -> 2001:db8::2)
  Y  192.0.2.7:40001 -> 192.0.2.2:5002   (2001:db8::7 -> 2001:db8::2)
  Z  192.0.2.1:40000 -> 192.0.2.2:6000
--seq "X2 X1 X0" sends those fragments in that order (datagram ids from
--id, one per flow). --expect "X:198.51.100.2 Y:198.51.100.3" says where
each flow's fragments must be copied ("X0:..." only that fragment of X);
every fragment sent of such a flow
must arrive there exactly once per time sent, as sent, and nothing else
may arrive within --wait seconds (or half a second after the last
wanted copy). Prints "sent=N copies=N want=N exact=0|1".
--flood FLOW:first:N FLOW:later:N ... sends N fragments of FLOW, each of
its own datagram (ids from --id on), and checks nothing.
"""
import argparse
import socket
import struct
import sys

import copyrx

FLOWS = {
    "X": ("192.0.2.1", "2001:db8::1", 40000, 5001),
    "Y": ("192.0.2.7", "2001:db8::7", 40001, 5002),
    "Z": ("192.0.2.1", "2001:db8::1", 40000, 6000),
}
DST4, DST6 = "192.0.2.2", "2001:db8::2"
DATAGRAM = 4000


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp(v, src, dst, sport, dport, ident):
    payload = bytes((ident + i) & 0xFF for i in range(DATAGRAM - 8))
    hdr = struct.pack("!HHHH", sport, dport, DATAGRAM, 0)
    fam = socket.AF_INET if v == 4 else socket.AF_INET6
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    if v == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 17, DATAGRAM)
    else:
        pseudo = s + d + struct.pack("!I3xB", DATAGRAM, 17)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, DATAGRAM, c) + payload


def fragments(v, flow, ident):
    """The three IP packets of flow's datagram with this id."""
    src4, src6, sport, dport = FLOWS[flow]
    src, dst = (src4, DST4) if v == 4 else (src6, DST6)
    data = udp(v, src, dst, sport, dport, ident)
    step = 1480 if v == 4 else 1448
    out = []
    for off in range(0, len(data), step):
        chunk, more = data[off:off + step], off + step < len(data)
        if v == 4:
            frag = (off // 8) | (0x2000 if more else 0)
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk),
                            ident & 0xFFFF, frag, 64, 17, 0,
                            socket.inet_aton(src), socket.inet_aton(dst))
            h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
            out.append(h + chunk)
        else:
            fh = struct.pack("!BBHI", 17, 0, off | (1 if more else 0), ident)
            h = struct.pack("!IHBB16s16s", 6 << 28, 8 + len(chunk), 44, 64,
                            socket.inet_pton(socket.AF_INET6, src),
                            socket.inet_pton(socket.AF_INET6, dst))
            out.append(h + fh + chunk)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen-ns", required=True)
    ap.add_argument("--tx", required=True)
    ap.add_argument("--rx")
    ap.add_argument("--v", type=int, default=4)
    ap.add_argument("--id", type=int, default=1)
    ap.add_argument("--seq", default="")
    ap.add_argument("--expect", default="")
    ap.add_argument("--wait", type=float, default=2.0)
    ap.add_argument("--flood", nargs="+")
    a = ap.parse_args()

    rx = copyrx.open_rx(a.rx) if a.rx else None
    copyrx.join_netns(a.gen_ns)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((a.tx, 0))
    eth = b"\x02\0\0\0\0\x99" + b"\x02\0\0\0\0\x01" + \
        struct.pack("!H", 0x0800 if a.v == 4 else 0x86DD)

    if a.flood:
        ident = a.id
        for spec in a.flood:
            flow, kind, n = spec.split(":")
            for i in range(int(n)):
                tx.send(eth + fragments(a.v, flow, ident)[0 if kind == "first" else 1])
                ident += 1
        print("sent=%d" % (ident - a.id))
        return 0

    ids = {f: a.id + i for i, f in enumerate(sorted(FLOWS))}
    dest = dict(e.split(":", 1) for e in a.expect.split())
    want = {}
    sent = 0
    for item in a.seq.split():
        flow, k = item[0], int(item[1:])
        pkt = fragments(a.v, flow, ids[flow])[k]
        tx.send(eth + pkt)
        sent += 1
        to = dest.get(item, dest.get(flow))
        if to:
            key = (to, pkt)
            want[key] = want.get(key, 0) + 1

    got, other = {}, 0
    # all there: only strays are left to see
    for key in copyrx.copies(rx, a.wait, lambda: got == want):
        if key in want:
            got[key] = got.get(key, 0) + 1
        else:
            other += 1
    copies = sum(got.values()) + other
    exact = int(got == want and not other)
    print("sent=%d copies=%d want=%d exact=%d" % (sent, copies, sum(want.values()), exact))
    return 0


if __name__ == "__main__":
    sys.exit(main())
