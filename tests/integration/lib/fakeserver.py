#!/usr/bin/env python3
"""fakeserver.py: a scripted IMAP server for negative tests (stdlib only).

    python3 fakeserver.py --port P --script FILE [--timeout S] [--max-time S] [-v]
    python3 fakeserver.py --port P --stall [--timeout S]

Listens on 127.0.0.1 only, accepts ONE connection, plays the script, and
exits.  With --port 0 the kernel picks a free port, which is printed as the
first line of stdout (then flushed), before accepting.

Script language (one directive per line; blank lines and lines starting with
"#" are ignored):

  S: TEXT        send TEXT followed by CRLF
  S-raw: TEXT    send TEXT as is (no CRLF appended)
                 In TEXT: \\r \\n \\t \\\\ and \\xHH are escapes; the token $tag is
                 replaced by the tag of the client line being answered (the
                 last one read).
  C: PATTERN     read one client line and check it against PATTERN; on a
                 mismatch, print both on stderr and exit 1
  C*: PATTERN    optional: if the next client line matches, consume it and run
                 the S:/S-raw:/sleep:/close lines that follow (its block);
                 otherwise skip the block and keep the line for the next
                 C:/C*:/serve step.  If the client sends nothing within the
                 timeout, the block is skipped too.
  on: PATTERN    a handler for "serve": the S:/S-raw:/sleep:/close lines that
                 follow are its block.  Handlers are not run in sequence.
  serve          answer every further client line with the first handler whose
                 pattern matches (with no match: "$tag BAD fakeserver: no
                 handler", noted on stderr); ends when the client closes or a
                 block runs "close"
  sleep: SECS    pause (e.g. "sleep: 1.5")
  close          close the connection and exit 0

Client lines are read up to LF; literals ({n}) are not interpreted, so a
client literal arrives as separate lines (answer "+ ..." with an S: line).
PATTERN is matched against the client line without its CRLF, ignoring case.
"*" matches any run of characters; everything else is literal.  A leading
"* " means "any tag": "C: * CAPABILITY" matches "a1 CAPABILITY".

Every wait (accept, client line) is bounded by --timeout (default 10 s); on
expiry the server prints why on stderr and exits 2.  --max-time (default 60
s) bounds the whole run.  --stall accepts and never sends anything; it exits
0 when the client closes, or after --timeout.

Exit codes: 0 script completed (or the client closed during "serve"), 1
client line did not match / client closed too early, 2 timeout, 3 bad script
or arguments.
"""

import argparse
import re
import socket
import sys
import time


class ScriptError(Exception):
    pass


class Timeout(Exception):
    pass


class Mismatch(Exception):
    pass


class Closed(Exception):
    """The script asked to close, or the client hung up."""


def log(msg):
    sys.stderr.write("fakeserver: %s\n" % msg)
    sys.stderr.flush()


def unescape(text, lineno):
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise ScriptError("line %d: lone backslash at the end" % lineno)
        nxt = text[i + 1]
        if nxt in "rnt\\":
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[nxt]
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2:i + 4] or ""):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise ScriptError("line %d: unknown escape \\%s" % (lineno, nxt))
    return bytes(out)


def compile_pattern(pat):
    """Returns a function line(bytes) -> bool."""
    any_tag = pat.startswith("* ")
    body = pat[2:] if any_tag else pat
    rx = "".join(".*" if c == "*" else re.escape(c) for c in body)
    if any_tag:
        rx = r"[^ ]+ " + rx
    creg = re.compile(rx.encode("latin-1", "replace"), re.IGNORECASE | re.DOTALL)
    return lambda line: creg.fullmatch(line) is not None


