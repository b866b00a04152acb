/* A lane's request to COS and its answer (upload_cos.h). COS's pages for each
 * operation: PUT Object, Initiate Multipart Upload, Upload Part, Complete
 * Multipart Upload, Abort Multipart Upload, List Parts, HEAD Object; the
 * error codes page for what an error answer holds. */
#include "upload_cos.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cos_req.h"
#include "md5.h"

/* the answer's headers the upload reads */
static const char *const CAPTURE[] = { "etag", "x-cos-hash-crc64ecma", "x-cos-request-id", NULL };

#define MAX_XML (1024 * 1024)       /* COS's XML answers are small; ListParts of 1000 parts ~ 200 KB */
#define COSOCKET_SLICE (256 * 1024) /* a cosocket's send: at most this much a Lua string */

const char *vod_cos_op_name(int kind)
{
    switch (kind) {
    case VOD_COS_PUT: return "PutObject";
    case VOD_COS_INIT: return "InitiateMultipartUpload";
    case VOD_COS_PART: return "UploadPart";
    case VOD_COS_COMPLETE: return "CompleteMultipartUpload";
    case VOD_COS_ABORT: return "AbortMultipartUpload";
    case VOD_COS_LIST: return "ListParts";
    default: return "HeadObject";
    }
}

int vod_cos_crc_of(const char *text, uint64_t *v)
{
    char *end;
    unsigned long long n;
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return 0;
    n = strtoull(text, &end, 10);
    if (*end != '\0')
        return 0;
    *v = (uint64_t)n;
    return 1;
}

int vod_cos_begin(vod_upload *u, vod_lane *l, char why[VOD_COS_WHY_MAX])
{
    const vod_uobj *o = &u->objs[u->cur];
    vod_cos_kv params[3], headers[2];
    char number[16], marker[24], md5b64[VOD_MD5_B64_LEN + 1];
    vod_cos_head h;
    memset(&h, 0, sizeof h);
    h.key = o->key;
    h.host = u->host;
    h.origin = u->route.origin;
    h.params = params;
    h.headers = headers;
    h.key_start = u->key_start;
    h.key_end = u->key_end;
    switch (l->kind) {
    case VOD_COS_PUT:
    case VOD_COS_PART:
        h.method = "PUT";
        h.with_length = 1;
        h.length = l->body_len;
        if (u->content_md5) {
            vod_md5_base64(l->md5, md5b64);
            headers[h.n_headers].name = "Content-MD5";
            headers[h.n_headers++].value = md5b64;
        }
        if (l->kind == VOD_COS_PART) {
            snprintf(number, sizeof number, "%u", l->part);
            params[0].name = "partNumber";
            params[0].value = number;
            params[1].name = "uploadId";
            params[1].value = u->upload_id;
            h.n_params = 2;
        }
        break;
    case VOD_COS_INIT:
        h.method = "POST";
        h.with_length = 1;
        params[0].name = "uploads";
        params[0].value = NULL;
        h.n_params = 1;
        break;
    case VOD_COS_COMPLETE:
        h.method = "POST";
        h.with_length = 1;
        h.length = l->body_len;
        headers[h.n_headers].name = "Content-Type";
        headers[h.n_headers++].value = "application/xml";
        params[0].name = "uploadId";
        params[0].value = u->upload_id;
        h.n_params = 1;
        break;
    case VOD_COS_ABORT:
        h.method = "DELETE";
        params[0].name = "uploadId";
        params[0].value = u->upload_id;
        h.n_params = 1;
        break;
    case VOD_COS_LIST:
        h.method = "GET";
        params[0].name = "uploadId";
        params[0].value = u->upload_id;
        h.n_params = 1;
        if (l->list_marker > 0) {
            snprintf(marker, sizeof marker, "%llu", l->list_marker);
            params[1].name = "part-number-marker";
            params[1].value = marker;
            h.n_params = 2;
        }
        break;
    default:
        h.method = "HEAD";
        break;
    }
    vod_buf_reset(&l->wire);
    if (vod_cos_write_head(&l->wire, &u->signer, &h, why) != 0)
        return -1;
    vod_x_begin(&l->x, u->driver == VOD_DRIVER_CURL ? &u->route.curl : &u->route.sock, l->wire.data,
                l->wire.len, MAX_XML, 1, u->timeout_ms, (long long)(vod_monotonic() * 1000.0));
    l->x.capture = CAPTURE;
    l->x.no_body = l->kind == VOD_COS_HEAD;
    if (l->kind == VOD_COS_PART && l->windowed) {
        /* from the file as it is read, from its first byte on every try */
        vod_file_window_rewind(&l->win);
        l->x.body_fill = vod_file_window_fill;
        l->x.body_ctx = &l->win;
        l->x.req_body_len = l->body_len;
    } else if (l->kind == VOD_COS_PUT || l->kind == VOD_COS_PART || l->kind == VOD_COS_COMPLETE) {
        l->x.req_body = l->body_ptr;
        l->x.req_body_len = l->body_len;
    }
    if (u->driver == VOD_DRIVER_COSOCKET)
        l->x.max_send = COSOCKET_SLICE;
    return 0;
}

