/*
 * tc3_sign.c - TC3-HMAC-SHA256 signing (Signature v3,
 * https://www.tencentcloud.com/document/api/266/34114).
 *
 * The canonical request is streamed into a SHA-256 context piece by piece;
 * nothing here allocates after tc3_signer_init().
 */
#define _POSIX_C_SOURCE 200809L   /* gmtime_r */

#include "tc3_sign.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#define TC3_ALGORITHM "TC3-HMAC-SHA256"
#define TC3_TERMINATOR "tc3_request"
#define TC3_LONGEST_SIGNED_HEADERS "content-type;host;x-tc-action"

/* Compile-time proof that the longest Authorization value fits. */
typedef char tc3_authorization_fits[
    (sizeof(TC3_ALGORITHM " Credential=") - 1 + TC3_MAX_ID_LEN + 1 + 10 + 1 +
     TC3_MAX_SERVICE_LEN + sizeof("/" TC3_TERMINATOR ", SignedHeaders=") - 1 +
     sizeof(TC3_LONGEST_SIGNED_HEADERS) - 1 + sizeof(", Signature=") - 1 +
     TC3_HEX_LEN < TC3_AUTH_MAX) ? 1 : -1];

/* ---- small helpers ------------------------------------------------------ */

/* Bytes allowed in the secret id and service name, which end up inside the
 * Credential=<id>/<date>/<service>/tc3_request field of the header. */
static int is_credential_byte(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '/' && c != ',';
}

