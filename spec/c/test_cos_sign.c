/*
 * test_cos_sign.c - unit tests for src/core/sign/cos_sign.c (COS XML API V5
 * request signature, q-sign-algorithm=sha1). Prints "N passed, N failed".
 *
 * Published vectors (the expected values are COS's, not computed here):
 *   V1, V2: COS's "Request Signature" page (API documentation 436/7778,
 *     https://www.tencentcloud.com/document/product/436/7778 and
 *     https://cloud.tencent.com/document/product/436/7778), section "Use
 *     Cases": uploading the object "exampleobject(腾讯云)" (KeyTime
 *     1557989151;1557996351) and downloading it with response-* parameters
 *     (KeyTime 1557989753;1557996953), SecretId
 *     AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q, SecretKey
 *     BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz; both SignKeys and both whole
 *     Authorization values are printed there. (The English page writes the
 *     key as "exampleobject(tencentcloud)" in its HttpString, a translation:
 *     the published signatures are those of the UTF-8 key 腾讯云.)
 *   V3, V4: the earlier edition of the same page (KeyTime
 *     1417773892;1417853898): "PUT /testfile2" with x-cos-content-sha1 and
 *     x-cos-storage-class: nearline, and "GET /testfile" with Range: bytes=0-3,
 *     bucket bucket1-1254000000 in ap-beijing.
 * The values marked "independent reference" were computed with Python's
 * hashlib, hmac and urllib.parse.quote(safe='-_.~') from the algorithm as the
 * page states it, not with this code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cos_sign.h"

#include "check.h"

#define DOC_ID "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
#define DOC_KEY "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
#define DOC_HOST "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
#define OLD_HOST "bucket1-1254000000.cos.ap-beijing.myqcloud.com"
#define TENCENT_CLOUD "\xe8\x85\xbe\xe8\xae\xaf\xe4\xba\x91"      /* 腾讯云 in UTF-8 */

#define V1_AUTH "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" \
    "&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351"          \
    "&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;"  \
    "x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172"
#define V2_AUTH "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" \
    "&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953"          \
    "&q-header-list=date;host&q-url-param-list=response-cache-control;"            \
    "response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012"
#define V3_AUTH "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" \
    "&q-sign-time=1417773892;1417853898&q-key-time=1417773892;1417853898"          \
    "&q-header-list=host;x-cos-content-sha1;x-cos-storage-class&q-url-param-list=" \
    "&q-signature=84f5be2187452d2fe276dbdca932143ef8161145"
#define V4_AUTH "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" \
    "&q-sign-time=1417773892;1417853898&q-key-time=1417773892;1417853898"          \
    "&q-header-list=host;range&q-url-param-list=&q-signature=4b6cbab14ce01381c29032423481ebffd514e8be"

/* Temporary-credential requests of an upload (independent reference). */
#define T_ID "AKIDEXAMPLETEMP0000000000000000000000"
#define T_KEY "exampleTempSecretKey000000000000"
#define T_TOKEN "exampleSessionToken_a1b2c3+/="
#define T_HOST "vod2-1500000000.cos.ap-guangzhou.myqcloud.com"
#define T_OBJECT "e4f0b1c2vodgzp1500000000/5285890781234567890/f0.mp4"
#define T_UPLOAD_ID "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
#define PART_AUTH "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLETEMP0000000000000000000000"        \
    "&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600"                \
    "&q-header-list=content-length;content-md5;host;x-cos-security-token"                \
    "&q-url-param-list=partnumber;uploadid&q-signature=f4073a3be742e3cb412e8aaab084f7fbdb42ea5e"
#define INIT_AUTH "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLETEMP0000000000000000000000"        \
    "&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600"                \
    "&q-header-list=host;x-cos-security-token&q-url-param-list=uploads"                  \
    "&q-signature=512bf6d1f5250a9aa73aa6abd69217340f2897ab"
#define ODD_AUTH "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLETEMP0000000000000000000000"         \
    "&q-sign-time=0;253402300799&q-key-time=0;253402300799"                              \
    "&q-header-list=host;x-cos-meta-name&q-url-param-list=max-keys;prefix%2fx"           \
    "&q-signature=fbaeb32bd9a36455316fa1f3d3f0e67941764ec0"

static vod_cos_signer S;
static vod_buf A;
static char why[VOD_COS_WHY_MAX];

