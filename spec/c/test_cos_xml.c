/*
 * test_cos_xml.c - unit tests for src/core/cos/cos_xml.c (COS's multipart
 * upload XML read with libexpat, and the Complete body written). Every
 * document is parsed whole, fed one byte at a time, and split in two at every
 * point: the outcome must be the same. Prints "N passed, N failed".
 *
 * Documented examples (COS API documentation, cloud.tencent.com/document/
 * product/436/<id> and www.tencentcloud.com/document/product/436/<id>):
 *   INITIATE  - Initiate Multipart Upload (7746), example 1's response body,
 *               as printed (blank lines, tab indentation).
 *   COMPLETE  - Complete Multipart Upload (7742), case 1's response body,
 *               with its XML declaration, xmlns and &quot; in the ETag.
 *   LIST      - List Parts (7747), the "actual case" response: three parts,
 *               Owner, Initiator, EncodingType and StorageClass to skip, no
 *               NextPartNumberMarker.
 *   LIST_OLD  - List Parts (7747), the response-body example of the earlier
 *               edition: one part, truncated, NextPartNumberMarker 1.
 *   ERROR     - Error Codes (7730): the documented shape of an error body
 *               (single-quoted declaration), with NoSuchUpload values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cos_xml.h"

#include "check.h"

static const char INITIATE[] =
    "\n\n\n<InitiateMultipartUploadResult>\n"
    "\t\t\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t\t\t<Key>exampleobject</Key>\n"
    "\t\t\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
    "</UploadId>\n"
    "</InitiateMultipartUploadResult>";

static const char COMPLETE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n"
    "\t<Location>http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Location>\n"
    "\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t<Key>exampleobject</Key>\n"
    "\t<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag>\n"
    "</CompleteMultipartUploadResult>";

static const char LIST[] =
    "\n\n\n<ListPartsResult>\n"
    "\t\t\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t\t\t<EncodingType/>\n"
    "\t\t\t<Key>exampleobject</Key>\n"
    "\t\t\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
    "</UploadId>\n"
    "\t\t\t<Owner>\n"
    "\t\t\t\t<ID>1250000000</ID>\n"
    "\t\t\t\t<DisplayName>1250000000</DisplayName>\n"
    "\t\t\t</Owner>\n"
    "\t\t\t<PartNumberMarker>0</PartNumberMarker>\n"
    "\t\t\t<Initiator>\n"
    "\t\t\t\t<ID>qcs::cam::uin/100000000001:uin/100000000011</ID>\n"
    "\t\t\t\t<DisplayName>100000000011</DisplayName>\n"
    "\t\t\t</Initiator>\n"
    "\t\t\t<Part>\n"
    "\t\t\t\t<PartNumber>1</PartNumber>\n"
    "\t\t\t\t<LastModified>2020-03-25T10:07:14.000Z</LastModified>\n"
    "\t\t\t\t<ETag>&quot;39270a968a357d24207e9911162507eb&quot;</ETag>\n"
    "\t\t\t\t<Size>1048576</Size>\n"
    "\t\t\t</Part>\n"
    "\t\t\t<Part>\n"
    "\t\t\t\t<PartNumber>2</PartNumber>\n"
    "\t\t\t\t<LastModified>2020-03-25T10:07:13.000Z</LastModified>\n"
    "\t\t\t\t<ETag>&quot;d899fbd1e06109ea2e4550f5751c88d6&quot;</ETag>\n"
    "\t\t\t\t<Size>1048576</Size>\n"
    "\t\t\t</Part>\n"
    "\t\t\t<Part>\n"
    "\t\t\t\t<PartNumber>3</PartNumber>\n"
    "\t\t\t\t<LastModified>2020-03-25T10:07:13.000Z</LastModified>\n"
    "\t\t\t\t<ETag>&quot;762890d6c9a871b7bd136037cb2260cd&quot;</ETag>\n"
    "\t\t\t\t<Size>1048576</Size>\n"
    "\t\t\t</Part>\n"
    "\t\t\t<StorageClass>Standard</StorageClass>\n"
    "\t\t\t<MaxParts>1000</MaxParts>\n"
    "\t\t\t<IsTruncated>false</IsTruncated>\n"
    "</ListPartsResult>";

static const char LIST_OLD[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
    "<ListPartsResult>\n"
    "    <Bucket>examplebucket-1250000000</Bucket>\n"
    "    <Encoding-type/>\n"
    "    <Key>exampleobject</Key>\n"
    "    <UploadId>14846420620b1f381e5d7b057692e131dd8d72dfa28f2633cfbbe4d0a9e8bd0719933545b0</UploadId>\n"
    "    <Initiator>\n"
    "        <ID>1250000000</ID>\n"
    "        <DisplayName>1250000000</DisplayName>\n"
    "    </Initiator>\n"
    "    <Owner>\n"
    "        <ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\n"
    "        <DisplayName>100000000001</DisplayName>\n"
    "    </Owner>\n"
    "    <PartNumberMarker>0</PartNumberMarker>\n"
    "    <Part>\n"
    "        <PartNumber>1</PartNumber>\n"
    "        <LastModified>Tue Jan 17 16:43:37 2017</LastModified>\n"
    "        <ETag>\"a1f8e5e4d63ac6970a0062a6277e191fe09a1382\"</ETag>\n"
    "        <Size>5242880</Size>\n"
    "    </Part>\n"
    "    <NextPartNumberMarker>1</NextPartNumberMarker>\n"
    "    <StorageClass>STANDARD</StorageClass>\n"
    "    <MaxParts>1</MaxParts>\n"
    "    <IsTruncated>true</IsTruncated>\n"
    "</ListPartsResult>";

static const char ERROR_DOC[] =
    "<?xml version='1.0' encoding='utf-8' ?>\n"
    "<Error>\n"
    "\t<Code>NoSuchUpload</Code>\n"
    "\t<Message>The specified upload does not exist.</Message>\n"
    "\t<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Resource>\n"
    "\t<RequestId>NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****</RequestId>\n"
    "\t<TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1****</TraceId>\n"
    "</Error>";

/* ---- feeding in every way --------------------------------------------------- */

