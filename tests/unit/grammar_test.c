/* grammar_test.c: the strict grammar checker, table-driven.
 *
 * Each row is one framed response, the verdict it must get, and for
 * violations and warnings the ABNF rule that must be named (and sometimes
 * the byte offset).  Valid lines are real Dovecot / Cyrus / Courier output
 * (see /work/shared/lab/README.md) and RFC examples; the RFC examples that
 * are themselves invalid (notes N2, N3) are in the failing rows.  Every
 * check copies the bytes into a buffer of exactly their length, so ASan
 * catches any read past the end.
 */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "ic_grammar.h"

typedef struct row {
    const char *bytes;
    size_t len;
    ic_grammar_verdict verdict;
    const char *rule;          /* for violations and warnings */
    unsigned flags;
    long offset;               /* -1: not checked */
    bool greeting;             /* ic_grammar_check_greeting instead of ic_grammar_check */
} row;

#define ROW(s, v, r, f, off, g) { s, sizeof(s) - 1, v, r, f, off, g }
#define PASS(s)               ROW(s, IC_GRAMMAR_OK, NULL, 0, -1, false)
#define UNKNOWN(s)            ROW(s, IC_GRAMMAR_UNKNOWN, NULL, 0, -1, false)
#define FAIL(s, r)            ROW(s, IC_GRAMMAR_VIOLATION, r, 0, -1, false)
#define FAIL_AT(s, r, off)    ROW(s, IC_GRAMMAR_VIOLATION, r, 0, off, false)
#define WARN(s, r)            ROW(s, IC_GRAMMAR_WARNING, r, 0, -1, false)
#define WARN_AT(s, r, off)    ROW(s, IC_GRAMMAR_WARNING, r, 0, off, false)
#define LENIENT_WARN(s, r)    ROW(s, IC_GRAMMAR_WARNING, r, IC_GRAMMAR_LENIENT_TEXT, -1, false)
#define LENIENT_FAIL(s, r)    ROW(s, IC_GRAMMAR_VIOLATION, r, IC_GRAMMAR_LENIENT_TEXT, -1, false)
#define LENIENT_PASS(s)       ROW(s, IC_GRAMMAR_OK, NULL, IC_GRAMMAR_LENIENT_TEXT, -1, false)
#define GREETING_PASS(s)      ROW(s, IC_GRAMMAR_OK, NULL, 0, -1, true)
#define GREETING_FAIL(s, r, off) ROW(s, IC_GRAMMAR_VIOLATION, r, 0, off, true)

