/*
 * test_tc3_sign.c - unit tests for src/core/sign/tc3_sign.c.
 *
 * Build and run:
 *   gcc -std=c99 -Wall -Wextra -Werror -O2 -Isrc/core spec/c/test_tc3_sign.c \
 *       src/core/sign/tc3_sign.c -lmbedcrypto -o /tmp/test_tc3_sign && /tmp/test_tc3_sign
 *
 * Prints one line per check and a final "N passed, N failed"; exits non-zero
 * on any failure.  Expected values of vectors A, B and C are the published
 * ones (the examples of the Signature v3 documentation,
 * https://www.tencentcloud.com/document/api/266/34114, and of its 2018 revision).  The values marked "independent
 * reference" were computed with Python's hashlib/hmac modules from the
 * algorithm as written in the spec, not with this code.
 */
#define _POSIX_C_SOURCE 200809L   /* setenv, tzset, localtime_r */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tc3_sign.h"

static int passed, failed;

#define CHECK(name, cond)                                                  \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
            printf("ok   %s\n", (name));                                   \
        } else {                                                           \
            failed++;                                                      \
            printf("FAIL %s (%s:%d: %s)\n", (name), __FILE__, __LINE__,    \
                   #cond);                                                 \
        }                                                                  \
    } while (0)

#define CHECK_STR(name, got, want)                                         \
    do {                                                                   \
        const char *got_ = (got), *want_ = (want);                         \
        if (strcmp(got_, want_) == 0) {                                    \
            passed++;                                                      \
            printf("ok   %s\n", (name));                                   \
        } else {                                                           \
            failed++;                                                      \
            printf("FAIL %s (%s:%d)\n       got  \"%s\"\n       want \"%s\"\n", \
                   (name), __FILE__, __LINE__, got_, want_);               \
        }                                                                  \
    } while (0)

/* ---- published vector data ---------------------------------------------- */

#define A_ID   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
#define A_KEY  "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define B_ID   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******"
#define B_KEY  "Gu5t9xGARNpq86cd98joQYCN3*******"
#define B_TS   1551113065LL
#define HOST   "cvm.tencentcloudapi.com"
#define B_CTYPE "application/json; charset=utf-8"
/* The \u escapes are literal backslash-u text in the body. */
static const char B_PAYLOAD[] =
    "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], "
    "\"Name\": \"instance-name\"}]}";

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define A_HCR "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7"
#define A_SIG "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474"
#define B_HP  "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
#define B_HCR "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
#define B_SIG "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
#define B_AUTH "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******" \
    "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "          \
    "Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
#define C_HCR "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
#define C_SIG "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
#define C_AUTH "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******" \
    "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, " \
    "Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
/* Vector B one day later (independent reference). */
#define BNEXT_SIG "d525f26570b2b736feb4578d936e95cc9e044c0b9c2787efd923bec7ae421356"

/* ---- helpers ------------------------------------------------------------ */

static int init_str(tc3_signer *s, const char *id, const char *key,
                    const char *service)
{
    return tc3_signer_init(s, id, strlen(id), key, strlen(key), service);
}

static tc3_request vector_b(void)
{
    tc3_request r;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.query = "";
    r.content_type = B_CTYPE;
    r.host = HOST;
    r.action = NULL;
    r.payload = (const unsigned char *)B_PAYLOAD;
    r.payload_len = sizeof B_PAYLOAD - 1;
    r.timestamp = B_TS;
    return r;
}

