/* reader_test.c: response framing, literals, caps, partial reads, EOF,
 * bare LF, STARTTLS discard, source errors, linear consumption. */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "ic_error.h"
#include "ic_reader.h"

#define MAX_FRAMED 8

/* Everything one reader made of an input: the responses, then the error
 * that stopped it. */
typedef struct framed {
    size_t n;
    char *resp[MAX_FRAMED];
    size_t len[MAX_FRAMED];
    size_t nliterals[MAX_FRAMED];
    bool lf_only[MAX_FRAMED];
    int rc;
    ic_error err;
    size_t consumed;          /* source bytes read when it stopped */
} framed;

static void frame_all(const void *in, size_t len, size_t chunk, const ic_limits *lim,
                      framed *out)
{
    memset(out, 0, sizeof *out);
    ic_mem_source m = { in, len, 0, chunk };
    ic_reader *r = ic_reader_new((ic_source){ ic_mem_source_read, &m }, lim);
    ck_assert_ptr_nonnull(r);
    for (;;) {
        ic_raw_response raw;
        out->rc = ic_reader_next(r, &raw, &out->err);
        if (out->rc)
            break;
        ck_assert_uint_lt(out->n, MAX_FRAMED);
        out->resp[out->n] = ic_bytes_dup(raw.bytes);
        out->len[out->n] = raw.bytes.len;
        out->nliterals[out->n] = raw.nliterals;
        out->lf_only[out->n] = raw.lf_only;
        out->n++;
    }
    out->consumed = m.pos;
    ic_reader_free(r);
}

static void framed_free(framed *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->resp[i]);
}

static ic_limits small_limits(size_t line, size_t literal, size_t response)
{
    ic_limits l;
    ic_limits_default(&l);
    l.max_line = line;
    l.max_literal = literal;
    l.max_response = response;
    return l;
}

/* ---- framing, whole and in every small chunk size ---------------------- */

typedef struct framing_case {
    const char *name;
    const char *in;               /* NUL-free inputs */
    const char *expect[4];        /* responses, NULL-terminated */
    size_t nliterals[4];
} framing_case;

static const framing_case framing_cases[] = {
    { "two lines", "* OK ready\r\na1 OK done\r\n",
      { "* OK ready\r\n", "a1 OK done\r\n" }, { 0, 0 } },
    { "literal with CRLF and {5} inside its data",
      "* 1 FETCH (BODY[] {10}\r\nab{5}\r\nc\r\n)\r\na2 OK\r\n",
      { "* 1 FETCH (BODY[] {10}\r\nab{5}\r\nc\r\n)\r\n", "a2 OK\r\n" }, { 1, 0 } },
    { "literal data ending in an announcement",
      "* 1 FETCH (BODY[] {7}\r\nx{99}\r\n)\r\n",
      { "* 1 FETCH (BODY[] {7}\r\nx{99}\r\n)\r\n" }, { 1 } },
    { "two literals, literal8, {0} and {n+}",
      "* 2 FETCH (BINARY[1] ~{3}\r\nabc BODY[] {0}\r\n X {2+}\r\nhi)\r\n",
      { "* 2 FETCH (BINARY[1] ~{3}\r\nabc BODY[] {0}\r\n X {2+}\r\nhi)\r\n" }, { 3 } },
    { "literal as the last token of a line",
      "* LIST () \"/\" {4}\r\nINBO\r\n+ go\r\n",
      { "* LIST () \"/\" {4}\r\nINBO\r\n", "+ go\r\n" }, { 1, 0 } },
    { "not announcements: {} and {x} and {5} mid-line",
      "* X {}\r\n* Y {x}\r\n* Z {5} a\r\n",
      { "* X {}\r\n", "* Y {x}\r\n", "* Z {5} a\r\n" }, { 0, 0, 0 } },
};

