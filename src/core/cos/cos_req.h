/* The head of a request to Tencent COS (XML API V5), written and signed in
 * one go: the request line with the object key percent-encoded ('/' kept)
 * and the query, Host, the caller's headers, x-cos-security-token, the
 * Authorization (cos_sign.c) and Content-Length. Every header sent is signed:
 * host, content-length, content-md5, content-type and x-cos-*. No I/O, no
 * Lua. COS's "Request Signature" and "Common Request Headers" pages. */
#ifndef VOD_COS_REQ_H
#define VOD_COS_REQ_H

#include "buf.h"
#include "cos_sign.h"

typedef struct vod_cos_head {
    const char *method;             /* "PUT", "POST", "GET", "HEAD", "DELETE" */
    const char *key;                /* the object key, not encoded, no leading '/' */
    const vod_cos_kv *params;       /* query parameters (value NULL: "?uploads") */
    size_t n_params;
    const vod_cos_kv *headers;      /* Content-MD5, Content-Type...: names as sent */
    size_t n_headers;
    const char *host;               /* the Host header's value */
    const char *origin;             /* "" or "http://host:port" (absolute form, via a proxy) */
    int with_length;                /* write Content-Length (PUT, POST) */
    unsigned long long length;
    long long key_start, key_end;   /* the KeyTime, Unix seconds */
} vod_cos_head;

/* Appends the head (up to the empty line) to out. 0, or -1 with why (never
 * a secret). */
int vod_cos_write_head(vod_buf *out, vod_cos_signer *s, const vod_cos_head *h,
                       char why[VOD_COS_WHY_MAX]);

#endif
