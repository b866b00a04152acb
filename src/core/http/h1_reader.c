#include "h1_reader.h"

#include <string.h>
#include <strings.h>

enum { S_STATUS, S_HEADERS, S_BODY_LEN, S_BODY_EOF, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_END,
       S_TRAILERS, S_DONE };

#define MAX_CHUNK_LINE 1024     /* a chunk-size line with its extensions */

static void reset_head(vod_h1 *p)
{
    p->status = 0;
    p->minor = 1;
    p->conn_close = p->conn_keep = 0;
    p->chunked = 0;
    p->framing_hdr = 0;
    p->content_length = -1;
    p->left = 0;
    p->head_bytes = 0;
}

void vod_h1_start(vod_h1 *p, size_t max_body)
{
    p->max_body = max_body;
    p->state = S_STATUS;
    p->line.len = 0;
    p->started = 0;
    p->keep_alive = 0;
    p->extra = 0;
    p->date[0] = '\0';
    p->error = NULL;
    p->no_body = 0;
    p->want = NULL;
    reset_head(p);
}

void vod_h1_capture(vod_h1 *p, const char *const *names)
{
    p->want = names;
    for (int i = 0; i < VOD_H1_CAPTURES; i++)
        p->got[i][0] = '\0';
}

static int name_is(const char *s, size_t len, const char *name);

static void capture(vod_h1 *p, const char *name, size_t nlen, const char *v, size_t vlen)
{
    for (int i = 0; i < VOD_H1_CAPTURES && p->want[i] != NULL; i++) {
        if (name_is(name, nlen, p->want[i])) {
            if (vlen >= VOD_H1_CAPTURE_LEN)
                vlen = VOD_H1_CAPTURE_LEN - 1;
            memcpy(p->got[i], v, vlen);
            p->got[i][vlen] = '\0';
            return;
        }
    }
}

void vod_h1_no_body(vod_h1 *p) { p->no_body = 1; }

int vod_h1_started(const vod_h1 *p) { return p->started; }

void vod_h1_free(vod_h1 *p) { vod_buf_free(&p->line, 0); }

static vod_h1_rc fail(vod_h1 *p, const char *why)
{
    p->error = why;
    p->keep_alive = 0;
    return VOD_H1_ERROR;
}

static void trim(const char **s, size_t *len)
{
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) { (*s)++; (*len)--; }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

static int name_is(const char *s, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len == n && strncasecmp(s, name, n) == 0;
}

/* Takes the next line. 1: (*s, *len) is the line without its CR LF; 0: the
 * input ran out first (kept for the next feed); -1: over `cap` bytes (a
 * head's bytes counted in *count); -2: out of memory. */
static int take_line(vod_h1 *p, const char **data, size_t *n, size_t cap, size_t *count,
                     const char **s, size_t *len)
{
    const char *nl = memchr(*data, '\n', *n);
    size_t take = nl ? (size_t)(nl - *data) + 1 : *n;
    *count += take;
    if (*count > cap)
        return -1;
    if (nl && p->line.len == 0) {
        *s = *data;                     /* whole in this feed: no copy */
        *len = take - 1;
    } else {
        if (vod_buf_add(&p->line, *data, take) != 0)
            return -2;
        if (nl == NULL) {
            *data += take;
            *n -= take;
            return 0;
        }
        *s = p->line.data;
        *len = p->line.len - 1;
    }
    *data += take;
    *n -= take;
    if (*len && (*s)[*len - 1] == '\r')
        (*len)--;
    return 1;
}

static vod_h1_rc status_line(vod_h1 *p, const char *s, size_t len)
{
    if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
        return fail(p, "the response does not start with an HTTP/1.x status line");
    for (int i = 9; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return fail(p, "the status line has no three-digit status");
    if (len > 12 && s[12] != ' ')
        return fail(p, "the status line has no three-digit status");
    p->minor = s[7] - '0';
    p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (p->status < 100)
        return fail(p, "the status line has no valid status");
    return VOD_H1_MORE;
}

static vod_h1_rc content_length(vod_h1 *p, const char *v, size_t len)
{
    long long n = 0;
    if (len == 0)
        return fail(p, "an empty Content-Length");
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return fail(p, "a Content-Length that is not a number");
        if (n > (0x7fffffffffffffffLL - 9) / 10)
            return fail(p, "a Content-Length too large");
        n = n * 10 + (v[i] - '0');
    }
    if (p->content_length >= 0 && p->content_length != n)
        return fail(p, "two different Content-Length headers");
    p->content_length = n;
    return VOD_H1_MORE;
}