static int credential_ok(const char *p, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (!is_credential_byte((unsigned char)p[i]))
            return 0;
    return 1;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

/* A trimmed view of a NUL-terminated value. */
typedef struct {
    const char *p;
    size_t len;
} span;

static span trim(const char *v)
{
    span r;
    size_t len = strlen(v);
    while (len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    r.p = v;
    r.len = len;
    return r;
}

/* Header values: no control bytes except tab (which trimming removes at the
 * ends), no DEL.  A CR or LF would add lines to the canonical request. */
static int header_value_ok(span v)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

static int query_ok(const char *q)
{
    for (; *q; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

static int method_ok(const char *m)
{
    if (*m == '\0')
        return 0;
    for (; *m; m++) {
        unsigned char c = (unsigned char)*m;
        if (c < 0x21 || c > 0x7e)
            return 0;
    }
    return 1;
}

/* Decimal text of a non-negative value; returns its length (<= 20). */
static size_t format_u64(unsigned long long v, char *buf /* >= 21 */)
{
    char tmp[21];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* UTC "YYYY-MM-DD" of a UNIX timestamp; 0 or -1 (out of range). */
static int utc_date(long long ts, char out[11])
{
    struct tm tm;
    time_t t;
    int y;

    if (ts < 0)
        return -1;
    t = (time_t)ts;
    if ((long long)t != ts)          /* does not fit in time_t */
        return -1;
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    y = tm.tm_year + 1900;
    if (y < 0 || y > 9999)
        return -1;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + (tm.tm_mon + 1) / 10);
    out[6] = (char)('0' + (tm.tm_mon + 1) % 10);
    out[7] = '-';
    out[8] = (char)('0' + tm.tm_mday / 10);
    out[9] = (char)('0' + tm.tm_mday % 10);
    out[10] = '\0';
    return 0;
}

/* Bounded string builder for the Authorization value. */
typedef struct {
    char *buf;
    size_t cap, len;
    int overflow;
} builder;

static void put(builder *b, const char *p, size_t n)
{
    if (b->overflow || n >= b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void puts_(builder *b, const char *p)
{
    put(b, p, strlen(p));
}

/* ---- the canonical request's constant part -------------------------------- */

/* Everything of the canonical request before HashedPayload depends only on
 * the method, query, headers and action, which a client sends the same way
 * every time. It goes to `emit` piece by piece: into a buffer, to compare
 * with the one whose SHA-256 state is cached, or into the digest directly
 * when it is too long to cache. Returns 0, or -1 when emit failed. */
typedef int (*emit_fn)(void *to, const void *p, size_t n);

static int canon_prefix(emit_fn emit, void *to, const char *method, const char *query,
                        span ctype, span host, span action, const char *signed_headers)
{
#define EMIT(p, n) do { if (emit(to, (p), (n)) != 0) return -1; } while (0)
#define EMIT_LIT(lit) EMIT(lit, sizeof(lit) - 1)
    EMIT(method, strlen(method));
    EMIT_LIT("\n/\n");
    EMIT(query, strlen(query));
    EMIT_LIT("\ncontent-type:");
    EMIT(ctype.p, ctype.len);
    EMIT_LIT("\nhost:");
    EMIT(host.p, host.len);
    EMIT_LIT("\n");
    if (action.p != NULL) {
        unsigned char chunk[64];
        size_t done = 0;
        EMIT_LIT("x-tc-action:");
        while (done < action.len) {
            size_t n = action.len - done, i;
            if (n > sizeof chunk)
                n = sizeof chunk;
            for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)action.p[done + i];
                chunk[i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
            }
            EMIT(chunk, n);
            done += n;
        }
        EMIT_LIT("\n");
    }
    EMIT_LIT("\n");
    EMIT(signed_headers, strlen(signed_headers));
    EMIT_LIT("\n");
    return 0;
#undef EMIT_LIT
#undef EMIT
}

static int emit_text(void *to, const void *p, size_t n)
{
    builder *b = to;
    put(b, (const char *)p, n);
    return b->overflow ? -1 : 0;
}

static int emit_digest(void *to, const void *p, size_t n)
{
    return mbedtls_md_update(to, p, n);
}

/* ---- digests ------------------------------------------------------------ */

#define UPD(ctx, p, n)                                                      \
    do {                                                                    \
        if (mbedtls_md_update((ctx), (const unsigned char *)(p), (n)) != 0) \
            goto fail;                                                      \
    } while (0)

#define UPD_LIT(ctx, lit) UPD(ctx, lit, sizeof(lit) - 1)

static int hmac(mbedtls_md_context_t *ctx,
                const unsigned char *key, size_t key_len,
                const void *msg, size_t msg_len,
                unsigned char out[TC3_KEY_LEN])
{
    if (mbedtls_md_hmac_starts(ctx, key, key_len) != 0)
        return -1;
    if (mbedtls_md_hmac_update(ctx, (const unsigned char *)msg, msg_len) != 0)
        return -1;
    if (mbedtls_md_hmac_finish(ctx, out) != 0)
        return -1;
    return 0;
}

/* kDate = HMAC("TC3"+key, date); kService = HMAC(kDate, service);
 * kSigning = HMAC(kService, "tc3_request").  Intermediate keys are wiped. */
static int derive_key(tc3_signer *s, const char date[11])
{
    unsigned char k_date[TC3_KEY_LEN];
    unsigned char k_service[TC3_KEY_LEN];
    int rc = -1;

    s->cached_date[0] = '\0';
    if (hmac(&s->hmac, s->key, s->key_len, date, 10, k_date) != 0)
        goto done;
    if (hmac(&s->hmac, k_date, sizeof k_date,
             s->service, s->service_len, k_service) != 0)
        goto done;
    if (hmac(&s->hmac, k_service, sizeof k_service,
             TC3_TERMINATOR, sizeof(TC3_TERMINATOR) - 1, s->k_signing) != 0)
        goto done;
    memcpy(s->cached_date, date, 11);
    s->derivations++;
    rc = 0;
done:
    mbedtls_platform_zeroize(k_date, sizeof k_date);
    mbedtls_platform_zeroize(k_service, sizeof k_service);
    if (rc != 0)
        mbedtls_platform_zeroize(s->k_signing, sizeof s->k_signing);
    return rc;
}

/* Absorbs kSigning's HMAC pads (RFC 2104: the key, zero-padded to the
 * 64-byte block, XOR 0x36 and XOR 0x5c) into pad_in and pad_out, once per
 * derived key; every signature of the day then starts from clones. */
static int absorb_pads(tc3_signer *s)
{
    unsigned char ipad[64], opad[64];
    int rc = -1;
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (size_t i = 0; i < sizeof s->k_signing; i++) {
        ipad[i] ^= s->k_signing[i];
        opad[i] ^= s->k_signing[i];
    }
    if (mbedtls_md_starts(&s->pad_in) == 0 && mbedtls_md_update(&s->pad_in, ipad, 64) == 0 &&
        mbedtls_md_starts(&s->pad_out) == 0 && mbedtls_md_update(&s->pad_out, opad, 64) == 0)
        rc = 0;
    mbedtls_platform_zeroize(ipad, sizeof ipad);
    mbedtls_platform_zeroize(opad, sizeof opad);
    return rc;
}

/* ---- public API --------------------------------------------------------- */

int tc3_signer_init(tc3_signer *s, const char *secret_id, size_t id_len,
                    const char *secret_key, size_t key_len, const char *service)
{
    const mbedtls_md_info_t *info;
    size_t service_len;

    if (s == NULL)
        return -1;
    memset(s, 0, sizeof *s);

    if (secret_id == NULL || id_len == 0 || id_len > TC3_MAX_ID_LEN ||
        !credential_ok(secret_id, id_len))
        return -1;
    if (secret_key == NULL || key_len == 0 || key_len > (size_t)-1 - 3)
        return -1;
    if (service == NULL)
        return -1;
    service_len = strlen(service);
    if (service_len == 0 || service_len > TC3_MAX_SERVICE_LEN ||
        !credential_ok(service, service_len))
        return -1;

    memcpy(s->secret_id, secret_id, id_len);
    s->secret_id[id_len] = '\0';
    s->secret_id_len = id_len;
    memcpy(s->service, service, service_len + 1);
    s->service_len = service_len;

    mbedtls_md_init(&s->sha);
    mbedtls_md_init(&s->hmac);
    mbedtls_md_init(&s->pad_in);
    mbedtls_md_init(&s->pad_out);
    mbedtls_md_init(&s->canon);
    s->md_inited = 1;
    info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (info == NULL ||
        mbedtls_md_setup(&s->sha, info, 0) != 0 ||
        mbedtls_md_setup(&s->hmac, info, 1) != 0 ||
        mbedtls_md_setup(&s->pad_in, info, 0) != 0 ||
        mbedtls_md_setup(&s->pad_out, info, 0) != 0 ||
        mbedtls_md_setup(&s->canon, info, 0) != 0)
        goto fail;

    s->key = (unsigned char *)malloc(key_len + 3);
    if (s->key == NULL)
        goto fail;
    memcpy(s->key, "TC3", 3);
    memcpy(s->key + 3, secret_key, key_len);
    s->key_len = key_len + 3;
    return 0;

fail:
    tc3_signer_free(s);
    return -1;
}

void tc3_signer_free(tc3_signer *s)
{
    if (s == NULL)
        return;
    if (s->key != NULL) {
        mbedtls_platform_zeroize(s->key, s->key_len);
        free(s->key);
    }
    if (s->md_inited) {
        /* mbedtls_md_free zeroizes the HMAC pads and the digest state. */
        mbedtls_md_free(&s->sha);
        mbedtls_md_free(&s->hmac);
        mbedtls_md_free(&s->pad_in);
        mbedtls_md_free(&s->pad_out);
        mbedtls_md_free(&s->canon);
    }
    mbedtls_platform_zeroize(s, sizeof *s);
}

int tc3_sign(tc3_signer *s, const tc3_request *req, tc3_result *out)
{
    unsigned char digest[TC3_KEY_LEN];
    span ctype, host, action;
    const char *query;
    const char *signed_headers;
    char ts_text[21];
    size_t ts_len;
    builder b;

    if (out == NULL)
        return -1;
    memset(out, 0, sizeof *out);
    if (s == NULL || req == NULL || s->key == NULL || !s->md_inited)
        return -1;

    /* ---- validate the inputs ---- */
    if (req->method == NULL || !method_ok(req->method))
        return -1;
    query = req->query != NULL ? req->query : "";
    if (!query_ok(query))
        return -1;
    if (req->content_type == NULL || req->host == NULL)
        return -1;
    ctype = trim(req->content_type);
    host = trim(req->host);
    if (ctype.len == 0 || host.len == 0 ||
        !header_value_ok(ctype) || !header_value_ok(host))
        return -1;
    action.p = NULL;
    action.len = 0;
    if (req->action != NULL) {
        action = trim(req->action);
        if (action.len == 0 || !header_value_ok(action))
            return -1;
    }
    if (req->payload == NULL && req->payload_len != 0)
        return -1;
    if (utc_date(req->timestamp, out->date) != 0)
        goto fail;
    ts_len = format_u64((unsigned long long)req->timestamp, ts_text);
    signed_headers = action.p != NULL ? TC3_LONGEST_SIGNED_HEADERS
                                      : "content-type;host";

    /* ---- 1. HashedPayload ---- */
    if (mbedtls_md_starts(&s->sha) != 0)
        goto fail;
    if (req->payload_len != 0)
        UPD(&s->sha, req->payload, req->payload_len);
    if (mbedtls_md_finish(&s->sha, digest) != 0)
        goto fail;
    to_hex(digest, sizeof digest, out->hashed_payload);

    /* ---- 2. CanonicalRequest: the constant part from its cached digest state
     *      (absorbed again only when it changes), then HashedPayload ---- */
    {
        char text[TC3_CANON_PREFIX_MAX];
        builder pb;
        pb.buf = text;
        pb.cap = sizeof text;
        pb.len = 0;
        pb.overflow = 0;
        if (canon_prefix(emit_text, &pb, req->method, query, ctype, host, action,
                         signed_headers) == 0) {
            if (pb.len != s->canon_len || memcmp(text, s->canon_text, pb.len) != 0) {
                s->canon_len = 0;
                if (mbedtls_md_starts(&s->canon) != 0 ||
                    mbedtls_md_update(&s->canon, (const unsigned char *)text, pb.len) != 0)
                    goto fail;
                memcpy(s->canon_text, text, pb.len);
                s->canon_len = pb.len;
                s->canon_absorbs++;
            }
            if (mbedtls_md_clone(&s->sha, &s->canon) != 0)
                goto fail;
        } else if (mbedtls_md_starts(&s->sha) != 0 ||      /* too long to cache */
                   canon_prefix(emit_digest, &s->sha, req->method, query, ctype, host, action,
                                signed_headers) != 0) {
            goto fail;
        }
    }
    UPD(&s->sha, out->hashed_payload, TC3_HEX_LEN);
    if (mbedtls_md_finish(&s->sha, digest) != 0)
        goto fail;
    to_hex(digest, sizeof digest, out->hashed_canonical_request);

    /* ---- 5. kSigning, cached per UTC date, with its HMAC pads absorbed ---- */
    if (s->cached_date[0] == '\0' || memcmp(s->cached_date, out->date, 11) != 0) {
        if (derive_key(s, out->date) != 0 || absorb_pads(s) != 0) {
            s->cached_date[0] = '\0';
            goto fail;
        }
    }

    /* ---- 4 and 6. StringToSign, Signature = HMAC(kSigning, StringToSign):
     *      H((k^opad) || H((k^ipad) || StringToSign)), from the absorbed pads ---- */
    if (mbedtls_md_clone(&s->sha, &s->pad_in) != 0)
        goto fail;
    UPD_LIT(&s->sha, TC3_ALGORITHM "\n");
    UPD(&s->sha, ts_text, ts_len);
    UPD_LIT(&s->sha, "\n");
    UPD(&s->sha, out->date, 10);
    UPD_LIT(&s->sha, "/");
    UPD(&s->sha, s->service, s->service_len);
    UPD_LIT(&s->sha, "/" TC3_TERMINATOR "\n");
    UPD(&s->sha, out->hashed_canonical_request, TC3_HEX_LEN);
    if (mbedtls_md_finish(&s->sha, digest) != 0 ||
        mbedtls_md_clone(&s->sha, &s->pad_out) != 0 ||
        mbedtls_md_update(&s->sha, digest, sizeof digest) != 0 ||
        mbedtls_md_finish(&s->sha, digest) != 0)
        goto fail;
    to_hex(digest, sizeof digest, out->signature);

    /* ---- 7. Authorization ---- */
    b.buf = out->authorization;
    b.cap = sizeof out->authorization;
    b.len = 0;
    b.overflow = 0;
    puts_(&b, TC3_ALGORITHM " Credential=");
    put(&b, s->secret_id, s->secret_id_len);
    puts_(&b, "/");
    put(&b, out->date, 10);
    puts_(&b, "/");
    put(&b, s->service, s->service_len);
    puts_(&b, "/" TC3_TERMINATOR ", SignedHeaders=");
    puts_(&b, signed_headers);
    puts_(&b, ", Signature=");
    put(&b, out->signature, TC3_HEX_LEN);
    if (b.overflow)          /* cannot happen with the length limits above */
        goto fail;
    out->authorization_len = b.len;
    return 0;

fail:
    memset(out, 0, sizeof *out);
    return -1;
}