def parse_script(path):
    """Returns (steps, handlers).  A step is a tuple (kind, lineno, arg, block)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    steps, handlers = [], []
    owner = None  # the C*:/on: whose block is being filled
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        line = line.lstrip()
        m = re.match(r"(S|S-raw|C|C\*|on|sleep):(?: (.*)|$)", line)
        if m:
            kind, arg = m.group(1), m.group(2) or ""
        elif line.strip() in ("close", "serve"):
            kind, arg = line.strip(), ""
        else:
            raise ScriptError("%s:%d: cannot parse %r" % (path, lineno, raw))
        if kind in ("S", "S-raw"):
            data = unescape(arg, lineno) + (b"\r\n" if kind == "S" else b"")
            step = ("send", lineno, data, None)
        elif kind == "sleep":
            try:
                secs = float(arg)
            except ValueError:
                raise ScriptError("%s:%d: sleep needs seconds, not %r" % (path, lineno, arg))
            step = ("sleep", lineno, secs, None)
        elif kind == "close":
            step = ("close", lineno, None, None)
        elif kind in ("C", "C*", "on"):
            if not arg:
                raise ScriptError("%s:%d: %s: needs a pattern" % (path, lineno, kind))
            step = ({"C": "expect", "C*": "optional", "on": "on"}[kind], lineno,
                    (arg, compile_pattern(arg)), [])
        else:  # serve
            step = ("serve", lineno, None, None)

        if step[0] in ("send", "sleep", "close") and owner is not None:
            owner[3].append(step)
            continue
        owner = None
        if step[0] == "on":
            handlers.append(step)
            owner = step
        else:
            steps.append(step)
            if step[0] == "optional":
                owner = step
    return steps, handlers


class Conn:
    def __init__(self, sock, timeout, deadline, verbose):
        self.sock = sock
        self.timeout = timeout
        self.deadline = deadline
        self.verbose = verbose
        self.buf = b""
        self.pending = None  # a line read by C*: that did not match
        self.tag = None

    def _wait_time(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Timeout("--max-time reached")
        return min(self.timeout, left)

    def read_line(self, what):
        """Returns the next client line without CRLF; raises Closed on EOF."""
        if self.pending is not None:
            line, self.pending = self.pending, None
            return line
        end = time.monotonic() + self._wait_time()
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise Timeout("no client line within %.1f s (waiting for %s)" % (self.timeout, what))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError as e:
                raise Closed("client connection failed: %s" % e)
            if not chunk:
                raise Closed("client closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line[:-1] if line.endswith(b"\r") else line
        if self.verbose:
            log("C: %s" % line.decode("utf-8", "replace"))
        self.tag = line.split(b" ", 1)[0].decode("latin-1")
        return line

    def unread(self, line):
        self.pending = line

    def send(self, data, lineno):
        if b"$tag" in data:
            if self.tag is None:
                raise ScriptError("line %d: $tag used before any client line" % lineno)
            data = data.replace(b"$tag", self.tag.encode("latin-1"))
        if self.verbose:
            log("S: %s" % data.decode("utf-8", "replace").rstrip("\r\n"))
        self.sock.settimeout(self._wait_time())
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("client connection failed while sending (script line %d): %s" % (lineno, e))


def run_block(conn, block):
    for kind, lineno, arg, _ in block:
        if kind == "send":
            conn.send(arg, lineno)
        elif kind == "sleep":
            time.sleep(max(0.0, min(arg, conn.deadline - time.monotonic())))
        elif kind == "close":
            raise Closed("script closed the connection (line %d)" % lineno)


def serve(conn, handlers):
    while True:
        try:
            line = conn.read_line("a command in serve")
        except Closed:
            return  # the client hung up: the normal end of serve
        for _, _, (pat, match), block in handlers:
            if match(line):
                run_block(conn, block)
                break
        else:
            log("no handler for client line %r; answering BAD" % line.decode("utf-8", "replace"))
            conn.send(b"$tag BAD fakeserver: no handler\r\n", 0)


def play(conn, steps, handlers):
    for kind, lineno, arg, block in steps:
        if kind == "send":
            conn.send(arg, lineno)
        elif kind == "sleep":
            time.sleep(max(0.0, min(arg, conn.deadline - time.monotonic())))
        elif kind == "close":
            return
        elif kind == "expect":
            pat, match = arg
            try:
                line = conn.read_line("line %d: C: %s" % (lineno, pat))
            except Closed as e:
                raise Mismatch("line %d: expected a client line matching %r, but %s" % (lineno, pat, e))
            if not match(line):
                raise Mismatch("line %d: expected a client line matching %r, got %r"
                               % (lineno, pat, line.decode("utf-8", "replace")))
        elif kind == "optional":
            pat, match = arg
            try:
                line = conn.read_line("line %d: C*: %s" % (lineno, pat))
            except Timeout:
                continue
            except Closed:
                return
            if match(line):
                run_block(conn, block)
            else:
                conn.unread(line)
        elif kind == "serve":
            serve(conn, handlers)
            return
    if conn.pending is not None:
        log("script ended with an unanswered client line: %r"
            % conn.pending.decode("utf-8", "replace"))


def main():
    ap = argparse.ArgumentParser(description="scripted one-connection IMAP server (127.0.0.1 only)")
    ap.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1; 0 = pick one and print it")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--script", help="script file to play")
    mode.add_argument("--stall", action="store_true", help="accept and never send anything")
    ap.add_argument("--timeout", type=float, default=10.0, help="bound on every wait, seconds (default 10)")
    ap.add_argument("--max-time", type=float, default=60.0, help="bound on the whole run, seconds (default 60)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log the dialogue on stderr")
    args = ap.parse_args()
    if not 0 <= args.port <= 65535 or args.timeout <= 0 or args.max_time <= 0:
        log("bad --port, --timeout or --max-time")
        return 3

    steps = handlers = None
    if args.script:
        try:
            steps, handlers = parse_script(args.script)
        except (OSError, ScriptError) as e:
            log("bad script: %s" % e)
            return 3

    deadline = time.monotonic() + args.max_time
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        lsock.bind(("127.0.0.1", args.port))
    except OSError as e:
        log("cannot listen on 127.0.0.1:%d: %s" % (args.port, e))
        return 3
    lsock.listen(1)
    print(lsock.getsockname()[1], flush=True)

    lsock.settimeout(min(args.timeout, args.max_time))
    try:
        sock, peer = lsock.accept()
    except socket.timeout:
        log("no client connected within %.1f s" % args.timeout)
        return 2
    finally:
        lsock.close()
    if args.verbose:
        log("connection from %s:%d" % peer)

    try:
        if args.stall:
            sock.settimeout(min(args.timeout, args.max_time))
            try:
                while sock.recv(4096):
                    pass
            except socket.timeout:
                log("stall: the client did not close within %.1f s" % args.timeout)
            except OSError:
                pass
            return 0
        conn = Conn(sock, args.timeout, deadline, args.verbose)
        try:
            play(conn, steps, handlers)
        except Closed as e:
            if args.verbose:
                log(str(e))
        except Mismatch as e:
            log(str(e))
            return 1
        except Timeout as e:
            log("timeout: %s" % e)
            return 2
        except ScriptError as e:
            log("bad script: %s" % e)
            return 3
        return 0
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
