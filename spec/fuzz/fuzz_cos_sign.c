/* libFuzzer harness for the COS signer (src/core/sign/cos_sign.h):
 * vod_cos_signer_init / vod_cos_sign / vod_cos_signer_free.
 *
 * Input layout (short inputs leave the later fields empty):
 *   byte 0        flags (below)
 *   bytes 1..8    KeyTime start, int64 little-endian
 *   bytes 9..16   KeyTime end, int64 little-endian
 *   then fields each ended by a NUL byte: secret id, secret key, token,
 *   method, object key; then entries, each a type byte (bit 0: a header,
 *   else a query parameter; bit 1: the value is NULL) followed by name NUL
 *   value NUL, up to 70 entries.
 * Flags:
 *   0x01 method = "PUT" instead of the field
 *   0x02 no token (NULL)
 *   0x04 end = start + the low byte of the end field (a plausible KeyTime)
 *   0x08 sign again with end + 1, then the first request again (SignKey cache)
 *   0x10 the secret key is the id field again
 *   0x20 sign again with the entries in reverse order (must not change a thing)
 *
 * Must never crash. Each verdict and Authorization value is checked against
 * a plain computation written here from COS's "Request Signature" page (its
 * own encoding, sorting with qsort, the HttpString built whole, one-shot
 * mbedTLS SHA-1 and HMAC-SHA1), with the rules of cos_sign.h restated. On
 * failure `why` must say something and must not contain the secret key or the
 * token; on success it stays empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "cos_sign.h"

#define MAX_ENTRIES 70

static void die(const char *what)
{
    fprintf(stderr, "fuzz_cos_sign: %s\n", what);
    abort();
}

/* ---- the reference ---------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sput(sbuf *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            die("out of memory");
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sputs(sbuf *b, const char *s) { sput(b, s, strlen(s)); }

static char *enc(const char *s, size_t n, int lower)
{
    sbuf b = {0};
    sput(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~", c) && c) {
            char ch = (char)c;
            if (lower && ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            sput(&b, &ch, 1);
        } else {
            char t[4];
            snprintf(t, sizeof t, lower ? "%%%02x" : "%%%02X", c);
            sput(&b, t, 3);
        }
    }
    return b.p;
}

typedef struct pair {
    char *name, *value;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const pair *)a)->name, ((const pair *)b)->name);
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", in[i]);
}

static int printable(const char *p, size_t n, int allow_amp)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e || (c == '&' && !allow_amp))
            return 0;
    }
    return 1;
}

static int init_ok(const char *id, size_t idn, size_t keyn, const char *tok, size_t tokn)
{
    return idn >= 1 && idn <= VOD_COS_MAX_ID_LEN && printable(id, idn, 0) && keyn >= 1 &&
           (tok == NULL || (tokn <= VOD_COS_MAX_TOKEN_LEN && printable(tok, tokn, 1)));
}

static int tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Builds the sorted encoded pairs; 0, or -1 when a rule is broken. */
static int ref_pairs(const vod_cos_kv *kv, size_t n, int headers, pair *out)
{
    if (n > VOD_COS_MAX_FIELDS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *v = kv[i].value;
        size_t vn;
        if (kv[i].name == NULL || kv[i].name[0] == '\0')
            return -1;
        if (headers) {
            for (const char *c = kv[i].name; *c; c++)
                if (!tchar((unsigned char)*c))
                    return -1;
            if (v == NULL)
                return -1;
            vn = strlen(v);
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            while (vn && (*v == ' ' || *v == '\t')) {
                v++;
                vn--;
            }
            for (size_t k = 0; k < vn; k++)
                if (((unsigned char)v[k] < 0x20 && v[k] != '\t') || v[k] == 0x7f)
                    return -1;
        } else {
            if (v == NULL)
                v = "";
            vn = strlen(v);
        }
        out[i].name = enc(kv[i].name, strlen(kv[i].name), 1);
        out[i].value = enc(v, vn, 0);
    }
    qsort(out, n, sizeof *out, pair_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(out[i - 1].name, out[i].name) == 0)
            return -1;
    return 0;
}