typedef struct outcome {
    int rc;
    vod_cos_xml_doc doc;
    char why[VOD_COS_XML_WHY_MAX];
} outcome;

/* Parses s fed in pieces: step > 0 bytes at a time, 0 all at once, or split
 * once at `at` when step < 0. */
static outcome feed(const char *s, size_t len, const vod_cos_xml_limits *lim, long step, size_t at)
{
    outcome o;
    size_t off = 0;
    vod_cos_xml *x = vod_cos_xml_new(lim);
    memset(&o, 0, sizeof o);
    o.rc = 0;
    while (off < len && o.rc == 0) {
        size_t n = step > 0 ? (size_t)step : step == 0 ? len : (off < at ? at : len - off);
        if (n > len - off)
            n = len - off;
        o.rc = vod_cos_xml_feed(x, s + off, n);
        off += n;
    }
    if (o.rc == 0)
        o.rc = vod_cos_xml_finish(x, &o.doc);
    snprintf(o.why, sizeof o.why, "%s", vod_cos_xml_error(x));
    vod_cos_xml_free(x);
    return o;
}

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_doc(const vod_cos_xml_doc *a, const vod_cos_xml_doc *b)
{
    if (a->kind != b->kind || !str_eq(a->bucket, b->bucket) || !str_eq(a->key, b->key) ||
        !str_eq(a->upload_id, b->upload_id) || !str_eq(a->location, b->location) ||
        !str_eq(a->etag, b->etag) || a->part_number_marker != b->part_number_marker ||
        a->next_part_number_marker != b->next_part_number_marker || a->max_parts != b->max_parts ||
        a->is_truncated != b->is_truncated || a->n_parts != b->n_parts ||
        !str_eq(a->code, b->code) || !str_eq(a->message, b->message) ||
        !str_eq(a->resource, b->resource) || !str_eq(a->request_id, b->request_id) ||
        !str_eq(a->trace_id, b->trace_id))
        return 0;
    for (size_t i = 0; i < a->n_parts; i++)
        if (a->parts[i].part_number != b->parts[i].part_number ||
            a->parts[i].size != b->parts[i].size || !str_eq(a->parts[i].etag, b->parts[i].etag) ||
            !str_eq(a->parts[i].last_modified, b->parts[i].last_modified))
            return 0;
    return 1;
}

/* Parses s whole, byte by byte and split at every point: all the same?
 * Returns the whole-document outcome (the caller frees its doc). */
