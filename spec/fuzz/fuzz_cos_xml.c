/* libFuzzer harness for COS's XML reader and the Complete body writer
 * (src/core/cos/cos_xml.h).
 *
 * Input: byte 0 holds flags, the rest is the document.
 *   bits 0-1  limits: 0 the defaults; 1 small (512 bytes, texts of 16, 3
 *             parts); 2 texts of 1 byte; 3 one part
 *   bits 2-7  the size of the pieces the document is fed in (1 to 63 bytes;
 *             0 means 1)
 *
 * Must never crash or leak. The document is parsed whole
 * (vod_cos_xml_parse) and fed in pieces: the same verdict, the same reason
 * (unless one of the two is a syntax error found by expat, which may be
 * worded or placed by what its tokenizer had seen) and the same document. A refusal's reason is one line of printable ASCII; a
 * success respects the caps and sets only the fields of its kind. The parts
 * of a List Parts answer then go through the Complete body writer: it must
 * accept exactly the lists whose numbers rise and whose ETags are 1 to 256
 * printable ASCII bytes, and what it writes, read back with expat directly,
 * must give the same numbers and ETags (quoted). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "cos_xml.h"

#define EXPAT_REASON "not well-formed XML: "

static void die(const char *what)
{
    fprintf(stderr, "fuzz_cos_xml: %s\n", what);
    abort();
}

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void same_doc(const vod_cos_xml_doc *a, const vod_cos_xml_doc *b)
{
    if (a->kind != b->kind || !str_eq(a->bucket, b->bucket) || !str_eq(a->key, b->key) ||
        !str_eq(a->upload_id, b->upload_id) || !str_eq(a->location, b->location) ||
        !str_eq(a->etag, b->etag) || a->part_number_marker != b->part_number_marker ||
        a->next_part_number_marker != b->next_part_number_marker || a->max_parts != b->max_parts ||
        a->is_truncated != b->is_truncated || a->n_parts != b->n_parts ||
        !str_eq(a->code, b->code) || !str_eq(a->message, b->message) ||
        !str_eq(a->resource, b->resource) || !str_eq(a->request_id, b->request_id) ||
        !str_eq(a->trace_id, b->trace_id))
        die("whole and in pieces: different documents");
    for (size_t i = 0; i < a->n_parts; i++)
        if (a->parts[i].part_number != b->parts[i].part_number || a->parts[i].size != b->parts[i].size ||
            !str_eq(a->parts[i].etag, b->parts[i].etag) ||
            !str_eq(a->parts[i].last_modified, b->parts[i].last_modified))
            die("whole and in pieces: different parts");
}

static void check_text(const char *s, size_t max_text)
{
    if (s != NULL && strlen(s) > max_text)
        die("a text past the cap");
}

static void check_doc(const vod_cos_xml_doc *d, const vod_cos_xml_limits *lim)
{
    size_t mt = lim->max_text ? lim->max_text : VOD_COS_XML_MAX_TEXT;
    size_t mp = lim->max_parts ? lim->max_parts : VOD_COS_XML_MAX_PARTS;
    int initiate = d->kind == VOD_COS_XML_INITIATE, complete = d->kind == VOD_COS_XML_COMPLETE;
    int list = d->kind == VOD_COS_XML_LIST_PARTS, error = d->kind == VOD_COS_XML_ERROR;

    if (!initiate && !complete && !list && !error)
        die("a success of no known kind");
    check_text(d->bucket, mt);
    check_text(d->key, mt);
    check_text(d->upload_id, mt);
    check_text(d->location, mt);
    check_text(d->etag, mt);
    check_text(d->code, mt);
    check_text(d->message, mt);
    check_text(d->resource, mt);
    check_text(d->request_id, mt);
    check_text(d->trace_id, mt);
    if ((error && (d->bucket || d->key)) || (!initiate && !list && d->upload_id) ||
        (!complete && (d->location || d->etag)) ||
        (!error && (d->code || d->message || d->resource || d->request_id || d->trace_id)) ||
        (!list && (d->n_parts || d->parts || d->is_truncated != -1 || d->max_parts != -1 ||
                   d->part_number_marker != -1 || d->next_part_number_marker != -1)))
        die("a field of another kind of document is set");
    if (initiate && (d->upload_id == NULL || d->upload_id[0] == '\0'))
        die("an Initiate answer without UploadId accepted");
    if (d->n_parts > mp)
        die("more parts than the cap");
    if (d->is_truncated < -1 || d->is_truncated > 1)
        die("IsTruncated out of range");
    for (size_t i = 0; i < d->n_parts; i++) {
        if (d->parts[i].part_number < 1 || d->parts[i].part_number > VOD_COS_MAX_PART_NUMBER)
            die("a part number out of range");
        if (d->parts[i].etag == NULL)
            die("a part without ETag accepted");
        check_text(d->parts[i].etag, mt);
        check_text(d->parts[i].last_modified, mt);
    }
}

/* ---- reading the written Complete body back with expat ---------------- */