static int contains(const void *hay, size_t hay_len,
                    const void *needle, size_t needle_len)
{
    const unsigned char *h = (const unsigned char *)hay;
    size_t i;
    if (needle_len == 0 || needle_len > hay_len)
        return 0;
    for (i = 0; i + needle_len <= hay_len; i++)
        if (memcmp(h + i, needle, needle_len) == 0)
            return 1;
    return 0;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

static int result_is_zero(const tc3_result *r)
{
    return all_zero(r, sizeof *r);
}

/* ---- 1. vector A -------------------------------------------------------- */

static void test_vector_a(void)
{
    tc3_signer s;
    tc3_request r;
    tc3_result out;

    memset(&s, 0, sizeof s);
    CHECK("A: init", init_str(&s, A_ID, A_KEY, "cvm") == 0);
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.query = "Limit=10&Offset=0";
    r.content_type = "application/x-www-form-urlencoded";
    r.host = HOST;
    r.payload = NULL;
    r.payload_len = 0;
    r.timestamp = 1539084154LL;
    CHECK("A: sign returns 0", tc3_sign(&s, &r, &out) == 0);
    CHECK_STR("A: date", out.date, "2018-10-09");
    CHECK_STR("A: hashed payload of empty body", out.hashed_payload, EMPTY_SHA256);
    CHECK_STR("A: hashed canonical request", out.hashed_canonical_request, A_HCR);
    CHECK_STR("A: signature", out.signature, A_SIG);
    CHECK_STR("A: authorization", out.authorization,
              "TC3-HMAC-SHA256 Credential=" A_ID "/2018-10-09/cvm/tc3_request, "
              "SignedHeaders=content-type;host, Signature=" A_SIG);
    tc3_signer_free(&s);
}

/* ---- 2. vector B -------------------------------------------------------- */

static void test_vector_b(void)
{
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;

    memset(&s, 0, sizeof s);
    CHECK("B: payload literal is 86 bytes with literal \\u", sizeof B_PAYLOAD - 1 == 86 &&
          contains(B_PAYLOAD, sizeof B_PAYLOAD - 1, "\\u672a", 6));
    CHECK("B: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    CHECK("B: sign returns 0", tc3_sign(&s, &r, &out) == 0);
    CHECK_STR("B: date", out.date, "2019-02-25");
    CHECK_STR("B: hashed payload", out.hashed_payload, B_HP);
    CHECK_STR("B: hashed canonical request", out.hashed_canonical_request, B_HCR);
    CHECK_STR("B: signature", out.signature, B_SIG);
    CHECK_STR("B: authorization", out.authorization, B_AUTH);
    CHECK("B: authorization_len", out.authorization_len == strlen(B_AUTH));
    tc3_signer_free(&s);
}

/* ---- 3. vector C -------------------------------------------------------- */

static void test_vector_c(void)
{
    static const char *spellings[] = {
        "DescribeInstances", "describeinstances", "DESCRIBEINSTANCES"
    };
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;
    size_t i;
    char name[96];

    memset(&s, 0, sizeof s);
    CHECK("C: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    r.action = "DescribeInstances";
    CHECK("C: sign returns 0", tc3_sign(&s, &r, &out) == 0);
    CHECK_STR("C: hashed payload", out.hashed_payload, B_HP);
    CHECK_STR("C: hashed canonical request", out.hashed_canonical_request, C_HCR);
    CHECK_STR("C: signature", out.signature, C_SIG);
    CHECK("C: SignedHeaders=content-type;host;x-tc-action",
          strstr(out.authorization,
                 ", SignedHeaders=content-type;host;x-tc-action, ") != NULL);
    CHECK_STR("C: authorization", out.authorization, C_AUTH);

    /* The action is lowercased before signing: any spelling signs the same. */
    for (i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        r.action = spellings[i];
        snprintf(name, sizeof name, "C: action \"%s\" signs as describeinstances",
                 spellings[i]);
        CHECK(name, tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, C_SIG) == 0);
    }
    /* ...but a different action does not. */
    r.action = "DescribeInstance";
    CHECK("C: a different action changes the signature",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, C_SIG) != 0);
    tc3_signer_free(&s);
}

/* ---- 4. derived-key cache ----------------------------------------------- */

static void test_cache(void)
{
    tc3_signer s, fresh;
    tc3_request r = vector_b();
    tc3_result out, next;

    memset(&s, 0, sizeof s);
    memset(&fresh, 0, sizeof fresh);
    CHECK("cache: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    CHECK("cache: no derivation before the first signature", s.derivations == 0);
    CHECK("cache: first signature", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.signature, B_SIG) == 0);
    CHECK("cache: first signature derives once", s.derivations == 1);
    CHECK("cache: same signature again", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.signature, B_SIG) == 0);
    r.timestamp = 1551139199LL;   /* 2019-02-25 23:59:59 UTC, same date */
    CHECK("cache: later the same UTC day", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.date, "2019-02-25") == 0);
    CHECK("cache: same date does not re-derive", s.derivations == 1);

    r.timestamp = B_TS + 86400;   /* next UTC day */
    CHECK("cache: next day signs", tc3_sign(&s, &r, &next) == 0);
    CHECK("cache: next day re-derives", s.derivations == 2);
    CHECK_STR("cache: next day date", next.date, "2019-02-26");
    CHECK("cache: next day signature differs from B",
          strcmp(next.signature, B_SIG) != 0);
    CHECK_STR("cache: next day signature (independent reference)",
              next.signature, BNEXT_SIG);
    CHECK("cache: a fresh signer agrees on the next-day signature",
          init_str(&fresh, B_ID, B_KEY, "cvm") == 0 &&
          tc3_sign(&fresh, &r, &out) == 0 &&
          strcmp(out.signature, next.signature) == 0 && fresh.derivations == 1);

    r.timestamp = B_TS;           /* back to the published day */
    CHECK("cache: B again after the day change", tc3_sign(&s, &r, &out) == 0);
    CHECK_STR("cache: B again gives the published signature", out.signature, B_SIG);
    CHECK("cache: going back re-derives", s.derivations == 3);
    tc3_signer_free(&s);
    tc3_signer_free(&fresh);
}