static outcome parse_all_ways(const char *s, size_t len, const vod_cos_xml_limits *lim, int *same)
{
    outcome whole = feed(s, len, lim, 0, 0), o;
    *same = 1;
    o = feed(s, len, lim, 1, 0);
    if (o.rc != whole.rc || strcmp(o.why, whole.why) != 0 || !same_doc(&o.doc, &whole.doc))
        *same = 0;
    vod_cos_xml_doc_free(&o.doc);
    for (size_t at = 1; at < len; at++) {
        o = feed(s, len, lim, -1, at);
        if (o.rc != whole.rc || strcmp(o.why, whole.why) != 0 || !same_doc(&o.doc, &whole.doc)) {
            if (*same)
                printf("     split at %zu: rc %d \"%s\", whole: rc %d \"%s\"\n", at, o.rc, o.why,
                       whole.rc, whole.why);
            *same = 0;
        }
        vod_cos_xml_doc_free(&o.doc);
    }
    return whole;
}

/* ---- the documented examples -------------------------------------------------- */

static void documented(void)
{
    int same;
    outcome o;

    o = parse_all_ways(INITIATE, sizeof INITIATE - 1, NULL, &same);
    CHECK(o.rc == 0 && o.doc.kind == VOD_COS_XML_INITIATE && same, "Initiate example: parsed, every way alike");
    CHECK(str_eq(o.doc.bucket, "examplebucket-1250000000") && str_eq(o.doc.key, "exampleobject") &&
          str_eq(o.doc.upload_id, "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"),
          "Initiate example: Bucket, Key, UploadId");
    CHECK(o.doc.location == NULL && o.doc.etag == NULL && o.doc.code == NULL && o.doc.n_parts == 0 &&
          o.doc.is_truncated == -1 && o.doc.max_parts == -1, "Initiate example: nothing else set");
    vod_cos_xml_doc_free(&o.doc);

    o = parse_all_ways(COMPLETE, sizeof COMPLETE - 1, NULL, &same);
    CHECK(o.rc == 0 && o.doc.kind == VOD_COS_XML_COMPLETE && same, "Complete example: parsed, every way alike");
    CHECK(str_eq(o.doc.location, "http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject") &&
          str_eq(o.doc.bucket, "examplebucket-1250000000") && str_eq(o.doc.key, "exampleobject") &&
          str_eq(o.doc.etag, "\"aa259a62513358f69e98e72e59856d88-3\""),
          "Complete example: Location, Bucket, Key, ETag with its quotes decoded");
    vod_cos_xml_doc_free(&o.doc);

    o = parse_all_ways(LIST, sizeof LIST - 1, NULL, &same);
    CHECK(o.rc == 0 && o.doc.kind == VOD_COS_XML_LIST_PARTS && same, "List Parts example: parsed, every way alike");
    CHECK(str_eq(o.doc.bucket, "examplebucket-1250000000") && str_eq(o.doc.key, "exampleobject") &&
          str_eq(o.doc.upload_id, "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361") &&
          o.doc.part_number_marker == 0 && o.doc.next_part_number_marker == -1 &&
          o.doc.max_parts == 1000 && o.doc.is_truncated == 0, "List Parts example: the fields");
    CHECK(o.doc.n_parts == 3 && o.doc.parts[0].part_number == 1 && o.doc.parts[1].part_number == 2 &&
          o.doc.parts[2].part_number == 3 && o.doc.parts[0].size == 1048576 &&
          str_eq(o.doc.parts[0].etag, "\"39270a968a357d24207e9911162507eb\"") &&
          str_eq(o.doc.parts[2].etag, "\"762890d6c9a871b7bd136037cb2260cd\"") &&
          str_eq(o.doc.parts[1].last_modified, "2020-03-25T10:07:13.000Z"),
          "List Parts example: three parts (Owner's and Initiator's IDs skipped)");
    vod_cos_xml_doc_free(&o.doc);

    o = parse_all_ways(LIST_OLD, sizeof LIST_OLD - 1, NULL, &same);
    CHECK(o.rc == 0 && same && o.doc.n_parts == 1 && o.doc.is_truncated == 1 &&
          o.doc.next_part_number_marker == 1 && o.doc.max_parts == 1 &&
          o.doc.parts[0].size == 5242880 &&
          str_eq(o.doc.parts[0].last_modified, "Tue Jan 17 16:43:37 2017") &&
          str_eq(o.doc.parts[0].etag, "\"a1f8e5e4d63ac6970a0062a6277e191fe09a1382\""),
          "List Parts, earlier example: truncated, NextPartNumberMarker 1");
    vod_cos_xml_doc_free(&o.doc);

    o = parse_all_ways(ERROR_DOC, sizeof ERROR_DOC - 1, NULL, &same);
    CHECK(o.rc == 0 && o.doc.kind == VOD_COS_XML_ERROR && same, "Error: parsed, every way alike");
    CHECK(str_eq(o.doc.code, "NoSuchUpload") && str_eq(o.doc.message, "The specified upload does not exist.") &&
          str_eq(o.doc.resource, "examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject") &&
          str_eq(o.doc.request_id, "NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****") &&
          o.doc.trace_id != NULL && strncmp(o.doc.trace_id, "OGVmYzZi", 8) == 0 && o.doc.bucket == NULL,
          "Error: Code, Message, Resource, RequestId, TraceId");
    vod_cos_xml_doc_free(&o.doc);
}

