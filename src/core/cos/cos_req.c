/* A COS request's head (cos_req.h). */
#include "cos_req.h"

#include <stdio.h>
#include <string.h>

#include "h1_writer.h"

#define MAX_SIGNED (VOD_COS_MAX_FIELDS)

int vod_cos_write_head(vod_buf *out, vod_cos_signer *s, const vod_cos_head *h,
                       char why[VOD_COS_WHY_MAX])
{
    vod_cos_kv signed_h[MAX_SIGNED];
    vod_buf auth = { NULL, 0, 0 };
    char len[24];
    size_t n = 0, tlen;
    const char *token = vod_cos_signer_token(s, &tlen);
    vod_cos_request rq;
    int rc;
    if (h->n_headers + 3 > MAX_SIGNED) {
        snprintf(why, VOD_COS_WHY_MAX, "too many headers");
        return -1;
    }
    signed_h[n].name = "Host";
    signed_h[n++].value = h->host;
    for (size_t i = 0; i < h->n_headers; i++)
        signed_h[n++] = h->headers[i];
    if (h->with_length) {
        snprintf(len, sizeof len, "%llu", h->length);
        signed_h[n].name = "Content-Length";
        signed_h[n++].value = len;
    }
    if (token != NULL) {
        signed_h[n].name = "x-cos-security-token";
        signed_h[n++].value = token;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = h->method;
    rq.key = h->key;
    rq.params = h->params;
    rq.n_params = h->n_params;
    rq.headers = signed_h;
    rq.n_headers = n;
    rq.key_time_start = h->key_start;
    rq.key_time_end = h->key_end;
    if (vod_cos_sign(s, &rq, &auth, why) != 0) {
        vod_buf_free(&auth, 1);
        return -1;
    }
    /* METHOD [origin]/key?query HTTP/1.1 */
    rc = vod_buf_addstr(out, h->method) || vod_buf_addc(out, ' ') ||
         vod_buf_addstr(out, h->origin ? h->origin : "") || vod_buf_addc(out, '/') ||
         vod_cos_url_encode_key(out, h->key, strlen(h->key));
    for (size_t i = 0; rc == 0 && i < h->n_params; i++) {
        rc = vod_buf_addc(out, i ? '&' : '?') ||
             vod_cos_url_encode(out, h->params[i].name, strlen(h->params[i].name));
        if (rc == 0 && h->params[i].value != NULL)
            rc = vod_buf_addc(out, '=') ||
                 vod_cos_url_encode(out, h->params[i].value, strlen(h->params[i].value));
    }
    rc = rc || vod_buf_add(out, " HTTP/1.1\r\n", 11);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = vod_h1w_header(out, signed_h[i].name, signed_h[i].value, strlen(signed_h[i].value));
    rc = rc || vod_h1w_header(out, "Authorization", auth.data, auth.len) ||
         vod_h1w_end_bare(out);
    vod_buf_free(&auth, 1);
    if (rc) {
        snprintf(why, VOD_COS_WHY_MAX, "out of memory");
        return -1;
    }
    return 0;
}