/* The constant part of the canonical request is absorbed once and its digest
 * state cloned: absorbed again only when it changes, never stale, and a part
 * too long to cache is hashed directly. */
static void test_canon_cache(void)
{
    tc3_signer s;
    tc3_request a, r = vector_b();
    tc3_result out;
    static char query[700], canon[1200];
    unsigned char digest[32];
    char hex[65];

    memset(&s, 0, sizeof s);
    memset(&a, 0, sizeof a);
    a.method = "GET";
    a.query = "Limit=10&Offset=0";
    a.content_type = "application/x-www-form-urlencoded";
    a.host = HOST;
    a.timestamp = 1539084154LL;
    CHECK("canon: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    CHECK("canon: B", tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    CHECK("canon: B again", tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    CHECK("canon: absorbed once for two signatures", s.canon_absorbs == 1);
    CHECK("canon: A's request on the same signer",
          tc3_sign(&s, &a, &out) == 0 && strcmp(out.hashed_canonical_request, A_HCR) == 0);
    CHECK("canon: another request absorbs again", s.canon_absorbs == 2);
    CHECK("canon: B after A", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.hashed_canonical_request, B_HCR) == 0 && strcmp(out.signature, B_SIG) == 0);
    CHECK("canon: and again absorbs", s.canon_absorbs == 3);
    r.host = "cvm.tencentcloudapi.con";                 /* one byte differs */
    CHECK("canon: a one-byte change is seen", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.hashed_canonical_request, B_HCR) != 0 && s.canon_absorbs == 4);

    /* a query of 600 bytes: past TC3_CANON_PREFIX_MAX, hashed directly */
    memset(query, 'q', 600);
    query[600] = '\0';
    a.query = query;
    snprintf(canon, sizeof canon, "GET\n/\n%s\ncontent-type:application/x-www-form-urlencoded\n"
             "host:%s\n\ncontent-type;host\n%s", query, HOST, EMPTY_SHA256);
    mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *)canon,
               strlen(canon), digest);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    CHECK("canon: a long query signs", tc3_sign(&s, &a, &out) == 0);
    CHECK_STR("canon: a long query's canonical hash (independent: SHA-256 of the whole text)",
              out.hashed_canonical_request, hex);
    CHECK("canon: a long query leaves the cache alone", s.canon_absorbs == 4);
    r.host = HOST;
    CHECK("canon: B after the long query", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.signature, B_SIG) == 0);
    tc3_signer_free(&s);
}

/* ---- 5. the date is UTC whatever TZ says -------------------------------- */

static void local_date(long long ts, char out[11])
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        strcpy(out, "error");
}

