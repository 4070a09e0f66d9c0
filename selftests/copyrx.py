# SPDX-License-Identifier: GPL-2.0
"""What the copy checkers (frag.py, copies.py) share: a receiving socket
opened in the destination's namespace, joining the sender's namespace, and
the copies that arrive (outer IPv4, protocol 4 or 41)."""
import ctypes
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000


def open_rx(ifname):
    # Protocol 0 at socket(), IPv4 at bind(): a socket created with a
    # protocol receives from every device until it is bound.
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    rx.bind((ifname, 0x0800))
    rx.settimeout(0.2)
    return rx


def join_netns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit("setns %s: %s" % (path, os.strerror(ctypes.get_errno())))
    os.close(fd)


def copies(rx, wait, done=lambda: False):
    """(outer destination, inner IP packet) of each copy within wait
    seconds; half a second after done() first says True, no more."""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            frame = rx.recv(65535)
        except socket.timeout:
            continue
        ip = frame[14:]
        if len(ip) < 20 or ip[9] not in (4, 41):
            continue
        yield (socket.inet_ntoa(ip[16:20]),
               ip[(ip[0] & 0xF) * 4:struct.unpack("!H", ip[2:4])[0]])
        if done():
            end = min(end, time.monotonic() + 0.5)
