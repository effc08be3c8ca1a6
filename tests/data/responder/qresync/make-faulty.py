#!/usr/bin/env python3
"""make-faulty.py: regenerates the faulty transcripts of this directory (and
the hand-corrected good ones) from the recordings.

  good/<scenario id>.txt      recordings of `imapconform run --record DIR
                              --prefix imapconform-rt` against the lab Dovecots
                              (main for qresync.*/sync.*, nomodseq for
                              nomodseq.* and *.nomodseq.txt), verdict PASS
  dovecot-<what>.txt          recordings where the real Dovecot deviates (FAIL,
                              NON-STRICT, INFO), kept unedited, with a
                              "# fault: real Dovecot ..." first line
  good/<id>.txt made from a dovecot-*.txt by CORRECTED below: what a
                              conforming server would have answered, first line
                              "# corrected: ..."
  <case>.txt                  FAULTS below: a copy of a good recording with ONE
                              hand edit (a line changed, deleted, added or
                              moved), first line "# fault: <what>"

Every case, with the verdict and requirement it must produce, is in the CASES
table of tests/integration/test_qresync.sh.  Run from anywhere:
    python3 tests/data/responder/qresync/make-faulty.py
It stops with an error if an edited line is not found (after a re-recording,
adjust the lines below).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BOX = "imapconform-rt-"


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read().split("\n")


def save(name, lines):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def find(lines, text, n=1, start=0):
    seen = 0
    for i in range(start, len(lines)):
        if lines[i] == text:
            seen += 1
            if seen == n:
                return i
    raise SystemExit(f"make-faulty: line not found (occurrence {n}): {text!r}")


# ---- edit operations: each takes the lines and returns new lines ----------

def replace(old, new, n=1):
    new = [new] if isinstance(new, str) else new

    def op(lines):
        i = find(lines, old, n)
        return lines[:i] + new + lines[i + 1:]
    return op


def delete(old, n=1):
    return replace(old, [], n)


def insert_after(anchor, new, n=1):
    new = [new] if isinstance(new, str) else new

    def op(lines):
        i = find(lines, anchor, n)
        return lines[:i + 1] + new + lines[i + 1:]
    return op


def insert_before(anchor, new, n=1):
    new = [new] if isinstance(new, str) else new

    def op(lines):
        i = find(lines, anchor, n)
        return lines[:i] + new + lines[i:]
    return op


def move_after(line, anchor, n=1):
    """Moves the nth occurrence of line to just after the next anchor line."""
    def op(lines):
        i = find(lines, line, n)
        rest = lines[:i] + lines[i + 1:]
        j = find(rest, anchor, 1, start=i)
        return rest[:j + 1] + [line] + rest[j + 1:]
    return op


def delete_range(first, last):
    def op(lines):
        i = find(lines, first)
        j = find(lines, last, 1, start=i)
        return lines[:i] + lines[j + 1:]
    return op


def replace_in(prefix, old, new, n=1):
    """Replaces the text old by new in the nth line that starts with prefix."""
    def op(lines):
        seen = 0
        for i, x in enumerate(lines):
            if x.startswith(prefix):
                seen += 1
                if seen == n:
                    if old not in x:
                        raise SystemExit(f"make-faulty: {old!r} not in line {x!r}")
                    return lines[:i] + [x.replace(old, new, 1)] + lines[i + 1:]
        raise SystemExit(f"make-faulty: line not found (occurrence {n}): {prefix!r}...")
    return op


def make(source, target, first_line, ops):
    lines = load(source)
    # A source that already has a "# fault:" line loses it.
    if lines and lines[0].startswith("# fault:"):
        lines = lines[1:]
    for op in ops:
        lines = op(lines)
    save(target, [first_line] + lines)


# ---- good transcripts corrected by hand from real Dovecot deviations ------

CORRECTED = [
    ("dovecot-qresync-uidvalidity-zero-accepted.txt",
     "good/qresync.select.invalid-uidvalidity-zero.txt",
     "SELECT (QRESYNC (0 1)) answered with BAD, and FETCH then finds no mailbox selected",
     [delete_range("S1: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                   "S1: * OK [HIGHESTMODSEQ 3] Highest"),
      replace("S1: t2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
              ["S1: t2 BAD Error in IMAP command SELECT: Invalid QRESYNC parameters",
               "C1: t3 FETCH 1 (FLAGS)",
               "S1: t3 BAD No mailbox selected"])]),
    ("dovecot-search-modseq-accepted.txt",
     "good/nomodseq.reject.search-modseq.txt",
     "SEARCH MODSEQ 1 on the NOMODSEQ mailbox answered with a tagged BAD",
     [delete("S1: * SEARCH 1 2 (MODSEQ 2)"),
      replace("S1: t2 OK Search completed (0.001 + 0.000 secs).",
              "S1: t2 BAD Error in IMAP command SEARCH: MODSEQ can't be used with non-permanent modseqs")]),
    ("dovecot-status-highestmodseq-nonzero.txt",
     "good/nomodseq.status.highestmodseq-zero.txt",
     "STATUS HIGHESTMODSEQ of the NOMODSEQ mailbox is 0",
     [replace(f"S2: * STATUS {BOX}nomodseq_status_highestmodseq-zero-box (MESSAGES 2 HIGHESTMODSEQ 2)",
              f"S2: * STATUS {BOX}nomodseq_status_highestmodseq-zero-box (MESSAGES 2 HIGHESTMODSEQ 0)")]),
    ("dovecot-list-status-highestmodseq-nonzero.txt",
     "good/nomodseq.status.list-status-zero.txt",
     "LIST-STATUS HIGHESTMODSEQ of the NOMODSEQ mailbox is 0",
     [replace(f"S2: * STATUS {BOX}nomodseq_status_list-status-zero-box (MESSAGES 2 HIGHESTMODSEQ 2)",
              f"S2: * STATUS {BOX}nomodseq_status_list-status-zero-box (MESSAGES 2 HIGHESTMODSEQ 0)")]),
    ("dovecot-vanished-uid-fetch-refused.txt",
     "good/nomodseq.vanished.uid-fetch.txt",
     "UID FETCH (CHANGEDSINCE 1 VANISHED) answered with VANISHED (EARLIER) and the FETCH data",
     [replace("S1: t6 BAD Error in IMAP command UID FETCH: FETCH CHANGEDSINCE can't be used with "
              "non-permanent modseqs (0.001 + 0.000 secs).",
              ["S1: * VANISHED (EARLIER) 2",
               "S1: * 1 FETCH (UID 1 FLAGS (\\Recent))",
               "S1: * 2 FETCH (UID 3 FLAGS (\\Recent))",
               "S1: * 3 FETCH (UID 4 FLAGS (\\Recent))",
               "S1: t6 OK Fetch completed"])]),
    ("dovecot-nomodseq-expunge-vanished.txt",
     "good/nomodseq.expunge.reported.txt",
     "expunges in the NOMODSEQ mailbox reported with EXPUNGE",
     [replace("S1: * VANISHED 3", "S1: * 3 EXPUNGE"),
      replace("S1: * VANISHED 2", "S1: * 2 EXPUNGE")]),
]

# ---- faulty servers: one edit of a good transcript each --------------------

G = "good/"
FAULTS = [
    # QR-08, QR-09, QR-11
    ("qr08-capability-without-enable", G + "qresync.enable.enabled.txt",
     "the CAPABILITY response lists QRESYNC but not ENABLE",
     [lambda l: [x.replace(" ID ENABLE IDLE SORT", " ID IDLE SORT") if x.startswith("S1: * CAPABILITY ") else x
                 for x in l]]),
    ("qr09-enable-condstore-qresync-not-enabled", G + "qresync.enable.enabled.txt",
     "ENABLE CONDSTORE QRESYNC answered with \"* ENABLED CONDSTORE\" (QRESYNC missing)",
     [replace("S3: * ENABLED CONDSTORE QRESYNC", "S3: * ENABLED CONDSTORE")]),
    ("qr11-no-highestmodseq-no-nomodseq", G + "qresync.enable.highestmodseq.txt",
     "SELECT after ENABLE QRESYNC carries neither HIGHESTMODSEQ nor NOMODSEQ",
     [delete("S1: * OK [HIGHESTMODSEQ 3] Highest", 1)]),
    # QR-13, QR-14
    ("qr13-qresync-param-without-enable-ok", G + "qresync.select.bad-without-enable.txt",
     "SELECT (QRESYNC (1 1)) without ENABLE QRESYNC answered with OK instead of BAD",
     [replace("S1: t1 BAD Error in IMAP command SELECT: QRESYNC not enabled (0.001 + 0.000 secs).",
              "S1: t1 OK [READ-WRITE] Select completed")]),
    ("qr14-vanished-without-enable-ok", G + "qresync.select.bad-without-enable.txt",
     "UID FETCH (CHANGEDSINCE 1 VANISHED) without ENABLE QRESYNC answered with OK instead of BAD",
     [replace("S1: t4 BAD Error in IMAP command UID FETCH: QRESYNC not enabled (0.001 + 0.000 secs).",
              "S1: t4 OK Fetch completed")]),
    # QR-18
    ("qr18-missing-modseq-accepted", G + "qresync.select.invalid-missing-modseq.txt",
     "SELECT (QRESYNC (1)) answered with OK instead of BAD",
     [replace("S1: t2 BAD Error in IMAP command SELECT: Invalid QRESYNC parameters (0.001 + 0.000 secs).",
              "S1: t2 OK [READ-WRITE] Select completed")]),
    # QR-19, QR-21, QR-25, QR-30 (SELECT ... QRESYNC)
    ("qr19-qresync-select-without-exists", G + "qresync.select.resync.txt",
     "SELECT (QRESYNC ...) omits the EXISTS response",
     [delete("S3: * 3 EXISTS", 1)]),
    ("qr21-qresync-select-fetch-without-uid", G + "qresync.select.resync.txt",
     "the flag change reported by SELECT (QRESYNC ...) is a FETCH without UID",
     [replace("S3: * 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (7))",
              "S3: * 2 FETCH (FLAGS (\\Flagged) MODSEQ (7))", 1)]),
    ("qr21-qresync-select-vanished-without-earlier", G + "qresync.select.resync.txt",
     "SELECT (QRESYNC ...) reports the expunges as \"* VANISHED 2,4\", without EARLIER",
     [replace("S3: * VANISHED (EARLIER) 2,4", "S3: * VANISHED 2,4", 1)]),
    ("qr25-qresync-select-changedsince-ignored", G + "qresync.select.resync.txt",
     "SELECT (QRESYNC ...) also reports UID 1, which did not change since the given mod-sequence",
     [insert_after("S3: * 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (7))",
                   "S3: * 1 FETCH (UID 1 FLAGS () MODSEQ (2))", 1)]),
    ("qr30-qresync-select-fetch-before-vanished", G + "qresync.select.resync.txt",
     "the repeated SELECT (QRESYNC ...) sends the FETCH before VANISHED (EARLIER)",
     [move_after("S3: * VANISHED (EARLIER) 2,4", "S3: * 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (7))", 2)]),
    # QR-20
    ("qr20-uidvalidity-mismatch-reported", G + "qresync.select.uidvalidity-mismatch.txt",
     "SELECT (QRESYNC (<wrong UIDVALIDITY> 1)) still reports VANISHED (EARLIER) 2",
     [insert_before("S1: t7 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
                    "S1: * VANISHED (EARLIER) 2")]),
    # QR-25, QR-29, QR-30, NOMS-10 (UID FETCH ... VANISHED)
    ("qr29-vanished-earlier-missing", G + "qresync.fetch.vanished-earlier.txt",
     "UID FETCH (CHANGEDSINCE h VANISHED) omits the VANISHED (EARLIER) of the expunged UID 2",
     [delete("S1: * VANISHED (EARLIER) 2", 1)]),
    ("qr25-uid-fetch-changedsince-ignored", G + "qresync.fetch.vanished-earlier.txt",
     "UID FETCH (CHANGEDSINCE h VANISHED) also returns UID 1, unchanged since h",
     [insert_after("S1: * VANISHED (EARLIER) 2", "S1: * 1 FETCH (UID 1 FLAGS (\\Recent) MODSEQ (3))", 1)]),
    ("noms10-vanished-earlier-lists-existing-uid", G + "qresync.fetch.vanished-earlier.txt",
     "VANISHED (EARLIER) lists UID 4, which still exists",
     [replace("S1: * VANISHED (EARLIER) 2", "S1: * VANISHED (EARLIER) 2,4", 1)]),
    ("qr30-uid-fetch-fetch-before-vanished", G + "qresync.fetch.vanished-earlier.txt",
     "the second UID FETCH (CHANGEDSINCE h VANISHED) sends the FETCH before VANISHED (EARLIER)",
     [move_after("S1: * VANISHED (EARLIER) 2", "S1: * 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent) MODSEQ (9))", 2)]),
    ("qr29-vanished-earlier-outside-uid-set", G + "qresync.fetch.vanished-earlier.txt",
     "UID FETCH 3:5 (CHANGEDSINCE h VANISHED) reports UID 2, outside the UID set",
     [insert_before("S1: * 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent) MODSEQ (9))",
                    "S1: * VANISHED (EARLIER) 2", 3)]),
    # QR-27, QR-28
    ("qr27-vanished-on-fetch-accepted", G + "qresync.fetch.vanished-bad.txt",
     "FETCH (not UID FETCH) with the VANISHED modifier answered with OK",
     [replace("S1: t3 BAD Error in IMAP command FETCH: Unknown FETCH modifier (0.001 + 0.000 secs).",
              "S1: t3 OK Fetch completed")]),
    ("qr28-vanished-without-changedsince-accepted", G + "qresync.fetch.vanished-bad.txt",
     "UID FETCH (VANISHED) without CHANGEDSINCE answered with OK",
     [replace("S1: t4 BAD Error in IMAP command UID FETCH: VANISHED used without CHANGEDSINCE "
              "(0.001 + 0.000 secs).", "S1: t4 OK Fetch completed")]),
    # QR-31
    ("qr31-changedsince-1-misses-last-uid", G + "qresync.fetch.vanished-changedsince-1.txt",
     "CHANGEDSINCE 1 VANISHED leaves out the expunged highest UID 5",
     [replace("S1: * VANISHED (EARLIER) 2,4:5", "S1: * VANISHED (EARLIER) 2,4")]),
    # QR-12, QR-16, QR-33, QR-34, QR-42 (EXPUNGE)
    ("qr42-expunge-instead-of-vanished", G + "qresync.expunge.vanished.txt",
     "EXPUNGE reports \"* 2 EXPUNGE\" instead of VANISHED",
     [replace("S1: * VANISHED 2,4", "S1: * 2 EXPUNGE")]),
    ("qr43-expunge-vanished-earlier", G + "qresync.expunge.vanished.txt",
     "EXPUNGE reports \"* VANISHED (EARLIER) 2,4\"",
     [replace("S1: * VANISHED 2,4", "S1: * VANISHED (EARLIER) 2,4")]),
    ("qr34-expunge-without-highestmodseq", G + "qresync.expunge.vanished.txt",
     "the tagged OK of EXPUNGE carries no HIGHESTMODSEQ",
     [replace("S1: t5 OK [HIGHESTMODSEQ 8] Expunge completed (0.001 + 0.000 secs).",
              "S1: t5 OK Expunge completed (0.001 + 0.000 secs).")]),
    ("qr33-highestmodseq-not-increased", G + "qresync.expunge.vanished.txt",
     "the HIGHESTMODSEQ after EXPUNGE (7) is not above the MODSEQ of the STORE before it (7)",
     [replace("S1: t5 OK [HIGHESTMODSEQ 8] Expunge completed (0.001 + 0.000 secs).",
              "S1: t5 OK [HIGHESTMODSEQ 7] Expunge completed (0.001 + 0.000 secs).")]),
    ("qr16-store-fetch-without-uid", G + "qresync.expunge.vanished.txt",
     "the FETCH of STORE +FLAGS (\\Deleted) carries no UID",
     [replace("S1: * 2 FETCH (UID 2 MODSEQ (7) FLAGS (\\Deleted \\Recent))",
              "S1: * 2 FETCH (MODSEQ (7) FLAGS (\\Deleted \\Recent))")]),
    ("qr12-expunge-in-second-mailbox", G + "qresync.expunge.vanished.txt",
     "in the second mailbox of the connection EXPUNGE falls back to \"* 1 EXPUNGE\"",
     [replace("S1: * VANISHED 1", "S1: * 1 EXPUNGE")]),
    # QR-40 (UID EXPUNGE)
    ("qr40-uid-expunge-without-highestmodseq", G + "qresync.uid-expunge.vanished.txt",
     "the tagged OK of UID EXPUNGE carries no HIGHESTMODSEQ",
     [replace("S1: t5 OK [HIGHESTMODSEQ 7] Expunge completed (0.001 + 0.000 secs).",
              "S1: t5 OK Expunge completed (0.001 + 0.000 secs).")]),
    ("qr42-uid-expunge-instead-of-vanished", G + "qresync.uid-expunge.vanished.txt",
     "UID EXPUNGE reports \"* 3 EXPUNGE\" instead of VANISHED",
     [replace("S1: * VANISHED 3", "S1: * 3 EXPUNGE")]),
    # QR-37, QR-38, QR-39 (CLOSE)
    ("qr39-close-with-highestmodseq", G + "qresync.close.no-highestmodseq.txt",
     "the tagged OK of CLOSE carries HIGHESTMODSEQ (RFC 5162 behaviour)",
     [replace("S1: t4 OK Close completed (0.001 + 0.000 secs).",
              "S1: t4 OK [HIGHESTMODSEQ 6] Close completed (0.001 + 0.000 secs).")]),
    ("qr37-close-sends-vanished", G + "qresync.close.no-highestmodseq.txt",
     "CLOSE reports the removed message with \"* VANISHED 2\"",
     [insert_before("S1: t4 OK Close completed (0.001 + 0.000 secs).", "S1: * VANISHED 2")]),
    ("qr38-close-expunge-forgotten", G + "qresync.close.no-highestmodseq.txt",
     "after CLOSE, SELECT (QRESYNC) does not report the closed-away UID 2",
     [delete("S1: * VANISHED (EARLIER) 2")]),
    # QR-42, QR-43 (other session), QR-46, QR-47, QR-48
    ("qr42-other-session-expunge-instead-of-vanished", G + "qresync.vanished.other-session.txt",
     "an expunge by the other session arrives as \"* 2 EXPUNGE\" (EXPUNGE instead of VANISHED)",
     [replace("S1: * VANISHED 2", "S1: * 2 EXPUNGE")]),
    ("qr43-other-session-vanished-earlier", G + "qresync.vanished.other-session.txt",
     "an expunge by the other session arrives as \"* VANISHED (EARLIER) 2\"",
     [replace("S1: * VANISHED 2", "S1: * VANISHED (EARLIER) 2")]),
    ("qr46-vanished-repeats-expunged-uid", G + "qresync.vanished.previously-expunged.txt",
     "the NOOP reports \"* VANISHED 2:3\": UID 2 was already reported",
     [replace("S1: * VANISHED 3", "S1: * VANISHED 2:3")]),
    ("qr47-vanished-during-fetch", G + "qresync.vanished.not-during-fetch-store-search.txt",
     "\"* VANISHED 2\" is sent while responding to FETCH",
     [insert_before("S1: t7 OK [HIGHESTMODSEQ 5] Fetch completed (0.001 + 0.000 secs).", "S1: * VANISHED 2")]),
    ("qr47-vanished-during-search", G + "qresync.vanished.not-during-fetch-store-search.txt",
     "\"* VANISHED 2\" is sent while responding to SEARCH",
     [insert_before("S1: t9 OK Search completed (0.001 + 0.000 secs).", "S1: * VANISHED 2")]),
    ("qr48-vanished-during-uid-search-numbers", G + "qresync.vanished.not-during-fetch-store-search.txt",
     "\"* VANISHED 2\" is sent during UID SEARCH 1:3 (message numbers in the criteria)",
     [insert_before("S1: t10 OK Search completed (0.001 + 0.000 secs).", "S1: * VANISHED 2")]),
    # QR-01, QR-03 (capability)
    ("qr01-capability-without-qresync", G + "qresync.capability.advertised.txt",
     "the CAPABILITY command's response omits QRESYNC, which the login response advertised",
     [replace_in("S1: * CAPABILITY ", " CONDSTORE QRESYNC ", " CONDSTORE ", 1)]),
    ("qr03-capability-without-condstore", G + "qresync.capability.advertised.txt",
     "the CAPABILITY response lists QRESYNC but not CONDSTORE",
     [replace_in("S1: * CAPABILITY ", " CONDSTORE QRESYNC ", " QRESYNC ", 2)]),
    # QR-24
    ("qr24-empty-mailbox-vanished-earlier", G + "qresync.select.empty-mailbox.txt",
     "SELECT (QRESYNC (uv 1)) of the never-used empty mailbox reports \"* VANISHED (EARLIER) 1\"",
     [insert_before("S1: t3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
                    "S1: * VANISHED (EARLIER) 1")]),
    # QR-36, QR-41
    ("qr36-empty-expunge-raises-highestmodseq", G + "qresync.expunge.nothing-deleted.txt",
     "after an EXPUNGE that removed nothing, STATUS reports HIGHESTMODSEQ 5 instead of 4",
     [replace_in("S2: * STATUS ", "(HIGHESTMODSEQ 4)", "(HIGHESTMODSEQ 5)")]),
    ("qr41-uid-expunge-unreported", G + "qresync.expunge.nothing-deleted.txt",
     "UID EXPUNGE removes UID 1 without a VANISHED (or EXPUNGE) before its tagged OK",
     [delete("S1: * VANISHED 1")]),
    # QR-04, QR-05 (MOVE)
    ("qr04-move-highestmodseq-unchanged", G + "qresync.move.modseq.txt",
     "after MOVE took a message away, STATUS reports the old HIGHESTMODSEQ 4",
     [replace_in("S2: * STATUS ", "(HIGHESTMODSEQ 5)", "(HIGHESTMODSEQ 4)")]),
    ("qr05-move-uid-forgotten", G + "qresync.move.modseq.txt",
     "UID FETCH (CHANGEDSINCE h VANISHED) does not report the moved-away UID 3",
     [delete("S1: * VANISHED (EARLIER) 3")]),
    # QR-44, QR-45, QR-32
    ("qr44-pending-expunge-in-vanished-earlier", G + "qresync.vanished.not-combined.txt",
     "the VANISHED (EARLIER) of UID FETCH 2 also lists UID 4, expunged by the other session and outside the UID set",
     [replace("S1: * VANISHED (EARLIER) 2", "S1: * VANISHED (EARLIER) 2,4")]),
    ("qr45-no-renumbering", G + "qresync.vanished.renumbers.txt",
     "after \"* VANISHED 2,4\" FETCH 1:* still numbers UID 5 as message 5",
     [replace("S1: * 3 FETCH (UID 5)", "S1: * 5 FETCH (UID 5)")]),
    ("qr32-vanished-earlier-on-noop", G + "qresync.vanished.renumbers.txt",
     "the other session's expunges arrive at NOOP as \"* VANISHED (EARLIER) 2,4\"",
     [replace("S1: * VANISHED 2,4", "S1: * VANISHED (EARLIER) 2,4")]),
    # QR-49, QR-50, QR-51 (CLOSED)
    ("qr49-examine-without-closed", G + "qresync.closed.after-enable.txt",
     "after ENABLE QRESYNC, EXAMINE of another mailbox sends no OK [CLOSED]",
     [delete("S1: * OK [CLOSED] Previous mailbox closed.", 1)]),
    ("qr50-select-without-closed", G + "qresync.closed.select-another.txt",
     "without an enabling command, SELECT of another mailbox sends no OK [CLOSED]",
     [delete("S1: * OK [CLOSED] Previous mailbox closed.", 1)]),
    ("qr51-closed-after-exists", G + "qresync.closed.select-another.txt",
     "OK [CLOSED] comes after the new mailbox's \"* 2 EXISTS\"",
     [move_after("S1: * OK [CLOSED] Previous mailbox closed.", "S1: * 2 EXISTS", 1)]),
    # QR-22, QR-23 (known-uids), QR-53 (line length)
    ("qr23-default-set-stops-at-last-message", G + "qresync.select.uid-set.txt",
     "EXAMINE (QRESYNC (uv h)) without known-uids leaves out the expunged highest UID 5 (\"1:*\" instead of 1:<UIDNEXT-1>)",
     [replace("S3: * VANISHED (EARLIER) 2,5", "S3: * VANISHED (EARLIER) 2")]),
    ("qr22-known-uids-ignored", G + "qresync.select.uid-set.txt",
     "EXAMINE (QRESYNC (uv h 1,4)) still reports the flag change of UID 3, not among the known UIDs",
     [insert_before("S3: t10 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).",
                    "S3: * 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (7))")]),
    ("qr53-long-line-rejected", G + "qresync.long-command-line.txt",
     "the UID FETCH line of about 7800 octets is answered with BAD (line too long)",
     [replace("S1: t3 OK Fetch completed (0.001 + 0.000 secs).", "S1: t3 BAD Error in IMAP command: Too long argument.")]),
    # NOMODSEQ
    ("noms02-no-nomodseq-no-highestmodseq", G + "nomodseq.select.signalled.txt",
     "SELECT (CONDSTORE) of the NOMODSEQ mailbox carries neither NOMODSEQ nor HIGHESTMODSEQ",
     [delete("S1: * OK [NOMODSEQ] No permanent modsequences", 1)]),
    ("oma-noms01-plain-select-without-nomodseq", G + "nomodseq.select.signalled.txt",
     "the third SELECT of the NOMODSEQ mailbox carries no NOMODSEQ",
     [delete("S1: * OK [NOMODSEQ] No permanent modsequences", 3)]),
    ("noms03-changedsince-no-instead-of-bad", G + "nomodseq.reject.fetch-changedsince.txt",
     "FETCH (CHANGEDSINCE 1) on the NOMODSEQ mailbox answered with NO instead of BAD",
     [replace("S1: t2 BAD Error in IMAP command FETCH: FETCH CHANGEDSINCE can't be used with "
              "non-permanent modseqs (0.001 + 0.000 secs).",
              "S1: t2 NO FETCH CHANGEDSINCE can't be used with non-permanent modseqs")]),
    ("noms06-qresync-param-not-ignored", G + "nomodseq.select.qresync-ignored.txt",
     "SELECT (QRESYNC ...) of the NOMODSEQ mailbox reports VANISHED (EARLIER) 2",
     [insert_before("S1: t7 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
                    "S1: * VANISHED (EARLIER) 2")]),
    ("noms08-nomodseq-expunge-highestmodseq", G + "nomodseq.expunge.reported.txt",
     "the tagged OK of UID EXPUNGE in the NOMODSEQ mailbox carries HIGHESTMODSEQ",
     [replace("S1: t5 OK Expunge completed (0.001 + 0.000 secs).",
              "S1: t5 OK [HIGHESTMODSEQ 4] Expunge completed (0.001 + 0.000 secs).")]),
    ("oma-noms02-vanished-earlier-missing", G + "nomodseq.vanished.uid-fetch.txt",
     "UID FETCH (CHANGEDSINCE 1 VANISHED) on the NOMODSEQ mailbox is answered without VANISHED (EARLIER)",
     [delete("S1: * VANISHED (EARLIER) 2")]),
    # OMA fallback sync
    ("oma-sync-unseen-search-incomplete", G + "sync.fallback.without-vanished.nomodseq.txt",
     "the step-3 UNSEEN search misses UID 1, which another session marked unread",
     [replace("S3: * ESEARCH (TAG \"t16\") UID ALL 1,8", "S3: * ESEARCH (TAG \"t16\") UID ALL 8")]),
    ("oma-sync-new-message-missing", G + "sync.fallback.without-vanished.nomodseq.txt",
     "the step-1 UID FETCH of the new UIDs misses UID 8",
     [delete("S3: * 6 FETCH (UID 8 FLAGS ())")]),
    ("oma-sync-known-search-keeps-expunged", G + "sync.fallback.without-vanished.nomodseq.txt",
     "the step-2 UID SEARCH of the known UIDs still returns the expunged UID 4",
     [replace("S3: * ESEARCH (TAG \"t15\") UID ALL 1,3,5:6", "S3: * ESEARCH (TAG \"t15\") UID ALL 1,3:6")]),
    ("oma-sync-vanished-incomplete", G + "sync.fallback.vanished.txt",
     "the step-2 VANISHED (EARLIER) misses the expunged UID 4",
     [replace("S3: * VANISHED (EARLIER) 2,4", "S3: * VANISHED (EARLIER) 2")]),
    ("oma-sync-qresync-disagrees", G + "sync.fallback.qresync-agrees.txt",
     "SELECT (QRESYNC ...) reports VANISHED (EARLIER) 2 only, the fallback's UID FETCH 2,4",
     [replace("S3: * VANISHED (EARLIER) 2,4", "S3: * VANISHED (EARLIER) 2", 1)]),
]


def main():
    for source, target, what, ops in CORRECTED:
        make(source, target, "# corrected: by hand from " + source + ": " + what, ops)
    for name, source, what, ops in FAULTS:
        make(source, name + ".txt", "# fault: " + what, ops)
    print(f"make-faulty: {len(CORRECTED)} corrected, {len(FAULTS)} faulty transcripts written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