static int init(const char *id, const char *key, const char *token)
{
    vod_cos_signer_free(&S);
    return vod_cos_signer_init(&S, id, strlen(id), key, strlen(key), token,
                               token ? strlen(token) : 0, why);
}

static int sign(const char *method, const char *key, const vod_cos_kv *params, size_t np,
                const vod_cos_kv *headers, size_t nh, long long start, long long end)
{
    vod_cos_request r;
    r.method = method;
    r.key = key;
    r.params = params;
    r.n_params = np;
    r.headers = headers;
    r.n_headers = nh;
    r.key_time_start = start;
    r.key_time_end = end;
    return vod_cos_sign(&S, &r, &A, why);
}

static int auth_is(const char *want)
{
    const char *got = vod_buf_cstr(&A);
    if (strcmp(got, want) == 0)
        return 1;
    printf("     got  %s\n     want %s\n", got, want);
    return 0;
}

static const vod_cos_kv v1_headers[] = {
    {"Date", "Thu, 16 May 2019 06:45:51 GMT"}, {"Host", DOC_HOST}, {"Content-Type", "text/plain"},
    {"Content-Length", "13"}, {"Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="}, {"x-cos-acl", "private"},
    {"x-cos-grant-read", "uin=\"100000000011\""}};
static const vod_cos_kv v2_params[] = {
    {"response-content-type", "application/octet-stream"},
    {"response-cache-control", "max-age=600"}};
static const vod_cos_kv v2_headers[] = {{"Date", "Thu, 16 May 2019 06:55:53 GMT"},
                                        {"Host", DOC_HOST}};

static void published_vectors(void)
{
    static const vod_cos_kv v3_headers[] = {
        {"Host", OLD_HOST}, {"x-cos-content-sha1", "7b502c3a1f48c8609ae212cdfb639dee39673f5e"},
        {"x-cos-storage-class", "nearline"}};
    static const vod_cos_kv v4_headers[] = {{"Host", OLD_HOST}, {"Range", "bytes=0-3"}};

    CHECK(init(DOC_ID, DOC_KEY, NULL) == 0, "init with the page's credentials");
    CHECK(sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, v1_headers, 7, 1557989151,
               1557996351) == 0 && auth_is(V1_AUTH), "V1: PUT exampleobject(腾讯云)");
    CHECK(strcmp(S.sign_key, "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f") == 0, "V1: the published SignKey");
    CHECK(sign("GET", "exampleobject(" TENCENT_CLOUD ")", v2_params, 2, v2_headers, 2, 1557989753,
               1557996953) == 0 && auth_is(V2_AUTH), "V2: GET with response-* parameters");
    CHECK(strcmp(S.sign_key, "937914bf490e9e8c189836aad2052e4feeb35eaf") == 0, "V2: the published SignKey");
    CHECK(sign("PUT", "testfile2", NULL, 0, v3_headers, 3, 1417773892, 1417853898) == 0 &&
          auth_is(V3_AUTH), "V3: PUT /testfile2 (earlier edition)");
    CHECK(sign("GET", "testfile", NULL, 0, v4_headers, 2, 1417773892, 1417853898) == 0 &&
          auth_is(V4_AUTH), "V4: GET /testfile with Range (earlier edition)");
    CHECK(why[0] == '\0', "why stays empty on success");
}