START_TEST(framing_every_chunk_size)
{
    const framing_case *c = &framing_cases[_i];
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        framed f;
        frame_all(c->in, strlen(c->in), chunk, NULL, &f);
        size_t want = 0;
        while (c->expect[want])
            want++;
        ck_assert_msg(f.n == want, "%s, chunk %zu: %zu responses, want %zu", c->name, chunk,
                      f.n, want);
        for (size_t i = 0; i < want; i++) {
            ck_assert_uint_eq(f.len[i], strlen(c->expect[i]));
            ck_assert_str_eq(f.resp[i], c->expect[i]);
            ck_assert_uint_eq(f.nliterals[i], c->nliterals[i]);
            ck_assert(!f.lf_only[i]);
        }
        /* a clean end between responses: the source's own message */
        ck_assert_int_eq(f.rc, IC_ERR_EOF);
        ck_assert_ptr_nonnull(strstr(f.err.msg, "end of input ("));
        ck_assert_ptr_null(strstr(f.err.msg, "partial"));
        framed_free(&f);
    }
}
END_TEST

START_TEST(literal_bytes_are_not_scanned)
{
    /* NUL, CR and LF inside literal data are payload. */
    static const char in[] = "* 1 FETCH (BODY[] {6}\r\n\0\n\r\n\0\r)\r\n";
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        framed f;
        frame_all(in, sizeof in - 1, chunk, NULL, &f);
        ck_assert_uint_eq(f.n, 1);
        ck_assert_uint_eq(f.len[0], sizeof in - 1);
        ck_assert_int_eq(memcmp(f.resp[0], in, sizeof in - 1), 0);
        ck_assert(!f.lf_only[0]);
        framed_free(&f);
    }
}
END_TEST

START_TEST(bare_lf_frames_but_is_flagged)
{
    static const char in[] = "* OK a\n* OK b\r\n* 1 FETCH (BODY[] {1}\r\nx\n";
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        framed f;
        frame_all(in, sizeof in - 1, chunk, NULL, &f);
        ck_assert_uint_eq(f.n, 3);
        ck_assert_str_eq(f.resp[0], "* OK a\n");
        ck_assert(f.lf_only[0]);
        ck_assert(!f.lf_only[1]);
        ck_assert_str_eq(f.resp[2], "* 1 FETCH (BODY[] {1}\r\nx\n");
        ck_assert(f.lf_only[2]);
        framed_free(&f);
    }
}
END_TEST

/* ---- caps --------------------------------------------------------------- */

typedef struct cap_case {
    const char *name;
    const char *in;
    size_t line, literal, response;
    size_t ok_before;             /* responses framed before the error */
    const char *msg;              /* expected message (exact) */
} cap_case;

static const cap_case cap_cases[] = {
    { "line exactly at the cap passes, one more fails",
      "* OK 67890123456\r\n* OK 678901234567\r\n", 16, 1024, 4096, 1,
      "server line longer than 16 bytes (raise --max-line)" },
    { "line cap counts every segment but not literal data",
      "* 1 FETCH (A {40}\r\n0123456789012345678901234567890123456789 B)\r\n"
      "* 1 FETCH (A {1}\r\nx B C D E F)\r\n", 24, 1024, 4096, 1,
      "server line longer than 24 bytes (raise --max-line)" },
    { "line cap without any LF",
      "* OK 45678901234567890123456789", 16, 1024, 4096, 0,
      "server line longer than 16 bytes (raise --max-line)" },
    { "literal over the cap",
      "* 1 FETCH (BODY[] {1025}\r\n", 1024, 1024, 1u << 20, 0,
      "server announced a literal of 1025 bytes, over the 1024-byte cap (raise --max-literal)" },
    { "literal8 over the cap",
      "* 1 FETCH (BINARY[] ~{99999999999}\r\n", 1024, 16777216, 1u << 30, 0,
      "server announced a literal of 99999999999 bytes, over the 16777216-byte cap "
      "(raise --max-literal)" },
    { "literal count overflowing 64 bits",
      "* 1 FETCH (BODY[] {999999999999999999999999999999}\r\n", 1024, 1024, 4096, 0,
      "server announced a literal of 999999999999999999999999999999 bytes, over the "
      "1024-byte cap (raise --max-literal)" },
    { "absurd digit string is shortened in the message",
      "* X {100000000000000000000000000000000000000000000000000}\r\n", 1024, 1024, 4096, 0,
      "server announced a literal of 1000000000000000000000000000000000000000... bytes, "
      "over the 1024-byte cap (raise --max-literal)" },
    { "whole response over the cap through literals",
      "* 1 FETCH (A {30}\r\n012345678901234567890123456789 B {30}\r\n", 1024, 1024, 64, 0,
      "server response longer than 64 bytes with its literals (raise --max-literal)" },
    { "whole response over the cap at the final line",
      "* 1 FETCH (A {40}\r\n0123456789012345678901234567890123456789 BCDEFGHIJ)\r\n",
      1024, 1024, 64, 0,
      "server response longer than 64 bytes with its literals (raise --max-literal)" },
};

