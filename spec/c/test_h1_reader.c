/* Unit tests of src/core/http/h1_reader.c, the response reader of the raw transport: every
 * response is also fed one byte at a time and in every two-part split, and
 * must come out the same. Prints "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "h1_reader.h"

#include "check.h"

typedef struct outcome {
    vod_h1_rc rc;
    long status;
    int keep_alive, extra;
    char body[256];
    size_t body_len;
    char date[64];
    const char *error;
} outcome;

static vod_h1 P;
static vod_buf B;

/* Feeds s in pieces of `step` bytes (0: all at once, -1: split once at `at`),
 * bytes after a whole response too, then the end of the connection when `eof`. */
static outcome run(const char *s, size_t len, size_t max_body, long step, size_t at, int eof)
{
    outcome o;
    size_t off = 0;
    memset(&o, 0, sizeof o);
    vod_h1_start(&P, max_body);
    vod_buf_reset(&B);
    o.rc = VOD_H1_MORE;
    while (off < len && (o.rc == VOD_H1_MORE || o.rc == VOD_H1_DONE)) {
        size_t n = step > 0 ? (size_t)step : step == 0 ? len : (off < at ? at : len - off);
        if (n > len - off)
            n = len - off;
        o.rc = vod_h1_feed(&P, s + off, n, &B);
        off += n;
    }
    if (eof && o.rc == VOD_H1_MORE)
        o.rc = vod_h1_eof(&P);
    o.status = P.status;
    o.keep_alive = P.keep_alive;
    o.extra = P.extra;
    o.body_len = B.len;
    if (B.len < sizeof o.body) {
        if (B.len)
            memcpy(o.body, B.data, B.len);
        o.body[B.len] = '\0';
    }
    memcpy(o.date, P.date, sizeof o.date);
    o.error = P.error;
    return o;
}

static int same(const outcome *a, const outcome *b)
{
    if (a->rc != b->rc || a->keep_alive != b->keep_alive)
        return 0;
    return a->rc != VOD_H1_DONE || (a->status == b->status && a->body_len == b->body_len &&
                                    strcmp(a->body, b->body) == 0 && strcmp(a->date, b->date) == 0);
}

/* The outcome of feeding it whole, checked equal to byte-by-byte and every split. */
static outcome feed(const char *s, size_t max_body, int eof)
{
    size_t len = strlen(s);
    outcome whole = run(s, len, max_body, 0, 0, eof), o;
    int ok = 1;
    o = run(s, len, max_body, 1, 0, eof);
    ok &= same(&whole, &o);
    for (size_t at = 1; at < len; at++) {
        o = run(s, len, max_body, -1, at, eof);
        ok &= same(&whole, &o);
    }
    CHECK(ok, "the same outcome whatever the split");
    if (!ok)
        printf("  for: %.60s\n", s);
    return whole;
}

#define RESP "{\"Response\":{\"RequestId\":\"r\"}}"

static void test_content_length(void)
{
    outcome o = feed("HTTP/1.1 200 OK\r\nContent-Length: 30\r\nDate: Tue, 24 Nov 2026 05:00:00 GMT\r\n"
                     "Server: x\r\n\r\n" RESP, 1000, 0);
    CHECK(o.rc == VOD_H1_DONE, "Content-Length: done");
    CHECK(o.status == 200 && o.keep_alive && !o.extra, "200, kept alive");
    CHECK(strcmp(o.body, RESP) == 0, "the body");
    CHECK(strcmp(o.date, "Tue, 24 Nov 2026 05:00:00 GMT") == 0, "the Date header");

    o = feed("HTTP/1.1 500 Internal Server Error\r\ncontent-length:  3 \r\n\r\nabc", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.status == 500 && strcmp(o.body, "abc") == 0, "lower-case name, spaces");
    o = feed("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && strcmp(o.body, "hi") == 0, "bare LF line ends");
    o = feed("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.body_len == 0 && o.status == 200, "no reason phrase, empty body");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE, "the same Content-Length twice");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_MORE, "a short body waits for more");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi", 1000, 1);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "middle of the response body"), "closed mid-body");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.extra && !o.keep_alive, "bytes after the response: not reused");
}