/* Complete keeps the connection alive with spaces, then answers a result or
 * an error inside its 200. */
static void keep_alive(void)
{
    char *doc = malloc(4096);
    int same;
    outcome o;
    vod_cos_xml *x;
    vod_cos_xml_doc d;

    snprintf(doc, 4096, "%s%s", "          \n  \r\n\t    ", COMPLETE);
    o = parse_all_ways(doc, strlen(doc), NULL, &same);
    CHECK(o.rc == 0 && same && o.doc.kind == VOD_COS_XML_COMPLETE, "whitespace before the XML declaration");
    vod_cos_xml_doc_free(&o.doc);

    snprintf(doc, 4096, "%s%s", "                    ", ERROR_DOC);
    o = parse_all_ways(doc, strlen(doc), NULL, &same);
    CHECK(o.rc == 0 && same && o.doc.kind == VOD_COS_XML_ERROR && str_eq(o.doc.code, "NoSuchUpload"),
          "an <Error> after the keep-alive spaces of a 200: told apart");
    vod_cos_xml_doc_free(&o.doc);

    /* as it arrives: a space at a time, then the document */
    x = vod_cos_xml_new(NULL);
    for (int i = 0; i < 300; i++)
        vod_cos_xml_feed(x, " ", 1);
    CHECK(vod_cos_xml_feed(x, COMPLETE, sizeof COMPLETE - 1) == 0 && vod_cos_xml_finish(x, &d) == 0 &&
          d.kind == VOD_COS_XML_COMPLETE && str_eq(vod_cos_xml_error(x), ""),
          "300 single spaces, then the result");
    vod_cos_xml_doc_free(&d);
    vod_cos_xml_free(x);
    free(doc);
}

/* ---- refused documents ----------------------------------------------------------- */

static int refused(const char *s, const vod_cos_xml_limits *lim, const char *want)
{
    int same;
    outcome o = parse_all_ways(s, strlen(s), lim, &same);
    static const unsigned char zero[sizeof(vod_cos_xml_doc)];
    int ok = o.rc == -1 && same && strcmp(o.why, want) == 0 &&
             memcmp(&o.doc, zero, sizeof o.doc) == 0;
    if (!ok)
        printf("     rc %d same %d why \"%s\"\n     want \"%s\"\n", o.rc, same, o.why, want);
    vod_cos_xml_doc_free(&o.doc);
    return ok;
}