START_TEST(caps_are_enforced)
{
    const cap_case *c = &cap_cases[_i];
    ic_limits lim = small_limits(c->line, c->literal, c->response);
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        framed f;
        frame_all(c->in, strlen(c->in), chunk, &lim, &f);
        ck_assert_msg(f.n == c->ok_before, "%s, chunk %zu: %zu responses", c->name, chunk, f.n);
        ck_assert_msg(f.rc == IC_ERR_PROTOCOL, "%s, chunk %zu: rc %d (%s)", c->name, chunk,
                      f.rc, f.err.msg);
        ck_assert_int_eq(f.err.code, IC_ERR_PROTOCOL);
        ck_assert_str_eq(f.err.msg, c->msg);
        framed_free(&f);
    }
}
END_TEST

START_TEST(literal_over_cap_fails_before_reading_its_data)
{
    /* The announcement is judged as soon as its line ends: the source is
     * not read further (chunk 1 makes that observable). */
    static const char head[] = "* 1 FETCH (BODY[] {99999999}\r\n";
    char in[sizeof head - 1 + 100];
    memcpy(in, head, sizeof head - 1);
    memset(in + sizeof head - 1, 'x', 100);
    ic_limits lim = small_limits(1024, 1024, 1u << 20);
    framed f;
    frame_all(in, sizeof in, 1, &lim, &f);
    ck_assert_int_eq(f.rc, IC_ERR_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(f.err.msg, "literal of 99999999 bytes"));
    ck_assert_uint_eq(f.consumed, sizeof head - 1);
}
END_TEST

START_TEST(line_cap_stops_reading_early)
{
    char in[10000];
    memset(in, 'x', sizeof in);
    ic_limits lim = small_limits(100, 1024, 4096);
    framed f;
    frame_all(in, sizeof in, 1, &lim, &f);
    ck_assert_int_eq(f.rc, IC_ERR_PROTOCOL);
    ck_assert_uint_le(f.consumed, 102);   /* the cap plus one byte of CR slack, plus one */
}
END_TEST

/* ---- EOF and source errors --------------------------------------------- */

START_TEST(eof_mid_response_reports_partial)
{
    static const struct { const char *in; const char *msg; } cases[] = {
        { "* OK ready\r\n* OK par",
          "end of input (20 bytes) after a partial response (8 bytes received)" },
        { "* 1 FETCH (BODY[] {10}\r\nabc",
          "end of input (27 bytes) after a partial response (27 bytes received)" },
        { "* OK line\r",
          "end of input (10 bytes) after a partial response (10 bytes received)" },
        { "* 1 FETCH (BODY[] {1",
          "end of input (20 bytes) after a partial response (20 bytes received)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t chunk = 0; chunk <= 7; chunk++) {
            framed f;
            frame_all(cases[i].in, strlen(cases[i].in), chunk, NULL, &f);
            ck_assert_int_eq(f.rc, IC_ERR_EOF);
            ck_assert_str_eq(f.err.msg, cases[i].msg);
            framed_free(&f);
        }
    }
}
END_TEST

START_TEST(clean_eof_keeps_source_message)
{
    framed f;
    frame_all("* OK\r\n", 6, 0, NULL, &f);
    ck_assert_uint_eq(f.n, 1);
    ck_assert_int_eq(f.rc, IC_ERR_EOF);
    ck_assert_str_eq(f.err.msg, "end of input (6 bytes)");
    framed_free(&f);
}
END_TEST