/* COS's error codes a retry may change (its error codes page,
 * https://cloud.tencent.com/document/product/436/7730: the server's trouble,
 * not the request's; BadDigest: the body was damaged on the way, its
 * Content-MD5 computed from the bytes we hold). */
static int transient_code(const char *code)
{
    return strcmp(code, "InternalError") == 0 || strcmp(code, "ServiceUnavailable") == 0 ||
           strcmp(code, "SlowDown") == 0 || strcmp(code, "RequestTimeout") == 0 ||
           strcmp(code, "BadDigest") == 0;
}

static void failed_io(vod_lane *l, vod_cos_answer *a)
{
    const vod_exchange *x = &l->x;
    a->http_status = x->http_status;
    snprintf(a->message, sizeof a->message, "%s", x->msg);
    switch (x->fail) {
    case VOD_FAIL_TLS_VERIFY:
    case VOD_FAIL_PROXY_AUTH:
    case VOD_FAIL_TOO_LARGE:
    case VOD_FAIL_NOMEM:
    case VOD_FAIL_OTHER:
    case VOD_FAIL_SOURCE:               /* the file shrank, or cannot be read */
        a->outcome = VOD_COS_FINAL;     /* no retry changes these */
        break;
    case VOD_FAIL_PROXY:
        a->outcome = x->http_status == 0 || x->http_status >= 500 ? VOD_COS_RETRY : VOD_COS_FINAL;
        break;
    default:
        a->outcome = VOD_COS_RETRY;
        break;
    }
    snprintf(a->code, sizeof a->code, "%d", (int)x->fail);    /* upload.c names it */
}

void vod_cos_read(vod_upload *u, vod_lane *l, int failed, vod_cos_answer *a)
{
    const vod_exchange *x = &l->x;
    long st;
    char why[VOD_COS_XML_WHY_MAX];
    (void)u;
    memset(a, 0, sizeof *a);
    if (failed) {
        failed_io(l, a);
        return;
    }
    st = x->h1.status;
    a->http_status = st;
    snprintf(a->etag, sizeof a->etag, "%s", x->h1.got[0]);
    snprintf(a->crc, sizeof a->crc, "%s", x->h1.got[1]);
    snprintf(a->request_id, sizeof a->request_id, "%s", x->h1.got[2]);
    if (st >= 300 || l->kind == VOD_COS_COMPLETE) {
        /* an error's answer, or Complete's (which may be an error in a 200) */
        int parsed = x->body.len > 0 &&
                     vod_cos_xml_parse(x->body.data, x->body.len, NULL, &a->doc, why) == 0;
        if (parsed && a->doc.kind == VOD_COS_XML_ERROR) {
            snprintf(a->code, sizeof a->code, "%s", a->doc.code ? a->doc.code : "UnknownError");
            snprintf(a->message, sizeof a->message, "%s", a->doc.message ? a->doc.message : "");
            if (a->doc.request_id != NULL && a->request_id[0] == '\0')
                snprintf(a->request_id, sizeof a->request_id, "%s", a->doc.request_id);
        } else if (st < 300 && parsed && a->doc.kind == VOD_COS_XML_COMPLETE) {
            a->outcome = VOD_COS_OK;
            return;
        } else if (st < 300) {
            snprintf(a->code, sizeof a->code, "MalformedResponse");
            snprintf(a->message, sizeof a->message, "the answer to Complete Multipart Upload is "
                     "not COS's: %s", parsed ? "an unexpected document" : why);
            a->outcome = VOD_COS_RETRY;
            return;
        }
        if (x->h1.got[2][0] == '\0' && (!parsed || a->doc.kind != VOD_COS_XML_ERROR)) {
            /* not COS's answer (a proxy's, a load balancer's): as a network failure */
            snprintf(a->code, sizeof a->code, "HTTPStatus");
            snprintf(a->message, sizeof a->message, "HTTP %ld without x-cos-request-id: not an "
                     "answer of COS", st);
            a->outcome = st >= 500 || st == 429 ? VOD_COS_RETRY : VOD_COS_FINAL;
            return;
        }
        if (a->code[0] == '\0')
            snprintf(a->code, sizeof a->code, "HTTP%ld", st);
        if (strcmp(a->code, "RequestTimeTooSkewed") == 0)
            a->outcome = VOD_COS_SKEWED;
        else if (st >= 500 || transient_code(a->code))
            a->outcome = VOD_COS_RETRY;
        else
            a->outcome = VOD_COS_FINAL;
        return;
    }
    if (l->kind == VOD_COS_INIT || l->kind == VOD_COS_LIST) {
        if (vod_cos_xml_parse(x->body.data ? x->body.data : "", x->body.len, NULL, &a->doc, why) != 0 ||
            a->doc.kind != (l->kind == VOD_COS_INIT ? VOD_COS_XML_INITIATE : VOD_COS_XML_LIST_PARTS)) {
            vod_cos_xml_doc_free(&a->doc);
            snprintf(a->code, sizeof a->code, "MalformedResponse");
            snprintf(a->message, sizeof a->message, "the answer to %s is not COS's: %s",
                     vod_cos_op_name(l->kind), why);
            a->outcome = VOD_COS_RETRY;
            return;
        }
    }
    a->outcome = VOD_COS_OK;
}
