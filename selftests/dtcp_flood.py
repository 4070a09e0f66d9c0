#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile datagrams at dtcpd, for selftests/dtcp_hostile.sh.

    dtcp_flood.py -s ADDR -b ADDR -p PORT[,PORT] [-t SECONDS] [-n COUNT]
                  [-r RATE] [-k KIND,...] [-f REQUEST]

Sends, for SECONDS or COUNT datagrams, a cycle of datagrams no control source would send:
random binary, an authentic request (REQUEST, bytes as dtcpc -o wrote
them) cut short, malformed DTCP (escapes out of range or of control
characters, NUL bytes, a line without ':'), a status line instead of a
request, well-formed requests from an unknown Csource-ID, with a bad HMAC
or naming a source this sender may not speak for, and, every 32nd, an
oversized one of 65507 bytes (the largest UDP payload over IPv4): huge
values, a huge name, thousands of parameters, binary. Ports take turns,
two datagrams each. RATE (datagrams per second, 0: as fast as possible)
paces them; KINDS sends one datagram of each kind named, in turn (once
without COUNT or SECONDS). Prints
'# flood: N datagrams in S s (R/s), B bytes, A answered' and the count of
each kind; exits 1 if nothing was sent or anything was answered.
"""
import argparse
import os
import random
import socket
import sys
import time

BIG = 65507


def req(method, params, auth=b"0" * 40):
    lines = [method + b" DTCP/0.7"] + params + [b"Authentication-Info: " + auth]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def fill(head, tail, byte=b"A"):
    """head + padding (byte repeated) + tail, BIG bytes in all."""
    n = BIG - len(head) - len(tail)
    return head + (byte * n)[:n] + tail


def datagrams(rng, sample):
    """(kind, bytes) small ones to cycle through, and the oversized ones."""
    small = []
    for _ in range(48):
        small.append(("binary", rng.randbytes(rng.randrange(1, 1400))))
    if sample:
        for _ in range(16):
            small.append(("truncated", sample[: rng.randrange(1, len(sample))]))
    for i in range(8):
        seq = str(rng.randrange(1, 1 << 63)).encode()
        small += [
            ("bad-escape", req(b"NOOP", [b"Csource-ID: cs1", b"Seq: " + seq, b"X-\\999: \\000"])),
            ("bad-escape", req(b"ADD", [b"Csource-ID: cs\\0011", b"Seq: " + seq])),
            ("nul", req(b"NOOP", [b"Csource-ID: cs2\0", b"Seq: " + seq + b"\0"])),
            ("nul", b"NOOP DTCP/0.7\0\r\nCsource-ID: cs1\r\n\r\n"),
            ("no-colon", req(b"NOOP", [b"Csource-ID cs2", b"Seq: " + seq])),
            ("status", b"DTCP/0.7 200 OK\r\nSeq: " + seq + b"\r\n\r\n"),
            ("bad-version", req(b"NOOP", [b"Csource-ID: cs2"]).replace(b"DTCP/0.7", b"DTCP/9x")),
            ("unknown-source", req(b"NOOP", [b"Csource-ID: intruder%d" % i, b"Seq: " + seq])),
            ("bad-hmac", req(b"ADD", [b"Csource-ID: cs2", b"Seq: " + seq, b"Cdest-ID: cd4",
                                       b"Flags: Static"], rng.randbytes(20).hex().encode())),
            ("not-allowed", req(b"DELETE", [b"Csource-ID: cs1", b"Seq: " + seq,
                                            b"Criteria-ID: 1"])),
        ]
    rng.shuffle(small)
    many = b"".join(b"X-P%d: v\r\n" % i for i in range(6000))
    big = [
        ("big-value", fill(b"NOOP DTCP/0.7\r\nCsource-ID: cs2\r\nSeq: 1\r\nX-A: ",
                           b"\r\nAuthentication-Info: " + b"0" * 40 + b"\r\n\r\n")),
        ("big-name", fill(b"NOOP DTCP/0.7\r\nCsource-ID: intruder\r\nX-", b": 1\r\n\r\n")),
        ("big-escapes", fill(b"NOOP DTCP/0.7\r\nCsource-ID: cs2\r\nX-E: ", b"\r\n\r\n",
                             b"\\065")),
        ("many-params", (b"NOOP DTCP/0.7\r\nCsource-ID: cs1\r\n" + many)[:BIG]),
        ("big-binary", rng.randbytes(BIG)),
    ]
    return small, big


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-s", "--server", required=True)
    ap.add_argument("-b", "--bind", required=True)
    ap.add_argument("-p", "--ports", required=True)
    ap.add_argument("-t", "--seconds", type=float, default=0)
    ap.add_argument("-n", "--count", type=int, default=0)
    ap.add_argument("-r", "--rate", type=float, default=0)
    ap.add_argument("-k", "--kinds")
    ap.add_argument("-f", "--sample")
    a = ap.parse_args()
    rng = random.Random(8)
    sample = open(a.sample, "rb").read() if a.sample else b""
    small, big = datagrams(rng, sample)
    cycle = []
    for i, d in enumerate(small):
        cycle.append(d)
        if i % 32 == 31:
            cycle.append(big[(i // 32) % len(big)])
    if a.kinds:
        cycle = [d for d in small + big if d[0] in a.kinds.split(",")]
        cycle = list({k: (k, d) for k, d in cycle}.values())  # one of each kind
        if not a.count and not a.seconds:
            a.count = len(cycle)
    if not cycle:
        ap.error("no such kinds")
    ports = [int(p) for p in a.ports.split(",")]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    kinds = {}
    n = nbytes = 0
    start = time.monotonic()
    end = start + a.seconds
    while (not a.count or n < a.count) and (not a.seconds or time.monotonic() < end):
        # Pacing: never ahead of RATE.
        if a.rate and n >= (time.monotonic() - start) * a.rate:
            time.sleep(1 / a.rate)
            continue
        k, d = cycle[n % len(cycle)]
        try:
            nbytes += s.sendto(d, (a.server, ports[(n // 2) % len(ports)]))
        except OSError:
            pass  # a full queue: the datagram is lost, not counted
        else:
            kinds[k] = kinds.get(k, 0) + 1
        n += 1
    took = time.monotonic() - start
    # Nothing we sent deserves an answer.
    replies = 0
    s.settimeout(0.5)
    try:
        while True:
            s.recv(65535)
            replies += 1
    except OSError:
        pass
    sent = sum(kinds.values())
    print("# flood: %d datagrams in %.1f s (%d/s), %d bytes, %d answered" %
          (sent, took, sent / max(took, 1e-3), nbytes, replies))
    print("# flood kinds: " + " ".join("%s=%d" % kv for kv in sorted(kinds.items())))
    return 0 if sent and not replies else 1


if __name__ == "__main__":
    sys.exit(main())