static void connection(vod_h1 *p, const char *v, size_t len)
{
    while (len) {
        size_t t = 0;
        const char *tok;
        while (t < len && v[t] != ',') t++;
        tok = v;
        {
            size_t tl = t;
            trim(&tok, &tl);
            if (name_is(tok, tl, "close"))
                p->conn_close = 1;
            else if (name_is(tok, tl, "keep-alive"))
                p->conn_keep = 1;
        }
        v += t < len ? t + 1 : t;
        len -= t < len ? t + 1 : t;
    }
}

static vod_h1_rc header_line(vod_h1 *p, const char *s, size_t len)
{
    const char *colon, *v;
    size_t nlen, vlen;
    if (s[0] == ' ' || s[0] == '\t') {
        /* obs-fold: harmless on a header we ignore, not on one that frames */
        return p->framing_hdr ? fail(p, "a folded Content-Length, Transfer-Encoding or "
                                        "Connection header") : VOD_H1_MORE;
    }
    colon = memchr(s, ':', len);
    if (colon == NULL || colon == s)
        return fail(p, "a header line without a name and a colon");
    nlen = (size_t)(colon - s);
    v = colon + 1;
    vlen = len - nlen - 1;
    trim(&v, &vlen);
    p->framing_hdr = 0;
    switch (s[0] | 0x20) {
    case 'c':
        if (name_is(s, nlen, "content-length")) {
            p->framing_hdr = 1;
            return content_length(p, v, vlen);
        }
        if (name_is(s, nlen, "connection")) {
            p->framing_hdr = 1;
            connection(p, v, vlen);
        }
        break;
    case 't':
        if (name_is(s, nlen, "transfer-encoding")) {
            p->framing_hdr = 1;
            /* we send no TE and no Accept-Encoding: chunked is all a server may use */
            if (!name_is(v, vlen, "chunked"))
                return fail(p, "a Transfer-Encoding other than chunked");
            p->chunked = 1;
        }
        break;
    case 'd':
        if (name_is(s, nlen, "date")) {
            if (vlen >= sizeof p->date)
                vlen = sizeof p->date - 1;
            memcpy(p->date, v, vlen);
            p->date[vlen] = '\0';
        }
        break;
    default:
        break;
    }
    if (p->want != NULL)
        capture(p, s, nlen, v, vlen);
    return VOD_H1_MORE;
}

/* The empty line after the headers: decides how the body is framed. */
static vod_h1_rc end_of_head(vod_h1 *p)
{
    if (p->status < 200) {
        if (p->status == 101)
            return fail(p, "the server switched protocols (101)");
        reset_head(p);                  /* an interim response: the real one follows */
        p->state = S_STATUS;
        return VOD_H1_MORE;
    }
    p->keep_alive = !p->conn_close && (p->minor == 1 || p->conn_keep);
    if (p->no_body || p->status == 204 || p->status == 304) {
        p->state = S_DONE;
        return VOD_H1_DONE;
    }
    if (p->chunked) {
        if (p->content_length >= 0)
            p->keep_alive = 0;          /* both given: chunked wins, the connection goes */
        p->state = S_CHUNK_SIZE;
        return VOD_H1_MORE;
    }
    if (p->content_length >= 0) {
        if ((unsigned long long)p->content_length > p->max_body) {
            p->keep_alive = 0;
            return VOD_H1_TOO_LARGE;
        }
        p->left = (unsigned long long)p->content_length;
        p->state = p->left ? S_BODY_LEN : S_DONE;
        return p->left ? VOD_H1_MORE : VOD_H1_DONE;
    }
    p->keep_alive = 0;                  /* the body ends when the connection does */
    p->state = S_BODY_EOF;
    return VOD_H1_MORE;
}

static vod_h1_rc chunk_size(vod_h1 *p, const char *s, size_t len, size_t have)
{
    unsigned long long n = 0;
    size_t i = 0;
    for (; i < len; i++) {
        int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
              : (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f' ? (s[i] | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            break;
        if (i >= 15)
            return fail(p, "a chunk size too large");
        n = n * 16 + (unsigned long long)d;
    }
    if (i == 0)
        return fail(p, "a chunk without a hexadecimal size");
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i < len && s[i] != ';')
        return fail(p, "a chunk size followed by something other than an extension");
    if (n == 0) {
        p->state = S_TRAILERS;
        return VOD_H1_MORE;
    }
    if (n > p->max_body - have) {
        p->keep_alive = 0;
        return VOD_H1_TOO_LARGE;
    }
    p->left = n;
    p->state = S_CHUNK_DATA;
    return VOD_H1_MORE;
}