typedef struct readback {
    int depth, in_num, in_etag;
    char text[2048];
    size_t len;
    unsigned nums[VOD_COS_XML_MAX_PARTS + 1];
    char *etags[VOD_COS_XML_MAX_PARTS + 1];
    size_t n, n_etags;
    int bad;
} readback;

static void XMLCALL rb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    readback *r = ud;
    (void)atts;
    r->depth++;
    r->len = 0;
    r->in_num = r->depth == 3 && strcmp(name, "PartNumber") == 0;
    r->in_etag = r->depth == 3 && strcmp(name, "ETag") == 0;
    if ((r->depth == 1 && strcmp(name, "CompleteMultipartUpload") != 0) ||
        (r->depth == 2 && strcmp(name, "Part") != 0) || r->depth > 3)
        r->bad = 1;
}

static void XMLCALL rb_text(void *ud, const XML_Char *s, int len)
{
    readback *r = ud;
    if ((r->in_num || r->in_etag) && r->len + (size_t)len < sizeof r->text) {
        memcpy(r->text + r->len, s, (size_t)len);
        r->len += (size_t)len;
    } else if (r->in_num || r->in_etag) {
        r->bad = 1;
    }
}

static void XMLCALL rb_end(void *ud, const XML_Char *name)
{
    readback *r = ud;
    (void)name;
    r->text[r->len] = '\0';
    if (r->in_num && r->n <= VOD_COS_XML_MAX_PARTS)
        r->nums[r->n++] = (unsigned)strtoul(r->text, NULL, 10);
    if (r->in_etag && r->n_etags <= VOD_COS_XML_MAX_PARTS)
        r->etags[r->n_etags++] = strdup(r->text);
    r->in_num = r->in_etag = 0;
    r->depth--;
}

