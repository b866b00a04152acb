/*
 * cos_sign.c - COS XML API V5 request signature, q-sign-algorithm=sha1
 * (see cos_sign.h; COS's "Request Signature" page).
 *
 * The HttpString is streamed into the SHA-1 context piece by piece; the
 * encoded names and values of a request live in the signer's scratch buffer
 * (reused from call to call), addressed by offsets since it may move.
 */
#include "cos_sign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#define SHA1_LEN 20

/* ---- small helpers ------------------------------------------------------ */

static void say(char *why, const char *fmt, ...)
{
    va_list ap;
    if (why == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(why, VOD_COS_WHY_MAX, fmt, ap);
    va_end(ap);
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 9110 section 5.6.2: tchar. */
static int is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int printable(const char *p, size_t n, int allow_amp)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e || (!allow_amp && c == '&'))
            return 0;
    }
    return 1;
}

static int encode(vod_buf *out, const unsigned char *p, size_t len, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (vod_buf_reserve(out, len * 3) != 0)     /* len * 3 cannot overflow: buf_reserve
                                                   refuses sizes past SIZE_MAX / 2 */
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out->data[out->len++] = (char)c;
        } else {
            out->data[out->len++] = '%';
            out->data[out->len++] = hex[c >> 4];
            out->data[out->len++] = hex[c & 15];
        }
    }
    return 0;
}

int vod_cos_url_encode(vod_buf *out, const void *data, size_t len)
{
    if (len > ((size_t)-1) / 8)
        return -1;
    return encode(out, (const unsigned char *)data, len, 0);
}

int vod_cos_url_encode_key(vod_buf *out, const void *data, size_t len)
{
    if (len > ((size_t)-1) / 8)
        return -1;
    return encode(out, (const unsigned char *)data, len, 1);
}