static const row rows[] = {
    /* ---- greeting (RFC 3501 s7.1, s9 greeting) ---- */
    GREETING_PASS("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
                  "STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot ready.\r\n"),
    GREETING_PASS("* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE STARTTLS AUTH=PLAIN AUTH=LOGIN "
                  "SASL-IR] localhost Cyrus IMAP 3.6.1-Debian-3.6.1-4+deb12u5 server ready\r\n"),
    GREETING_PASS("* PREAUTH IMAP4rev1 server logged in as Smith\r\n"),
    GREETING_PASS("* BYE Autologout; idle for too long\r\n"),
    GREETING_FAIL("* NO go away\r\n", "greeting", 2),
    GREETING_FAIL("a1 OK hi\r\n", "greeting", 0),
    GREETING_FAIL("+ ready\r\n", "greeting", 0),
    GREETING_FAIL("* 1 EXISTS\r\n", "greeting", 2),
    GREETING_FAIL("* OK [CAPABILITY IMAP4 STARTTLS] ready\r\n", "capability-data", 16),
    GREETING_FAIL("* OK\r\n", "resp-text", 4),
    ROW("* OK\r\n", IC_GRAMMAR_WARNING, "resp-text", IC_GRAMMAR_LENIENT_TEXT, 4, true),
    ROW("* OK [ALERT] x\r\n", IC_GRAMMAR_OK, NULL, IC_GRAMMAR_LENIENT_TEXT, -1, true),

    /* ---- tagged (response-tagged = tag SP resp-cond-state CRLF) ---- */
    PASS("a001 OK LOGIN completed\r\n"),
    PASS("a004 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"),
    PASS("A142 NO [TRYCREATE] Mailbox doesn't exist\r\n"),
    PASS("a3 BAD Error in IMAP command: Unknown command.\r\n"),
    PASS("a1 ok lowercase keywords are fine\r\n"),
    PASS("tag]x OK a tag may contain ]\r\n"),
    PASS("a2 OK [READ-ONLY] EXAMINE completed\r\n"),
    FAIL_AT("a1 PREAUTH welcome\r\n", "resp-cond-state", 3),
    FAIL_AT("a1 BYE logging out\r\n", "resp-cond-state", 3),
    FAIL_AT("a+1 OK done\r\n", "tag", 1),
    FAIL_AT("(a) OK done\r\n", "tag", 0),
    FAIL_AT("a1  OK done\r\n", "SP", 3),
    FAIL_AT("a1 OK done\n", "CRLF", 10),
    FAIL_AT("a1 OK done", "CRLF", 10),
    FAIL("a1 OK done\r", "CRLF"),
    FAIL_AT("a1 OK done\r\n\r\n", "CRLF", 12),
    FAIL("a1 FOO done\r\n", "resp-cond-state"),
    FAIL("a1\r\n", "response-tagged"),

    /* ---- resp-text: text after a code (N3) ---- */
    FAIL_AT("a1 OK\r\n", "resp-text", 5),
    LENIENT_WARN("a1 OK\r\n", "resp-text"),
    FAIL_AT("a1 OK [READ-WRITE]\r\n", "resp-text", 18),
    FAIL_AT("a1 OK [READ-WRITE] \r\n", "resp-text", 19),
    LENIENT_WARN("a1 OK [READ-WRITE]\r\n", "resp-text"),
    LENIENT_WARN("a1 OK [READ-WRITE] \r\n", "resp-text"),
    FAIL("a1 OK [READ-WRITE]done\r\n", "resp-text"),
    LENIENT_FAIL("a1 OK [READ-WRITE]done\r\n", "resp-text"),
    LENIENT_PASS("a1 OK [READ-WRITE] done\r\n"),
    FAIL("* OK [HIGHESTMODSEQ 715194045007]\r\n", "resp-text"),
    FAIL("* OK [NOMODSEQ]\r\n", "resp-text"),
    FAIL_AT("* OK [CLOSED]\r\n", "resp-text", 13),
    LENIENT_WARN("* OK [CLOSED]\r\n", "resp-text"),
    FAIL("* OK \r\n", "resp-text"),
    FAIL_AT("* OK[ALERT] x\r\n", "resp-cond-state", 4),
    PASS("* OK  two spaces: text may start with SP\r\n"),
    PASS("* OK [not a known code but text] here\r\n"),
    WARN_AT("* OK caf\xc3\xa9 ready\r\n", "TEXT-CHAR", 8),
    FAIL_AT("* OK a\0b\r\n", "TEXT-CHAR", 6),
    PASS("* BYE Logging out\r\n"),
    FAIL("* BYE\r\n", "resp-text"),
    PASS("* NO Mailbox is full\r\n"),
    PASS("* BAD Command line too long\r\n"),
    FAIL_AT("* PREAUTH hi\r\n", "response-data", 2),

    /* ---- response codes (RFC 3501, 4315, 7162; catch-all last, N4) ---- */
    PASS("* OK [ALERT] System shutdown in 10 minutes\r\n"),
    PASS("* OK [ALERT]  text may start with SP\r\n"),
    PASS("* OK [PARSE] Bad header\r\n"),
    FAIL_AT("* OK [ALERT x] y\r\n", "resp-text-code", 11),
    PASS("a1 NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset\r\n"),
    PASS("a1 NO [BADCHARSET] unsupported\r\n"),
    FAIL("a1 NO [BADCHARSET ()] unsupported\r\n", "resp-text-code"),
    PASS("a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
         "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE "
         "UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH "
         "ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY "
         "PREVIEW=FUZZY "
         "PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY METADATA SPECIAL-USE ACL RIGHTS=texk] "
         "Logged in\r\n"),
    PASS("* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] ready\r\n"),
    FAIL("* OK [CAPABILITY IMAP4rev1 ] x\r\n", "capability"),
    PASS("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
         "permitted.\r\n"),
    PASS("* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n"),
    FAIL("* OK [PERMANENTFLAGS (\\Seen  \\*)] x\r\n", "SP"),
    FAIL("* OK [PERMANENTFLAGS (\\Seen] x\r\n", "flag-perm"),
    FAIL("* OK [PERMANENTFLAGS \\Seen] x\r\n", "flag-perm"),
    PASS("* OK [UIDNEXT 4] Predicted next UID\r\n"),
    FAIL_AT("* OK [UIDNEXT 0] Predicted next UID\r\n", "nz-number", 14),
    FAIL_AT("* OK [UIDNEXT 04] x\r\n", "nz-number", 14),
    FAIL("* OK [UIDNEXT 4294967296] x\r\n", "nz-number"),
    PASS("* OK [UIDNEXT 4294967295] x\r\n"),
    FAIL_AT("* OK [UIDNEXT 4 5] x\r\n", "resp-text-code", 15),
    FAIL("* OK [UIDNEXT  4] x\r\n", "SP"),
    FAIL("* OK [UIDNEXT] x\r\n", "resp-text-code"),
    PASS("* OK [UIDVALIDITY 1795497611] UIDs valid\r\n"),
    FAIL("* OK [UIDVALIDITY -1] UIDs valid\r\n", "nz-number"),
    PASS("* OK [UNSEEN 1] First unseen.\r\n"),
    FAIL("* OK [UNSEEN 0] x\r\n", "nz-number"),
    PASS("* OK [uidnext 4] lowercase code\r\n"),
    PASS("a1 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
    PASS("a1 OK [APPENDUID 38505 3955:3957] APPEND completed\r\n"),
    PASS("a1 OK [APPENDUID 38505 123:123] APPEND completed\r\n"),
    FAIL_AT("a1 OK [APPENDUID 38505 abc] APPEND completed\r\n", "nz-number", 23),
    FAIL("a1 OK [APPENDUID 38505 3955:*] APPEND completed\r\n", "uid-set"),
    FAIL("a1 OK [APPENDUID 38505] APPEND completed\r\n", "resp-code-apnd"),
    FAIL("a1 OK [APPENDUID 0 3955] APPEND completed\r\n", "nz-number"),
    PASS("a1 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"),
    PASS("a011 OK [COPYUID 795497635 4 2] COPY completed.\r\n"),
    FAIL_AT("a1 OK [COPYUID 38505 304:* 3956:3958] Done\r\n", "uid-set", 25),
    FAIL("a1 OK [COPYUID 38505 304 *] Done\r\n", "uid-set"),
    FAIL("a1 OK [COPYUID 38505 304] Done\r\n", "resp-code-copy"),
    FAIL("a1 OK [COPYUID 38505 304,,5 6] Done\r\n", "nz-number"),
    PASS("* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n"),
    PASS("a009 OK [HIGHESTMODSEQ 7] Completed\r\n"),
    PASS("* OK [HIGHESTMODSEQ 9223372036854775807] x\r\n"),
    FAIL_AT("* OK [HIGHESTMODSEQ 0] Highest\r\n", "mod-sequence-value", 20),
    FAIL_AT("* OK [HIGHESTMODSEQ abc] Highest\r\n", "mod-sequence-value", 20),
    FAIL("* OK [HIGHESTMODSEQ 9223372036854775808] x\r\n", "mod-sequence-value"),
    FAIL("* OK [HIGHESTMODSEQ] x\r\n", "resp-text-code"),
    PASS("* OK [NOMODSEQ] No permanent modsequences\r\n"),
    PASS("* OK [CLOSED] Previous mailbox closed.\r\n"),
    FAIL_AT("* OK [CLOSED x] y\r\n", "resp-text-code", 12),
    PASS("d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n"),
    PASS("d105 NO [MODIFIED 2] Some of the messages no longer exist.\r\n"),
    FAIL("d105 OK [MODIFIED] x\r\n", "resp-text-code"),
    FAIL("d105 OK [MODIFIED 0] x\r\n", "nz-number"),
    PASS("* OK [MAILBOXID (qpox1234)] Ok\r\n"),
    PASS("* OK [URLMECH INTERNAL] Ok\r\n"),
    PASS("* OK [MYRIGHTS \"acdilrsw\"] ACL\r\n"),
    PASS("* OK [ANNOTATIONS 65536] Ok\r\n"),
    PASS("a5 OK [CLIENTBUG] Status on selected mailbox completed\r\n"),
    FAIL("* OK [XFOO ] x\r\n", "resp-text-code"),
    FAIL_AT("* OK [] x\r\n", "resp-text-code", 6),
    FAIL("* OK [XFOO bar\r\n", "resp-text-code"),
    FAIL("* OK [XFOO(bar)] x\r\n", "resp-text-code"),

    /* ---- continuation (continue-req = "+" SP (resp-text / base64) CRLF) ---- */
    PASS("+ idling\r\n"),
    PASS("+ Ready for literal data\r\n"),
    PASS("+ \r\n"),
    PASS("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39Ix"
         "mRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==\r\n"),
    WARN_AT("+\r\n", "continue-req", 1),
    FAIL_AT("+x\r\n", "continue-req", 1),
    FAIL_AT("+ a\nb\r\n", "CRLF", 3),
    FAIL("+ ready\n", "CRLF"),

    /* ---- CAPABILITY / ENABLED ---- */
    PASS("* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n"),
    PASS("* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE ACL ANNOTATE-EXPERIMENT-1 BINARY CATENATE "
         "CHILDREN CONDSTORE CREATE-SPECIAL-USE ESEARCH ESORT LIST-EXTENDED LIST-MYRIGHTS "
         "LIST-STATUS MAILBOX-REFERRALS METADATA MOVE MULTIAPPEND NAMESPACE OBJECTID PREVIEW "
         "QRESYNC QUOTA RIGHTS=kxten SAVEDATE SEARCH=FUZZY SORT SORT=DISPLAY SPECIAL-USE "
         "STATUS=SIZE NO_ATOMIC_RENAME X-QUOTA=STORAGE IDLE APPENDLIMIT=4294967295\r\n"),
    FAIL_AT("* CAPABILITY STARTTLS AUTH=PLAIN\r\n", "capability-data", 12),
    FAIL_AT("* CAPABILITY IMAP4rev1  IDLE\r\n", "SP", 23),
    FAIL("* CAPABILITY IMAP4rev1 (IDLE)\r\n", "capability"),
    FAIL("* CAPABILITY\r\n", "capability-data"),
    PASS("* ENABLED CONDSTORE QRESYNC\r\n"),
    PASS("* ENABLED\r\n"),
    FAIL("* ENABLED CONDSTORE \r\n", "capability"),

    /* ---- FLAGS ---- */
    PASS("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
    PASS("* FLAGS (\\Answered $Forwarded $MDNSent NonJunk)\r\n"),
    PASS("* FLAGS ()\r\n"),
    FAIL("* FLAGS (\\Seen \\*)\r\n", "flag"),
    FAIL("* FLAGS (\\Seen\r\n", "flag-list"),
    FAIL("* FLAGS \\Seen\r\n", "flag-list"),
    FAIL_AT("* FLAGS (\\Seen  \\Draft)\r\n", "SP", 15),
    FAIL("* FLAGS (\\Seen) extra\r\n", "mailbox-data"),
    FAIL("* FLAGS (\\Seen))\r\n", "mailbox-data"),
    FAIL("* FLAGS (\\)\r\n", "flag"),

    /* ---- LIST / LSUB (RFC 5258 mailbox-list) ---- */
    PASS("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"),
    PASS("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"),
    PASS("* LIST () \"/\" \"My Folder\"\r\n"),
    PASS("* LIST (\\Noselect) \"/\" \"\"\r\n"),
    PASS("* LIST (\\Noselect) NIL \"\"\r\n"),
    PASS("* LIST (\\Marked \\HasChildren) \".\" \"INBOX\"\r\n"),
    PASS("* LSUB () \".\" #news.comp.mail.misc\r\n"),
    PASS("* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
    PASS("* LIST () \"/\" \"Fruit/Peach\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
    PASS("* LIST () \"/\" \"Fruit/Peach\" (CHILDINFO (\"SUBSCRIBED\"))\r\n"),
    PASS("* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n"),
    PASS("* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n"),
    PASS("* LIST () \"\\\\\" Foo\r\n"),
    PASS("* LIST () \"/\" {5}\r\nMy \"X\r\n"),
    PASS("* LIST () \"/\" Foo (X-EXT 1:5,7)\r\n"),
    PASS("* list () \"/\" Foo ()\r\n"),
    PASS("* LIST () NIL INBOX\r\n"),
    FAIL_AT("* LIST () \".\"  \"INBOX\"\r\n", "SP", 14),
    FAIL_AT("* LIST () \"/\" My Folder\r\n", "mailbox-list", 17),
    FAIL_AT("* LIST (\\Noselect \\NonExistent) \"/\" Foo\r\n", "mbx-list-flags", 18),
    FAIL("* LIST (\\Marked \\Unmarked) \"/\" Foo\r\n", "mbx-list-flags"),
    FAIL("* LIST (\\HasChildren \\HasNoChildren) \"/\" Foo\r\n", "child-mbox-flag"),
    FAIL("* LIST (Marked) \"/\" Foo\r\n", "mbx-list-flags"),
    FAIL("* LIST () \"//\" Foo\r\n", "mailbox-list"),
    FAIL("* LIST () \"\" Foo\r\n", "mailbox-list"),
    FAIL("* LIST () / Foo\r\n", "mailbox-list"),
    FAIL("* LIST () \"/\" Foo*\r\n", "mailbox-data"),
    FAIL("* LIST \"/\" Foo\r\n", "mbx-list-flags"),
    FAIL("* LIST (\\HasNoChildren \"/\" Foo\r\n", "mbx-list-flags"),
    FAIL("* LIST () \"/\" \"Fruit/Peach\" (\"CHILDINFO\" (SUBSCRIBED))\r\n",
         "childinfo-extended-item"),
    FAIL("* LIST () \"/\" Foo (\"CHILDINFO\")\r\n", "mbox-list-extended-item"),
    FAIL("* LIST () \"/\" Foo (OLDNAME (\"x\")\r\n", "mbox-list-extended"),
    FAIL("* LIST () \"/\" Foo (X-EXT (a ()))\r\n", "tagged-ext-comp"),
    FAIL("* LIST () \"/\" Foo (X-EXT abc)\r\n", "tagged-ext-val"),
    FAIL("* LIST () \"/\" \"a\\b\"\r\n", "QUOTED-CHAR"),
    WARN("* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n", "QUOTED-CHAR"),
    FAIL_AT("* LIST () \"/\" Entw\xc3\xbcrfe\r\n", "ATOM-CHAR", 18),
    FAIL("* LIST () \"/\" \"a\0b\"\r\n", "QUOTED-CHAR"),
    FAIL("* LIST () \"/\" \"unterminated\r\n", "QUOTED-CHAR"),

    /* ---- STATUS (RFC 4466 status-att-val + RFC 7162 + known extras) ---- */
    PASS("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"),
    PASS("* STATUS \"INBOX\" (MESSAGES 3 UIDNEXT 5)\r\n"),
    PASS("* STATUS INBOX (HIGHESTMODSEQ 0)\r\n"),
    PASS("* STATUS INBOX (MESSAGES 3 RECENT 0 UIDNEXT 4 UIDVALIDITY 1795497611 UNSEEN 0 "
         "HIGHESTMODSEQ 7 SIZE 12345 DELETED 0 APPENDLIMIT NIL "
         "MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n"),
    PASS("* STATUS INBOX ()\r\n"),
    PASS("* STATUS INBOX (X-FOO (a b) X-BAR 12)\r\n"),
    FAIL_AT("* STATUS INBOX (MESSAGES -1)\r\n", "number", 25),
    FAIL("* STATUS INBOX (UIDNEXT 0)\r\n", "nz-number"),
    FAIL("* STATUS INBOX (MESSAGES 4294967296)\r\n", "number"),
    FAIL("* STATUS INBOX (HIGHESTMODSEQ 9223372036854775808)\r\n", "mod-sequence-valzer"),
    FAIL("* STATUS INBOX (SIZE 9223372036854775808)\r\n", "number64"),
    FAIL("* STATUS INBOX (MESSAGES)\r\n", "status-att-val"),
    FAIL("* STATUS INBOX MESSAGES 3\r\n", "status-att-list"),
    FAIL("* STATUS INBOX (MESSAGES 3 UIDNEXT 5\r\n", "status-att-list"),
    FAIL("* STATUS My Box (MESSAGES 3)\r\n", "status-att-list"),
    FAIL("* STATUS INBOX (MAILBOXID (a b))\r\n", "status-att-val"),
    FAIL("* STATUS INBOX (MESSAGES 3  UNSEEN 1)\r\n", "SP"),

    /* ---- SEARCH (RFC 3501 + RFC 7162 search-sort-mod-seq) ---- */
    PASS("* SEARCH 2 84 882\r\n"),
    PASS("* SEARCH\r\n"),
    PASS("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n"),
    PASS("* SEARCH 2 (modseq 5)\r\n"),
    FAIL_AT("* SEARCH (MODSEQ 917162500)\r\n", "search-sort-mod-seq", 9),
    FAIL("* SEARCH 2 (MODSEQ 0)\r\n", "mod-sequence-value"),
    FAIL("* SEARCH 0\r\n", "nz-number"),
    FAIL_AT("* SEARCH 2 03\r\n", "nz-number", 11),
    FAIL("* SEARCH 2  3\r\n", "SP"),
    FAIL("* SEARCH 2 \r\n", "nz-number"),
    FAIL("* SEARCH 2 (MODSEQ 5) 3\r\n", "mailbox-data"),
    FAIL("* SEARCH 2 (MODSEQ 5\r\n", "search-sort-mod-seq"),
    FAIL("* SEARCH 2 (FOO 5)\r\n", "search-sort-mod-seq"),

    /* ---- ESEARCH (RFC 4466 / 4731 / 7377) ---- */
    PASS("* ESEARCH (TAG \"a007\") UID MIN 1 MAX 3 COUNT 3\r\n"),
    PASS("* ESEARCH (TAG \"A284\") MIN 4\r\n"),
    PASS("* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n"),
    PASS("* ESEARCH (TAG \"a1\") COUNT 0\r\n"),
    PASS("* ESEARCH\r\n"),
    PASS("* ESEARCH (TAG \"a1\")\r\n"),
    PASS("* ESEARCH UID COUNT 2\r\n"),
    PASS("* ESEARCH (TAG \"a\") UID ALL 1:3 MODSEQ 917162500\r\n"),
    PASS("* ESEARCH (TAG \"C01\") UID PARTIAL (-1:-100 NIL)\r\n"),
    PASS("* ESEARCH (TAG \"a\" MAILBOX \"folder1\" UIDVALIDITY 1) UID ALL 3001:3004\r\n"),
    FAIL("* ESEARCH (TAG \"a\") MIN 0\r\n", "nz-number"),
    FAIL("* ESEARCH (TAG \"a\") MODSEQ 0\r\n", "mod-sequence-value"),
    FAIL("* ESEARCH (TAG a) MIN 1\r\n", "search-correlator"),
    FAIL("* ESEARCH (TAG \"a\") MIN\r\n", "search-return-data"),
    FAIL("* ESEARCH (TAG \"a\")  MIN 1\r\n", "SP"),
    FAIL("* ESEARCH (TAG \"a\" MIN 1\r\n", "search-correlator"),

    /* ---- VANISHED (RFC 7162 expunged-resp) ---- */
    PASS("* VANISHED 4\r\n"),
    PASS("* VANISHED (EARLIER) 300:310,405,411\r\n"),
    PASS("* vanished (earlier) 4\r\n"),
    FAIL_AT("* VANISHED 1:*\r\n", "known-uids", 13),
    FAIL("* VANISHED (EARLIER) *\r\n", "known-uids"),
    FAIL("* VANISHED (LATER) 4\r\n", "expunged-resp"),
    FAIL("* VANISHED\r\n", "expunged-resp"),
    FAIL("* VANISHED 0\r\n", "nz-number"),

    /* ---- NAMESPACE (RFC 2342) ---- */
    PASS("* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) ((\"Shared Folders/\" \"/\"))\r\n"),
    PASS("* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))\r\n"),
    PASS("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"),
    PASS("* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n"),
    PASS("* NAMESPACE ((\"\" NIL)) NIL NIL\r\n"),
    FAIL("* NAMESPACE ((\"\" \"/\") (\"x\" \"/\")) NIL NIL\r\n", "Namespace"),
    FAIL("* NAMESPACE ((\"\" \"/\")) NIL\r\n", "Namespace-Response"),
    FAIL("* NAMESPACE () NIL NIL\r\n", "Namespace"),
    FAIL("* NAMESPACE ((\"\" \"//\")) NIL NIL\r\n", "Namespace-Descr"),
    FAIL("* NAMESPACE ((\"\" \"/\" \"X-PARAM\")) NIL NIL\r\n", "Namespace-Response-Extension"),

    /* ---- ID (RFC 2971) ---- */
    PASS("* ID (\"name\" \"Dovecot\")\r\n"),
    PASS("* ID NIL\r\n"),
    PASS("* ID (\"name\" \"Cyrus IMAP\" \"version\" \"3.6.1\" \"vendor\" NIL)\r\n"),
    PASS("* ID ()\r\n"),
    FAIL("* ID (\"name\")\r\n", "id-params-list"),
    FAIL("* ID (name \"x\")\r\n", "id-params-list"),
    FAIL("* ID (\"a-field-name-longer-than-thirty-octets\" \"x\")\r\n", "id-params-list"),
    FAIL("* ID name\r\n", "id-params-list"),

    /* ---- EXISTS / RECENT / EXPUNGE ---- */
    PASS("* 23 EXISTS\r\n"),
    PASS("* 0 EXISTS\r\n"),
    PASS("* 0 RECENT\r\n"),
    PASS("* 3 EXPUNGE\r\n"),
    PASS("* 007 EXISTS\r\n"),
    PASS("* 4294967295 EXISTS\r\n"),
    FAIL_AT("* 0 EXPUNGE\r\n", "nz-number", 2),
    FAIL_AT("* 4294967296 EXISTS\r\n", "number", 2),
    FAIL("* 23  EXISTS\r\n", "SP"),
    FAIL("* 23 EXISTS now\r\n", "mailbox-data"),
    FAIL("* 23\r\n", "response-data"),

    /* ---- FETCH (message-data, msg-att) ---- */
    PASS("* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) MODSEQ (6))\r\n"),
    PASS("* 1 FETCH (FLAGS (\\Recent \\Seen) UID 1 MODSEQ (2))\r\n"),
    PASS("* 3 FETCH (UID 3 FLAGS (\\Answered))\r\n"),
    PASS("* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
         "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
         "\"IMAP4rev1 WG mtg summary and minutes\" "
         "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
         "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
         "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
         "((NIL NIL \"imap\" \"cac.washington.edu\")) "
         "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
         "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
         "\"<B27397-0100000@cac.washington.edu>\") "
         "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"),
    PASS("* 1 FETCH (INTERNALDATE \" 5-Jul-2024 09:01:02 +0000\")\r\n"),
    PASS("* 1 FETCH (BODY[] {5}\r\nhello)\r\n"),
    PASS("* 2 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] {11}\r\nFrom: a\r\n\r\n)\r\n"),
    PASS("* 3 FETCH (BODY[1.2.MIME] NIL BODY[2]<0> \"abc\" BODY[TEXT] \"\" BODY[HEADER] \"\" "
         "BODY[1.HEADER.FIELDS.NOT (X-Y)] \"\")\r\n"),
    PASS("* 4 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n"),
    PASS("* 4 FETCH (BINARY[] \"abc\" BINARY.SIZE[1] 1234)\r\n"),
    PASS("* 5 FETCH (RFC822.HEADER {0}\r\n RFC822.TEXT NIL RFC822 \"x\")\r\n"),
    PASS("* 1 FETCH (MODSEQ (9223372036854775807))\r\n"),
    PASS("* 1 FETCH (BODY[]<0> {3}\r\nabc BODY[1] NIL)\r\n"),
    PASS("* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) "
         "SAVEDATE \"17-Jul-1996 02:44:25 -0700\" PREVIEW \"Hello\")\r\n"),
    PASS("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
         "\"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
         "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) "
         "\"MIXED\"))\r\n"),
    PASS("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" "
         "5 1 NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 100 "
         "NIL (\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"xyz\") "
         "NIL NIL NIL))\r\n"),
    PASS("* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 "
         "(\"date\" \"subj\" NIL NIL NIL NIL NIL NIL NIL NIL) "
         "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) 12))\r\n"),
    PASS("* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 300 NIL NIL "
         "(\"en\" \"de\") NIL (1 (\"x\" 2))))\r\n"),
    FAIL_AT("* 1 FETCH ()\r\n", "msg-att", 10),
    FAIL("* 1 FETCH (UID 1  FLAGS ())\r\n", "SP"),
    FAIL("* 1 FETCH (UID 1\r\n", "msg-att"),
    FAIL("* 1 FETCH UID 1\r\n", "msg-att"),
    FAIL_AT("* 1 FETCH (MODSEQ (0))\r\n", "mod-sequence-value", 19),
    FAIL("* 1 FETCH (MODSEQ 5)\r\n", "fetch-mod-resp"),
    FAIL("* 1 FETCH (MODSEQ (9223372036854775808))\r\n", "mod-sequence-value"),
    FAIL("* 0 FETCH (UID 1)\r\n", "nz-number"),
    FAIL("* 03 FETCH (UID 1)\r\n", "nz-number"),
    FAIL("* 1 FETCH (UID 0)\r\n", "nz-number"),
    FAIL("* 1 FETCH (FLAGS (\\Seen \\*))\r\n", "flag"),
    FAIL("* 1 FETCH (RFC822.SIZE 4294967296)\r\n", "number"),
    FAIL("* 1 FETCH (INTERNALDATE \"5-Jul-2024 09:01:02 +0000\")\r\n", "date-time"),
    FAIL("* 1 FETCH (INTERNALDATE \"17-Jly-1996 02:44:25 -0700\")\r\n", "date-time"),
    FAIL("* 1 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25\")\r\n", "date-time"),
    FAIL_AT("* 1 FETCH (BODY[] {10}\r\nabc)\r\n", "literal", 18),
    FAIL("* 1 FETCH (BODY[] {2}\r\nabc)\r\n", "msg-att"),
    FAIL("* 1 FETCH (BODY[] {3+}\r\nabc)\r\n", "literal"),
    FAIL("* 1 FETCH (BODY[] {3}\nabc)\r\n", "CRLF"),
    FAIL("* 1 FETCH (BODY[] {4294967296}\r\nabc)\r\n", "number"),
    FAIL("* 3 FETCH (BODY[MIME] NIL)\r\n", "section-spec"),
    FAIL("* 3 FETCH (BODY[0] NIL)\r\n", "nz-number"),
    FAIL("* 3 FETCH (BODY[1 NIL)\r\n", "section"),
    FAIL("* 3 FETCH (BODY[HEADER.FIELDS ()] NIL)\r\n", "header-list"),
    FAIL("* 3 FETCH (BODY[] abc)\r\n", "msg-att"),
    FAIL("* 3 FETCH (BODY.PEEK[] NIL)\r\n", "msg-att"),
    FAIL_AT("* 4 FETCH (BODY[1] {3}\r\na\0b)\r\n", "CHAR8", 25),
    FAIL("* 4 FETCH (BODY[1] ~{3}\r\nabc)\r\n", "literal8"),
    FAIL("* 4 FETCH (BINARY.SIZE 1234)\r\n", "section-binary"),
    FAIL("* 4 FETCH (BINARY[1.TEXT] NIL)\r\n", "section-binary"),
    FAIL("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) "
         "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n", "body-type-mpart"),
    FAIL("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10))\r\n", "body-type-text"),
    FAIL("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 10 1))\r\n", "body-fld-param"),
    FAIL("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 10 1))\r\n", "string"),
    FAIL("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1)\r\n", "msg-att"),
    FAIL("* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", "envelope"),
    FAIL("* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", "envelope"),
    FAIL("* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL "
         "NIL NIL NIL NIL NIL))\r\n", "address-list"),
    FAIL("* 1 FETCH (ENVELOPE (NIL NIL ((NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
         "address"),
    FAIL("* 1 FETCH (ENVELOPE (NIL NIL \"a\" NIL NIL NIL NIL NIL NIL NIL))\r\n", "envelope"),
    UNKNOWN("* 1 FETCH (X-GM-MSGID 1278455344230334865)\r\n"),
    UNKNOWN("* 1 FETCH (UID 4 X-GM-LABELS (\\Inbox \"Work\"))\r\n"),
    FAIL("* 1 FETCH (X-GM-LABELS (\\Inbox)\r\n", "msg-att"),

    /* ---- unknown responses: generic token syntax only ---- */
    UNKNOWN("* METADATA INBOX (/private/comment {5}\r\nhello)\r\n"),
    UNKNOWN("* METADATA INBOX (\"/private/comment\" \"hello\")\r\n"),
    UNKNOWN("* MYRIGHTS INBOX lrwstipekxacd\r\n"),
    UNKNOWN("* ACL INBOX user3 lrwstipekxacd\r\n"),
    UNKNOWN("* QUOTA \"\" (STORAGE 10 512)\r\n"),
    UNKNOWN("* SORT 2 3 6\r\n"),
    UNKNOWN("* THREAD (2)(3 6 (4 23)(44 7 96))\r\n"),
    UNKNOWN("* XLIST (\\HasNoChildren \\Inbox) \"/\" INBOX\r\n"),
    UNKNOWN("* 5 XFOO bar\r\n"),
    UNKNOWN("* XFOO BODY[HEADER.FIELDS (A B)] x\r\n"),
    FAIL("* METADATA INBOX (a b\r\n", "response-data"),
    FAIL("* MYRIGHTS INBOX  lr\r\n", "SP"),
    FAIL("* METADATA INBOX ({10}\r\nab)\r\n", "literal"),
    FAIL("* XFOO caf\xc3\xa9\r\n", "ATOM-CHAR"),
    FAIL("* XFOO \"abc\r\n", "QUOTED-CHAR"),
    FAIL("* XFOO a)\r\n", "response-data"),
    FAIL("* XFOO \r\n", "response-data"),
    FAIL("* XFOO a\n", "CRLF"),
    FAIL("* THREAD (2) (3\r\n", "response-data"),

    /* ---- framing odds and ends ---- */
    FAIL_AT("", "response", 0),
    FAIL_AT("\r\n", "tag", 0),
    FAIL_AT("*\r\n", "response-data", 1),
    FAIL_AT("*  OK x\r\n", "SP", 2),
    FAIL_AT("* \r\n", "response-data", 2),
    FAIL("* OK x\r\nextra", "CRLF"),
    FAIL("* (x)\r\n", "response-data"),
};

/* Runs the checker on an exact-size heap copy, so reads past the end trap
 * under ASan. */
static ic_grammar_verdict check_copy(const char *bytes, size_t len, unsigned flags,
                                     bool greeting, ic_grammar_result *res)
{
    uint8_t *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, bytes, len);
    ic_bytes b = { copy, len };
    ic_grammar_verdict v = greeting ? ic_grammar_check_greeting(b, flags, res)
                                    : ic_grammar_check(b, flags, res);
    free(copy);
    return v;
}

START_TEST(table_row)
{
    const row *r = &rows[_i];
    ic_grammar_result res;
    memset(&res, 0x55, sizeof res);
    ic_grammar_verdict v = check_copy(r->bytes, r->len, r->flags, r->greeting, &res);
    ck_assert_msg(v == r->verdict && res.verdict == v,
                  "row %d %.60s: verdict %s, expected %s (rule %s at %zu: %s)", _i, r->bytes,
                  ic_grammar_verdict_name(v), ic_grammar_verdict_name(r->verdict), res.rule,
                  res.offset, res.message);
    if (r->verdict == IC_GRAMMAR_VIOLATION || r->verdict == IC_GRAMMAR_WARNING) {
        ck_assert_msg(strcmp(res.rule, r->rule) == 0, "row %d %.60s: rule %s, expected %s (%s)",
                      _i, r->bytes, res.rule, r->rule, res.message);
        ck_assert_msg(res.message[0] != '\0', "row %d: empty message", _i);
        ck_assert_msg(strpbrk(res.message, "\r\n") == NULL, "row %d: message not one line", _i);
        ck_assert_msg(res.offset <= r->len, "row %d: offset %zu past the end", _i, res.offset);
    } else {
        ck_assert_msg(res.rule[0] == '\0', "row %d: rule %s on a passing line", _i, res.rule);
    }
    if (r->offset >= 0)
        ck_assert_msg(res.offset == (size_t)r->offset,
                      "row %d %.60s: offset %zu, expected %ld (%s)", _i, r->bytes, res.offset,
                      r->offset, res.message);
}
END_TEST

/* Every strict prefix of an accepted response lacks its final CRLF (or
 * cuts a token), so it must be a violation; and no prefix may crash. */
START_TEST(prefixes_of_valid_lines_fail)
{
    const row *r = &rows[_i];
    ic_grammar_result res;
    for (size_t n = 0; n < r->len; n++) {
        ic_grammar_verdict v = check_copy(r->bytes, n, r->flags, r->greeting, &res);
        if (r->verdict != IC_GRAMMAR_VIOLATION)
            ck_assert_msg(v == IC_GRAMMAR_VIOLATION, "row %d cut at %zu: %s", _i, n,
                          ic_grammar_verdict_name(v));
        ck_assert_uint_le(res.offset, n);
    }
}
END_TEST

/* Overwrites each byte with delimiter-like bytes: must never crash or read
 * out of bounds, and must always give a verdict with an in-range offset. */
START_TEST(mutations_stay_in_bounds)
{
    static const char probes[] = { ' ', '(', ')', '"', '\\', '{', '}', '[', ']', '\r', '\n',
                                   '\0', '*', '~', '9', '\x80' };
    const row *r = &rows[_i];
    char *buf = malloc(r->len ? r->len : 1);
    ck_assert_ptr_nonnull(buf);
    for (size_t pos = 0; pos < r->len; pos++) {
        for (size_t k = 0; k < sizeof probes; k++) {
            memcpy(buf, r->bytes, r->len);
            buf[pos] = probes[k];
            ic_grammar_result res;
            ic_grammar_verdict v = check_copy(buf, r->len, r->flags, r->greeting, &res);
            ck_assert_int_le(v, IC_GRAMMAR_VIOLATION);
            ck_assert_uint_le(res.offset, r->len);
        }
    }
    free(buf);
}
END_TEST

static void expect_message(const char *line, const char *prefix)
{
    ic_grammar_result res;
    check_copy(line, strlen(line), 0, false, &res);
    ck_assert_msg(strncmp(res.message, prefix, strlen(prefix)) == 0, "%s: message \"%s\"", line,
                  res.message);
}

START_TEST(messages_say_what_was_expected)
{
    expect_message("* OK [HIGHESTMODSEQ 0] x\r\n",
                   "mod-sequence 0 is not allowed here "
                   "(mod-sequence-value is 1..9223372036854775807)");
    expect_message("* 4294967296 EXISTS\r\n", "number 4294967296 exceeds 32 bits");
    expect_message("* OK [CLOSED] \r\n",
                   "expected text after \"]\" (resp-text = [\"[\" resp-text-code \"]\" SP] text)");
    expect_message("* LIST () \".\"  \"INBOX\"\r\n", "SP is exactly one space");
    expect_message("* 1 FETCH (UID 1\r\n", "expected SP or \")\" in msg-att, found CRLF");
    expect_message("* VANISHED 1:*\r\n", "\"*\" is not allowed in known-uids");
}
END_TEST

static void expect_name(const char *line, const char *name)
{
    ic_grammar_result res;
    check_copy(line, strlen(line), 0, false, &res);
    ck_assert_str_eq(res.response_name, name);
}

START_TEST(response_names)
{
    expect_name("* 1 FETCH (UID 1)\r\n", "FETCH");
    expect_name("a1 ok done\r\n", "OK");
    expect_name("+ go\r\n", "+");
    expect_name("* metadata INBOX x\r\n", "METADATA");
    expect_name("* LIST () \"/\" x\r\n", "LIST");
    expect_name("* 3 EXPUNGE\r\n", "EXPUNGE");
    expect_name("* OK [ALERT] x\r\n", "OK");
}
END_TEST

START_TEST(verdict_names)
{
    ck_assert_str_eq(ic_grammar_verdict_name(IC_GRAMMAR_OK), "ok");
    ck_assert_str_eq(ic_grammar_verdict_name(IC_GRAMMAR_UNKNOWN), "unknown");
    ck_assert_str_eq(ic_grammar_verdict_name(IC_GRAMMAR_WARNING), "warning");
    ck_assert_str_eq(ic_grammar_verdict_name(IC_GRAMMAR_VIOLATION), "violation");
    ck_assert_str_eq(ic_grammar_verdict_name((ic_grammar_verdict)42), "invalid");
}
END_TEST

/* "* XFOO " followed by depth "(" ... ")" */
static ic_grammar_verdict check_nested(int depth, ic_grammar_result *res)
{
    char line[512];
    int n = snprintf(line, sizeof line, "* XFOO ");
    for (int i = 0; i < depth; i++)
        line[n++] = '(';
    line[n++] = 'a';
    for (int i = 0; i < depth; i++)
        line[n++] = ')';
    line[n++] = '\r';
    line[n++] = '\n';
    return check_copy(line, (size_t)n, 0, false, res);
}

START_TEST(nesting_is_capped)
{
    ic_grammar_result res;
    ck_assert_int_eq(check_nested(60, &res), IC_GRAMMAR_UNKNOWN);
    ck_assert_int_eq(check_nested(200, &res), IC_GRAMMAR_VIOLATION);
    ck_assert_str_eq(res.rule, "response-data");
    ck_assert(strstr(res.message, "nested deeper") != NULL);
}
END_TEST

START_TEST(null_input_and_null_result)
{
    ic_grammar_result res;
    ck_assert_int_eq(ic_grammar_check((ic_bytes){ NULL, 0 }, 0, &res), IC_GRAMMAR_VIOLATION);
    ck_assert_str_eq(res.rule, "response");
    ck_assert_int_eq(ic_grammar_check(IC_BYTES("* OK x\r\n"), 0, NULL), IC_GRAMMAR_OK);
}
END_TEST

static Suite *grammar_suite(void)
{
    Suite *s = suite_create("grammar");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, table_row, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_loop_test(tc, prefixes_of_valid_lines_fail, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_loop_test(tc, mutations_stay_in_bounds, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, messages_say_what_was_expected);
    tcase_add_test(tc, response_names);
    tcase_add_test(tc, verdict_names);
    tcase_add_test(tc, nesting_is_capped);
    tcase_add_test(tc, null_input_and_null_result);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(grammar_suite)
