/* libFuzzer harness for src/core/http/h1_reader.c: the bytes a server (or anything posing
 * as one) sends back, so outside input.
 *
 * Input: byte 0 sets the body cap (0..255 bytes), byte 1 a split point; the
 * rest is the response. It is read whole, then in two parts, then one byte
 * at a time, each followed by the end of the connection. Properties:
 *  - the three readings agree on the outcome, and on the status, the body
 *    and keep-alive when it is DONE;
 *  - the body never exceeds the cap; a DONE response has a final status
 *    (200..999); an ERROR names its reason and never keeps the connection;
 *  - the end of the connection never leaves the reader wanting more. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1_reader.h"

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_h1_reader: %s\n", what);
    abort();
}

typedef struct result {
    vod_h1_rc rc;
    long status;
    int keep_alive;
    size_t len;
} result;

static vod_h1 P;
static vod_buf B[3];

static result read_it(const uint8_t *d, size_t n, size_t cap, size_t step, size_t split, vod_buf *b)
{
    result r;
    size_t off = 0;
    vod_h1_start(&P, cap);
    vod_buf_reset(b);
    r.rc = VOD_H1_MORE;
    while (off < n && (r.rc == VOD_H1_MORE || r.rc == VOD_H1_DONE)) {
        size_t k = step ? step : (off < split ? split - off : n - off);
        if (k > n - off)
            k = n - off;
        r.rc = vod_h1_feed(&P, (const char *)d + off, k, b);
        off += k;
        if (b->len > cap)
            fail("the body exceeds the cap");
    }
    if (r.rc == VOD_H1_MORE) {
        r.rc = vod_h1_eof(&P);
        if (r.rc == VOD_H1_MORE)
            fail("more wanted after the end of the connection");
    }
    if (r.rc == VOD_H1_ERROR && (P.error == NULL || P.keep_alive))
        fail("an error without a reason, or with the connection kept");
    if (r.rc == VOD_H1_DONE && (P.status < 200 || P.status > 999))
        fail("a final response without a final status");
    if (strnlen(P.date, sizeof P.date) == sizeof P.date)
        fail("an unterminated Date");
    r.status = P.status;
    r.keep_alive = P.keep_alive;
    r.len = b->len;
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    result a, b, c;
    size_t cap, split;
    if (size < 2)
        return 0;
    cap = data[0];
    split = data[1];
    data += 2;
    size -= 2;
    a = read_it(data, size, cap, 0, size, &B[0]);
    b = read_it(data, size, cap, 0, split < size ? split : size, &B[1]);
    c = read_it(data, size, cap, 1, 0, &B[2]);
    if (a.rc != b.rc || a.rc != c.rc)
        fail("the outcome depends on how the bytes arrived");
    if (a.rc == VOD_H1_DONE &&
        (a.status != b.status || a.status != c.status || a.keep_alive != b.keep_alive ||
         a.keep_alive != c.keep_alive || a.len != b.len || a.len != c.len ||
         (a.len > 0 && (memcmp(B[0].data, B[1].data, a.len) != 0 ||
                        memcmp(B[0].data, B[2].data, a.len) != 0))))   /* no body: no buffer */
        fail("a response read differently depending on how the bytes arrived");
    return 0;
}