/* Decimal text of v >= 0; returns its length (<= 20). */
static size_t format_ll(long long v, char *buf)
{
    char tmp[21];
    size_t n = 0, i;
    unsigned long long u = (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* ---- signer lifetime ------------------------------------------------------ */

int vod_cos_signer_init(vod_cos_signer *s, const char *secret_id, size_t id_len,
                        const char *secret_key, size_t key_len,
                        const char *token, size_t token_len, char why[VOD_COS_WHY_MAX])
{
    const mbedtls_md_info_t *info;

    if (why != NULL)
        why[0] = '\0';
    if (s == NULL) {
        say(why, "no signer given");
        return -1;
    }
    memset(s, 0, sizeof *s);
    if (secret_id == NULL || id_len == 0 || id_len > VOD_COS_MAX_ID_LEN) {
        say(why, "secret_id must be 1 to %d bytes", VOD_COS_MAX_ID_LEN);
        return -1;
    }
    if (!printable(secret_id, id_len, 0)) {
        say(why, "secret_id must be printable ASCII without spaces or '&'");
        return -1;
    }
    if (secret_key == NULL || key_len == 0) {
        say(why, "secret_key must not be empty");
        return -1;
    }
    if (token == NULL)
        token_len = 0;
    if (token_len > VOD_COS_MAX_TOKEN_LEN) {
        say(why, "token must be at most %d bytes", VOD_COS_MAX_TOKEN_LEN);
        return -1;
    }
    if (!printable(token, token_len, 1)) {
        say(why, "token must be printable ASCII without spaces");
        return -1;
    }

    memcpy(s->secret_id, secret_id, id_len);
    s->secret_id_len = id_len;
    mbedtls_md_init(&s->sha);
    mbedtls_md_init(&s->hmac);
    mbedtls_md_init(&s->pad_in);
    mbedtls_md_init(&s->pad_out);
    s->md_inited = 1;
    info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    if (info == NULL || mbedtls_md_setup(&s->sha, info, 0) != 0 ||
        mbedtls_md_setup(&s->hmac, info, 1) != 0 || mbedtls_md_setup(&s->pad_in, info, 0) != 0 ||
        mbedtls_md_setup(&s->pad_out, info, 0) != 0) {
        say(why, "SHA-1 is unavailable in this mbedTLS, or out of memory");
        goto fail;
    }
    s->secret_key = malloc(key_len);
    if (s->secret_key == NULL) {
        say(why, "out of memory");
        goto fail;
    }
    memcpy(s->secret_key, secret_key, key_len);
    s->secret_key_len = key_len;
    if (token_len > 0) {
        s->token = malloc(token_len + 1);
        if (s->token == NULL) {
            say(why, "out of memory");
            goto fail;
        }
        memcpy(s->token, token, token_len);
        s->token[token_len] = '\0';
        s->token_len = token_len;
    }
    return 0;

fail:
    vod_cos_signer_free(s);
    return -1;
}

void vod_cos_signer_free(vod_cos_signer *s)
{
    if (s == NULL)
        return;
    if (s->secret_key != NULL) {
        mbedtls_platform_zeroize(s->secret_key, s->secret_key_len);
        free(s->secret_key);
    }
    if (s->token != NULL) {
        mbedtls_platform_zeroize(s->token, s->token_len);
        free(s->token);
    }
    if (s->md_inited) {
        /* mbedtls_md_free zeroizes the HMAC pads and the digest states. */
        mbedtls_md_free(&s->sha);
        mbedtls_md_free(&s->hmac);
        mbedtls_md_free(&s->pad_in);
        mbedtls_md_free(&s->pad_out);
    }
    vod_buf_free(&s->scratch, 1);       /* held header values: the token too */
    mbedtls_platform_zeroize(s, sizeof *s);
}

const char *vod_cos_signer_token(const vod_cos_signer *s, size_t *len)
{
    if (len != NULL)
        *len = s != NULL ? s->token_len : 0;
    return s != NULL ? s->token : NULL;
}

/* ---- the SignKey of a KeyTime -------------------------------------------- */

/* SignKey = hex HMAC-SHA1(SecretKey, KeyTime); then SignKey's HMAC pads
 * (RFC 2104: the 40-byte key zero-padded to SHA-1's 64-byte block, XOR 0x36
 * and XOR 0x5c) absorbed into pad_in and pad_out. */
static int derive(vod_cos_signer *s, const char *key_time, size_t kt_len)
{
    unsigned char mac[SHA1_LEN], ipad[64], opad[64];
    int rc = -1;

    s->have_key = 0;
    if (mbedtls_md_hmac_starts(&s->hmac, s->secret_key, s->secret_key_len) != 0 ||
        mbedtls_md_hmac_update(&s->hmac, (const unsigned char *)key_time, kt_len) != 0 ||
        mbedtls_md_hmac_finish(&s->hmac, mac) != 0)
        goto done;
    to_hex(mac, SHA1_LEN, s->sign_key);
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (int i = 0; i < VOD_COS_HEX_LEN; i++) {
        ipad[i] ^= (unsigned char)s->sign_key[i];
        opad[i] ^= (unsigned char)s->sign_key[i];
    }
    if (mbedtls_md_starts(&s->pad_in) != 0 || mbedtls_md_update(&s->pad_in, ipad, 64) != 0 ||
        mbedtls_md_starts(&s->pad_out) != 0 || mbedtls_md_update(&s->pad_out, opad, 64) != 0)
        goto done;
    s->derivations++;
    s->have_key = 1;
    rc = 0;
done:
    mbedtls_platform_zeroize(mac, sizeof mac);
    mbedtls_platform_zeroize(ipad, sizeof ipad);
    mbedtls_platform_zeroize(opad, sizeof opad);
    if (rc != 0)
        mbedtls_platform_zeroize(s->sign_key, sizeof s->sign_key);
    return rc;
}

/* ---- the encoded, sorted fields of a request ------------------------------ */

typedef struct field {
    size_t name, name_len;      /* offsets into the scratch buffer */
    size_t value, value_len;
} field;

typedef struct fields {
    field f[VOD_COS_MAX_FIELDS];
    size_t order[VOD_COS_MAX_FIELDS];
    size_t n;
} fields;

static int name_cmp(const vod_buf *b, const field *x, const field *y)
{
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(b->data + x->name, b->data + y->name, n);
    if (c != 0)
        return c;
    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Encodes every name (then lowercases it) and value into the scratch buffer,
 * sorts by name and refuses duplicates. what: "params" or "headers". */
static int prepare(vod_cos_signer *s, const vod_cos_kv *kv, size_t n, int headers,
                   fields *out, char *why)
{
    const char *what = headers ? "headers" : "params";
    vod_buf *b = &s->scratch;

    out->n = n;
    for (size_t i = 0; i < n; i++) {
        const char *name = kv[i].name, *value = kv[i].value;
        size_t value_len;
        field *f = &out->f[i];

        if (name == NULL || name[0] == '\0') {
            say(why, "%s[%zu]: the name is missing or empty", what, i);
            return -1;
        }
        if (headers) {
            size_t nl = strlen(name);
            for (size_t k = 0; k < nl; k++)
                if (!is_tchar((unsigned char)name[k])) {
                    say(why, "headers[%zu]: the name is not an HTTP token", i);
                    return -1;
                }
            if (value == NULL) {
                say(why, "headers[%zu] (%.40s): the value is missing", i, name);
                return -1;
            }
            while (*value == ' ' || *value == '\t')
                value++;
            value_len = strlen(value);
            while (value_len > 0 && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
                value_len--;
            for (size_t k = 0; k < value_len; k++) {
                unsigned char c = (unsigned char)value[k];
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    say(why, "headers[%zu] (%.40s): the value has a control byte", i, name);
                    return -1;
                }
            }
        } else {
            if (value == NULL)
                value = "";
            value_len = strlen(value);
        }
        f->name = b->len;
        if (vod_cos_url_encode(b, name, strlen(name)) != 0)
            goto nomem;
        f->name_len = b->len - f->name;
        for (size_t k = f->name; k < b->len; k++)
            if (b->data[k] >= 'A' && b->data[k] <= 'Z')
                b->data[k] = (char)(b->data[k] + 32);
        f->value = b->len;
        if (vod_cos_url_encode(b, value, value_len) != 0)
            goto nomem;
        f->value_len = b->len - f->value;
    }
    /* insertion sort: at most VOD_COS_MAX_FIELDS entries */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && name_cmp(b, &out->f[out->order[j - 1]], &out->f[i]) > 0) {
            out->order[j] = out->order[j - 1];
            j--;
        }
        out->order[j] = i;
    }
    for (size_t i = 1; i < n; i++) {
        size_t a = out->order[i - 1], c = out->order[i];
        if (name_cmp(b, &out->f[a], &out->f[c]) == 0) {
            if (a > c) {
                size_t t = a;
                a = c;
                c = t;
            }
            if (headers)
                say(why, "headers[%zu] (%.40s) and headers[%zu] have the same name", a,
                    kv[a].name, c);
            else
                say(why, "params[%zu] and params[%zu] have the same name", a, c);
            return -1;
        }
    }
    return 0;
nomem:
    say(why, "out of memory");
    return -1;
}

/* name=value&name=value into the digest */
static int digest_pairs(mbedtls_md_context_t *sha, const vod_buf *b, const fields *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        const field *f = &fs->f[fs->order[i]];
        if ((i > 0 && mbedtls_md_update(sha, (const unsigned char *)"&", 1) != 0) ||
            mbedtls_md_update(sha, (const unsigned char *)b->data + f->name, f->name_len) != 0 ||
            mbedtls_md_update(sha, (const unsigned char *)"=", 1) != 0 ||
            mbedtls_md_update(sha, (const unsigned char *)b->data + f->value, f->value_len) != 0)
            return -1;
    }
    return 0;
}