static void free_pairs(pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
        p[i].name = p[i].value = NULL;
    }
}

/* The expected Authorization (malloc'd), or NULL when the request must be refused. */
static char *reference(const char *id, const char *key, size_t keyn, const vod_cos_request *r,
                       char sign_key_out[41])
{
    pair ps[VOD_COS_MAX_FIELDS], hs[VOD_COS_MAX_FIELDS];
    sbuf http = {0}, sts = {0}, auth = {0};
    char kt[64], sha_hex[41], sig_hex[41];
    unsigned char md[20];
    const mbedtls_md_info_t *sha1 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    int bad = 0;

    memset(ps, 0, sizeof ps);
    memset(hs, 0, sizeof hs);
    if (r->method == NULL || r->method[0] == '\0' || strlen(r->method) > 63 ||
        !printable(r->method, strlen(r->method), 1))
        bad = 1;
    if (r->key == NULL || r->key[0] == '/')
        bad = 1;
    if (r->key_time_start < 0 || r->key_time_start > r->key_time_end ||
        r->key_time_end > VOD_COS_MAX_TIME)
        bad = 1;
    if (r->n_params > VOD_COS_MAX_FIELDS || r->n_headers > VOD_COS_MAX_FIELDS)
        bad = 1;
    if (!bad && (ref_pairs(r->params, r->n_params, 0, ps) != 0 ||
                 ref_pairs(r->headers, r->n_headers, 1, hs) != 0))
        bad = 1;
    if (bad) {
        free_pairs(ps, r->n_params <= VOD_COS_MAX_FIELDS ? r->n_params : 0);
        free_pairs(hs, r->n_headers <= VOD_COS_MAX_FIELDS ? r->n_headers : 0);
        return NULL;
    }

    snprintf(kt, sizeof kt, "%lld;%lld", r->key_time_start, r->key_time_end);
    if (mbedtls_md_hmac(sha1, (const unsigned char *)key, keyn, (const unsigned char *)kt,
                        strlen(kt), md) != 0)
        die("HMAC failed");
    hex(md, 20, sign_key_out);

    for (const char *m = r->method; *m; m++) {
        char c = (*m >= 'A' && *m <= 'Z') ? (char)(*m - 'A' + 'a') : *m;
        sput(&http, &c, 1);
    }
    sputs(&http, "\n/");
    sputs(&http, r->key);
    sputs(&http, "\n");
    for (size_t i = 0; i < r->n_params; i++) {
        if (i)
            sputs(&http, "&");
        sputs(&http, ps[i].name);
        sputs(&http, "=");
        sputs(&http, ps[i].value);
    }
    sputs(&http, "\n");
    for (size_t i = 0; i < r->n_headers; i++) {
        if (i)
            sputs(&http, "&");
        sputs(&http, hs[i].name);
        sputs(&http, "=");
        sputs(&http, hs[i].value);
    }
    sputs(&http, "\n");
    if (mbedtls_md(sha1, (const unsigned char *)http.p, http.n, md) != 0)
        die("SHA-1 failed");
    hex(md, 20, sha_hex);
    sputs(&sts, "sha1\n");
    sputs(&sts, kt);
    sputs(&sts, "\n");
    sputs(&sts, sha_hex);
    sputs(&sts, "\n");
    if (mbedtls_md_hmac(sha1, (const unsigned char *)sign_key_out, 40, (const unsigned char *)sts.p,
                        sts.n, md) != 0)
        die("HMAC failed");
    hex(md, 20, sig_hex);

    sputs(&auth, "q-sign-algorithm=sha1&q-ak=");
    sputs(&auth, id);
    sputs(&auth, "&q-sign-time=");
    sputs(&auth, kt);
    sputs(&auth, "&q-key-time=");
    sputs(&auth, kt);
    sputs(&auth, "&q-header-list=");
    for (size_t i = 0; i < r->n_headers; i++) {
        if (i)
            sputs(&auth, ";");
        sputs(&auth, hs[i].name);
    }
    sputs(&auth, "&q-url-param-list=");
    for (size_t i = 0; i < r->n_params; i++) {
        if (i)
            sputs(&auth, ";");
        sputs(&auth, ps[i].name);
    }
    sputs(&auth, "&q-signature=");
    sputs(&auth, sig_hex);
    free_pairs(ps, r->n_params);
    free_pairs(hs, r->n_headers);
    free(http.p);
    free(sts.p);
    return auth.p;
}

