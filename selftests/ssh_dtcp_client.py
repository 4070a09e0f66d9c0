#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A DTCP-over-SSH control source, as Junos flow-tap clients are (for ssh_dtcp.sh).

ssh_dtcp_client.py HOST PORT LOGIN KEYFILE CSOURCE SECRET STEP...

Logs in with paramiko (public key), opens the subsystem flow-tap-dtcp and
runs the steps in order; Seq starts at 1 on the session and goes up by one
per request. A step:
  'METHOD|Name: value|...'  a request, signed with SECRET (HMAC-SHA1)
  'key=K'                   sign the next request with K instead
  'seq=N'                   the next request gets Seq N
  'replay'                  send the last request again, byte for byte
  'big=N'                   send N bytes that never end a message
  'hold=S'                  keep the session open S seconds (reads notifications)
  'until=FILE'              keep it open until FILE exists (at most 120 s)
With DTCP_SSH_EXEC set, it asks for that command instead of the
subsystem (what a forced command must turn into the relay).
For each request it prints 'REQ n: CODE' (the answer's status, its HMAC
verified with SECRET), 'REQ n: none' (no answer within the wait) or
'REQ n: closed' (the channel closed), then the answers' lines prefixed
with '> '. It exits 0 once the steps ran, 2 when the login was refused.
"""
import hashlib
import hmac
import os
import re
import sys
import time

import paramiko

WAIT = float(os.environ.get("DTCP_WAIT", "5"))


def sign(text, key):
    mac = hmac.new(key.encode(), text.encode(), hashlib.sha1).hexdigest()
    return text + "Authentication-Info: " + mac + "\r\n\r\n"


class Session:
    def __init__(self, chan):
        self.chan = chan
        self.buf = b""
        self.closed = False

    def read_message(self, wait):
        """The next whole message (up to its empty line), or None."""
        end = time.time() + wait
        while True:
            m = re.search(rb"\r?\n\r?\n", self.buf)
            if m:
                msg, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return msg.decode("utf-8", "replace")
            left = end - time.time()
            if left <= 0 or self.closed:
                return None
            self.chan.settimeout(left)
            try:
                data = self.chan.recv(65536)
            except OSError:  # socket.timeout
                return None
            if not data:
                self.closed = True
                continue
            self.buf += data


def verified(msg, key):
    # Junos style answers write the name in upper case: the name is caseless.
    m = re.match(r"(?si)(.*\r\n)Authentication-Info: ([0-9a-f]{40})\r\n\r\n$", msg)
    if not m:
        return False
    want = hmac.new(key.encode(), m.group(1).encode(), hashlib.sha1).hexdigest()
    return hmac.compare_digest(want, m.group(2).lower())


def show(msg):
    for line in msg.rstrip("\r\n").split("\r\n"):
        print("> " + line)


def main():
    host, port, login, keyfile, csource, secret = sys.argv[1:7]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(host, int(port), username=login, key_filename=keyfile,
                       look_for_keys=False, allow_agent=False, timeout=WAIT * 4,
                       banner_timeout=WAIT * 4, auth_timeout=WAIT * 4)
    except paramiko.AuthenticationException as e:
        print("login refused: %s" % e)
        return 2
    chan = client.get_transport().open_session(timeout=WAIT * 4)
    if os.environ.get("DTCP_SSH_EXEC"):
        chan.exec_command(os.environ["DTCP_SSH_EXEC"])
    else:
        chan.invoke_subsystem("flow-tap-dtcp")
    s = Session(chan)
    seq, n, key, last = 1, 0, secret, None
    for step in sys.argv[7:]:
        if step.startswith("key="):
            key = step[4:]
            continue
        if step.startswith("seq="):
            seq = int(step[4:])
            continue
        if step.startswith("hold=") or step.startswith("until="):
            # until=: the test releases the session when it has looked at
            # it, so a slow guest cannot close it before the checks run.
            until = step[6:] if step.startswith("until=") else None
            end = time.time() + (120 if until else float(step[5:]))
            while time.time() < end and not (until and os.path.exists(until)):
                msg = s.read_message(0.2 if until else max(0.1, end - time.time()))
                if msg:
                    print("NOTIFY: %s" % (msg.split(" ")[1] if verified(msg, secret) else "bad"))
                    show(msg)
            continue
        if step.startswith("big="):
            data = b"NOOP DTCP/0.7\r\nX-Pad: " + b"a" * int(step[4:])
        elif step == "replay":
            data = last
        else:
            parts = step.split("|")
            text = parts[0] + " DTCP/0.7\r\n"
            text += "".join(p + "\r\n" for p in parts[1:])
            text += "Csource-ID: %s\r\nSeq: %d\r\n" % (csource, seq)
            seq += 1
            data = sign(text, key).encode()
            key = secret
        last = data
        n += 1
        try:
            chan.sendall(data)
        except OSError:
            print("REQ %d: closed" % n)
            continue
        msg = s.read_message(WAIT)
        if msg is None:
            print("REQ %d: %s" % (n, "closed" if s.closed else "none"))
            continue
        code = msg.split(" ")[1] if verified(msg, secret) else "unverified"
        print("REQ %d: %s" % (n, code))
        show(msg)
        # A LIST answer may come in more than one message: take what follows at once.
        while True:
            more = s.read_message(0.5)
            if not more:
                break
            show(more)
    chan.close()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