/* A source that delivers some bytes, then fails with a given error. */
typedef struct failing_source {
    const char *data;
    size_t pos;
    int code;
} failing_source;

static ssize_t failing_read(void *ctx, void *buf, size_t n, ic_error *err)
{
    failing_source *s = ctx;
    size_t left = strlen(s->data) - s->pos;
    if (!left)
        return ic_fail(err, (ic_code)s->code, "no data from 192.0.2.1:143 in 30000 ms");
    if (left > n)
        left = n;
    memcpy(buf, s->data + s->pos, left);
    s->pos += left;
    return (ssize_t)left;
}

START_TEST(source_errors_propagate)
{
    static const char *const inputs[] = { "", "* OK done\r\n", "* OK half" };
    static const int codes[] = { IC_ERR_TIMEOUT, IC_ERR_IO, IC_ERR_TLS };
    for (size_t i = 0; i < 3; i++) {
        for (size_t k = 0; k < 3; k++) {
            failing_source s = { inputs[i], 0, codes[k] };
            ic_reader *r = ic_reader_new((ic_source){ failing_read, &s }, NULL);
            ic_raw_response raw;
            ic_error err;
            int rc = ic_reader_next(r, &raw, &err);
            if (i == 1) {
                ck_assert_int_eq(rc, IC_OK);
                rc = ic_reader_next(r, &raw, &err);
            }
            ck_assert_int_eq(rc, codes[k]);
            ck_assert_int_eq(err.code, codes[k]);
            ck_assert_str_eq(err.msg, "no data from 192.0.2.1:143 in 30000 ms");
            ic_reader_free(r);
        }
    }
}
END_TEST

START_TEST(timeout_then_resume)
{
    /* A timeout leaves the reader usable: more bytes complete the response. */
    failing_source s = { "* OK he", 0, IC_ERR_TIMEOUT };
    ic_reader *r = ic_reader_new((ic_source){ failing_read, &s }, NULL);
    ic_raw_response raw;
    ic_error err;
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_ERR_TIMEOUT);
    s.data = "* OK hello\r\n";
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_OK);
    ck_assert_uint_eq(raw.bytes.len, 12);
    ck_assert_int_eq(memcmp(raw.bytes.ptr, "* OK hello\r\n", 12), 0);
    ic_reader_free(r);
}
END_TEST

/* ---- STARTTLS discard, buffering --------------------------------------- */

START_TEST(discard_buffered_drops_plaintext_after_ok)
{
    static const char in[] = "a1 OK Begin TLS\r\n* OK injected\r\n";
    ic_mem_source m = { (const uint8_t *)in, sizeof in - 1, 0, 0 };
    ic_reader *r = ic_reader_new((ic_source){ ic_mem_source_read, &m }, NULL);
    ic_raw_response raw;
    ic_error err;
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_OK);
    ck_assert_uint_eq(raw.bytes.len, 17);
    ck_assert_uint_eq(ic_reader_buffered(r), 15);
    ck_assert_uint_eq(ic_reader_discard_buffered(r), 15);
    ck_assert_uint_eq(ic_reader_buffered(r), 0);
    /* the response handed out stays valid until the next call */
    ck_assert_int_eq(memcmp(raw.bytes.ptr, "a1 OK Begin TLS\r\n", 17), 0);
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_ERR_EOF);
    ck_assert_ptr_null(strstr(err.msg, "partial"));
    ck_assert_uint_eq(ic_reader_discard_buffered(r), 0);
    ic_reader_free(r);
}
END_TEST

START_TEST(discard_buffered_mid_response_resets_framing)
{
    /* Discarding a partial literal response: the next bytes frame afresh. */
    failing_source s = { "* 1 FETCH (BODY[] {100}\r\nabc", 0, IC_ERR_TIMEOUT };
    ic_reader *r = ic_reader_new((ic_source){ failing_read, &s }, NULL);
    ic_raw_response raw;
    ic_error err;
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_ERR_TIMEOUT);
    ck_assert_uint_eq(ic_reader_discard_buffered(r), 28);
    s.data = "* 1 FETCH (BODY[] {100}\r\nabc* OK tls\r\n";
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_OK);
    ck_assert_uint_eq(raw.bytes.len, 10);
    ck_assert_int_eq(memcmp(raw.bytes.ptr, "* OK tls\r\n", 10), 0);
    ic_reader_free(r);
}
END_TEST