static void hostile(void)
{
    vod_cos_xml_limits small = {0, 0, 0};

    CHECK(refused("<!DOCTYPE Error [<!ENTITY x \"y\">]><Error><Code>&x;</Code></Error>", NULL,
                  "a DOCTYPE is refused (COS's answers have none)"), "an internal entity");
    CHECK(refused("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                  "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><Error><Code>&lol2;</Code></Error>",
                  NULL, "a DOCTYPE is refused (COS's answers have none)"), "billion laughs");
    CHECK(refused("<!DOCTYPE Error SYSTEM \"file:///etc/passwd\"><Error/>", NULL,
                  "a DOCTYPE is refused (COS's answers have none)"), "an external DTD");
    CHECK(refused("<!DOCTYPE Error [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Error><Code>&x;</Code></Error>",
                  NULL, "a DOCTYPE is refused (COS's answers have none)"), "an external entity");
    CHECK(refused("<Error><Code>&x;</Code></Error>", NULL,
                  "not well-formed XML: undefined entity at line 1, column 14"), "an undefined entity");
    CHECK(refused("<Error><Code>a</Cod></Error>", NULL,
                  "not well-formed XML: mismatched tag at line 1, column 17"), "mismatched tags");
    CHECK(refused("<Error><Code>a</Code>", NULL,
                  "not well-formed XML: no element found at line 1, column 22"), "a cut document");
    CHECK(refused("<Error/><Error/>", NULL,
                  "not well-formed XML: junk after document element at line 1, column 9"), "two roots");
    CHECK(refused("<Error/>x", NULL,
                  "not well-formed XML: junk after document element at line 1, column 9"), "text after the root");
    CHECK(refused("", NULL, "empty document (no element)"), "an empty body");
    CHECK(refused(" \r\n\t ", NULL, "empty document (no element)"), "a body of whitespace");
    CHECK(refused("{\"Error\":1}", NULL,
                  "not well-formed XML: not well-formed (invalid token) at line 1, column 1"), "JSON");
    CHECK(refused("\n\n<Error>\n<Code>\x01</Code></Error>", NULL,
                  "not well-formed XML: not well-formed (invalid token) at line 4, column 7"),
          "a control byte, located past the skipped lines");
    CHECK(refused("<Error><Code>\xff\xfe</Code></Error>", NULL,
                  "not well-formed XML: not well-formed (invalid token) at line 1, column 14"),
          "invalid UTF-8");
    CHECK(refused("<ListBucketResult><Name>x</Name></ListBucketResult>", NULL,
                  "unexpected root element <ListBucketResult> (not a COS multipart upload answer)"),
          "another COS answer");
    CHECK(refused("<html\xe6\x97\xa5><body>502</body></html\xe6\x97\xa5>", NULL,
                  "unexpected root element <html\?\?\?> (not a COS multipart upload answer)"),
          "a proxy's page: the name shown in printable ASCII");
    CHECK(refused("<Error><Code>a<b>c</b></Code></Error>", NULL,
                  "element <b> inside <Code>, which holds text only"), "markup inside a text element");
    CHECK(refused("<ListPartsResult><Key>a</Key><Key>b</Key></ListPartsResult>", NULL,
                  "<Key> appears twice in ListPartsResult"), "Key twice");
    CHECK(refused("<ListPartsResult><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber>"
                  "</Part></ListPartsResult>", NULL, "<PartNumber> appears twice in a <Part>"),
          "PartNumber twice in a part");
    CHECK(refused("<ListPartsResult><Part><PartNumber>0</PartNumber></Part></ListPartsResult>", NULL,
                  "<PartNumber> is not a whole number from 1 to 10000"), "PartNumber 0");
    CHECK(refused("<ListPartsResult><Part><PartNumber>10001</PartNumber></Part></ListPartsResult>", NULL,
                  "<PartNumber> is not a whole number from 1 to 10000"), "PartNumber 10001");
    CHECK(refused("<ListPartsResult><Part><PartNumber>-1</PartNumber></Part></ListPartsResult>", NULL,
                  "<PartNumber> is not a whole number from 1 to 10000"), "PartNumber -1");
    CHECK(refused("<ListPartsResult><Part><PartNumber></PartNumber></Part></ListPartsResult>", NULL,
                  "<PartNumber> is not a whole number from 1 to 10000"), "PartNumber empty");
    CHECK(refused("<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag>"
                  "<Size>18446744073709551616</Size></Part></ListPartsResult>", NULL,
                  "<Size> is not a whole number of bytes"), "Size past 2^64 - 1");
    CHECK(refused("<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag>"
                  "<Size>1e6</Size></Part></ListPartsResult>", NULL,
                  "<Size> is not a whole number of bytes"), "Size 1e6");
    CHECK(refused("<ListPartsResult><Part><PartNumber>1</PartNumber><Size>5</Size></Part></ListPartsResult>",
                  NULL, "<Part> 1 lacks <ETag>"), "a part without ETag");
    CHECK(refused("<ListPartsResult><Part><ETag>e</ETag><Size>5</Size></Part></ListPartsResult>",
                  NULL, "<Part> 1 lacks <PartNumber>"), "a part without PartNumber");
    CHECK(refused("<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></ListPartsResult>",
                  NULL, "<Part> 1 lacks <Size>"), "a part without Size");
    CHECK(refused("<ListPartsResult><IsTruncated>yes</IsTruncated></ListPartsResult>", NULL,
                  "<IsTruncated> is neither true nor false"), "IsTruncated yes");
    CHECK(refused("<ListPartsResult><MaxParts>2147483648</MaxParts></ListPartsResult>", NULL,
                  "<MaxParts> is not a whole number from 0 to 2147483647"), "MaxParts too big");
    CHECK(refused("<InitiateMultipartUploadResult><Bucket>b</Bucket></InitiateMultipartUploadResult>",
                  NULL, "InitiateMultipartUploadResult without an UploadId"), "Initiate without UploadId");
    CHECK(refused("<InitiateMultipartUploadResult><UploadId></UploadId></InitiateMultipartUploadResult>",
                  NULL, "InitiateMultipartUploadResult without an UploadId"), "Initiate with an empty UploadId");

    /* caps */
    {
        char *big = malloc(VOD_COS_XML_MAX_TEXT + 64);
        int n = snprintf(big, 64, "<Error><Message>");
        memset(big + n, 'm', VOD_COS_XML_MAX_TEXT);
        strcpy(big + n + VOD_COS_XML_MAX_TEXT, "</Message></Error>");
        {
            outcome o = feed(big, strlen(big), NULL, 0, 0);
            CHECK(o.rc == 0 && strlen(o.doc.message) == VOD_COS_XML_MAX_TEXT, "a text of 4096 bytes");
            vod_cos_xml_doc_free(&o.doc);
        }
        big[n + VOD_COS_XML_MAX_TEXT] = 'm';
        strcpy(big + n + VOD_COS_XML_MAX_TEXT + 1, "</Message></Error>");
        {
            outcome o = feed(big, strlen(big), NULL, 0, 0), b = feed(big, strlen(big), NULL, 1, 0);
            CHECK(o.rc == -1 && strcmp(o.why, "text of <Message> longer than 4096 bytes") == 0 &&
                  b.rc == -1 && strcmp(b.why, o.why) == 0, "a text of 4097 bytes, whole or byte by byte");
        }
        free(big);
    }
    small.max_text = 3;
    CHECK(refused("<Error><Code>abcd</Code></Error>", &small, "text of <Code> longer than 3 bytes"),
          "a smaller text cap");
    CHECK(refused("<Error><Code>a&amp;&amp;b</Code></Error>", &small, "text of <Code> longer than 3 bytes"),
          "the cap counts decoded text");
    small.max_text = 0;
    small.max_bytes = 40;
    CHECK(refused("                    <Error><Code>NoSuchUpload</Code></Error>", &small,
                  "document longer than 40 bytes"), "the byte cap counts leading whitespace");
    small.max_bytes = 0;
    small.max_parts = 2;
    {
        const char *three = "<ListPartsResult>"
                            "<Part><PartNumber>1</PartNumber><ETag>a</ETag><Size>1</Size></Part>"
                            "<Part><PartNumber>2</PartNumber><ETag>b</ETag><Size>1</Size></Part>"
                            "<Part><PartNumber>3</PartNumber><ETag>c</ETag><Size>1</Size></Part>"
                            "</ListPartsResult>";
        CHECK(refused(three, &small, "more than 2 <Part> elements"), "a part past the cap");
        small.max_parts = 3;
        {
            outcome o = feed(three, strlen(three), &small, 0, 0);
            CHECK(o.rc == 0 && o.doc.n_parts == 3 && str_eq(o.doc.parts[2].etag, "c"),
                  "three parts under a cap of 3");
            vod_cos_xml_doc_free(&o.doc);
        }
    }
    {
        char deep[1024];
        size_t n = 0;
        n += (size_t)sprintf(deep + n, "<Error>");
        for (int i = 0; i < VOD_COS_XML_MAX_DEPTH; i++)
            n += (size_t)sprintf(deep + n, "<a>");
        for (int i = 0; i < VOD_COS_XML_MAX_DEPTH; i++)
            n += (size_t)sprintf(deep + n, "</a>");
        sprintf(deep + n, "</Error>");
        CHECK(refused(deep, NULL, "elements nested deeper than 16"), "17 levels of elements");
    }
    {
        /* 1000 parts of List Parts' most verbose form fit the default caps */
        size_t cap = 1000 * 200 + 200, n = 0;
        char *doc = malloc(cap);
        vod_cos_xml_doc d;
        char why[VOD_COS_XML_WHY_MAX];
        n += (size_t)snprintf(doc + n, cap - n, "<ListPartsResult>");
        for (int i = 1; i <= 1000; i++)
            n += (size_t)snprintf(doc + n, cap - n,
                                  "<Part><PartNumber>%d</PartNumber><LastModified>2020-03-25T10:07:14.000Z"
                                  "</LastModified><ETag>&quot;39270a968a357d24207e9911162507eb&quot;</ETag>"
                                  "<Size>8388608</Size></Part>", i);
        snprintf(doc + n, cap - n, "<IsTruncated>false</IsTruncated></ListPartsResult>");
        CHECK(vod_cos_xml_parse(doc, strlen(doc), NULL, &d, why) == 0 && d.n_parts == 1000 &&
              d.parts[999].part_number == 1000, "a page of 1000 parts under the default caps");
        vod_cos_xml_doc_free(&d);
        free(doc);
    }
}

