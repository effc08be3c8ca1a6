/* response_test.c: the lenient response parser: every response shape the
 * suite meets, token types, and each malformed class with its offset. */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "ic_error.h"
#include "ic_response.h"

#define DEPTH 8

static ic_response *parse_ok(const char *s)
{
    ic_response *r = NULL;
    ic_error err;
    int rc = ic_response_parse(BYTES(s), DEPTH, &r, &err);
    ck_assert_msg(rc == IC_OK, "parse of \"%s\" failed: %s", s, err.msg);
    ck_assert_ptr_nonnull(r);
    return r;
}

/* ck_assert_str_eq for views, with the failing line's own number. */
#define BYTES_EQ(b, s)                                                       \
    do {                                                                     \
        ic_bytes b_ = (b);                                                   \
        char *got_ = ic_bytes_dup(b_);                                       \
        ck_assert_msg(ic_bytes_eq_str(b_, s), "got \"%s\", want \"%s\"", got_, s); \
        free(got_);                                                          \
    } while (0)

#define NODE_IS(n, t, val)                                                   \
    do {                                                                     \
        const ic_node *n_ = (n);                                             \
        ck_assert_ptr_nonnull(n_);                                           \
        ck_assert_int_eq(n_->type, t);                                       \
        BYTES_EQ(n_->value, val);                                            \
    } while (0)

#define NUMBER_IS(n, v)                                                      \
    do {                                                                     \
        const ic_node *m_ = (n);                                             \
        ck_assert_ptr_nonnull(m_);                                           \
        ck_assert_int_eq(m_->type, IC_NODE_NUMBER);                          \
        ck_assert(m_->num_ok);                                               \
        ck_assert_uint_eq(m_->num, v);                                       \
    } while (0)

#define ARG(first, i) ic_node_nth((first), (i))

/* ---- status responses and response codes ------------------------------- */

START_TEST(greeting_with_capability_code)
{
    ic_response *r = parse_ok("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n");
    ck_assert_int_eq(r->kind, IC_RESP_UNTAGGED);
    ck_assert_int_eq(r->cond, IC_COND_OK);
    BYTES_EQ(r->name, "OK");
    ck_assert(r->has_code);
    BYTES_EQ(r->code.name, "CAPABILITY");
    BYTES_EQ(r->code.raw, "CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN");
    ck_assert_uint_eq(r->code.offset, 5);
    ck_assert_uint_eq(r->code.nargs, 3);
    NODE_IS(ARG(r->code.args, 0), IC_NODE_ATOM, "IMAP4rev1");
    NODE_IS(ARG(r->code.args, 2), IC_NODE_ATOM, "AUTH=PLAIN");
    ck_assert_ptr_null(ARG(r->code.args, 3));
    BYTES_EQ(r->text, "Dovecot ready.");
    ck_assert_uint_eq(r->nargs, 0);
    ck_assert(!r->has_number);
    ic_response_free(r);
}
END_TEST