START_TEST(many_small_responses_consume_linearly)
{
    /* A big literal grows the buffer to megabytes; then millions of tiny
     * responses arrive, megabytes per read.  Moving the rest of the buffer
     * per response would copy terabytes here; the test's timeout catches
     * it. */
    enum { BIG = 8 << 20, SMALL = 2500000 };
    static const char head[] = "* 1 FETCH (BODY[] {8388608}\r\n";
    static const char tail[] = ")\r\n";
    static const char small[] = "+\r\n";
    size_t big_len = sizeof head - 1 + BIG + sizeof tail - 1;
    size_t len = big_len + (size_t)SMALL * (sizeof small - 1);
    char *in = malloc(len);
    ck_assert_ptr_nonnull(in);
    memcpy(in, head, sizeof head - 1);
    memset(in + sizeof head - 1, 'x', BIG);
    memcpy(in + big_len - (sizeof tail - 1), tail, sizeof tail - 1);
    for (char *p = in + big_len; p < in + len; p += sizeof small - 1)
        memcpy(p, small, sizeof small - 1);

    ic_mem_source m = { (const uint8_t *)in, len, 0, 0 };
    ic_reader *r = ic_reader_new((ic_source){ ic_mem_source_read, &m }, NULL);
    ic_raw_response raw;
    ic_error err;
    ck_assert_int_eq(ic_reader_next(r, &raw, &err), IC_OK);
    ck_assert_uint_eq(raw.bytes.len, big_len);
    size_t n = 0, wrong = 0;
    while (ic_reader_next(r, &raw, &err) == IC_OK) {
        wrong += raw.bytes.len != sizeof small - 1;   /* no ck_assert per response: keep it cheap */
        n++;
    }
    ck_assert_int_eq(err.code, IC_ERR_EOF);
    ck_assert_uint_eq(n, SMALL);
    ck_assert_uint_eq(wrong, 0);
    ic_reader_free(r);
    free(in);
}
END_TEST

START_TEST(mem_source_honours_chunk)
{
    static const char data[] = "abcdefghij";
    ic_mem_source m = { (const uint8_t *)data, 10, 0, 3 };
    char buf[16];
    ic_error err;
    ck_assert_int_eq(ic_mem_source_read(&m, buf, sizeof buf, &err), 3);
    ck_assert_int_eq(ic_mem_source_read(&m, buf, 2, &err), 2);
    ck_assert_int_eq(memcmp(buf, "de", 2), 0);
    m.chunk = 0;
    ck_assert_int_eq(ic_mem_source_read(&m, buf, sizeof buf, &err), 5);
    ck_assert_int_eq(ic_mem_source_read(&m, buf, sizeof buf, &err), IC_ERR_EOF);
    ck_assert_int_eq(err.code, IC_ERR_EOF);
}
END_TEST

static Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, framing_every_chunk_size, 0,
                        (int)(sizeof framing_cases / sizeof framing_cases[0]));
    tcase_add_test(tc, literal_bytes_are_not_scanned);
    tcase_add_test(tc, bare_lf_frames_but_is_flagged);
    tcase_add_loop_test(tc, caps_are_enforced, 0, (int)(sizeof cap_cases / sizeof cap_cases[0]));
    tcase_add_test(tc, literal_over_cap_fails_before_reading_its_data);
    tcase_add_test(tc, line_cap_stops_reading_early);
    tcase_add_test(tc, eof_mid_response_reports_partial);
    tcase_add_test(tc, clean_eof_keeps_source_message);
    tcase_add_test(tc, source_errors_propagate);
    tcase_add_test(tc, timeout_then_resume);
    tcase_add_test(tc, discard_buffered_drops_plaintext_after_ok);
    tcase_add_test(tc, discard_buffered_mid_response_resets_framing);
    tcase_add_test(tc, many_small_responses_consume_linearly);
    tcase_add_test(tc, mem_source_honours_chunk);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(reader_suite)