static void upload_requests(void)
{
    static const vod_cos_kv part_params[] = {{"partNumber", "3"}, {"uploadId", T_UPLOAD_ID}};
    static const vod_cos_kv part_headers[] = {
        {"Host", T_HOST}, {"Content-Length", "1048576"}, {"Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="},
        {"x-cos-security-token", T_TOKEN}};
    static const vod_cos_kv init_params[] = {{"uploads", NULL}};
    static const vod_cos_kv init_params_empty[] = {{"uploads", ""}};
    static const vod_cos_kv init_headers[] = {{"Host", T_HOST}, {"x-cos-security-token", T_TOKEN}};
    static const vod_cos_kv odd_params[] = {{"Prefix/X", "a b&c=d"}, {"max-keys", "10"}};
    static const vod_cos_kv odd_headers[] = {{"Host", "b-1250000000.cos.ap-beijing.myqcloud.com"},
                                             {"X-COS-Meta-Name", "  caf\xc3\xa9 \t"}};
    size_t tl = 0;

    CHECK(init(T_ID, T_KEY, T_TOKEN) == 0, "init with a token");
    CHECK(strcmp(vod_cos_signer_token(&S, &tl), T_TOKEN) == 0 && tl == strlen(T_TOKEN),
          "the token is kept for x-cos-security-token");
    CHECK(sign("PUT", T_OBJECT, part_params, 2, part_headers, 4, 1700000000, 1700003600) == 0 &&
          auth_is(PART_AUTH), "Upload Part (independent reference)");
    CHECK(sign("POST", T_OBJECT, init_params, 1, init_headers, 2, 1700000000, 1700003600) == 0 &&
          auth_is(INIT_AUTH), "Initiate: ?uploads without value (independent reference)");
    CHECK(sign("POST", T_OBJECT, init_params_empty, 1, init_headers, 2, 1700000000, 1700003600) == 0 &&
          auth_is(INIT_AUTH), "a parameter without value is signed as the empty value");
    CHECK(sign("GET", "dir a/b+c/%41~\xc3\xa9.txt", odd_params, 2, odd_headers, 2, 0,
               253402300799LL) == 0 && auth_is(ODD_AUTH),
          "key not encoded, encoded and lowercased names, trimmed UTF-8 value, widest KeyTime");
    CHECK(init(T_ID, T_KEY, NULL) == 0 && vod_cos_signer_token(&S, &tl) == NULL && tl == 0,
          "no token: NULL and 0");
}

/* ---- properties ------------------------------------------------------------ */

static void properties(void)
{
    vod_cos_kv h[7], p[2];
    size_t n = 7;
    unsigned seed = 12345;

    CHECK(init(DOC_ID, DOC_KEY, NULL) == 0, "init");
    /* every order of the headers and parameters gives the same value */
    memcpy(h, v1_headers, sizeof h);
    {
        int same = 0;
        for (int round = 0; round < 50; round++) {
            for (size_t i = n - 1; i > 0; i--) {
                size_t j;
                vod_cos_kv t;
                seed = seed * 1103515245u + 12345u;
                j = (seed >> 16) % (i + 1);
                t = h[i];
                h[i] = h[j];
                h[j] = t;
            }
            same += sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, h, n, 1557989151,
                         1557996351) == 0 && strcmp(vod_buf_cstr(&A), V1_AUTH) == 0;
        }
        CHECK(same == 50, "50 shuffles of V1's headers: the same Authorization");
    }
    p[0] = v2_params[1];
    p[1] = v2_params[0];
    CHECK(sign("GET", "exampleobject(" TENCENT_CLOUD ")", p, 2, v2_headers, 2, 1557989753,
               1557996953) == 0 && auth_is(V2_AUTH), "V2 with its parameters swapped");

    /* the case of names does not matter; values are trimmed of spaces and tabs */
    {
        static const vod_cos_kv upper[] = {{"DATE", "\t Thu, 16 May 2019 06:55:53 GMT  "},
                                           {"hOsT", "  " DOC_HOST "\t"}};
        static const vod_cos_kv upper_p[] = {{"RESPONSE-CONTENT-TYPE", "application/octet-stream"},
                                             {"Response-Cache-Control", "max-age=600"}};
        CHECK(sign("get", "exampleobject(" TENCENT_CLOUD ")", upper_p, 2, upper, 2, 1557989753,
                   1557996953) == 0 && auth_is(V2_AUTH),
              "names in any case, method in lower case, values with spaces and tabs around");
        static const vod_cos_kv inner[] = {{"Date", "Thu, 16 May  2019 06:55:53 GMT"},
                                           {"Host", DOC_HOST}};
        CHECK(sign("GET", "exampleobject(" TENCENT_CLOUD ")", v2_params, 2, inner, 2, 1557989753,
                   1557996953) == 0 && strcmp(vod_buf_cstr(&A), V2_AUTH) != 0,
              "spaces inside a value are signed");
    }

    /* the SignKey is derived once per KeyTime */
    {
        int d0;
        CHECK(init(DOC_ID, DOC_KEY, NULL) == 0 && S.derivations == 0, "a new signer has no SignKey");
        for (int i = 0; i < 5; i++)
            sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, v1_headers, 7, 1557989151, 1557996351);
        CHECK(S.derivations == 1 && auth_is(V1_AUTH), "five signatures, one KeyTime: one derivation");
        d0 = S.derivations;
        CHECK(sign("GET", "exampleobject(" TENCENT_CLOUD ")", v2_params, 2, v2_headers, 2, 1557989753,
                   1557996953) == 0 && S.derivations == d0 + 1 && auth_is(V2_AUTH),
              "another KeyTime: derived again");
        CHECK(sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, v1_headers, 7, 1557989151,
                   1557996351) == 0 && S.derivations == d0 + 2 && auth_is(V1_AUTH),
              "back to the first KeyTime: derived again, right again");
        CHECK(sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, v1_headers, 7, 1557989151,
                   1557996352) == 0 && S.derivations == d0 + 3 &&
              strcmp(vod_buf_cstr(&A), V1_AUTH) != 0, "the end of the KeyTime is part of the key");
        /* a failed call leaves the signer usable and its cache right */
        CHECK(sign("PUT", "/x", NULL, 0, v1_headers, 7, 1557989151, 1557996351) == -1, "a failing call");
        CHECK(sign("PUT", "exampleobject(" TENCENT_CLOUD ")", NULL, 0, v1_headers, 7, 1557989151,
                   1557996351) == 0 && auth_is(V1_AUTH), "then V1 again");
    }
}