static void test_connection(void)
{
    outcome o = feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && !o.keep_alive, "Connection: close");
    o = feed("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && !o.keep_alive, "close in a list, any case");
    o = feed("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && !o.keep_alive, "HTTP/1.0: closed by default");
    o = feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.keep_alive, "HTTP/1.0 with keep-alive");
    o = feed("HTTP/1.0 200 OK\r\n\r\nuntil the end", 1000, 0);
    CHECK(o.rc == VOD_H1_MORE, "no length: read to the end");
    o = feed("HTTP/1.0 200 OK\r\n\r\nuntil the end", 1000, 1);
    CHECK(o.rc == VOD_H1_DONE && !o.keep_alive && strcmp(o.body, "until the end") == 0,
          "no length: the end of the connection ends the body");
    o = feed("HTTP/1.1 204 No Content\r\n\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.keep_alive && o.body_len == 0, "204 has no body");
}

static void test_chunked(void)
{
    outcome o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n1;ext=\"x\"\r\n \r\nA \r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n",
                     1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.keep_alive, "chunked: done, kept alive");
    CHECK(strcmp(o.body, "hello 0123456789") == 0, "chunks joined, extensions and trailers dropped");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.body_len == 0, "an empty chunked body");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
             1000, 0);
    CHECK(o.rc == VOD_H1_DONE && strcmp(o.body, "hi") == 0 && !o.keep_alive,
          "chunked and a length: chunked wins, the connection is not reused");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n", 1000, 1);
    CHECK(o.rc == VOD_H1_ERROR, "chunked body cut by the close");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "hexadecimal"), "a bad chunk size");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "longer than its size"), "a chunk over its size");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "too large"), "a 17-digit chunk size");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "other than chunked"), "a coding we never asked for");
}

static void test_interim(void)
{
    outcome o = feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                     "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 1000, 0);
    CHECK(o.rc == VOD_H1_DONE && o.status == 201 && strcmp(o.body, "ok") == 0, "1xx answers skipped");
    o = feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 1000, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "101"), "101 refused");
}

static void test_limits(void)
{
    static char big[VOD_H1_MAX_HEAD + 200];
    outcome o = feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10, 0);
    CHECK(o.rc == VOD_H1_TOO_LARGE && !o.keep_alive, "Content-Length over the cap, before any byte");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 10, 0);
    CHECK(o.rc == VOD_H1_DONE, "exactly the cap");
    o = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
             10, 0);
    CHECK(o.rc == VOD_H1_TOO_LARGE, "chunks over the cap");
    o = feed("HTTP/1.0 200 OK\r\n\r\nhello world", 10, 1);
    CHECK(o.rc == VOD_H1_TOO_LARGE, "a body to the close, over the cap");
    o = feed("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 10, 0);
    CHECK(o.rc == VOD_H1_ERROR && strstr(o.error, "too large"), "a Content-Length past 2^63");

    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(big + 20, 'a', sizeof big - 20 - 5);
    memcpy(big + sizeof big - 5, "\r\n\r\n", 5);
    vod_h1_start(&P, 1000);
    vod_buf_reset(&B);
    CHECK(vod_h1_feed(&P, big, strlen(big), &B) == VOD_H1_ERROR && strstr(P.error, "64 KiB"),
          "a head over 64 KiB");
}

static void test_malformed(void)
{
    static const char *bad[] = {
        "SSH-2.0-OpenSSH_9.2\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 20\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n  3\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        outcome o = feed(bad[i], 1000, 0);
        CHECK(o.rc == VOD_H1_ERROR && o.error != NULL && !o.keep_alive, bad[i]);
    }
    {
        outcome o = feed("HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 2\r\n\r\nhi", 1000, 0);
        CHECK(o.rc == VOD_H1_DONE, "a folded header that does not frame the body is ignored");
    }
}

static void test_eof(void)
{
    vod_h1_start(&P, 1000);
    CHECK(!vod_h1_started(&P), "nothing yet");
    CHECK(vod_h1_eof(&P) == VOD_H1_ERROR && strstr(P.error, "before any answer"), "closed before any answer");
    vod_h1_start(&P, 1000);
    vod_buf_reset(&B);
    CHECK(vod_h1_feed(&P, "HTTP/1.1 2", 10, &B) == VOD_H1_MORE && vod_h1_started(&P), "started");
    CHECK(vod_h1_eof(&P) == VOD_H1_ERROR && strstr(P.error, "response head"), "closed mid-head");
}

int main(void)
{
    test_content_length();
    test_connection();
    test_chunked();
    test_interim();
    test_limits();
    test_malformed();
    test_eof();
    vod_h1_free(&P);
    vod_buf_free(&B, 0);
    return check_report();
}