static void test_utc_in(const char *tz, long long probe_ts, const char *probe_local)
{
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;
    char name[128], local[16];

    setenv("TZ", tz, 1);
    tzset();
    /* Prove the zone took effect, so the checks below can fail on local time. */
    local_date(probe_ts, local);
    snprintf(name, sizeof name, "UTC [TZ=%s]: local date of %lld is %s", tz,
             probe_ts, probe_local);
    CHECK_STR(name, local, probe_local);

    memset(&s, 0, sizeof s);
    CHECK("UTC: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    r.timestamp = 1551139199LL;   /* 2019-02-25 23:59:59 UTC */
    snprintf(name, sizeof name, "UTC [TZ=%s]: 1551139199 -> 2019-02-25", tz);
    CHECK(name, tc3_sign(&s, &r, &out) == 0 && strcmp(out.date, "2019-02-25") == 0);
    snprintf(name, sizeof name, "UTC [TZ=%s]: credential scope uses 2019-02-25", tz);
    CHECK(name, strstr(out.authorization, "/2019-02-25/cvm/tc3_request,") != NULL);
    r.timestamp = 1551139200LL;   /* 2019-02-26 00:00:00 UTC */
    snprintf(name, sizeof name, "UTC [TZ=%s]: 1551139200 -> 2019-02-26", tz);
    CHECK(name, tc3_sign(&s, &r, &out) == 0 && strcmp(out.date, "2019-02-26") == 0);
    r.timestamp = B_TS;
    snprintf(name, sizeof name, "UTC [TZ=%s]: vector B signature", tz);
    CHECK(name, tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    tc3_signer_free(&s);
}

static void test_utc(void)
{
    /* East of UTC: local date is already the 26th at 23:59:59 UTC. */
    test_utc_in("Asia/Shanghai", 1551139199LL, "2019-02-26");
    /* Same without needing tzdata (POSIX TZ string). */
    test_utc_in("CST-8", 1551139199LL, "2019-02-26");
    /* West of UTC: local date is still the 25th at 00:00:00 UTC on the 26th. */
    test_utc_in("XXX+12", 1551139200LL, "2019-02-25");
}

/* ---- 6. trimming of header values --------------------------------------- */

static void test_trimming(void)
{
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;

    memset(&s, 0, sizeof s);
    CHECK("trim: init", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    r.content_type = "  " B_CTYPE " \t";
    CHECK("trim: padded content type signs as B",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0 &&
          strcmp(out.hashed_canonical_request, B_HCR) == 0);
    r.content_type = "\t" B_CTYPE;
    CHECK("trim: leading tab in content type signs as B",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    r.content_type = B_CTYPE;
    r.host = " " HOST "  ";
    CHECK("trim: padded host signs as B",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    r.host = HOST;
    r.action = "  DescribeInstances\t";
    CHECK("trim: padded action signs as C",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, C_SIG) == 0);
    /* Inner spaces are part of the value. */
    r.action = NULL;
    r.content_type = "application/json;  charset=utf-8";
    CHECK("trim: inner spaces are kept (signature differs)",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) != 0);
    tc3_signer_free(&s);
}

/* ---- extra: key bytes, long keys, the VOD service ----------------------- */

static void test_key_bytes(void)
{
    /* 100 bytes with an embedded NUL: longer than the HMAC block, so mbedTLS
     * hashes it; and strlen() of it would be wrong. */
    unsigned char key[100];
    tc3_signer s;
    tc3_request r;
    tc3_result out, first;
    size_t i;

    for (i = 0; i < 49; i++)
        key[i] = (unsigned char)(i + 1);
    key[49] = 0;
    for (i = 0; i < 50; i++)
        key[50 + i] = (unsigned char)(200 + i);

    memset(&s, 0, sizeof s);
    CHECK("key: init with 100-byte key containing NUL",
          tc3_signer_init(&s, "AKIDexample", 11, (const char *)key, sizeof key,
                          "vod") == 0);
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.query = NULL;                      /* NULL means "" */
    r.content_type = "application/json";
    r.host = "vod.intl.tencentcloudapi.com";
    r.action = "CreateAigcSubject";
    r.payload = (const unsigned char *)"{\"SubAppId\":221073}";
    r.payload_len = strlen("{\"SubAppId\":221073}");
    r.timestamp = 1700000000LL;
    CHECK("key: sign", tc3_sign(&s, &r, &out) == 0);
    /* Independent reference values. */
    CHECK_STR("key: date", out.date, "2023-11-14");
    CHECK_STR("key: hashed payload", out.hashed_payload,
              "baf8b8f79cdd663119b6d04b5afa6d074b4d476cbe1802ceceefcc9cad7a00ab");
    CHECK_STR("key: hashed canonical request", out.hashed_canonical_request,
              "2ccb6a1d69ace1c9145ffb1fe9c6477abda733470e0524020c9acaad8e172197");
    CHECK_STR("key: signature", out.signature,
              "d490bc58bd6ae7bb5df3eb40bbb3137383e2e03dd6835013d879334996cde859");
    CHECK_STR("key: authorization", out.authorization,
              "TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/vod/tc3_request, "
              "SignedHeaders=content-type;host;x-tc-action, "
              "Signature=d490bc58bd6ae7bb5df3eb40bbb3137383e2e03dd6835013d879334996cde859");
    first = out;
    tc3_signer_free(&s);

    /* Only the bytes before the NUL: must sign differently. */
    CHECK("key: init with the key truncated at its NUL",
          tc3_signer_init(&s, "AKIDexample", 11, (const char *)key, 49, "vod") == 0);
    CHECK("key: truncated key gives another signature",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, first.signature) != 0);
    tc3_signer_free(&s);
}

/* ---- limits: the longest id and service fit ------------------------------ */

static void test_limits(void)
{
    char id[TC3_MAX_ID_LEN + 2], service[TC3_MAX_SERVICE_LEN + 2];
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;
    size_t want;

    memset(id, 'I', sizeof id);
    id[TC3_MAX_ID_LEN] = '\0';
    memset(service, 's', sizeof service);
    service[TC3_MAX_SERVICE_LEN] = '\0';

    memset(&s, 0, sizeof s);
    CHECK("limits: id of TC3_MAX_ID_LEN and service of TC3_MAX_SERVICE_LEN accepted",
          tc3_signer_init(&s, id, TC3_MAX_ID_LEN, B_KEY, strlen(B_KEY), service) == 0);
    r.action = "DescribeInstances";
    CHECK("limits: longest authorization signs", tc3_sign(&s, &r, &out) == 0);
    want = strlen("TC3-HMAC-SHA256 Credential=") + TC3_MAX_ID_LEN + 1 + 10 + 1 +
           TC3_MAX_SERVICE_LEN + strlen("/tc3_request, SignedHeaders=") +
           strlen("content-type;host;x-tc-action, Signature=") + TC3_HEX_LEN;
    CHECK("limits: longest authorization length", out.authorization_len == want &&
          strlen(out.authorization) == want && want < TC3_AUTH_MAX);
    CHECK("limits: credential holds the whole id",
          strncmp(out.authorization + strlen("TC3-HMAC-SHA256 Credential="), id,
                  TC3_MAX_ID_LEN) == 0);
    tc3_signer_free(&s);

    service[TC3_MAX_SERVICE_LEN] = 's';
    service[TC3_MAX_SERVICE_LEN + 1] = '\0';
    CHECK("limits: service over TC3_MAX_SERVICE_LEN rejected",
          tc3_signer_init(&s, id, TC3_MAX_ID_LEN, B_KEY, strlen(B_KEY), service) == -1);
    tc3_signer_free(&s);
}

/* ---- 7. error paths ----------------------------------------------------- */

static void test_errors(void)
{
    char long_id[TC3_MAX_ID_LEN + 2];
    tc3_signer s, zero;
    tc3_request r;
    tc3_result out;

    memset(long_id, 'A', sizeof long_id);
    long_id[TC3_MAX_ID_LEN + 1] = '\0';

    memset(&s, 0, sizeof s);
    memset(&zero, 0, sizeof zero);
    tc3_signer_free(&s);
    CHECK("err: freeing a zeroed struct is safe and leaves it zeroed",
          memcmp(&s, &zero, sizeof s) == 0);
    tc3_signer_free(NULL);
    CHECK("err: tc3_signer_free(NULL) is safe", 1);

    CHECK("err: empty id", tc3_signer_init(&s, "", 0, B_KEY, strlen(B_KEY), "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: free after empty-id failure leaves no state", s.key == NULL &&
          memcmp(&s, &zero, sizeof s) == 0);
    CHECK("err: NULL id", tc3_signer_init(&s, NULL, 5, B_KEY, strlen(B_KEY), "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: empty key", tc3_signer_init(&s, B_ID, strlen(B_ID), "", 0, "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: NULL key", tc3_signer_init(&s, B_ID, strlen(B_ID), NULL, 3, "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: id of TC3_MAX_ID_LEN + 1",
          tc3_signer_init(&s, long_id, TC3_MAX_ID_LEN + 1, B_KEY, strlen(B_KEY),
                          "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: state after failures is zero", memcmp(&s, &zero, sizeof s) == 0);
    CHECK("err: id with a newline (header injection)",
          tc3_signer_init(&s, "AKID\r\nX-Evil: 1", 15, B_KEY, strlen(B_KEY), "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: id with a space", tc3_signer_init(&s, "AK ID", 5, B_KEY, 3, "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: id with '/'", tc3_signer_init(&s, "AK/ID", 5, B_KEY, 3, "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: id with an embedded NUL",
          tc3_signer_init(&s, "AK\0ID", 5, B_KEY, 3, "cvm") == -1);
    tc3_signer_free(&s);
    CHECK("err: NULL service", tc3_signer_init(&s, B_ID, strlen(B_ID), B_KEY, 3, NULL) == -1);
    tc3_signer_free(&s);
    CHECK("err: empty service", tc3_signer_init(&s, B_ID, strlen(B_ID), B_KEY, 3, "") == -1);
    tc3_signer_free(&s);
    CHECK("err: service with '/'",
          tc3_signer_init(&s, B_ID, strlen(B_ID), B_KEY, 3, "cvm/x") == -1);
    tc3_signer_free(&s);

    /* Signing with a signer that is not initialised. */
    r = vector_b();
    memset(&out, 0x5a, sizeof out);
    CHECK("err: sign with a zeroed signer fails", tc3_sign(&s, &r, &out) == -1);
    CHECK("err: failed sign zeroes the result", result_is_zero(&out));

    /* Bad requests on a good signer. */
    CHECK("err: init ok", init_str(&s, B_ID, B_KEY, "cvm") == 0);
    CHECK("err: tc3_sign NULL request", tc3_sign(&s, NULL, &out) == -1);
    CHECK("err: tc3_sign NULL result", tc3_sign(&s, &r, NULL) == -1);
    r.host = "cvm.tencentcloudapi.com\r\nX-Evil: 1";
    memset(&out, 0x5a, sizeof out);
    CHECK("err: CRLF in host", tc3_sign(&s, &r, &out) == -1 && result_is_zero(&out));
    r = vector_b();
    r.content_type = "application/json\n";
    CHECK("err: LF in content type", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.action = "Describe\nInstances";
    CHECK("err: LF in action", tc3_sign(&s, &r, &out) == -1);
    r.action = " \t ";
    CHECK("err: blank action", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.host = "   ";
    CHECK("err: blank host", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.host = NULL;
    CHECK("err: NULL host", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.content_type = NULL;
    CHECK("err: NULL content type", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.method = NULL;
    CHECK("err: NULL method", tc3_sign(&s, &r, &out) == -1);
    r.method = "PO ST";
    CHECK("err: method with a space", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.query = "a=1\nb=2";
    CHECK("err: LF in query", tc3_sign(&s, &r, &out) == -1);
    r = vector_b();
    r.payload = NULL;
    CHECK("err: NULL payload with a length", tc3_sign(&s, &r, &out) == -1);
    r.payload_len = 0;
    CHECK("ok:  NULL payload with length 0 hashes the empty body",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.hashed_payload, EMPTY_SHA256) == 0);
    r = vector_b();
    r.timestamp = -1;
    CHECK("err: negative timestamp", tc3_sign(&s, &r, &out) == -1);
    r.timestamp = 253402300800LL;   /* 10000-01-01T00:00:00Z */
    CHECK("err: timestamp past year 9999", tc3_sign(&s, &r, &out) == -1);
    r.timestamp = 253402300799LL;   /* 9999-12-31T23:59:59Z */
    CHECK("ok:  timestamp at the end of 9999",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.date, "9999-12-31") == 0);
    r.timestamp = 0;
    CHECK("ok:  timestamp 0", tc3_sign(&s, &r, &out) == 0 &&
          strcmp(out.date, "1970-01-01") == 0 &&
          strstr(out.authorization, "/1970-01-01/cvm/") != NULL);
    /* A failed request leaves the signer usable. */
    r = vector_b();
    CHECK("err: signer still signs B after failures",
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);

    tc3_signer_free(&s);
    CHECK("err: after free the struct is zeroed", memcmp(&s, &zero, sizeof s) == 0);
    tc3_signer_free(&s);
    CHECK("err: free twice is safe", memcmp(&s, &zero, sizeof s) == 0);
    CHECK("err: sign after free fails", tc3_sign(&s, &r, &out) == -1);

    /* Re-init after free works. */
    CHECK("err: init again after free", init_str(&s, B_ID, B_KEY, "cvm") == 0 &&
          tc3_sign(&s, &r, &out) == 0 && strcmp(out.signature, B_SIG) == 0);
    tc3_signer_free(&s);
}

/* ---- 8. the key does not survive tc3_signer_free ------------------------ */

/*
 * What can be checked portably is the struct itself: after free it holds no
 * copy of the key, of "TC3"+key, or of the derived kSigning.  The heap copy
 * of "TC3"+key is wiped with mbedtls_platform_zeroize before free() (see
 * tc3_signer_free); reading freed memory to prove that is undefined
 * behaviour, so it is not tested here.
 */
static void test_wipe(void)
{
    static const char key[] = "Wipe-Me-Secret-Key-0123456789abcdef";
    tc3_signer s;
    tc3_request r = vector_b();
    tc3_result out;
    unsigned char k_signing[TC3_KEY_LEN];

    memset(&s, 0, sizeof s);
    CHECK("wipe: init", init_str(&s, B_ID, key, "cvm") == 0);
    CHECK("wipe: sign", tc3_sign(&s, &r, &out) == 0);
    CHECK("wipe: the struct itself never holds the plain key",
          !contains(&s, sizeof s, key, strlen(key)));
    CHECK("wipe: key copy is \"TC3\"+key with its length kept",
          s.key != NULL && s.key_len == 3 + strlen(key) &&
          memcmp(s.key, "TC3", 3) == 0 && memcmp(s.key + 3, key, strlen(key)) == 0);
    memcpy(k_signing, s.k_signing, sizeof k_signing);
    CHECK("wipe: kSigning is cached", !all_zero(k_signing, sizeof k_signing) &&
          strcmp(s.cached_date, "2019-02-25") == 0);

    tc3_signer_free(&s);
    CHECK("wipe: no key pointer or length after free", s.key == NULL && s.key_len == 0);
    CHECK("wipe: struct holds no copy of the key",
          !contains(&s, sizeof s, key, strlen(key)) &&
          !contains(&s, sizeof s, "TC3Wipe", 7));
    CHECK("wipe: struct holds no copy of kSigning",
          !contains(&s, sizeof s, k_signing, sizeof k_signing) &&
          all_zero(s.k_signing, sizeof s.k_signing) && s.cached_date[0] == '\0');
    CHECK("wipe: whole struct is zero after free", all_zero(&s, sizeof s));
}

int main(void)
{
    test_vector_a();
    test_vector_b();
    test_vector_c();
    test_cache();
    test_canon_cache();
    test_trimming();
    test_key_bytes();
    test_limits();
    test_errors();
    test_wipe();
    test_utc();   /* last: it changes TZ; the checks above run in the start TZ */
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
