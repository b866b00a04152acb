/* The HTTP/1.1 response reader of both transports (the engine's exchange,
 * src/core/engine/exchange.c, feeds it whatever bytes the driver read: libcurl's
 * connection in C, an nginx cosocket from Lua): fed the bytes as they arrive, it finds the status, the framing (Content-Length,
 * chunked, or the end of the connection), Connection and Date, and appends
 * the body to a buffer. No I/O, no Lua, no allocation but the body's and the
 * current line's; fuzzed on its own (spec/fuzz/fuzz_h1_reader.c). */
#ifndef VOD_H1_READER_H
#define VOD_H1_READER_H

#include <stddef.h>

#include "buf.h"

#define VOD_H1_MAX_HEAD (64 * 1024)     /* status line + headers, per response */
#define VOD_H1_CAPTURES 4               /* headers a caller may ask to keep */
#define VOD_H1_CAPTURE_LEN 160          /* bytes kept of each (longer: cut) */

typedef enum vod_h1_rc {
    VOD_H1_MORE = 0,    /* feed more bytes */
    VOD_H1_DONE,        /* a whole final response was read */
    VOD_H1_ERROR,       /* not HTTP/1.x as we accept it: p->error says why */
    VOD_H1_TOO_LARGE,   /* the body would exceed max_body */
    VOD_H1_NOMEM
} vod_h1_rc;

typedef struct vod_h1 {
    size_t max_body;
    int state;
    vod_buf line;               /* the line being read (status, header, chunk size) */
    size_t head_bytes;          /* of this response's head so far */
    long status;
    int started;                /* a byte of the response arrived */
    int minor;                  /* HTTP/1.<minor> */
    int keep_alive;             /* the connection may carry the next request */
    int conn_close, conn_keep;  /* Connection: close / keep-alive seen */
    int chunked;
    int no_body;                /* the request was HEAD or CONNECT: no body follows the head */
    int framing_hdr;            /* the last header line was a framing one (for obs-fold) */
    long long content_length;   /* -1: none given */
    unsigned long long left;    /* bytes left of the body or of the current chunk */
    int extra;                  /* bytes came after the response: do not reuse */
    char date[64];              /* the Date header, "" when none */
    const char *const *want;    /* other headers to keep (lower case, NULL-ended), or NULL */
    char got[VOD_H1_CAPTURES][VOD_H1_CAPTURE_LEN];   /* their values, "" when absent */
    const char *error;          /* static text, set with VOD_H1_ERROR */
} vod_h1;

/* Gets ready for the response to a new request. */
void vod_h1_start(vod_h1 *p, size_t max_body);

/* After vod_h1_start: keep the values of these headers (lower-case names, at
 * most VOD_H1_CAPTURES, NULL-ended; the array must outlive the response) in
 * p->got, in the same order: COS's ETag and x-cos-hash-crc64ecma, say. */
void vod_h1_capture(vod_h1 *p, const char *const *names);

/* After vod_h1_start: the answer to a HEAD request, or to a CONNECT, has no
 * body whatever its headers say (RFC 9112, section 6.3): the head ends it. */
void vod_h1_no_body(vod_h1 *p);

/* Consumes n bytes; the body goes to `body` (which the caller resets). After
 * DONE, p->extra tells whether bytes were left over. */
vod_h1_rc vod_h1_feed(vod_h1 *p, const char *data, size_t n, vod_buf *body);

/* The peer closed the connection: DONE when that ends a body delimited by
 * the close, ERROR otherwise (p->error says where it stopped). */
vod_h1_rc vod_h1_eof(vod_h1 *p);

/* 1 once any byte of a response arrived. */
int vod_h1_started(const vod_h1 *p);

void vod_h1_free(vod_h1 *p);

#endif