static void details(void)
{
    vod_cos_xml_doc d;
    char why[VOD_COS_XML_WHY_MAX];
    const char *s;
    vod_cos_xml *x;

    s = "<Error><Code>a&amp;b&lt;c&gt;&apos;&quot;&#x41;&#66;&#x65E5;</Code></Error>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 &&
          str_eq(d.code, "a&b<c>'\"AB\xe6\x97\xa5"), "the five entities and character references");
    vod_cos_xml_doc_free(&d);
    s = "<Error><Code><![CDATA[<x>&amp;]]></Code><Message/></Error>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && str_eq(d.code, "<x>&amp;") &&
          str_eq(d.message, ""), "CDATA kept as text; an empty element is the empty string");
    vod_cos_xml_doc_free(&d);
    s = "<Error xmlns=\"x\" a='1'><!-- c --><?pi x?><Code>c</Code><Extra><Code>no</Code></Extra></Error>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && str_eq(d.code, "c"),
          "attributes, comments, PIs and unknown elements (with a Code inside) are skipped");
    vod_cos_xml_doc_free(&d);
    s = "<ListPartsResult><PartNumberMarker> 5\n</PartNumberMarker><IsTruncated>\ttrue </IsTruncated>"
        "<Part><Size>0</Size><ETag> e </ETag><PartNumber>10000</PartNumber></Part></ListPartsResult>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && d.part_number_marker == 5 &&
          d.is_truncated == 1 && d.n_parts == 1 && d.parts[0].part_number == 10000 &&
          d.parts[0].size == 0 && str_eq(d.parts[0].etag, " e ") && d.parts[0].last_modified == NULL,
          "numbers and booleans trimmed, strings kept as they are, any order in a part");
    vod_cos_xml_doc_free(&d);
    s = "<CompleteMultipartUploadResult><Part><PartNumber>1</PartNumber></Part>"
        "<UploadId>u</UploadId></CompleteMultipartUploadResult>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && d.n_parts == 0 && d.upload_id == NULL,
          "elements of other documents are skipped");
    vod_cos_xml_doc_free(&d);
    s = "<Error/>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && d.kind == VOD_COS_XML_ERROR &&
          d.code == NULL && why[0] == '\0', "an empty <Error>: recognised, Code absent");
    vod_cos_xml_doc_free(&d);
    s = "\xef\xbb\xbf<Error><Code>c</Code></Error>";
    CHECK(vod_cos_xml_parse(s, strlen(s), NULL, &d, why) == 0 && str_eq(d.code, "c"), "a UTF-8 BOM");
    vod_cos_xml_doc_free(&d);

    /* the parser's life */
    x = vod_cos_xml_new(NULL);
    CHECK(vod_cos_xml_feed(x, "<Error>", 7) == 0 && vod_cos_xml_feed(x, NULL, 1) == -1 &&
          str_eq(vod_cos_xml_error(x), "no data given") && vod_cos_xml_feed(x, "</Error>", 8) == -1 &&
          vod_cos_xml_finish(x, &d) == -1 && d.kind == VOD_COS_XML_NONE,
          "a refused document stays refused");
    vod_cos_xml_free(x);
    x = vod_cos_xml_new(NULL);
    CHECK(vod_cos_xml_feed(x, "<Error/>", 8) == 0 && vod_cos_xml_finish(x, &d) == 0 &&
          vod_cos_xml_feed(x, " ", 1) == -1 && str_eq(vod_cos_xml_error(x), "bytes fed after the end of the document"),
          "nothing is fed after finish");
    vod_cos_xml_doc_free(&d);
    vod_cos_xml_free(x);
    x = vod_cos_xml_new(NULL);
    CHECK(vod_cos_xml_feed(x, "<Error><Code>c", 14) == 0 && vod_cos_xml_finish(x, &d) == -1, "finish on a cut document");
    vod_cos_xml_free(x);        /* frees what was read so far */
    vod_cos_xml_free(NULL);
    vod_cos_xml_doc_free(NULL);
    CHECK(vod_cos_xml_parse("<Error/>", 8, NULL, NULL, why) == -1 && str_eq(why, "no output given"),
          "parse without an output");
    CHECK(vod_cos_xml_parse("<x/>", 4, NULL, &d, NULL) == -1, "why may be NULL");
}

