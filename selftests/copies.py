#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run a command that sends frames into a monitored port, and check the
copies that reach the destinations byte for byte (evasion.sh).

Run in the destination's namespace: the receiving socket (AF_PACKET on
--rx, outer IPv4) is opened there; the process then joins --gen-ns and
runs the command after "--" (build/selftests/inject with -w FILE). FILE
holds the IP packet sent (link padding included): each copy must carry
exactly its first IP-total-length bytes. --want "198.51.100.2:3
198.51.100.3:0" says how many copies each outer destination must get
within --wait seconds; any other copy fails. Prints "D=N ... exact=0|1".
"""
import argparse
import struct
import subprocess
import sys

import copyrx


def ip_packet(raw):
    """The IP packet at the start of raw, without what follows it."""
    if raw[0] >> 4 == 4:
        return raw[:struct.unpack("!H", raw[2:4])[0]]
    return raw[:40 + struct.unpack("!H", raw[4:6])[0]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen-ns", required=True)
    ap.add_argument("--rx", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--want", required=True)
    ap.add_argument("--wait", type=float, default=2.0)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()

    rx = copyrx.open_rx(a.rx)
    copyrx.join_netns(a.gen_ns)
    subprocess.run(a.cmd, check=True, stdout=subprocess.DEVNULL)
    with open(a.file, "rb") as f:
        sent = ip_packet(f.read())

    want = {d: int(n) for d, n in (w.split(":") for w in a.want.split())}
    got = {d: 0 for d in want}
    bad = 0
    for dst, inner in copyrx.copies(rx, a.wait):
        if dst in got and inner == sent:
            got[dst] += 1
        else:
            bad += 1
    print(" ".join("%s=%d" % (d, got[d]) for d in sorted(got)) +
          " other=%d exact=%d" % (bad, int(got == want and not bad)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
