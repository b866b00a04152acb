/*
 * test_md5.c - unit tests for src/core/digest/md5.c (MD5, its hex and base64
 * forms, the ETag check) and src/core/digest/part_digest.c (MD5 and CRC-64
 * of a part in one pass). Prints "N passed, N failed".
 *
 * Published vectors:
 *   - RFC 1321, appendix A.5 ("test suite"): the seven digests.
 *   - COS's "Request Signature" page (436/7778), the upload example: the
 *     13-byte body "ObjectContent" is sent with Content-MD5:
 *     mQ/fVh815F3k6TAUm8m0eg==.
 *   - COS's "Complete Multipart Upload" page (436/7742), case 1: the request
 *     body listing three parts, Content-Length: 353 (its lines end in CR LF),
 *     Content-MD5: Me/0Gvtc2x4VPIOhoIRllw==.
 *   - COS's practice page "MD5 Verification" (Data Verification): an object
 *     sent with Content-MD5: ti4QvKtVqIJAvZxDbP/c+Q== is downloaded with ETag
 *     "b62e10bcab55a88240bd9c436cffdcf9": the two forms of one digest.
 *   - RFC 1864 / the well-known Content-MD5 of an empty body,
 *     1B2M2Y8AsgTpgAmY7PhCfg==.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"
#include "md5.h"
#include "part_digest.h"

#include "check.h"

static const struct {
    const char *msg, *hex;
} rfc1321[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
     "0", "57edf4a22be3c955ac49da2e2107b67a"},
};

static const char complete_body[] =
    "<CompleteMultipartUpload>\r\n"
    "\t<Part>\r\n"
    "\t\t<PartNumber>1</PartNumber>\r\n"
    "\t\t<ETag>\"39270a968a357d24207e9911162507eb\"</ETag>\r\n"
    "\t</Part>\r\n"
    "\t<Part>\r\n"
    "\t\t<PartNumber>2</PartNumber>\r\n"
    "\t\t<ETag>\"d899fbd1e06109ea2e4550f5751c88d6\"</ETag>\r\n"
    "\t</Part>\r\n"
    "\t<Part>\r\n"
    "\t\t<PartNumber>3</PartNumber>\r\n"
    "\t\t<ETag>\"762890d6c9a871b7bd136037cb2260cd\"</ETag>\r\n"
    "\t</Part>\r\n"
    "</CompleteMultipartUpload>";

static int hex_to_bytes(const char *hex, unsigned char out[VOD_MD5_LEN])
{
    for (int i = 0; i < VOD_MD5_LEN; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* An independent base64 decoder of a 24-character digest. */
static int b64_decode(const char *s, unsigned char out[VOD_MD5_LEN])
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned bits = 0, nbits = 0, o = 0;
    if (strlen(s) != VOD_MD5_B64_LEN || strcmp(s + 22, "==") != 0)
        return -1;
    for (int i = 0; i < 22; i++) {
        const char *p = strchr(a, s[i]);
        if (p == NULL || s[i] == '\0')
            return -1;
        bits = (bits << 6) | (unsigned)(p - a);
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out[o++] = (unsigned char)(bits >> nbits);
            bits &= (1u << nbits) - 1;
        }
    }
    return o == VOD_MD5_LEN && bits == 0 ? 0 : -1;
}