/* ---- the Complete body ---------------------------------------------------------- */

static void writer(void)
{
    vod_buf b = {0};
    char why[VOD_COS_XML_WHY_MAX];
    /* COS's Complete example (7742, case 1): its three parts */
    vod_cos_part_ref parts[3] = {{1, "\"39270a968a357d24207e9911162507eb\""},
                                 {2, "\"d899fbd1e06109ea2e4550f5751c88d6\""},
                                 {3, "762890d6c9a871b7bd136037cb2260cd"}};
    CHECK(vod_cos_xml_complete_body(&b, parts, 3, why) == 0 &&
          strcmp(vod_buf_cstr(&b),
                 "<CompleteMultipartUpload>"
                 "<Part><PartNumber>1</PartNumber><ETag>\"39270a968a357d24207e9911162507eb\"</ETag></Part>"
                 "<Part><PartNumber>2</PartNumber><ETag>\"d899fbd1e06109ea2e4550f5751c88d6\"</ETag></Part>"
                 "<Part><PartNumber>3</PartNumber><ETag>\"762890d6c9a871b7bd136037cb2260cd\"</ETag></Part>"
                 "</CompleteMultipartUpload>") == 0,
          "the example's three parts; quotes added to a bare ETag");
    {
        vod_cos_part_ref odd[2] = {{7, "a&b<c>\"d'"}, {10000, "\""}};
        CHECK(vod_cos_xml_complete_body(&b, odd, 2, why) == 0 &&
              strcmp(vod_buf_cstr(&b),
                     "<CompleteMultipartUpload>"
                     "<Part><PartNumber>7</PartNumber><ETag>\"a&amp;b&lt;c&gt;\"d'\"</ETag></Part>"
                     "<Part><PartNumber>10000</PartNumber><ETag>\"\"\"</ETag></Part>"
                     "</CompleteMultipartUpload>") == 0,
              "'&', '<' and '>' escaped; gaps in the numbers allowed");
    }
    {
        vod_cos_part_ref bad[2] = {{2, "\"e\""}, {2, "\"e\""}};
        CHECK(vod_cos_xml_complete_body(&b, bad, 2, why) == -1 && b.len == 0 &&
              strcmp(why, "parts[1]: part numbers must rise strictly from 1 to 10000 (got 2 after 2)") == 0,
              "a part number twice");
        bad[1].part_number = 1;
        CHECK(vod_cos_xml_complete_body(&b, bad, 2, why) == -1, "descending part numbers");
        bad[0].part_number = 0;
        CHECK(vod_cos_xml_complete_body(&b, bad, 1, why) == -1 &&
              strcmp(why, "parts[0]: part numbers must rise strictly from 1 to 10000 (got 0 after 0)") == 0,
              "part number 0");
        bad[0].part_number = 10001;
        CHECK(vod_cos_xml_complete_body(&b, bad, 1, why) == -1, "part number 10001");
        bad[0].part_number = 1;
        bad[0].etag = "";
        CHECK(vod_cos_xml_complete_body(&b, bad, 1, why) == -1 &&
              strcmp(why, "parts[0]: the ETag must be 1 to 256 bytes") == 0, "an empty ETag");
        bad[0].etag = NULL;
        CHECK(vod_cos_xml_complete_body(&b, bad, 1, why) == -1, "no ETag");
        bad[0].etag = "\"ab\ncd\"";
        CHECK(vod_cos_xml_complete_body(&b, bad, 1, why) == -1 &&
              strcmp(why, "parts[0]: the ETag must be printable ASCII") == 0, "a newline in an ETag");
        CHECK(vod_cos_xml_complete_body(&b, bad, 0, why) == -1 &&
              strcmp(why, "parts: need 1 to 10000 parts") == 0, "no parts");
        CHECK(vod_cos_xml_complete_body(NULL, bad, 1, why) == -1, "no output");
    }
    vod_buf_free(&b, 0);
}

int main(void)
{
    documented();
    keep_alive();
    hostile();
    details();
    writer();
    return check_report();
}
