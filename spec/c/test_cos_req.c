/*
 * test_cos_req.c - unit tests for src/core/cos/cos_req.c: the head of a
 * request to COS (XML API V5), written and signed in one go. Prints
 * "N passed, N failed".
 *
 * The signature itself has its own tests against COS's published examples
 * (spec/c/test_cos_sign.c); here the head must carry exactly what
 * vod_cos_sign() gives for the headers the head sends, and two whole heads
 * are checked byte for byte against values computed independently (Python's
 * hashlib, hmac and urllib.parse.quote(safe='-_.~'), from the algorithm of
 * COS's "Request Signature" page,
 * https://www.tencentcloud.com/document/product/436/7778): Upload Part and
 * Initiate Multipart Upload are those of test_cos_sign.c; the PUT of an odd
 * key (spaces, '+', '?', '#', '%', UTF-8) is new here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cos_req.h"

#include "check.h"

#define T_ID "AKIDEXAMPLETEMP0000000000000000000000"
#define T_KEY "exampleTempSecretKey000000000000"
#define T_TOKEN "exampleSessionToken_a1b2c3+/="
#define T_HOST "vod2-1500000000.cos.ap-guangzhou.myqcloud.com"
#define T_OBJECT "e4f0b1c2vodgzp1500000000/5285890781234567890/f0.mp4"
#define T_UPLOAD_ID "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
#define T_MD5 "mQ/fVh815F3k6TAUm8m0eg=="
#define START 1700000000LL
#define END 1700003600LL
#define KEYTIME "1700000000;1700003600"
#define TENCENT_CLOUD "\xe8\x85\xbe\xe8\xae\xaf\xe4\xba\x91"      /* 腾讯云 in UTF-8 */
#define ODD_KEY "dir a/b+c?d#e%f/\xc3\xa9 " TENCENT_CLOUD ".txt"
#define ODD_KEY_ENCODED "dir%20a/b%2Bc%3Fd%23e%25f/%C3%A9%20%E8%85%BE%E8%AE%AF%E4%BA%91.txt"

/* independent references (see the top of the file) */
#define PART_AUTH "q-sign-algorithm=sha1&q-ak=" T_ID "&q-sign-time=" KEYTIME "&q-key-time=" KEYTIME \
    "&q-header-list=content-length;content-md5;host;x-cos-security-token"                        \
    "&q-url-param-list=partnumber;uploadid&q-signature=f4073a3be742e3cb412e8aaab084f7fbdb42ea5e"
#define INIT_AUTH "q-sign-algorithm=sha1&q-ak=" T_ID "&q-sign-time=" KEYTIME "&q-key-time=" KEYTIME \
    "&q-header-list=host;x-cos-security-token&q-url-param-list=uploads"                          \
    "&q-signature=512bf6d1f5250a9aa73aa6abd69217340f2897ab"
#define ODD_AUTH "q-sign-algorithm=sha1&q-ak=" T_ID "&q-sign-time=" KEYTIME "&q-key-time=" KEYTIME \
    "&q-header-list=content-length;content-md5;content-type;host;x-cos-security-token"          \
    "&q-url-param-list=&q-signature=d1abb10a021207c4571745f83dee777028c05554"

static vod_cos_signer S;
static vod_buf out;
static char why[VOD_COS_WHY_MAX];

static int init(const char *token)
{
    vod_cos_signer_free(&S);
    return vod_cos_signer_init(&S, T_ID, strlen(T_ID), T_KEY, strlen(T_KEY), token,
                               token ? strlen(token) : 0, why);
}

/* A head with the test's KeyTime and host; params and headers as given. */
static vod_cos_head head(const char *method, const char *key, const vod_cos_kv *params, size_t np,
                         const vod_cos_kv *headers, size_t nh)
{
    vod_cos_head h;
    memset(&h, 0, sizeof h);
    h.method = method;
    h.key = key;
    h.params = params;
    h.n_params = np;
    h.headers = headers;
    h.n_headers = nh;
    h.host = T_HOST;
    h.origin = "";
    h.key_start = START;
    h.key_end = END;
    return h;
}

static int write_head(const vod_cos_head *h)
{
    vod_buf_reset(&out);
    why[0] = '\0';
    return vod_cos_write_head(&out, &S, h, why);
}