static void vectors(void)
{
    unsigned char d[VOD_MD5_LEN], w[VOD_MD5_LEN];
    char hex[VOD_MD5_HEX_LEN + 1], b64[VOD_MD5_B64_LEN + 1];
    int ok = 1;

    for (size_t i = 0; i < sizeof rfc1321 / sizeof rfc1321[0]; i++) {
        if (vod_md5_digest(rfc1321[i].msg, strlen(rfc1321[i].msg), d) != 0)
            ok = 0;
        vod_md5_hex(d, hex);
        if (strcmp(hex, rfc1321[i].hex) != 0) {
            printf("     MD5(\"%s\") = %s, want %s\n", rfc1321[i].msg, hex, rfc1321[i].hex);
            ok = 0;
        }
    }
    CHECK(ok, "RFC 1321's test suite (7 digests), in lowercase hex");

    vod_md5_digest("", 0, d);
    vod_md5_base64(d, b64);
    CHECK(strcmp(b64, "1B2M2Y8AsgTpgAmY7PhCfg==") == 0, "Content-MD5 of an empty body");
    vod_md5_digest(NULL, 0, d);
    vod_md5_hex(d, hex);
    CHECK(strcmp(hex, "d41d8cd98f00b204e9800998ecf8427e") == 0, "NULL with length 0 is the empty message");
    vod_md5_digest("ObjectContent", 13, d);
    vod_md5_base64(d, b64);
    CHECK(strcmp(b64, "mQ/fVh815F3k6TAUm8m0eg==") == 0, "COS's signature page: Content-MD5 of \"ObjectContent\"");
    CHECK(sizeof complete_body - 1 == 353, "the Complete example body is 353 bytes, as published");
    vod_md5_digest(complete_body, sizeof complete_body - 1, d);
    vod_md5_base64(d, b64);
    CHECK(strcmp(b64, "Me/0Gvtc2x4VPIOhoIRllw==") == 0, "COS's Complete page: Content-MD5 of its body");

    hex_to_bytes("b62e10bcab55a88240bd9c436cffdcf9", w);
    vod_md5_base64(w, b64);
    CHECK(strcmp(b64, "ti4QvKtVqIJAvZxDbP/c+Q==") == 0, "COS's MD5 Verification page: its ETag and Content-MD5 agree");
    memset(w, 0, sizeof w);
    vod_md5_base64(w, b64);
    CHECK(strcmp(b64, "AAAAAAAAAAAAAAAAAAAAAA==") == 0, "base64 of sixteen zero bytes");
    memset(w, 0xff, sizeof w);
    vod_md5_base64(w, b64);
    vod_md5_hex(w, hex);
    CHECK(strcmp(b64, "/////////////////////w==") == 0 && strcmp(hex, "ffffffffffffffffffffffffffffffff") == 0,
          "base64 and hex of sixteen 0xff bytes");
    {
        unsigned seed = 7;
        int round_trips = 1;
        for (int t = 0; t < 1000; t++) {
            unsigned char back[VOD_MD5_LEN];
            for (int i = 0; i < VOD_MD5_LEN; i++) {
                seed = seed * 1103515245u + 12345u;
                w[i] = (unsigned char)(seed >> 16);
            }
            vod_md5_base64(w, b64);
            if (b64_decode(b64, back) != 0 || memcmp(back, w, sizeof w) != 0)
                round_trips = 0;
        }
        CHECK(round_trips, "base64 of 1000 random digests decodes back (independent decoder)");
    }
}

static void etag(void)
{
    unsigned char d[VOD_MD5_LEN];
    hex_to_bytes("b62e10bcab55a88240bd9c436cffdcf9", d);
    CHECK(vod_md5_etag_matches("\"b62e10bcab55a88240bd9c436cffdcf9\"", 34, d) == 1, "quoted ETag");
    CHECK(vod_md5_etag_matches("b62e10bcab55a88240bd9c436cffdcf9", 32, d) == 1, "ETag without quotes");
    CHECK(vod_md5_etag_matches("\"B62E10BCAB55A88240BD9C436CFFDCF9\"", 34, d) == 1, "upper-case hex");
    CHECK(vod_md5_etag_matches("\"b62e10bcab55a88240bd9c436cffdcf8\"", 34, d) == 0, "one digit off");
    CHECK(vod_md5_etag_matches("\"aa259a62513358f69e98e72e59856d88-3\"", 36, d) == 0,
          "a multipart ETag (hex-count) is never a match");
    CHECK(vod_md5_etag_matches("\"b62e10bcab55a88240bd9c436cffdcf9", 33, d) == 0, "one quote only");
    CHECK(vod_md5_etag_matches("\"b62e10bcab55a88240bd9c436cffdcg9\"", 34, d) == 0, "a non-hex digit");
    CHECK(vod_md5_etag_matches("", 0, d) == 0 && vod_md5_etag_matches(NULL, 34, d) == 0, "empty and NULL");
    CHECK(vod_md5_etag_matches("\"b62e10bcab55a88240bd9c436cffdcf9\"", 33, d) == 0,
          "the length given is what counts");
}