/* ---- checks ------------------------------------------------------------ */

static const char *secret_key_g, *token_g;
static const vod_cos_kv *entries_g;
static size_t n_entries_g;

/* A secret of 8 bytes or more that is no header name's substring must never
 * appear in why. */
static void check_why_secret(const char *why, const char *secret)
{
    if (secret == NULL || strlen(secret) < 8)
        return;
    for (size_t i = 0; i < n_entries_g; i++)
        if (entries_g[i].name && strstr(entries_g[i].name, secret))
            return;
    if (strstr(why, secret) != NULL)
        die("a secret appears in why");
}

static void sign_and_check(vod_cos_signer *s, const char *id, const char *key, size_t keyn,
                           const vod_cos_request *r, vod_buf *auth)
{
    char why[VOD_COS_WHY_MAX];
    char sk[41];
    char *want;
    int rc;

    memset(why, 'x', sizeof why);
    rc = vod_cos_sign(s, r, auth, why);
    want = reference(id, key, keyn, r, sk);
    if (rc != 0 && rc != -1)
        die("vod_cos_sign returned neither 0 nor -1");
    if ((rc == 0) != (want != NULL)) {
        fprintf(stderr, "vod_cos_sign returned %d (%s), the reference %s\n", rc, why,
                want ? "accepts" : "refuses");
        die("verdicts differ");
    }
    if (memchr(why, '\0', sizeof why) == NULL)
        die("why not NUL-terminated");
    if (rc != 0) {
        if (why[0] == '\0')
            die("a refusal without a reason");
        if (auth->len != 0)
            die("a refusal left bytes in auth");
        check_why_secret(why, secret_key_g);
        check_why_secret(why, token_g);
        return;
    }
    if (why[0] != '\0')
        die("why set on success");
    if (strcmp(vod_buf_cstr(auth), want) != 0) {
        fprintf(stderr, "got  %s\nwant %s\n", vod_buf_cstr(auth), want);
        die("Authorization differs from the reference");
    }
    if (strcmp(s->sign_key, sk) != 0)
        die("SignKey differs from the reference");
    if (strpbrk(vod_buf_cstr(auth), "\r\n") != NULL)
        die("CR or LF in the Authorization value");
    free(want);
}

/* ---- driver ------------------------------------------------------------ */