static int head_is(const char *want)
{
    const char *got = vod_buf_cstr(&out);
    if (strcmp(got, want) == 0)
        return 1;
    printf("     got  %s\n     want %s\n", got, want);
    return 0;
}

/* The value of header `name` (exact case) in the head, copied into v. */
static int header_value(const char *name, char *v, size_t vn)
{
    const char *h = vod_buf_cstr(&out), *line = strstr(h, "\r\n");
    size_t nl = strlen(name);
    while (line != NULL && line[2] != '\r') {
        const char *start = line + 2, *eol = strstr(start, "\r\n");
        if (eol == NULL)
            return 0;
        if ((size_t)(eol - start) > nl + 2 && memcmp(start, name, nl) == 0 && start[nl] == ':' &&
            start[nl + 1] == ' ') {
            size_t n = (size_t)(eol - start) - nl - 2;
            if (n >= vn)
                return 0;
            memcpy(v, start + nl + 2, n);
            v[n] = '\0';
            return 1;
        }
        line = eol;
    }
    return 0;
}

/* The value of "q-<name>=" inside the Authorization value auth. */
static int auth_param(const char *auth, const char *name, char *v, size_t vn)
{
    char key[32];
    const char *p, *end;
    snprintf(key, sizeof key, "%s=", name);
    for (p = auth; (p = strstr(p, key)) != NULL; p++)
        if (p == auth || p[-1] == '&')
            break;
    if (p == NULL)
        return 0;
    p += strlen(key);
    end = strchr(p, '&');
    if (end == NULL)
        end = p + strlen(p);
    if ((size_t)(end - p) >= vn)
        return 0;
    memcpy(v, p, (size_t)(end - p));
    v[end - p] = '\0';
    return 1;
}