/* name;name into the Authorization value */
static int add_list(vod_buf *auth, const vod_buf *b, const fields *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        const field *f = &fs->f[fs->order[i]];
        if ((i > 0 && vod_buf_addc(auth, ';') != 0) ||
            vod_buf_add(auth, b->data + f->name, f->name_len) != 0)
            return -1;
    }
    return 0;
}

/* ---- signing ---------------------------------------------------------------- */

#define UPD(p, n)                                                                     \
    do {                                                                              \
        if (mbedtls_md_update(&s->sha, (const unsigned char *)(p), (n)) != 0)         \
            goto crypto;                                                              \
    } while (0)

int vod_cos_sign(vod_cos_signer *s, const vod_cos_request *req, vod_buf *auth,
                 char why[VOD_COS_WHY_MAX])
{
    fields params, headers;
    char key_time[48];
    size_t kt_len;
    unsigned char digest[SHA1_LEN];
    char hex[VOD_COS_HEX_LEN + 1];
    char method[64];
    size_t method_len;

    if (why != NULL)
        why[0] = '\0';
    if (auth == NULL) {
        say(why, "no output buffer given");
        return -1;
    }
    vod_buf_reset(auth);
    if (s == NULL || s->secret_key == NULL || !s->md_inited) {
        say(why, "the signer is not initialised");
        return -1;
    }
    if (req == NULL) {
        say(why, "no request given");
        return -1;
    }

    /* ---- the inputs ---- */
    if (req->method == NULL || req->method[0] == '\0') {
        say(why, "method is missing or empty");
        return -1;
    }
    method_len = strlen(req->method);
    if (method_len >= sizeof method || !printable(req->method, method_len, 1)) {
        say(why, "method must be 1 to %zu bytes of printable ASCII", sizeof method - 1);
        return -1;
    }
    for (size_t i = 0; i < method_len; i++) {
        char c = req->method[i];
        method[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    if (req->key == NULL) {
        say(why, "key is missing (give \"\" for the bucket itself)");
        return -1;
    }
    if (req->key[0] == '/') {
        say(why, "key must not start with '/': give the object key without its leading slash");
        return -1;
    }
    if (req->n_params > VOD_COS_MAX_FIELDS || req->n_headers > VOD_COS_MAX_FIELDS) {
        say(why, "%s: more than %d entries", req->n_params > VOD_COS_MAX_FIELDS ? "params" : "headers",
            VOD_COS_MAX_FIELDS);
        return -1;
    }
    if ((req->params == NULL && req->n_params > 0) || (req->headers == NULL && req->n_headers > 0)) {
        say(why, "%s is NULL with a count above 0", req->params == NULL && req->n_params > 0
                                                        ? "params" : "headers");
        return -1;
    }
    if (req->key_time_start < 0 || req->key_time_start > req->key_time_end ||
        req->key_time_end > VOD_COS_MAX_TIME) {
        say(why, "key time: need 0 <= start <= end <= %lld", VOD_COS_MAX_TIME);
        return -1;
    }
    vod_buf_reset(&s->scratch);
    if (prepare(s, req->params, req->n_params, 0, &params, why) != 0 ||
        prepare(s, req->headers, req->n_headers, 1, &headers, why) != 0)
        goto fail;

    /* ---- KeyTime and its SignKey (cached) ---- */
    kt_len = format_ll(req->key_time_start, key_time);
    key_time[kt_len++] = ';';
    kt_len += format_ll(req->key_time_end, key_time + kt_len);
    if (!s->have_key || s->key_start != req->key_time_start || s->key_end != req->key_time_end) {
        if (derive(s, key_time, kt_len) != 0)
            goto crypto;
        s->key_start = req->key_time_start;
        s->key_end = req->key_time_end;
    }

    /* ---- SHA-1 of the HttpString ---- */
    if (mbedtls_md_starts(&s->sha) != 0)
        goto crypto;
    UPD(method, method_len);
    UPD("\n/", 2);
    UPD(req->key, strlen(req->key));
    UPD("\n", 1);
    if (digest_pairs(&s->sha, &s->scratch, &params) != 0)
        goto crypto;
    UPD("\n", 1);
    if (digest_pairs(&s->sha, &s->scratch, &headers) != 0)
        goto crypto;
    UPD("\n", 1);
    if (mbedtls_md_finish(&s->sha, digest) != 0)
        goto crypto;
    to_hex(digest, SHA1_LEN, hex);

    /* ---- Signature = HMAC-SHA1(SignKey, StringToSign) from the absorbed pads ---- */
    if (mbedtls_md_clone(&s->sha, &s->pad_in) != 0)
        goto crypto;
    UPD("sha1\n", 5);
    UPD(key_time, kt_len);
    UPD("\n", 1);
    UPD(hex, VOD_COS_HEX_LEN);
    UPD("\n", 1);
    if (mbedtls_md_finish(&s->sha, digest) != 0 || mbedtls_md_clone(&s->sha, &s->pad_out) != 0)
        goto crypto;
    UPD(digest, SHA1_LEN);
    if (mbedtls_md_finish(&s->sha, digest) != 0)
        goto crypto;
    to_hex(digest, SHA1_LEN, hex);

    /* ---- the Authorization value ---- */
    if (vod_buf_addstr(auth, "q-sign-algorithm=sha1&q-ak=") != 0 ||
        vod_buf_add(auth, s->secret_id, s->secret_id_len) != 0 ||
        vod_buf_addstr(auth, "&q-sign-time=") != 0 || vod_buf_add(auth, key_time, kt_len) != 0 ||
        vod_buf_addstr(auth, "&q-key-time=") != 0 || vod_buf_add(auth, key_time, kt_len) != 0 ||
        vod_buf_addstr(auth, "&q-header-list=") != 0 || add_list(auth, &s->scratch, &headers) != 0 ||
        vod_buf_addstr(auth, "&q-url-param-list=") != 0 ||
        add_list(auth, &s->scratch, &params) != 0 || vod_buf_addstr(auth, "&q-signature=") != 0 ||
        vod_buf_add(auth, hex, VOD_COS_HEX_LEN) != 0 || vod_buf_cstr(auth)[0] == '\0') {
        say(why, "out of memory");
        goto fail;
    }
    mbedtls_platform_zeroize(s->scratch.data, s->scratch.len);
    return 0;

crypto:
    say(why, "mbedTLS SHA-1 failed");
fail:
    if (s->scratch.data != NULL)
        mbedtls_platform_zeroize(s->scratch.data, s->scratch.len);
    vod_buf_reset(auth);
    return -1;
}