static const char *next_field(const uint8_t **p, const uint8_t *end, char **w)
{
    const char *start = *w;
    while (*p < end && **p != 0)
        *(*w)++ = (char)*(*p)++;
    if (*p < end)
        (*p)++;
    *(*w)++ = '\0';
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data + 17, *end = data + size;
    char *copy, *w;
    const char *id, *key, *token, *method, *object;
    vod_cos_kv entries[MAX_ENTRIES], params[MAX_ENTRIES], headers[MAX_ENTRIES];
    size_t n = 0, np = 0, nh = 0;
    unsigned flags;
    uint64_t raw_start = 0, raw_end = 0;
    vod_cos_signer s;
    vod_cos_request r;
    vod_buf auth = {0};
    char why[VOD_COS_WHY_MAX];
    size_t keyn, tokn;
    int rc, want;

    if (size < 17)
        return 0;
    flags = data[0];
    for (int i = 0; i < 8; i++) {
        raw_start |= (uint64_t)data[1 + i] << (8 * i);
        raw_end |= (uint64_t)data[9 + i] << (8 * i);
    }
    copy = malloc(2 * size + 16);
    if (copy == NULL)
        return 0;
    w = copy;
    id = next_field(&p, end, &w);
    key = next_field(&p, end, &w);
    token = next_field(&p, end, &w);
    method = next_field(&p, end, &w);
    object = next_field(&p, end, &w);
    while (p < end && n < MAX_ENTRIES) {
        unsigned type = *p++;
        entries[n].name = next_field(&p, end, &w);
        entries[n].value = next_field(&p, end, &w);
        if (type & 2)
            entries[n].value = NULL;
        if (type & 1)
            headers[nh++] = entries[n];
        else
            params[np++] = entries[n];
        n++;
    }
    if (flags & 0x10)
        key = id;
    if (flags & 0x02)
        token = NULL;
    keyn = strlen(key);
    tokn = token ? strlen(token) : 0;
    secret_key_g = key;
    token_g = token;
    entries_g = entries;
    n_entries_g = n;

    memset(&s, 0, sizeof s);
    rc = vod_cos_signer_init(&s, id, strlen(id), key, keyn, token, tokn, why);
    want = init_ok(id, strlen(id), keyn, token, tokn) ? 0 : -1;
    if (rc != want) {
        fprintf(stderr, "init returned %d (%s), expected %d\n", rc, why, want);
        die("init verdicts differ");
    }
    if (rc != 0) {
        static const unsigned char zero[sizeof(vod_cos_signer)];
        if (memcmp(&s, zero, sizeof s) != 0)
            die("a failed init left data in the signer");
        if (why[0] == '\0')
            die("a failed init without a reason");
        check_why_secret(why, key);
        check_why_secret(why, token);
    } else {
        size_t tl;
        const char *t = vod_cos_signer_token(&s, &tl);
        if ((token == NULL || tokn == 0) ? (t != NULL || tl != 0) : (t == NULL || strcmp(t, token) != 0 || tl != tokn))
            die("the token kept differs");
        memset(&r, 0, sizeof r);
        r.method = (flags & 0x01) ? "PUT" : method;
        r.key = object;
        r.params = params;
        r.n_params = np;
        r.headers = headers;
        r.n_headers = nh;
        r.key_time_start = (long long)raw_start;
        r.key_time_end = (flags & 0x04) ? (long long)(raw_start + (raw_end & 0xff)) : (long long)raw_end;
        sign_and_check(&s, id, key, keyn, &r, &auth);
        if (flags & 0x08) {
            vod_cos_request r2 = r;
            if (r2.key_time_end < INT64_MAX)
                r2.key_time_end++;
            sign_and_check(&s, id, key, keyn, &r2, &auth);
            sign_and_check(&s, id, key, keyn, &r, &auth);
        }
        if (flags & 0x20) {
            vod_cos_kv rp[MAX_ENTRIES], rh[MAX_ENTRIES];
            char first[4096];
            int first_ok = vod_cos_sign(&s, &r, &auth, why) == 0;
            snprintf(first, sizeof first, "%s", vod_buf_cstr(&auth));
            for (size_t i = 0; i < np; i++)
                rp[i] = params[np - 1 - i];
            for (size_t i = 0; i < nh; i++)
                rh[i] = headers[nh - 1 - i];
            r.params = rp;
            r.headers = rh;
            if ((vod_cos_sign(&s, &r, &auth, why) == 0) != first_ok)
                die("the order of the entries changed the verdict");
            if (first_ok && auth.len < sizeof first && strcmp(first, vod_buf_cstr(&auth)) != 0)
                die("the order of the entries changed the Authorization");
        }
    }
    vod_cos_signer_free(&s);
    {
        static const unsigned char zero[sizeof(vod_cos_signer)];
        if (memcmp(&s, zero, sizeof s) != 0)
            die("free left data in the signer");
    }
    vod_cos_signer_free(&s);
    vod_buf_free(&auth, 0);
    free(copy);
    return 0;
}