/* lowercase names, strictly rising, joined by ';' */
static int sorted_lowercase_list(const char *list)
{
    char prev[128] = "", cur[128];
    const char *p = list;
    if (*p == '\0')
        return 1;
    for (;;) {
        size_t n = strcspn(p, ";");
        if (n == 0 || n >= sizeof cur)
            return 0;
        memcpy(cur, p, n);
        cur[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (cur[i] >= 'A' && cur[i] <= 'Z')
                return 0;
        if (prev[0] && strcmp(prev, cur) >= 0)
            return 0;
        memcpy(prev, cur, n + 1);
        if (p[n] == '\0')
            return 1;
        p += n + 1;
    }
}

/* The Authorization the head carries equals vod_cos_sign() of the headers
 * the head sends (Host, the caller's, Content-Length, the token) on the
 * same method, key, parameters and KeyTime. */
static int same_as_signer(const vod_cos_head *h)
{
    vod_cos_kv sent[VOD_COS_MAX_FIELDS];
    vod_cos_request rq;
    vod_buf auth = {0};
    char got[4096], len[24], w[VOD_COS_WHY_MAX];
    size_t n = 0, tl;
    const char *token = vod_cos_signer_token(&S, &tl);
    int same;
    sent[n].name = "Host";
    sent[n++].value = h->host;
    for (size_t i = 0; i < h->n_headers; i++)
        sent[n++] = h->headers[i];
    if (h->with_length) {
        snprintf(len, sizeof len, "%llu", h->length);
        sent[n].name = "Content-Length";
        sent[n++].value = len;
    }
    if (token != NULL) {
        sent[n].name = "x-cos-security-token";
        sent[n++].value = token;
    }
    memset(&rq, 0, sizeof rq);
    rq.method = h->method;
    rq.key = h->key;
    rq.params = h->params;
    rq.n_params = h->n_params;
    rq.headers = sent;
    rq.n_headers = n;
    rq.key_time_start = h->key_start;
    rq.key_time_end = h->key_end;
    same = vod_cos_sign(&S, &rq, &auth, w) == 0 && header_value("Authorization", got, sizeof got) &&
           strcmp(got, vod_buf_cstr(&auth)) == 0;
    if (!same)
        printf("     head %s\n     sign %s\n", got, vod_buf_cstr(&auth));
    vod_buf_free(&auth, 1);
    return same;
}

/* ---- whole heads against independent values ---------------------------------- */

static void whole_heads(void)
{
    static const vod_cos_kv part_params[] = {{"partNumber", "3"}, {"uploadId", T_UPLOAD_ID}};
    static const vod_cos_kv part_headers[] = {{"Content-MD5", T_MD5}};
    static const vod_cos_kv init_params[] = {{"uploads", NULL}};
    static const vod_cos_kv odd_headers[] = {{"Content-Type", "text/plain; charset=utf-8"},
                                             {"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="}};
    vod_cos_head h;

    CHECK(init(T_TOKEN) == 0, "init with a token");
    h = head("PUT", T_OBJECT, part_params, 2, part_headers, 1);
    h.with_length = 1;
    h.length = 1048576;
    CHECK(write_head(&h) == 0 && why[0] == '\0' &&
          head_is("PUT /" T_OBJECT "?partNumber=3&uploadId=" T_UPLOAD_ID " HTTP/1.1\r\n"
                  "Host: " T_HOST "\r\n"
                  "Content-MD5: " T_MD5 "\r\n"
                  "Content-Length: 1048576\r\n"
                  "x-cos-security-token: " T_TOKEN "\r\n"
                  "Authorization: " PART_AUTH "\r\n"
                  "\r\n"), "Upload Part: the whole head (independent reference)");
    CHECK(same_as_signer(&h), "Upload Part: the signer's Authorization");

    h = head("POST", T_OBJECT, init_params, 1, NULL, 0);
    CHECK(write_head(&h) == 0 &&
          head_is("POST /" T_OBJECT "?uploads HTTP/1.1\r\n"
                  "Host: " T_HOST "\r\n"
                  "x-cos-security-token: " T_TOKEN "\r\n"
                  "Authorization: " INIT_AUTH "\r\n"
                  "\r\n"), "Initiate: ?uploads without '=', no Content-Length (independent reference)");

    h = head("PUT", ODD_KEY, NULL, 0, odd_headers, 2);
    h.with_length = 1;
    h.length = 0;
    CHECK(write_head(&h) == 0 &&
          head_is("PUT /" ODD_KEY_ENCODED " HTTP/1.1\r\n"
                  "Host: " T_HOST "\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==\r\n"
                  "Content-Length: 0\r\n"
                  "x-cos-security-token: " T_TOKEN "\r\n"
                  "Authorization: " ODD_AUTH "\r\n"
                  "\r\n"),
          "an odd key: encoded on the line, signed as is; Content-Length: 0 (independent reference)");
    CHECK(same_as_signer(&h), "the odd key: the signer's Authorization");
}

/* ---- the request line -------------------------------------------------------- */

static int line_is(const char *want)
{
    const char *h = vod_buf_cstr(&out), *eol = strstr(h, "\r\n");
    size_t n = strlen(want);
    if (eol != NULL && (size_t)(eol - h) == n && memcmp(h, want, n) == 0)
        return 1;
    printf("     got  %.*s\n     want %s\n", eol ? (int)(eol - h) : (int)strlen(h), h, want);
    return 0;
}

static void request_line(void)
{
    static const vod_cos_kv encoded[] = {{"prefix", "a b/c&d=e+f%\xc3\xa9"}, {"max keys", ""}};
    static const vod_cos_kv list[] = {{"uploadId", T_UPLOAD_ID}, {"max-parts", "1000"},
                                      {"part-number-marker", "0"}};
    struct { const char *key, *want; } keys[] = {
        {"a b", "/a%20b"},
        {"a/b/c.mp4", "/a/b/c.mp4"},
        {"a//b/", "/a//b/"},
        {"x+y", "/x%2By"},
        {"what?", "/what%3F"},
        {"#frag", "/%23frag"},
        {"100%", "/100%25"},
        {"caf\xc3\xa9", "/caf%C3%A9"},
        {"-_.~", "/-_.~"},
        {"", "/"},
    };
    vod_cos_head h;
    char want[256];
    int all = 1;

    CHECK(init(T_TOKEN) == 0, "init");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        h = head("GET", keys[i].key, NULL, 0, NULL, 0);
        snprintf(want, sizeof want, "GET %s HTTP/1.1", keys[i].want);
        if (write_head(&h) != 0 || !line_is(want) || !same_as_signer(&h))
            all = 0;
    }
    CHECK(all, "keys: space, '/', '+', '?', '#', '%', UTF-8, unreserved, empty; each signed as is");

    h = head("DELETE", "k", list + 0, 1, NULL, 0);
    CHECK(write_head(&h) == 0 && line_is("DELETE /k?uploadId=" T_UPLOAD_ID " HTTP/1.1"),
          "Abort: ?uploadId=...");
    h = head("GET", "k", list, 3, NULL, 0);
    CHECK(write_head(&h) == 0 &&
          line_is("GET /k?uploadId=" T_UPLOAD_ID "&max-parts=1000&part-number-marker=0 HTTP/1.1"),
          "List Parts: the parameters in the caller's order, joined by '&'");
    CHECK(same_as_signer(&h), "List Parts: the signer's Authorization");
    h = head("GET", "k", encoded, 2, NULL, 0);
    CHECK(write_head(&h) == 0 &&
          line_is("GET /k?prefix=a%20b%2Fc%26d%3De%2Bf%25%C3%A9&max%20keys= HTTP/1.1"),
          "names and values encoded ('/' too), an empty value keeps its '='");
    CHECK(same_as_signer(&h), "encoded parameters: the signer's Authorization");

    h = head("PUT", "a b/c.mp4", NULL, 0, NULL, 0);
    h.origin = "http://" T_HOST;
    CHECK(write_head(&h) == 0 && line_is("PUT http://" T_HOST "/a%20b/c.mp4 HTTP/1.1"),
          "through a proxy: the absolute form, origin then the encoded key");
    CHECK(same_as_signer(&h), "the origin is not signed");
    h.origin = "http://127.0.0.1:8080";
    h.host = "127.0.0.1:8080";
    CHECK(write_head(&h) == 0 && line_is("PUT http://127.0.0.1:8080/a%20b/c.mp4 HTTP/1.1"),
          "an origin with a port");
    h = head("PUT", "k", NULL, 0, NULL, 0);
    h.origin = NULL;
    CHECK(write_head(&h) == 0 && line_is("PUT /k HTTP/1.1"), "origin NULL: the origin form");
}