static void check_writer(const vod_cos_xml_doc *d)
{
    vod_cos_part_ref refs[VOD_COS_XML_MAX_PARTS];
    vod_buf out = {0};
    char why[VOD_COS_XML_WHY_MAX];
    int expect_ok = 1, rc;
    unsigned last = 0;
    readback rb;
    XML_Parser p;

    if (d->n_parts == 0 || d->n_parts > VOD_COS_XML_MAX_PARTS)
        return;
    for (size_t i = 0; i < d->n_parts; i++) {
        size_t len = strlen(d->parts[i].etag);
        refs[i].part_number = d->parts[i].part_number;
        refs[i].etag = d->parts[i].etag;
        if (refs[i].part_number <= last || len == 0 || len > 256)
            expect_ok = 0;
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)refs[i].etag[k] < 0x20 || (unsigned char)refs[i].etag[k] > 0x7e)
                expect_ok = 0;
        last = refs[i].part_number;
    }
    rc = vod_cos_xml_complete_body(&out, refs, d->n_parts, why);
    if ((rc == 0) != expect_ok)
        die("the writer's verdict is wrong");
    if (rc != 0) {
        if (why[0] == '\0' || out.len != 0)
            die("a writer refusal without reason or with output");
        vod_buf_free(&out, 0);
        return;
    }
    memset(&rb, 0, sizeof rb);
    p = XML_ParserCreate(NULL);
    if (p == NULL)
        die("out of memory");
    XML_SetUserData(p, &rb);
    XML_SetElementHandler(p, rb_start, rb_end);
    XML_SetCharacterDataHandler(p, rb_text);
    if (XML_Parse(p, out.data, (int)out.len, XML_TRUE) != XML_STATUS_OK || rb.bad)
        die("the Complete body is not the expected XML");
    if (rb.n != d->n_parts || rb.n_etags != d->n_parts)
        die("the Complete body lost parts");
    for (size_t i = 0; i < d->n_parts; i++) {
        const char *e = d->parts[i].etag;
        size_t len = strlen(e);
        char want[300];
        if (len >= 2 && e[0] == '"' && e[len - 1] == '"')
            snprintf(want, sizeof want, "%s", e);
        else
            snprintf(want, sizeof want, "\"%s\"", e);
        if (rb.nums[i] != d->parts[i].part_number || strcmp(rb.etags[i], want) != 0)
            die("the Complete body does not read back");
    }
    for (size_t i = 0; i < rb.n_etags; i++)
        free(rb.etags[i]);
    XML_ParserFree(p);
    vod_buf_free(&out, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const vod_cos_xml_limits limits[4] = {{0, 0, 0}, {512, 16, 3}, {0, 1, 0}, {0, 0, 1}};
    const vod_cos_xml_limits *lim;
    const char *doc;
    size_t len, step;
    vod_cos_xml_doc whole, pieces;
    char why[VOD_COS_XML_WHY_MAX];
    int rc_whole, rc_pieces;
    vod_cos_xml *x;

    if (size < 1)
        return 0;
    lim = &limits[data[0] & 3];
    step = data[0] >> 2;
    if (step == 0)
        step = 1;
    doc = (const char *)data + 1;
    len = size - 1;

    rc_whole = vod_cos_xml_parse(doc, len, lim, &whole, why);
    x = vod_cos_xml_new(lim);
    if (x == NULL)
        die("out of memory");
    rc_pieces = 0;
    for (size_t off = 0; off < len && rc_pieces == 0; off += step)
        rc_pieces = vod_cos_xml_feed(x, doc + off, len - off < step ? len - off : step);
    if (rc_pieces == 0)
        rc_pieces = vod_cos_xml_finish(x, &pieces);
    else
        memset(&pieces, 0, sizeof pieces);
    /* Expat reports a syntax error by what its tokenizer had seen, which may
     * depend on the pieces (its wording, and whether the text before it in the
     * same run was handed over first): when either reason is a syntax error,
     * only the verdicts must match. */
    if (rc_whole != rc_pieces ||
        (strcmp(why, vod_cos_xml_error(x)) != 0 &&
         strncmp(why, EXPAT_REASON, strlen(EXPAT_REASON)) != 0 &&
         strncmp(vod_cos_xml_error(x), EXPAT_REASON, strlen(EXPAT_REASON)) != 0)) {
        fprintf(stderr, "whole: %d \"%s\"; in pieces of %zu: %d \"%s\"\n", rc_whole, why, step,
                rc_pieces, vod_cos_xml_error(x));
        die("whole and in pieces: different verdicts");
    }
    if (rc_whole != 0) {
        static const unsigned char zero[sizeof(vod_cos_xml_doc)];
        if (why[0] == '\0')
            die("a refusal without a reason");
        for (const char *c = why; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                die("a reason with a byte outside printable ASCII");
        if (memcmp(&whole, zero, sizeof whole) != 0 || memcmp(&pieces, zero, sizeof pieces) != 0)
            die("a refusal left a document behind");
    } else {
        if (why[0] != '\0')
            die("a reason given on success");
        same_doc(&whole, &pieces);
        check_doc(&whole, lim);
        if (whole.kind == VOD_COS_XML_LIST_PARTS)
            check_writer(&whole);
    }
    vod_cos_xml_doc_free(&whole);
    vod_cos_xml_doc_free(&pieces);
    vod_cos_xml_free(x);
    return 0;
}