static vod_h1_rc body_bytes(vod_h1 *p, const char **data, size_t *n, vod_buf *body)
{
    size_t take = *n;
    if (p->state != S_BODY_EOF && take > p->left)
        take = (size_t)p->left;
    if (p->state == S_BODY_EOF && take > p->max_body - body->len) {
        p->keep_alive = 0;
        return VOD_H1_TOO_LARGE;
    }
    if (vod_buf_add(body, *data, take) != 0)
        return VOD_H1_NOMEM;
    *data += take;
    *n -= take;
    if (p->state == S_BODY_EOF)
        return VOD_H1_MORE;
    p->left -= take;
    if (p->left == 0) {
        if (p->state == S_CHUNK_DATA) {
            p->state = S_CHUNK_END;
            return VOD_H1_MORE;
        }
        p->state = S_DONE;
        return VOD_H1_DONE;
    }
    return VOD_H1_MORE;
}

vod_h1_rc vod_h1_feed(vod_h1 *p, const char *data, size_t n, vod_buf *body)
{
    vod_h1_rc rc = VOD_H1_MORE;
    if (n)
        p->started = 1;
    while (n) {
        const char *s;
        size_t len, chunk_count = 0;
        int st = p->state, got;
        if (st == S_DONE) {
            p->extra = 1;               /* nothing may follow a response we asked for */
            p->keep_alive = 0;
            return VOD_H1_DONE;
        }
        if (st == S_BODY_LEN || st == S_BODY_EOF || st == S_CHUNK_DATA) {
            rc = body_bytes(p, &data, &n, body);
            if (rc != VOD_H1_MORE)
                goto done;
            continue;
        }
        if (st == S_CHUNK_SIZE || st == S_CHUNK_END) {
            chunk_count = p->line.len;
            got = take_line(p, &data, &n, MAX_CHUNK_LINE, &chunk_count, &s, &len);
        } else {
            got = take_line(p, &data, &n, VOD_H1_MAX_HEAD, &p->head_bytes, &s, &len);
        }
        if (got == 0)
            return VOD_H1_MORE;
        if (got == -2)
            return VOD_H1_NOMEM;
        if (got == -1)
            return fail(p, st == S_CHUNK_SIZE || st == S_CHUNK_END
                           ? "a chunk-size line over 1 KiB" : "a response head over 64 KiB");
        switch (st) {
        case S_STATUS:
            rc = status_line(p, s, len);
            if (rc == VOD_H1_MORE)
                p->state = S_HEADERS;
            break;
        case S_HEADERS:
            rc = len == 0 ? end_of_head(p) : header_line(p, s, len);
            break;
        case S_CHUNK_SIZE:
            rc = chunk_size(p, s, len, body->len);
            break;
        case S_CHUNK_END:
            rc = len == 0 ? (p->state = S_CHUNK_SIZE, VOD_H1_MORE)
                          : fail(p, "a chunk longer than its size");
            break;
        default: /* S_TRAILERS: read and dropped */
            rc = VOD_H1_MORE;
            if (len == 0) {
                p->state = S_DONE;
                rc = VOD_H1_DONE;
            }
            break;
        }
        p->line.len = 0;
        if (rc != VOD_H1_MORE)
            goto done;
    }
    return VOD_H1_MORE;
done:
    if (rc == VOD_H1_DONE && n) {
        p->extra = 1;
        p->keep_alive = 0;
    }
    return rc;
}

vod_h1_rc vod_h1_eof(vod_h1 *p)
{
    p->keep_alive = 0;
    switch (p->state) {
    case S_DONE:
    case S_BODY_EOF:
        p->state = S_DONE;
        return VOD_H1_DONE;
    case S_STATUS:
        if (!p->started)
            return fail(p, "the connection closed before any answer");
        /* fall through */
    case S_HEADERS:
        return fail(p, "the connection closed in the middle of the response head");
    default:
        return fail(p, "the connection closed in the middle of the response body");
    }
}