START_TEST(tagged_ok_with_appenduid_and_copyuid)
{
    ic_response *r = parse_ok("a1 OK [APPENDUID 38505 3955] APPEND completed\r\n");
    ck_assert_int_eq(r->kind, IC_RESP_TAGGED);
    BYTES_EQ(r->tag, "a1");
    ck_assert_int_eq(r->cond, IC_COND_OK);
    BYTES_EQ(r->code.name, "APPENDUID");
    ck_assert_uint_eq(r->code.nargs, 2);
    NUMBER_IS(ARG(r->code.args, 0), 38505);
    NUMBER_IS(ARG(r->code.args, 1), 3955);
    BYTES_EQ(r->text, "APPEND completed");
    ic_response_free(r);

    r = parse_ok("A0007 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
    BYTES_EQ(r->tag, "A0007");
    BYTES_EQ(r->code.name, "COPYUID");
    ck_assert_uint_eq(r->code.nargs, 3);
    NUMBER_IS(ARG(r->code.args, 0), 38505);
    NODE_IS(ARG(r->code.args, 1), IC_NODE_ATOM, "304,319:320");
    NODE_IS(ARG(r->code.args, 2), IC_NODE_ATOM, "3956:3958");
    ic_response_free(r);

    r = parse_ok("c3 NO [MODIFIED 7,9] Conditional STORE failed\r\n");
    ck_assert_int_eq(r->cond, IC_COND_NO);
    NODE_IS(ARG(r->code.args, 0), IC_NODE_ATOM, "7,9");
    ic_response_free(r);
}
END_TEST

START_TEST(untagged_ok_codes_of_select)
{
    ic_response *r = parse_ok("* OK [HIGHESTMODSEQ 715194045007] Highest\r\n");
    BYTES_EQ(r->code.name, "HIGHESTMODSEQ");
    NUMBER_IS(r->code.args, 715194045007u);
    ic_response_free(r);

    r = parse_ok("* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n");
    BYTES_EQ(r->code.name, "NOMODSEQ");
    ck_assert_uint_eq(r->code.nargs, 0);
    ck_assert_ptr_null(r->code.args);
    BYTES_EQ(r->text, "Sorry, this mailbox format doesn't support modsequences");
    ic_response_free(r);

    r = parse_ok("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
    NUMBER_IS(r->code.args, 3857529045u);
    ic_response_free(r);

    r = parse_ok("* OK [PERMANENTFLAGS (\\Answered \\Seen $Forwarded \\*)] Flags permitted.\r\n");
    BYTES_EQ(r->code.name, "PERMANENTFLAGS");
    ck_assert_uint_eq(r->code.nargs, 1);
    const ic_node *flags = r->code.args;
    ck_assert_int_eq(flags->type, IC_NODE_LIST);
    ck_assert_uint_eq(flags->nchildren, 4);
    BYTES_EQ(flags->raw, "(\\Answered \\Seen $Forwarded \\*)");
    NODE_IS(ARG(flags->child, 0), IC_NODE_ATOM, "\\Answered");
    NODE_IS(ARG(flags->child, 3), IC_NODE_ATOM, "\\*");
    BYTES_EQ(r->text, "Flags permitted.");
    ic_response_free(r);
}
END_TEST

START_TEST(code_without_text_and_other_conditions)
{
    ic_response *r = parse_ok("* OK [CLOSED]\r\n");
    BYTES_EQ(r->code.name, "CLOSED");
    ck_assert_uint_eq(r->text.len, 0);
    ic_response_free(r);

    static const struct { const char *in; ic_cond cond; const char *text; } cases[] = {
        { "* NO Disk full\r\n", IC_COND_NO, "Disk full" },
        { "b2 BAD Error in IMAP command\r\n", IC_COND_BAD, "Error in IMAP command" },
        { "* PREAUTH IMAP4rev1 server logged in as Smith\r\n", IC_COND_PREAUTH,
          "IMAP4rev1 server logged in as Smith" },
        { "* BYE\r\n", IC_COND_BYE, "" },
        { "* ok lower case\r\n", IC_COND_OK, "lower case" },
        { "a OK\r\n", IC_COND_OK, "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = parse_ok(cases[i].in);
        ck_assert_int_eq(r->cond, cases[i].cond);
        ck_assert(!r->has_code);
        BYTES_EQ(r->text, cases[i].text);
        ic_response_free(r);
    }
    ck_assert_str_eq(ic_cond_name(IC_COND_PREAUTH), "PREAUTH");
    ck_assert_str_eq(ic_cond_name(IC_COND_BYE), "BYE");
    ck_assert_str_eq(ic_cond_name(IC_COND_NONE), "none");
}
END_TEST

START_TEST(badcharset_code_with_list)
{
    ic_response *r = parse_ok("* NO [BADCHARSET (US-ASCII \"UTF-8\")] unsupported charset\r\n");
    BYTES_EQ(r->code.name, "BADCHARSET");
    const ic_node *list = r->code.args;
    ck_assert_int_eq(list->type, IC_NODE_LIST);
    NODE_IS(ARG(list->child, 0), IC_NODE_ATOM, "US-ASCII");
    NODE_IS(ARG(list->child, 1), IC_NODE_QUOTED, "UTF-8");
    BYTES_EQ(ARG(list->child, 1)->raw, "\"UTF-8\"");
    BYTES_EQ(r->text, "unsupported charset");
    ic_response_free(r);
}
END_TEST

START_TEST(unknown_code_with_untokenisable_text)
{
    ic_response *r = parse_ok("* OK [XDOVECOT can't \"parse this] weird ] text\r\n");
    ck_assert(r->has_code);
    BYTES_EQ(r->code.name, "XDOVECOT");
    BYTES_EQ(r->code.raw, "XDOVECOT can't \"parse this");
    ck_assert_uint_eq(r->code.nargs, 3);
    NODE_IS(ARG(r->code.args, 0), IC_NODE_ATOM, "can't");
    NODE_IS(ARG(r->code.args, 1), IC_NODE_ATOM, "\"parse");
    NODE_IS(ARG(r->code.args, 2), IC_NODE_ATOM, "this");
    BYTES_EQ(r->text, "weird ] text");
    ic_response_free(r);

    /* unbalanced parenthesis inside a code: raw too */
    r = parse_ok("* NO [XFOO (a b] c\r\n");
    BYTES_EQ(r->code.raw, "XFOO (a b");
    NODE_IS(ARG(r->code.args, 0), IC_NODE_ATOM, "(a");
    BYTES_EQ(r->text, "c");
    ic_response_free(r);

    /* free text that tokenises is kept as tokens */
    r = parse_ok("* OK [REFERRAL imap://user;AUTH=*@SERVER2/SHARED/FOO] Remote\r\n");
    BYTES_EQ(r->code.name, "REFERRAL");
    NODE_IS(r->code.args, IC_NODE_ATOM, "imap://user;AUTH=*@SERVER2/SHARED/FOO");
    ic_response_free(r);
}
END_TEST

/* ---- data responses ---------------------------------------------------- */

START_TEST(fetch_attributes)
{
    ic_response *r = parse_ok(
        "* 12 FETCH (UID 4 FLAGS (\\Seen \\Answered) MODSEQ (12345) BODY[] {12}\r\n"
        "hello\r\nyou\r\n)\r\n");
    ck_assert_int_eq(r->kind, IC_RESP_UNTAGGED);
    ck_assert(r->has_number);
    ck_assert_uint_eq(r->number, 12);
    BYTES_EQ(r->name, "FETCH");
    ck_assert_int_eq(r->cond, IC_COND_NONE);
    ck_assert_uint_eq(r->nargs, 1);
    const ic_node *att = r->args;
    ck_assert_int_eq(att->type, IC_NODE_LIST);
    ck_assert_uint_eq(att->nchildren, 8);
    ck_assert_uint_eq(att->offset, 11);
    NUMBER_IS(ic_node_plist_get(att, "UID"), 4);
    NUMBER_IS(ic_node_plist_get(att, "uid"), 4);
    const ic_node *flags = ic_node_plist_get(att, "FLAGS");
    ck_assert_int_eq(flags->type, IC_NODE_LIST);
    ck_assert_uint_eq(flags->nchildren, 2);
    NODE_IS(ARG(flags->child, 1), IC_NODE_ATOM, "\\Answered");
    const ic_node *modseq = ic_node_plist_get(att, "MODSEQ");
    ck_assert_uint_eq(modseq->nchildren, 1);
    NUMBER_IS(modseq->child, 12345);
    const ic_node *body = ic_node_plist_get(att, "BODY[]");
    NODE_IS(body, IC_NODE_LITERAL, "hello\r\nyou\r\n");
    BYTES_EQ(body->raw, "{12}\r\nhello\r\nyou\r\n");
    ck_assert(!body->literal8);
    ck_assert_uint_eq(body->offset, 64);
    ck_assert_ptr_null(ic_node_plist_get(att, "ENVELOPE"));
    ck_assert_ptr_null(ic_node_plist_get(att, "4"));   /* values are not names */
    ic_response_free(r);
}
END_TEST

START_TEST(fetch_section_atoms_and_literal8)
{
    ic_response *r = parse_ok(
        "* 2 FETCH (BODY[HEADER.FIELDS (FROM TO)]<0> {9}\r\nFrom: a\r\n"
        " BINARY[1] ~{3}\r\nxyz BODY[1.MIME] NIL BODY[]<0.100> \"x\")\r\n");
    const ic_node *att = r->args;
    ck_assert_uint_eq(att->nchildren, 8);
    NODE_IS(ARG(att->child, 0), IC_NODE_ATOM, "BODY[HEADER.FIELDS (FROM TO)]<0>");
    NODE_IS(ARG(att->child, 1), IC_NODE_LITERAL, "From: a\r\n");
    NODE_IS(ARG(att->child, 2), IC_NODE_ATOM, "BINARY[1]");
    NODE_IS(ARG(att->child, 3), IC_NODE_LITERAL, "xyz");
    ck_assert(ARG(att->child, 3)->literal8);
    ck_assert(!ARG(att->child, 1)->literal8);
    NODE_IS(ARG(att->child, 5), IC_NODE_NIL, "NIL");
    NODE_IS(ARG(att->child, 6), IC_NODE_ATOM, "BODY[]<0.100>");
    ic_response_free(r);

    /* binary data, NULs included, stays in the literal */
    static const char raw[] = "* 2 FETCH (BINARY[1] ~{3}\r\n\0\1\2 BODY[1.MIME] NIL)\r\n";
    ic_error err;
    ck_assert_int_eq(ic_response_parse((ic_bytes){ (const uint8_t *)raw, sizeof raw - 1 }, DEPTH,
                                       &r, &err), IC_OK);
    const ic_node *bin = ic_node_plist_get(r->args, "BINARY[1]");
    ck_assert(bin->literal8);
    ck_assert_uint_eq(bin->value.len, 3);
    ck_assert_int_eq(memcmp(bin->value.ptr, "\0\1\2", 3), 0);
    ck_assert_uint_eq(bin->raw.len, 9);
    ck_assert_int_eq(memcmp(bin->raw.ptr, "~{3}\r\n\0\1\2", 9), 0);
    ck_assert_int_eq(ic_node_plist_get(r->args, "BODY[1.MIME]")->type, IC_NODE_NIL);
    ic_response_free(r);
}
END_TEST

START_TEST(list_responses)
{
    ic_response *r = parse_ok("* LIST (\\HasChildren \\Subscribed) \"/\" \"Sent Items\" "
                              "(\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    BYTES_EQ(r->name, "LIST");
    ck_assert_uint_eq(r->nargs, 4);
    ck_assert_int_eq(ARG(r->args, 0)->type, IC_NODE_LIST);
    ck_assert_uint_eq(ARG(r->args, 0)->nchildren, 2);
    NODE_IS(ARG(r->args, 1), IC_NODE_QUOTED, "/");
    NODE_IS(ARG(r->args, 2), IC_NODE_QUOTED, "Sent Items");
    const ic_node *ext = ARG(r->args, 3);
    ck_assert_uint_eq(ext->nchildren, 2);
    NODE_IS(ext->child, IC_NODE_QUOTED, "CHILDINFO");
    NODE_IS(ARG(ext->child, 1)->child, IC_NODE_QUOTED, "SUBSCRIBED");
    ic_response_free(r);

    r = parse_ok("* LIST (\\Noselect) NIL \"\"\r\n");
    NODE_IS(ARG(r->args, 1), IC_NODE_NIL, "NIL");
    NODE_IS(ARG(r->args, 2), IC_NODE_QUOTED, "");
    ic_response_free(r);

    r = parse_ok("* LIST () \".\" {8}\r\nfoo\r\nbar\r\n");
    ck_assert_uint_eq(ARG(r->args, 0)->nchildren, 0);
    ck_assert_ptr_null(ARG(r->args, 0)->child);
    NODE_IS(ARG(r->args, 2), IC_NODE_LITERAL, "foo\r\nbar");
    ic_response_free(r);
}
END_TEST

START_TEST(status_search_esearch_vanished)
{
    ic_response *r = parse_ok("* STATUS \"Sent Items\" (MESSAGES 17 HIGHESTMODSEQ 7011231777)\r\n");
    BYTES_EQ(r->name, "STATUS");
    NODE_IS(r->args, IC_NODE_QUOTED, "Sent Items");
    NUMBER_IS(ic_node_plist_get(ARG(r->args, 1), "MESSAGES"), 17);
    NUMBER_IS(ic_node_plist_get(ARG(r->args, 1), "highestmodseq"), 7011231777u);
    ic_response_free(r);

    r = parse_ok("* SEARCH 2 5 6 (MODSEQ 917162500)\r\n");
    ck_assert_uint_eq(r->nargs, 4);
    NUMBER_IS(ARG(r->args, 2), 6);
    NUMBER_IS(ic_node_plist_get(ARG(r->args, 3), "MODSEQ"), 917162500);
    ic_response_free(r);

    r = parse_ok("* SEARCH\r\n");
    BYTES_EQ(r->name, "SEARCH");
    ck_assert_uint_eq(r->nargs, 0);
    ck_assert_ptr_null(r->args);
    ic_response_free(r);

    r = parse_ok("* ESEARCH (TAG \"a9\") UID MIN 4 ALL 4:18,21\r\n");
    ck_assert_uint_eq(r->nargs, 6);
    NODE_IS(ARG(r->args, 0)->child, IC_NODE_ATOM, "TAG");
    NODE_IS(ARG(ARG(r->args, 0)->child, 1), IC_NODE_QUOTED, "a9");
    NODE_IS(ARG(r->args, 1), IC_NODE_ATOM, "UID");
    NUMBER_IS(ARG(r->args, 3), 4);
    NODE_IS(ARG(r->args, 5), IC_NODE_ATOM, "4:18,21");
    ic_response_free(r);

    r = parse_ok("* VANISHED (EARLIER) 1:3,5\r\n");
    BYTES_EQ(r->name, "VANISHED");
    ck_assert(!r->has_number);
    ck_assert_uint_eq(r->nargs, 2);
    NODE_IS(ARG(r->args, 0)->child, IC_NODE_ATOM, "EARLIER");
    NODE_IS(ARG(r->args, 1), IC_NODE_ATOM, "1:3,5");
    ic_response_free(r);
}
END_TEST

START_TEST(numbered_and_simple_data)
{
    static const struct { const char *in; uint64_t number; const char *name; } cases[] = {
        { "* 3 EXPUNGE\r\n", 3, "EXPUNGE" },
        { "* 172 EXISTS\r\n", 172, "EXISTS" },
        { "* 0 RECENT\r\n", 0, "RECENT" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ic_response *r = parse_ok(cases[i].in);
        ck_assert(r->has_number);
        ck_assert_uint_eq(r->number, cases[i].number);
        BYTES_EQ(r->name, cases[i].name);
        ck_assert_uint_eq(r->nargs, 0);
        ic_response_free(r);
    }
    ic_response *r = parse_ok("* ENABLED CONDSTORE QRESYNC\r\n");
    ck_assert(!r->has_number);
    ck_assert_uint_eq(r->nargs, 2);
    NODE_IS(ARG(r->args, 1), IC_NODE_ATOM, "QRESYNC");
    ic_response_free(r);

    r = parse_ok("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    BYTES_EQ(r->name, "CAPABILITY");
    ck_assert_int_eq(r->cond, IC_COND_NONE);
    ck_assert_uint_eq(r->nargs, 2);
    ic_response_free(r);

    /* a message number beyond 64 bits saturates (the grammar check reports it) */
    r = parse_ok("* 99999999999999999999999 EXISTS\r\n");
    ck_assert(r->has_number);
    ck_assert_uint_eq(r->number, UINT64_MAX);
    ic_response_free(r);
}
END_TEST

START_TEST(namespace_and_id)
{
    ic_response *r = parse_ok("* NAMESPACE ((\"\" \"/\")) NIL ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n");
    ck_assert_uint_eq(r->nargs, 3);
    const ic_node *personal = r->args;
    ck_assert_uint_eq(personal->nchildren, 1);
    NODE_IS(personal->child->child, IC_NODE_QUOTED, "");
    NODE_IS(ARG(personal->child->child, 1), IC_NODE_QUOTED, "/");
    ck_assert_int_eq(ARG(r->args, 1)->type, IC_NODE_NIL);
    const ic_node *shared = ARG(r->args, 2);
    ck_assert_uint_eq(shared->nchildren, 2);   /* adjacent lists without SP */
    NODE_IS(ARG(shared->child, 1)->child, IC_NODE_QUOTED, "#public/");
    ic_response_free(r);

    r = parse_ok("* ID (\"name\" \"Dovecot\" \"support-url\" NIL)\r\n");
    ck_assert_uint_eq(r->args->nchildren, 4);
    NODE_IS(ARG(r->args->child, 1), IC_NODE_QUOTED, "Dovecot");
    ck_assert_int_eq(ARG(r->args->child, 3)->type, IC_NODE_NIL);
    ic_response_free(r);
}
END_TEST

START_TEST(continuations)
{
    static const struct { const char *in; const char *text; } cases[] = {
        { "+ idling\r\n", "idling" },
        { "+\r\n", "" },
        { "+ \r\n", "" },
        { "+ dGVzdA==\r\n", "dGVzdA==" },
        { "+ Ready for literal data\r\n", "Ready for literal data" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ic_response *r = parse_ok(cases[i].in);
        ck_assert_int_eq(r->kind, IC_RESP_CONTINUATION);
        ck_assert_int_eq(r->cond, IC_COND_NONE);
        ck_assert_uint_eq(r->name.len, 0);
        BYTES_EQ(r->text, cases[i].text);
        ic_response_free(r);
    }
}
END_TEST

/* ---- tokens ------------------------------------------------------------ */

START_TEST(quoted_escapes_nil_and_numbers)
{
    ic_response *r = parse_ok("* X \"a\\\"b\\\\c\\d\" nil Nil NILS 18446744073709551615 "
                              "18446744073709551616 007 \"NIL\" \"\"\r\n");
    const ic_node *q = r->args;
    NODE_IS(q, IC_NODE_QUOTED, "a\"b\\c\\d");         /* \" \\ unescaped, \d kept */
    BYTES_EQ(q->raw, "\"a\\\"b\\\\c\\d\"");
    ck_assert_uint_eq(q->offset, 4);
    NODE_IS(ARG(r->args, 1), IC_NODE_NIL, "nil");
    NODE_IS(ARG(r->args, 2), IC_NODE_NIL, "Nil");
    NODE_IS(ARG(r->args, 3), IC_NODE_ATOM, "NILS");
    NUMBER_IS(ARG(r->args, 4), UINT64_MAX);
    const ic_node *big = ARG(r->args, 5);
    ck_assert_int_eq(big->type, IC_NODE_NUMBER);
    ck_assert(!big->num_ok);
    BYTES_EQ(big->value, "18446744073709551616");
    NUMBER_IS(ARG(r->args, 6), 7);
    NODE_IS(ARG(r->args, 7), IC_NODE_QUOTED, "NIL");
    NODE_IS(ARG(r->args, 8), IC_NODE_QUOTED, "");
    ck_assert_uint_eq(r->nargs, 9);
    ic_response_free(r);
}
END_TEST

START_TEST(atoms_keep_sections_and_specials)
{
    ic_response *r = parse_ok("* X BODY[HEADER.FIELDS.NOT (A [B] C)]<10.20> 1:* \\Flagged a]b "
                              "BODY[]x [brackets first]\r\n");
    NODE_IS(ARG(r->args, 0), IC_NODE_ATOM, "BODY[HEADER.FIELDS.NOT (A [B] C)]<10.20>");
    NODE_IS(ARG(r->args, 1), IC_NODE_ATOM, "1:*");
    NODE_IS(ARG(r->args, 2), IC_NODE_ATOM, "\\Flagged");
    NODE_IS(ARG(r->args, 3), IC_NODE_ATOM, "a]b");
    NODE_IS(ARG(r->args, 4), IC_NODE_ATOM, "BODY[]x");
    NODE_IS(ARG(r->args, 5), IC_NODE_ATOM, "[brackets first]");
    ck_assert_uint_eq(r->nargs, 6);
    ic_response_free(r);

    /* a CR not followed by LF is no line end: it stays in the atom */
    r = parse_ok("* X a\rb c\r\n");
    NODE_IS(r->args, IC_NODE_ATOM, "a\rb");
    ck_assert_uint_eq(r->nargs, 2);
    ic_response_free(r);

    /* a section of digits is not a number */
    r = parse_ok("* X 12[3]\r\n");
    ck_assert_int_eq(r->args->type, IC_NODE_ATOM);
    ic_response_free(r);
}
END_TEST

START_TEST(bare_lf_and_literal_plus_are_lenient)
{
    ic_response *r = parse_ok("* 1 EXISTS\n");
    BYTES_EQ(r->name, "EXISTS");
    ic_response_free(r);
    r = parse_ok("* OK hi\n");
    BYTES_EQ(r->text, "hi");
    ic_response_free(r);
    r = parse_ok("* X {2+}\r\nab {1}\nc\n");
    NODE_IS(r->args, IC_NODE_LITERAL, "ab");
    NODE_IS(ARG(r->args, 1), IC_NODE_LITERAL, "c");
    ic_response_free(r);
}
END_TEST

START_TEST(nth_and_plist_edges)
{
    ic_response *r = parse_ok("* 1 FETCH (UID 5 FLAGS)\r\n");
    ck_assert_ptr_null(ic_node_plist_get(r->args, "FLAGS"));   /* no value follows */
    ck_assert_ptr_null(ic_node_plist_get(NULL, "UID"));
    ck_assert_ptr_null(ic_node_plist_get(r->args->child, "UID"));   /* not a list */
    ck_assert_ptr_null(ic_node_nth(r->args, 1));
    ck_assert_ptr_null(ic_node_nth(NULL, 0));
    ck_assert_ptr_eq(ic_node_nth(r->args->child, 0), r->args->child);
    ic_response_free(r);
}
END_TEST

START_TEST(parse_copy_owns_its_bytes)
{
    char *in = strdup("* 1 FETCH (BODY[] {3}\r\nabc FLAGS (\\Seen))\r\n");
    ic_response *r = NULL;
    ic_error err;
    ck_assert_int_eq(ic_response_parse_copy(BYTES(in), DEPTH, &r, &err), IC_OK);
    memset(in, 'z', strlen(in));
    free(in);
    NODE_IS(ic_node_plist_get(r->args, "BODY[]"), IC_NODE_LITERAL, "abc");
    NODE_IS(ic_node_plist_get(r->args, "FLAGS")->child, IC_NODE_ATOM, "\\Seen");
    BYTES_EQ(r->name, "FETCH");
    ck_assert_uint_eq(r->raw.len, 43);
    ic_response_free(r);
    ic_response_free(NULL);
}
END_TEST

START_TEST(depth_cap_and_deep_nesting)
{
    ic_response *r = NULL;
    ic_error err;
    ck_assert_int_eq(ic_response_parse(BYTES("* X ((a))\r\n"), 2, &r, &err), IC_OK);
    ck_assert_uint_eq(r->args->child->child->value.len, 1);
    ic_response_free(r);
    ck_assert_int_eq(ic_response_parse(BYTES("* X (((a)))\r\n"), 2, &r, &err), IC_ERR_PROTOCOL);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err.msg, "malformed response at byte 6: lists nested deeper than 2 levels");

    /* No recursion: a generous cap with very deep input must not exhaust
     * the stack. */
    enum { DEEP = 300000 };
    size_t len = 4 + 2 * DEEP + 2;
    char *deep = malloc(len + 1);
    memcpy(deep, "* X ", 4);
    memset(deep + 4, '(', DEEP);
    memset(deep + 4 + DEEP, ')', DEEP);
    memcpy(deep + 4 + 2 * DEEP, "\r\n", 3);
    ck_assert_int_eq(ic_response_parse(BYTES(deep), DEEP, &r, &err), IC_OK);
    ck_assert_uint_eq(r->args->raw.len, 2 * DEEP);
    ic_response_free(r);
    ck_assert_int_eq(ic_response_parse(BYTES(deep), DEEP - 1, &r, &err), IC_ERR_PROTOCOL);
    free(deep);
}
END_TEST

/* ---- malformed input --------------------------------------------------- */

typedef struct bad_case {
    const char *in;
    size_t offset;
    const char *why;
} bad_case;

static const bad_case bad_cases[] = {
    { "* LIST () \"/ INBOX\r\n", 10, "unterminated quoted string" },
    { "* X \"ab\\\"\r\n", 4, "unterminated quoted string" },
    { "* 1 FETCH (UID 1 FLAGS (\\Seen)\r\n", 10, "unbalanced '(': no matching ')'" },
    { "* 1 FETCH UID 1)\r\n", 15, "unbalanced ')'" },
    { "* OK [ALERT broken\r\n", 5, "response code not closed by ']'" },
    { "* 1 FETCH (BODY[HEADER.FIELDS (FROM)\r\n", 15, "unbalanced '[': no matching ']' on the line" },
    { "* 1 FETCH (BODY[] {10}\r\nabc)\r\n", 18,
      "literal of 10 bytes runs past the end of the response (6 bytes follow)" },
    { "* 1 FETCH (BODY[] {3}\r\nabc)", 27, "missing CRLF at the end of the response" },
    { "* X {5}\r\nabc\r\n", 14, "missing CRLF at the end of the response" },
    { "* OK hi", 7, "missing CRLF at the end of the response" },
    { "", 0, "missing CRLF at the end of the response" },
    { "* X {5}abc\r\n", 4, "literal announcement not followed by CRLF" },
    { "* X {x}\r\n", 4, "malformed literal announcement: expected digits after '{'" },
    { "* X {5\r\n", 4, "malformed literal announcement: expected '}'" },
    { "* X {99999999999999999999999}\r\nab\r\n", 4, "literal count does not fit in 64 bits" },
    { "* X ((((((((((a))))))))))\r\n", 12, "lists nested deeper than 8 levels" },
    { "* X a\r\nb\r\n", 7, "data after the end of the response line" },
    { "a1\r\n", 2, "expected SP after the tag" },
    { "*OK\r\n", 1, "expected SP after \"*\"" },
    { " a1 OK\r\n", 0, "expected a tag, \"*\" or \"+\" at the start of the response" },
    { "(a) OK\r\n", 0, "expected a tag, \"*\" or \"+\" at the start of the response" },
    { "* \r\n", 2, "expected a response name" },
    { "* (a)\r\n", 2, "expected a response name" },
    { "* 5\r\n", 3, "expected SP after the message number" },
};

START_TEST(malformed_fails_with_offset)
{
    const bad_case *c = &bad_cases[_i];
    ic_response *r = (ic_response *)&r;   /* must be reset to NULL */
    ic_error err;
    int rc = ic_response_parse(BYTES(c->in), DEPTH, &r, &err);
    ck_assert_msg(rc == IC_ERR_PROTOCOL, "\"%s\": rc %d", c->in, rc);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.code, IC_ERR_PROTOCOL);
    char want[512];
    snprintf(want, sizeof want, "malformed response at byte %zu: %s", c->offset, c->why);
    ck_assert_str_eq(err.msg, want);
}
END_TEST

static Suite *response_suite(void)
{
    Suite *s = suite_create("response");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, greeting_with_capability_code);
    tcase_add_test(tc, tagged_ok_with_appenduid_and_copyuid);
    tcase_add_test(tc, untagged_ok_codes_of_select);
    tcase_add_test(tc, code_without_text_and_other_conditions);
    tcase_add_test(tc, badcharset_code_with_list);
    tcase_add_test(tc, unknown_code_with_untokenisable_text);
    tcase_add_test(tc, fetch_attributes);
    tcase_add_test(tc, fetch_section_atoms_and_literal8);
    tcase_add_test(tc, list_responses);
    tcase_add_test(tc, status_search_esearch_vanished);
    tcase_add_test(tc, numbered_and_simple_data);
    tcase_add_test(tc, namespace_and_id);
    tcase_add_test(tc, continuations);
    tcase_add_test(tc, quoted_escapes_nil_and_numbers);
    tcase_add_test(tc, atoms_keep_sections_and_specials);
    tcase_add_test(tc, bare_lf_and_literal_plus_are_lenient);
    tcase_add_test(tc, nth_and_plist_edges);
    tcase_add_test(tc, parse_copy_owns_its_bytes);
    tcase_add_test(tc, depth_cap_and_deep_nesting);
    tcase_add_loop_test(tc, malformed_fails_with_offset, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(response_suite)