/* ---- the headers and the Authorization ---------------------------------------- */

static int auth_of_head(char *auth, size_t n)
{
    return header_value("Authorization", auth, n);
}

static void headers_and_authorization(void)
{
    static const vod_cos_kv caller[] = {{"Content-Type", "video/mp4"}, {"Content-MD5", T_MD5},
                                        {"X-Cos-Meta-Source", "tencentcloud-vod"}};
    static const vod_cos_kv part_params[] = {{"partNumber", "3"}, {"uploadId", T_UPLOAD_ID}};
    char auth[1024], v[512];
    vod_cos_head h;
    const char *text;

    CHECK(init(T_TOKEN) == 0, "init with a token");
    h = head("PUT", T_OBJECT, part_params, 2, caller, 3);
    h.with_length = 1;
    h.length = 18446744073709551615ULL;
    CHECK(write_head(&h) == 0, "a PUT with three headers of the caller's");
    text = vod_buf_cstr(&out);
    CHECK(header_value("Host", v, sizeof v) && strcmp(v, T_HOST) == 0, "Host: the head's host");
    CHECK(header_value("Content-Type", v, sizeof v) && strcmp(v, "video/mp4") == 0 &&
          header_value("Content-MD5", v, sizeof v) && strcmp(v, T_MD5) == 0 &&
          header_value("X-Cos-Meta-Source", v, sizeof v) && strcmp(v, "tencentcloud-vod") == 0,
          "the caller's headers, their names as given");
    CHECK(header_value("Content-Length", v, sizeof v) && strcmp(v, "18446744073709551615") == 0,
          "Content-Length: the largest length");
    CHECK(header_value("x-cos-security-token", v, sizeof v) && strcmp(v, T_TOKEN) == 0,
          "x-cos-security-token: the signer's token");
    CHECK(strstr(text, "Host: ") < strstr(text, "Content-Type: ") &&
          strstr(text, "Content-Type: ") < strstr(text, "Content-MD5: ") &&
          strstr(text, "Content-MD5: ") < strstr(text, "X-Cos-Meta-Source: ") &&
          strstr(text, "X-Cos-Meta-Source: ") < strstr(text, "Content-Length: ") &&
          strstr(text, "Content-Length: ") < strstr(text, "x-cos-security-token: ") &&
          strstr(text, "x-cos-security-token: ") < strstr(text, "Authorization: "),
          "order: Host, the caller's, Content-Length, the token, Authorization");
    CHECK(out.len >= 4 && memcmp(out.data + out.len - 4, "\r\n\r\n", 4) == 0 &&
          strstr(text, "\r\n\r\n") == out.data + out.len - 4,
          "the head ends with CRLF CRLF, and only there");
    CHECK(auth_of_head(auth, sizeof auth), "an Authorization header");
    CHECK(auth_param(auth, "q-sign-algorithm", v, sizeof v) && strcmp(v, "sha1") == 0 &&
          auth_param(auth, "q-ak", v, sizeof v) && strcmp(v, T_ID) == 0, "q-sign-algorithm and q-ak");
    CHECK(auth_param(auth, "q-sign-time", v, sizeof v) && strcmp(v, KEYTIME) == 0 &&
          auth_param(auth, "q-key-time", v, sizeof v) && strcmp(v, KEYTIME) == 0,
          "q-sign-time and q-key-time: key_start;key_end");
    CHECK(auth_param(auth, "q-header-list", v, sizeof v) &&
          strcmp(v, "content-length;content-md5;content-type;host;x-cos-meta-source;"
                    "x-cos-security-token") == 0 && sorted_lowercase_list(v),
          "q-header-list: every header sent but Authorization, lowercase, sorted");
    CHECK(auth_param(auth, "q-url-param-list", v, sizeof v) && strcmp(v, "partnumber;uploadid") == 0 &&
          sorted_lowercase_list(v), "q-url-param-list: lowercase, sorted");
    CHECK(auth_param(auth, "q-signature", v, sizeof v) && strlen(v) == 40 &&
          strspn(v, "0123456789abcdef") == 40, "q-signature: 40 lowercase hex");
    CHECK(same_as_signer(&h), "the signer's Authorization");
    CHECK(strstr(text, T_KEY) == NULL, "the secret key is nowhere in the head");

    /* without a token: no x-cos-security-token, sent or signed */
    CHECK(init(NULL) == 0, "init without a token");
    CHECK(write_head(&h) == 0 && !header_value("x-cos-security-token", v, sizeof v) &&
          strstr(vod_buf_cstr(&out), "security-token") == NULL, "no token: no x-cos-security-token");
    CHECK(auth_of_head(auth, sizeof auth) && auth_param(auth, "q-header-list", v, sizeof v) &&
          strcmp(v, "content-length;content-md5;content-type;host;x-cos-meta-source") == 0,
          "no token: not in q-header-list");
    CHECK(same_as_signer(&h), "no token: the signer's Authorization");

    /* without length: no Content-Length */
    h = head("GET", "k", NULL, 0, NULL, 0);
    CHECK(write_head(&h) == 0 && !header_value("Content-Length", v, sizeof v) &&
          auth_of_head(auth, sizeof auth) && auth_param(auth, "q-header-list", v, sizeof v) &&
          strcmp(v, "host") == 0 && auth_param(auth, "q-url-param-list", v, sizeof v) && v[0] == '\0',
          "a bare GET: Host alone sent and signed, no parameters");
    CHECK(same_as_signer(&h), "a bare GET: the signer's Authorization");
    h.with_length = 1;
    h.length = 0;
    CHECK(write_head(&h) == 0 && header_value("Content-Length", v, sizeof v) && strcmp(v, "0") == 0 &&
          auth_of_head(auth, sizeof auth) && auth_param(auth, "q-header-list", v, sizeof v) &&
          strcmp(v, "content-length;host") == 0, "with_length and 0: Content-Length: 0, signed");

    /* another KeyTime */
    h = head("GET", "k", NULL, 0, NULL, 0);
    h.key_start = 0;
    h.key_end = VOD_COS_MAX_TIME;
    CHECK(write_head(&h) == 0 && auth_of_head(auth, sizeof auth) &&
          auth_param(auth, "q-sign-time", v, sizeof v) && strcmp(v, "0;253402300799") == 0 &&
          auth_param(auth, "q-key-time", v, sizeof v) && strcmp(v, "0;253402300799") == 0 &&
          same_as_signer(&h), "the widest KeyTime");

    /* the head is appended */
    vod_buf_reset(&out);
    vod_buf_addstr(&out, "previous bytes");
    CHECK(vod_cos_write_head(&out, &S, &h, why) == 0 &&
          strncmp(vod_buf_cstr(&out), "previous bytesGET /k HTTP/1.1\r\n", 31) == 0,
          "the head is appended to what the buffer holds");
}