/* ---- URL encoding ----------------------------------------------------------- */

static void encoding(void)
{
    vod_buf b = {0};
    int kept = 0, all_ok = 1;
    /* COS's page lists the printable specials that must be encoded */
    static const char specials[] = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}";

    for (int c = 0; c < 256; c++) {
        unsigned char byte = (unsigned char)c;
        int unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
        char want[4];
        vod_buf_reset(&b);
        if (vod_cos_url_encode(&b, &byte, 1) != 0) {
            all_ok = 0;
            break;
        }
        if (unreserved) {
            want[0] = (char)c;
            want[1] = '\0';
            kept++;
        } else {
            snprintf(want, sizeof want, "%%%02X", c);
        }
        if (strcmp(vod_buf_cstr(&b), want) != 0) {
            printf("     byte 0x%02x gave %s, want %s\n", c, vod_buf_cstr(&b), want);
            all_ok = 0;
        }
    }
    CHECK(all_ok && kept == 66, "every byte value: 66 kept, the others %XX in upper case");
    all_ok = 1;
    for (const char *p = specials; *p; p++) {
        vod_buf_reset(&b);
        vod_cos_url_encode(&b, p, 1);
        if (b.len != 3 || b.data[0] != '%')
            all_ok = 0;
    }
    CHECK(all_ok, "every special character of COS's table is encoded");
    vod_buf_reset(&b);
    CHECK(vod_cos_url_encode(&b, "a b+c/d~e", 9) == 0 && strcmp(vod_buf_cstr(&b), "a%20b%2Bc%2Fd~e") == 0,
          "space is %20, never '+'; '/' encoded in names and values");
    vod_buf_reset(&b);
    /* The page's request line is "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)": its
     * parentheses raw; encoded they name the same path. */
    CHECK(vod_cos_url_encode_key(&b, "exampleobject(" TENCENT_CLOUD ")", 24) == 0 &&
          strcmp(vod_buf_cstr(&b), "exampleobject%28%E8%85%BE%E8%AE%AF%E4%BA%91%29") == 0,
          "the key of V1 on the request line");
    vod_buf_reset(&b);
    CHECK(vod_cos_url_encode_key(&b, "a b/c//d/", 9) == 0 && strcmp(vod_buf_cstr(&b), "a%20b/c//d/") == 0,
          "the key encoding keeps '/'");
    vod_buf_reset(&b);
    CHECK(vod_cos_url_encode(&b, "x\0y", 3) == 0 && strcmp(vod_buf_cstr(&b), "x%00y") == 0,
          "a NUL byte is encoded, not an end");
    vod_buf_reset(&b);
    CHECK(vod_cos_url_encode(&b, NULL, 0) == 0 && b.len == 0, "nothing encodes to nothing");
    vod_buf_free(&b, 0);
}

/* ---- refusals ---------------------------------------------------------------- */

static int why_is(const char *want)
{
    if (strcmp(why, want) == 0)
        return 1;
    printf("     why  \"%s\"\n     want \"%s\"\n", why, want);
    return 0;
}