static void contexts(void)
{
    unsigned char d[VOD_MD5_LEN], whole[VOD_MD5_LEN];
    unsigned char msg[300];
    vod_md5 m = {0};
    int same = 1;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 3);
    vod_md5_digest(msg, sizeof msg, whole);
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        if (vod_md5_init(&m) != 0 || vod_md5_update(&m, msg, cut) != 0 ||
            vod_md5_update(&m, msg + cut, sizeof msg - cut) != 0 || vod_md5_final(&m, d) != 0 ||
            memcmp(d, whole, sizeof d) != 0)
            same = 0;
    }
    CHECK(same, "one context reused for 301 messages split at every point");
    vod_md5_free(&m);
    CHECK(m.ctx == NULL, "free clears the context");
    vod_md5_free(&m);
    vod_md5_free(NULL);
    memset(d, 0xAA, sizeof d);
    CHECK(vod_md5_update(&m, "x", 1) == -1 && vod_md5_final(&m, d) == -1 && d[0] == 0 && d[15] == 0,
          "a context never initialised refuses, and final zeroes its output");
    CHECK(vod_md5_init(&m) == 0 && vod_md5_update(&m, NULL, 1) == -1 &&
          vod_md5_update(&m, NULL, 0) == 0, "NULL data with a length is refused, without is fine");
    vod_md5_free(&m);
    CHECK(vod_md5_init(NULL) == -1, "init(NULL) fails");
}

static void part_digest(void)
{
    size_t n = 3 * VOD_PART_DIGEST_BLOCK + 12345;
    unsigned char *p = malloc(n);
    unsigned char d[VOD_MD5_LEN], want[VOD_MD5_LEN];
    vod_part_digest pd = {0};
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 2654435761u) >> 11);
    vod_md5_digest(p, n, want);
    /* the whole part at once, then in odd pieces, with the same digest object */
    CHECK(vod_part_digest_init(&pd) == 0 && vod_part_digest_update(&pd, p, n) == 0 &&
          vod_part_digest_final(&pd, d) == 0 && memcmp(d, want, sizeof d) == 0 &&
          pd.crc == vod_crc64_update(0, p, n) && pd.len == n,
          "a part of 3 blocks and a bit at once: its MD5, CRC-64 and length");
    if (vod_part_digest_init(&pd) != 0)
        ok = 0;
    for (size_t off = 0, k = 1; off < n; off += k, k = k * 3 + 1) {
        if (k > n - off)
            k = n - off;
        if (vod_part_digest_update(&pd, p + off, k) != 0)
            ok = 0;
    }
    CHECK(ok && vod_part_digest_final(&pd, d) == 0 && memcmp(d, want, sizeof d) == 0 &&
          pd.crc == vod_crc64_update(0, p, n) && pd.len == n,
          "the same part fed in growing pieces, the object reused");
    CHECK(vod_part_digest_init(&pd) == 0 && vod_part_digest_update(&pd, NULL, 0) == 0 &&
          vod_part_digest_final(&pd, d) == 0 && pd.crc == 0 && pd.len == 0 &&
          memcmp(d, "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e", 16) == 0,
          "an empty part");
    CHECK(vod_part_digest_update(&pd, NULL, 1) == -1, "NULL data with a length is refused");
    vod_part_digest_free(&pd);
    vod_part_digest_free(&pd);
    free(p);
}

int main(void)
{
    vectors();
    etag();
    contexts();
    part_digest();
    return check_report();
}