/* ---- refusals ------------------------------------------------------------------- */

static int no_secret(void)
{
    return why[0] != '\0' && strstr(why, T_KEY) == NULL && strstr(why, T_TOKEN) == NULL &&
           strstr(why, "SECRETVALUE") == NULL;
}

/* refused, with a reason that names no secret, and nothing written */
static int refused(const vod_cos_head *h)
{
    vod_buf_reset(&out);
    vod_buf_addstr(&out, "kept");
    why[0] = '\0';
    return vod_cos_write_head(&out, &S, h, why) == -1 && no_secret() && out.len == 4 &&
           memcmp(out.data, "kept", 4) == 0;
}

static void refusals(void)
{
    vod_cos_kv many[VOD_COS_MAX_FIELDS];
    char names[VOD_COS_MAX_FIELDS][16];
    vod_cos_kv bad[2] = {{"Content-Type", "text/plain"}, {"x-cos-meta-a", "SECRETVALUE"}};
    vod_cos_head h;

    CHECK(init(T_TOKEN) == 0, "init with a token");
    for (int i = 0; i < VOD_COS_MAX_FIELDS; i++) {
        snprintf(names[i], sizeof names[i], "x-cos-meta-%d", i);
        many[i].name = names[i];
        many[i].value = "SECRETVALUE";
    }
    /* Host, Content-Length and the token come on top of the caller's: at most 61 of those */
    h = head("PUT", "k", NULL, 0, many, VOD_COS_MAX_FIELDS - 3);
    h.with_length = 1;
    CHECK(write_head(&h) == 0 && same_as_signer(&h), "61 headers of the caller's, with length and token");
    h.n_headers = VOD_COS_MAX_FIELDS - 2;
    CHECK(refused(&h) && strcmp(why, "too many headers") == 0, "62 headers: too many headers");
    h.n_headers = VOD_COS_MAX_FIELDS;
    CHECK(refused(&h) && strcmp(why, "too many headers") == 0, "64 headers: too many headers");

    /* what the signer refuses, the head refuses, writing nothing */
    h = head("PUT", "k", NULL, 0, bad, 2);
    bad[1].value = "SECRETVALUE\r\nX-Injected: 1";
    CHECK(refused(&h), "CR LF in a header's value: refused, the value not echoed");
    bad[1].value = "v";
    bad[1].name = "Host";
    CHECK(refused(&h), "a Host of the caller's besides the head's");
    bad[1].name = "Content-Length";
    h.with_length = 1;
    CHECK(refused(&h), "a Content-Length of the caller's with with_length");
    bad[1].name = "x-cos-security-token";
    h.with_length = 0;
    CHECK(refused(&h), "an x-cos-security-token of the caller's when the signer has a token");
    bad[1].name = "Bad Name";
    CHECK(refused(&h), "a header name that is not a token");
    h = head("PUT", "/k", NULL, 0, NULL, 0);
    CHECK(refused(&h), "a key with its leading '/'");
    h = head("P T", "k", NULL, 0, NULL, 0);
    CHECK(refused(&h), "a space in the method");
    h = head("PUT", "k", many, VOD_COS_MAX_FIELDS, NULL, 0);
    CHECK(write_head(&h) == 0, "64 parameters");
    {
        vod_cos_kv p[2] = {{"uploadId", "SECRETVALUE"}, {"UPLOADID", "SECRETVALUE"}};
        h = head("PUT", "k", p, 2, NULL, 0);
        CHECK(refused(&h), "two parameters of one signed name");
    }
    h = head("PUT", "k", NULL, 0, NULL, 0);
    h.key_start = END;
    h.key_end = START;
    CHECK(refused(&h), "a KeyTime that ends before it starts");
    {
        vod_cos_signer z;
        memset(&z, 0, sizeof z);
        h = head("PUT", "k", NULL, 0, NULL, 0);
        vod_buf_reset(&out);
        CHECK(vod_cos_write_head(&out, &z, &h, why) == -1 && why[0] != '\0' && out.len == 0,
              "a signer not initialised");
    }
    CHECK(write_head(&h) == 0, "the signer works after the refusals");
}

int main(void)
{
    memset(&S, 0, sizeof S);
    whole_heads();
    request_line();
    headers_and_authorization();
    refusals();
    vod_cos_signer_free(&S);
    vod_buf_free(&out, 1);
    return check_report();
}