static void refusals(void)
{
    static const vod_cos_kv host[] = {{"Host", DOC_HOST}};
    vod_cos_kv many[VOD_COS_MAX_FIELDS + 1];
    char names[VOD_COS_MAX_FIELDS + 1][8];
    char long_id[VOD_COS_MAX_ID_LEN + 2];
    char *long_token;
    vod_cos_signer z;

    /* init */
    memset(long_id, 'A', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    CHECK(init("", DOC_KEY, NULL) == -1 && why_is("secret_id must be 1 to 256 bytes"), "empty secret_id");
    CHECK(init(long_id, DOC_KEY, NULL) == -1 && why_is("secret_id must be 1 to 256 bytes"),
          "secret_id of 257 bytes");
    long_id[VOD_COS_MAX_ID_LEN] = '\0';
    CHECK(init(long_id, DOC_KEY, NULL) == 0, "secret_id of 256 bytes");
    CHECK(init("AKID&x", DOC_KEY, NULL) == -1 &&
          why_is("secret_id must be printable ASCII without spaces or '&'"), "'&' in secret_id");
    CHECK(init("AKID x", DOC_KEY, NULL) == -1, "space in secret_id");
    CHECK(init("AKID\x80", DOC_KEY, NULL) == -1, "a byte past ASCII in secret_id");
    CHECK(init(DOC_ID, "", NULL) == -1 && why_is("secret_key must not be empty"), "empty secret_key");
    CHECK(init(DOC_ID, DOC_KEY, "tok en") == -1 && why_is("token must be printable ASCII without spaces"),
          "space in the token");
    CHECK(init(DOC_ID, DOC_KEY, "tok\r\nX-Evil: 1") == -1, "CR LF in the token");
    long_token = malloc(VOD_COS_MAX_TOKEN_LEN + 2);
    memset(long_token, 'T', VOD_COS_MAX_TOKEN_LEN + 1);
    long_token[VOD_COS_MAX_TOKEN_LEN + 1] = '\0';
    CHECK(init(DOC_ID, DOC_KEY, long_token) == -1 && why_is("token must be at most 16384 bytes"),
          "token too long");
    long_token[VOD_COS_MAX_TOKEN_LEN] = '\0';
    CHECK(init(DOC_ID, DOC_KEY, long_token) == 0, "token of the maximum length");
    free(long_token);
    memset(&z, 0, sizeof z);
    CHECK(vod_cos_signer_init(&z, "AKID&", 5, "k", 1, NULL, 0, NULL) == -1, "why may be NULL");
    {
        static const unsigned char zero[sizeof(vod_cos_signer)];
        CHECK(memcmp(&z, zero, sizeof z) == 0, "a failed init leaves the signer zeroed");
    }
    {
        const char key_with_nul[] = "se\0cret";
        memset(&z, 0, sizeof z);
        CHECK(vod_cos_signer_init(&z, DOC_ID, strlen(DOC_ID), key_with_nul, 7, NULL, 0, why) == 0 &&
              z.secret_key_len == 7, "the secret key may hold any byte, NUL included");
        vod_cos_signer_free(&z);
    }

    /* sign */
    CHECK(init(DOC_ID, DOC_KEY, "SECRETTOKEN0123456789") == 0, "init");
    CHECK(sign(NULL, "k", NULL, 0, host, 1, 1, 2) == -1 && why_is("method is missing or empty") &&
          A.len == 0, "no method");
    CHECK(sign("P UT", "k", NULL, 0, host, 1, 1, 2) == -1 &&
          why_is("method must be 1 to 63 bytes of printable ASCII"), "space in the method");
    CHECK(sign("PUT", NULL, NULL, 0, host, 1, 1, 2) == -1 &&
          why_is("key is missing (give \"\" for the bucket itself)"), "no key");
    CHECK(sign("PUT", "/a/b", NULL, 0, host, 1, 1, 2) == -1 &&
          why_is("key must not start with '/': give the object key without its leading slash"),
          "a key with its leading slash");
    CHECK(sign("GET", "", NULL, 0, host, 1, 1, 2) == 0, "the empty key (the bucket itself)");
    CHECK(sign("PUT", "k", NULL, 0, host, 1, -1, 2) == -1 &&
          why_is("key time: need 0 <= start <= end <= 253402300799"), "negative start");
    CHECK(sign("PUT", "k", NULL, 0, host, 1, 3, 2) == -1, "start after end");
    CHECK(sign("PUT", "k", NULL, 0, host, 1, 1, 253402300800LL) == -1, "end past year 9999");
    CHECK(sign("PUT", "k", NULL, 0, NULL, 1, 1, 2) == -1 &&
          why_is("headers is NULL with a count above 0"), "NULL headers with a count");
    CHECK(sign("PUT", "k", NULL, 1, host, 1, 1, 2) == -1 &&
          why_is("params is NULL with a count above 0"), "NULL params with a count");
    for (int i = 0; i <= VOD_COS_MAX_FIELDS; i++) {
        snprintf(names[i], sizeof names[i], "h%d", i);
        many[i].name = names[i];
        many[i].value = "v";
    }
    CHECK(sign("PUT", "k", NULL, 0, many, VOD_COS_MAX_FIELDS, 1, 2) == 0, "64 headers");
    CHECK(sign("PUT", "k", NULL, 0, many, VOD_COS_MAX_FIELDS + 1, 1, 2) == -1 &&
          why_is("headers: more than 64 entries"), "65 headers");
    CHECK(sign("PUT", "k", many, VOD_COS_MAX_FIELDS + 1, host, 1, 1, 2) == -1 &&
          why_is("params: more than 64 entries"), "65 parameters");
    {
        vod_cos_kv h[3] = {{"Host", DOC_HOST}, {"", "x"}, {"x", "y"}};
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1 &&
              why_is("headers[1]: the name is missing or empty"), "empty header name");
        h[1].name = "Bad Name";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1 &&
              why_is("headers[1]: the name is not an HTTP token"), "space in a header name");
        h[1].name = "X:Y";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1, "colon in a header name");
        h[1].name = "x-cos-security-token";
        h[1].value = NULL;
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1 &&
              why_is("headers[1] (x-cos-security-token): the value is missing"), "header without value");
        h[1].value = "SECRETTOKEN0123456789\r\nX-Evil: 1";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1 &&
              why_is("headers[1] (x-cos-security-token): the value has a control byte") &&
              strstr(why, "SECRETTOKEN") == NULL, "CR LF in a header value, never echoed");
        h[1].value = "a\x7f";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1, "DEL in a header value");
        h[1].value = "a\tb";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == 0, "a tab inside a header value");
        h[1].name = "HOST";
        CHECK(sign("PUT", "k", NULL, 0, h, 3, 1, 2) == -1 &&
              why_is("headers[0] (Host) and headers[1] have the same name"), "Host and HOST");
    }
    {
        vod_cos_kv p[3] = {{"uploadId", "1"}, {NULL, "x"}, {"partNumber", "2"}};
        CHECK(sign("PUT", "k", p, 3, host, 1, 1, 2) == -1 &&
              why_is("params[1]: the name is missing or empty"), "parameter without name");
        p[1].name = "UPLOADID";
        CHECK(sign("PUT", "k", p, 3, host, 1, 1, 2) == -1 &&
              why_is("params[0] and params[1] have the same name"), "uploadId twice");
        p[1].name = "a b";
        p[1].value = "\r\n\x01";
        CHECK(sign("PUT", "k", p, 3, host, 1, 1, 2) == 0, "parameters may hold any byte (encoded)");
    }
    {
        vod_cos_request r;
        memset(&r, 0, sizeof r);
        memset(&z, 0, sizeof z);
        CHECK(vod_cos_sign(&z, &r, &A, why) == -1 && why_is("the signer is not initialised"),
              "a zeroed signer refuses to sign");
        CHECK(vod_cos_sign(&S, &r, NULL, why) == -1 && why_is("no output buffer given"), "no output");
        CHECK(vod_cos_sign(&S, NULL, &A, why) == -1 && why_is("no request given"), "no request");
    }

    /* free */
    vod_cos_signer_free(&S);
    {
        static const unsigned char zero[sizeof(vod_cos_signer)];
        CHECK(memcmp(&S, zero, sizeof S) == 0, "free leaves the signer zeroed");
    }
    vod_cos_signer_free(&S);
    vod_cos_signer_free(NULL);
    CHECK(1, "free twice and free(NULL) are harmless");
}

int main(void)
{
    memset(&S, 0, sizeof S);
    published_vectors();
    upload_requests();
    properties();
    encoding();
    refusals();
    vod_cos_signer_free(&S);
    vod_buf_free(&A, 0);
    return check_report();
}
