/* libFuzzer harness for tc3_signer_init / tc3_sign / tc3_signer_free
 * (src/core/sign/tc3_sign.h).
 *
 * Input layout (short inputs just leave the later fields empty):
 *   byte 0        flags (below)
 *   bytes 1..8    timestamp, int64 little-endian (any value, negative too)
 *   then fields separated by a NUL byte, in this order:
 *     secret id, secret key, service, method, query, host, content type,
 *     action, and the payload (the rest of the input, NULs included).
 * Flags:
 *   0x01 action = NULL (sign content-type;host only)
 *   0x02 method = "POST" instead of the field
 *   0x04 query = NULL
 *   0x08 service = "vod" instead of the field
 *   0x10 timestamp = its low 32 bits (a plausible date)
 *   0x20 payload pointer = NULL (with the field's length)
 *   0x40 sign again a day later and then the first request again (key cache)
 *   0x80 the secret key is the whole id field again (shorter inputs)
 *
 * Must never crash. Each result is checked against a plain one-shot
 * computation written here from the Signature v3 documentation
 * (https://www.tencentcloud.com/document/api/266/34114), with its own
 * UTC date arithmetic and its own rules of what the header accepts: the same
 * verdict, and on success the same date, hashes and Authorization value,
 * NUL-terminated lowercase hex of 64 digits and no CR or LF. On failure the
 * result must be all zero bytes. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "tc3_sign.h"

#define LAST_SECOND_OF_9999 253402300799LL   /* 9999-12-31T23:59:59Z */

typedef struct field {
    const char *p;      /* NUL-terminated copy (payload: raw bytes + NUL) */
    size_t n;
} field;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_sign: %s\n", what);
    abort();
}

/* ---- the reference ---------------------------------------------------- */

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)p, n, md) != 0)
        die("mbedtls_md failed");
    hex(md, 32, out);
}

static void hmac(const void *k, size_t kn, const void *m, size_t mn, unsigned char out[32])
{
    if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)k, kn,
                        (const unsigned char *)m, mn, out) != 0)
        die("mbedtls_md_hmac failed");
}

/* Days since 1970-01-01 -> civil date (the proleptic Gregorian calendar). */
static void civil_date(long long ts, char out[11])
{
    long long z = ts / 86400 + 719468;
    long long era = z / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    snprintf(out, 11, "%04lld-%02lld-%02lld", y, m, d);
}

static int credential_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e || c == '/' || c == ',')
            return 0;
    }
    return 1;
}

/* Trims spaces and tabs; returns 0 when the value is empty or has a control
 * byte (other than tab) or DEL. */
