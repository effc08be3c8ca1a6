#!/usr/bin/python3
"""imap_list.py: list mailboxes on the lab Dovecot, independently of imapconform.

Usage: imap_list.py PORT USER PASS PATTERN

Connects to 127.0.0.1:PORT (plain IMAP, loopback only), logs in, sends
LIST "" PATTERN and prints one mailbox name per line (decoded from an atom, a
quoted string or a literal; nothing else).  No output means no mailbox matched.

Exit status: 0 the LIST completed (whatever it found); 1 the server could not
be reached, refused the login or the LIST; 2 usage.  An error is never
mistaken for an empty answer.  Every wait is bounded (10 s).

Standard library only: run it with /usr/bin/python3.  The password is a
command-line argument because this helper only ever talks to the throwaway
test server (users user1..user4 / pass1..pass4).
"""
import imaplib
import re
import sys

TIMEOUT = 10


def unquote(text):
    """The value of an IMAP quoted string (without the quotes)."""
    return re.sub(r'\\(.)', r'\1', text)


def mailbox_name(item):
    """The mailbox name of one LIST response as imaplib returns it."""
    if isinstance(item, tuple):
        # (b'(\\HasNoChildren) "/" {12}', b'literal name')
        return item[1].decode('utf-8', 'replace')
    line = item.decode('utf-8', 'replace')
    m = re.match(r'^\((?P<attrs>[^)]*)\) (?P<delim>NIL|"(?:[^"\\]|\\.)*") (?P<name>.*)$', line)
    if not m:
        raise ValueError('unexpected LIST response: %r' % line)
    name = m.group('name')
    if name.startswith('"') and name.endswith('"') and len(name) >= 2:
        return unquote(name[1:-1])
    return name


def main(argv):
    if len(argv) != 5:
        sys.stderr.write('usage: imap_list.py PORT USER PASS PATTERN\n')
        return 2
    try:
        port = int(argv[1])
    except ValueError:
        sys.stderr.write('imap_list.py: PORT must be a number\n')
        return 2
    user, password, pattern = argv[2], argv[3], argv[4]
    try:
        imap = imaplib.IMAP4('127.0.0.1', port, timeout=TIMEOUT)
    except OSError as e:
        sys.stderr.write('imap_list.py: cannot connect to 127.0.0.1:%d: %s\n' % (port, e))
        return 1
    try:
        imap.login(user, password)
        pattern_arg = '"' + pattern.replace('\\', '\\\\').replace('"', '\\"') + '"'
        typ, data = imap.list('""', pattern_arg)
        if typ != 'OK':
            sys.stderr.write('imap_list.py: LIST refused: %r\n' % (data,))
            return 1
        for item in data:
            if item is None:
                continue  # imaplib's "no LIST response" marker
            print(mailbox_name(item))
        return 0
    except (imaplib.IMAP4.error, OSError, ValueError) as e:
        sys.stderr.write('imap_list.py: %s\n' % e)
        return 1
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


if __name__ == '__main__':
    sys.exit(main(sys.argv))