static int header_ok(const char *v, const char **tp, size_t *tn)
{
    size_t n = strlen(v);
    while (n && (*v == ' ' || *v == '\t')) { v++; n--; }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    *tp = v;
    *tn = n;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

typedef struct ref {
    char date[11], hp[65], hcr[65], sig[65];
    char auth[1024];
} ref;

/* 0 and *r filled when the signer should accept the request, else -1. */
static int reference(const field *id, const field *key, const char *service,
                     const tc3_request *q, ref *r)
{
    const char *ct, *host, *act = NULL, *query = q->query ? q->query : "";
    size_t ctn, hostn, actn = 0, cap;
    char *canon, *sts, *k;
    unsigned char kd[32], ks[32], kg[32], sg[32];
    const char *signed_headers;
    int n;

    if (q->method[0] == '\0')
        return -1;
    for (const char *m = q->method; *m; m++)
        if ((unsigned char)*m < 0x21 || (unsigned char)*m > 0x7e)
            return -1;
    for (const char *m = query; *m; m++)
        if ((unsigned char)*m < 0x20 || (unsigned char)*m == 0x7f)
            return -1;
    if (!header_ok(q->content_type, &ct, &ctn) || !header_ok(q->host, &host, &hostn))
        return -1;
    if (q->action != NULL && !header_ok(q->action, &act, &actn))
        return -1;
    if (q->payload == NULL && q->payload_len != 0)
        return -1;
    if (q->timestamp < 0 || q->timestamp > LAST_SECOND_OF_9999)
        return -1;

    civil_date(q->timestamp, r->date);
    sha256_hex(q->payload_len ? (const void *)q->payload : "", q->payload_len, r->hp);
    signed_headers = act ? "content-type;host;x-tc-action" : "content-type;host";
    cap = strlen(q->method) + strlen(query) + ctn + hostn + actn + 200;
    canon = malloc(cap);
    if (canon == NULL)
        die("out of memory");
    n = snprintf(canon, cap, "%s\n/\n%s\ncontent-type:%.*s\nhost:%.*s\n", q->method, query,
                 (int)ctn, ct, (int)hostn, host);
    if (act) {
        n += snprintf(canon + n, cap - (size_t)n, "x-tc-action:");
        for (size_t i = 0; i < actn; i++) {
            char c = act[i];
            canon[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        canon[n++] = '\n';
    }
    n += snprintf(canon + n, cap - (size_t)n, "\n%s\n%s", signed_headers, r->hp);
    sha256_hex(canon, (size_t)n, r->hcr);
    free(canon);

    sts = malloc(300);
    k = malloc(key->n + 3);
    if (sts == NULL || k == NULL)
        die("out of memory");
    n = snprintf(sts, 300, "TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s", q->timestamp, r->date,
                 service, r->hcr);
    memcpy(k, "TC3", 3);
    memcpy(k + 3, key->p, key->n);
    hmac(k, key->n + 3, r->date, 10, kd);
    hmac(kd, 32, service, strlen(service), ks);
    hmac(ks, 32, "tc3_request", 11, kg);
    hmac(kg, 32, sts, (size_t)n, sg);
    hex(sg, 32, r->sig);
    free(sts);
    free(k);
    snprintf(r->auth, sizeof r->auth,
             "TC3-HMAC-SHA256 Credential=%.*s/%s/%s/tc3_request, SignedHeaders=%s, Signature=%s",
             (int)id->n, id->p, r->date, service, signed_headers, r->sig);
    return 0;
}

/* ---- checks ------------------------------------------------------------ */

static int is_hex64(const char *s)
{
    for (int i = 0; i < TC3_HEX_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[TC3_HEX_LEN] == '\0';
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void sign_and_check(tc3_signer *s, const field *id, const field *key, const char *service,
                           const tc3_request *q)
{
    tc3_result out;
    ref r;
    int rc, want;

    memset(&out, 0xA5, sizeof out);
    rc = tc3_sign(s, q, &out);
    want = reference(id, key, service, q, &r);
    if (rc != 0 && rc != -1)
        die("tc3_sign returned neither 0 nor -1");
    if (rc != want) {
        fprintf(stderr, "tc3_sign returned %d, the reference %d\n", rc, want);
        die("verdicts differ");
    }
    if (rc != 0) {
        if (!all_zero(&out, sizeof out))
            die("a failed tc3_sign left the result non-zero");
        return;
    }
    if (!is_hex64(out.hashed_payload) || !is_hex64(out.hashed_canonical_request) ||
        !is_hex64(out.signature))
        die("a digest is not NUL-terminated lowercase hex of 64 digits");
    if (memchr(out.date, '\0', sizeof out.date) != out.date + 10)
        die("date is not 10 characters");
    if (memchr(out.authorization, '\0', sizeof out.authorization) == NULL)
        die("authorization not NUL-terminated");
    if (strlen(out.authorization) != out.authorization_len)
        die("authorization_len != strlen(authorization)");
    if (strpbrk(out.authorization, "\r\n") != NULL)
        die("CR or LF in the authorization");
    if (strcmp(out.date, r.date) != 0) {
        fprintf(stderr, "date %s, reference %s (timestamp %lld)\n", out.date, r.date, q->timestamp);
        die("dates differ");
    }
    if (strcmp(out.hashed_payload, r.hp) != 0)
        die("hashed payload differs from the reference");
    if (strcmp(out.hashed_canonical_request, r.hcr) != 0)
        die("hashed canonical request differs from the reference");
    if (strcmp(out.signature, r.sig) != 0 || strcmp(out.authorization, r.auth) != 0) {
        fprintf(stderr, "got  %s\nwant %s\n", out.authorization, r.auth);
        die("signature differs from the reference");
    }
}

/* ---- driver ------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { ID, KEY, SERVICE, METHOD, QUERY, HOST, CTYPE, ACTION, PAYLOAD, NFIELDS };
    field f[NFIELDS];
    char *copy;
    size_t pos = 9;
    unsigned flags;
    uint64_t raw = 0;
    long long ts;
    tc3_signer s;
    tc3_request q;
    const char *service;
    const field *key;
    int init_rc, init_want;

    if (size < 9)
        return 0;
    flags = data[0];
    for (int i = 0; i < 8; i++)
        raw |= (uint64_t)data[1 + i] << (8 * i);
    ts = (flags & 0x10) ? (long long)(raw & 0xffffffffu) : (long long)raw;

    /* one allocation holds every field, each followed by a NUL */
    copy = malloc(size - 9 + NFIELDS);
    if (copy == NULL)
        return 0;
    {
        char *w = copy;
        for (int i = 0; i < NFIELDS; i++) {
            size_t len = size - pos;
            if (i != PAYLOAD) {
                const uint8_t *z = memchr(data + pos, '\0', size - pos);
                if (z != NULL)
                    len = (size_t)(z - (data + pos));
            }
            f[i].p = w;
            f[i].n = len;
            memcpy(w, data + pos, len);
            w += len;
            *w++ = '\0';
            pos += len;
            if (pos < size && i != PAYLOAD)
                pos++;                      /* the separator */
        }
    }

    service = (flags & 0x08) ? "vod" : f[SERVICE].p;
    key = (flags & 0x80) ? &f[ID] : &f[KEY];

    memset(&s, 0, sizeof s);
    init_rc = tc3_signer_init(&s, f[ID].p, f[ID].n, key->p, key->n, service);
    init_want = (f[ID].n >= 1 && f[ID].n <= TC3_MAX_ID_LEN && credential_ok(f[ID].p, f[ID].n) &&
                 key->n >= 1 && strlen(service) >= 1 && strlen(service) <= TC3_MAX_SERVICE_LEN &&
                 credential_ok(service, strlen(service))) ? 0 : -1;
    if (init_rc != init_want) {
        fprintf(stderr, "tc3_signer_init returned %d, expected %d\n", init_rc, init_want);
        die("init verdict");
    }

    memset(&q, 0, sizeof q);
    q.method = (flags & 0x02) ? "POST" : f[METHOD].p;
    q.query = (flags & 0x04) ? NULL : f[QUERY].p;
    q.host = f[HOST].p;
    q.content_type = f[CTYPE].p;
    q.action = (flags & 0x01) ? NULL : f[ACTION].p;
    q.payload = (flags & 0x20) ? NULL : (const unsigned char *)f[PAYLOAD].p;
    q.payload_len = f[PAYLOAD].n;
    q.timestamp = ts;

    if (init_rc != 0) {
        tc3_result out;
        if (!all_zero(&s, sizeof s))
            die("a failed init left data in the signer");
        if (tc3_sign(&s, &q, &out) != -1 || !all_zero(&out, sizeof out))
            die("tc3_sign on a failed signer did not fail cleanly");
    } else {
        sign_and_check(&s, &f[ID], key, service, &q);
        if (flags & 0x40) {
            if (ts <= LLONG_MAX - 86400) {
                tc3_request q2 = q;
                q2.timestamp = ts + 86400;  /* another day: another derived key */
                sign_and_check(&s, &f[ID], key, service, &q2);
            }
            sign_and_check(&s, &f[ID], key, service, &q);
        }
    }
    tc3_signer_free(&s);
    if (!all_zero(&s, sizeof s))
        die("tc3_signer_free left data in the signer");
    tc3_signer_free(&s);        /* twice is allowed */
    free(copy);
    return 0;
}
