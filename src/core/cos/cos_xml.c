/*
 * cos_xml.c - COS's multipart-upload XML documents with libexpat (see
 * cos_xml.h). Expat's callbacks never longjmp: a refusal is recorded here and
 * expat is stopped with XML_StopParser(), which makes XML_Parse() return.
 */
#include "cos_xml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

/* ---- the documents' elements --------------------------------------------- */

enum field {
    F_NONE = 0,
    F_BUCKET, F_KEY, F_UPLOAD_ID, F_LOCATION, F_ETAG,
    F_PART_NUMBER_MARKER, F_NEXT_PART_NUMBER_MARKER, F_MAX_PARTS, F_IS_TRUNCATED,
    F_CODE, F_MESSAGE, F_RESOURCE, F_REQUEST_ID, F_TRACE_ID,
    P_PART_NUMBER, P_LAST_MODIFIED, P_ETAG, P_SIZE,
    F_COUNT
};

typedef struct child {
    const char *name;
    enum field field;
} child;

static const child initiate_children[] = {
    {"Bucket", F_BUCKET}, {"Key", F_KEY}, {"UploadId", F_UPLOAD_ID}, {NULL, F_NONE}};
static const child complete_children[] = {
    {"Location", F_LOCATION}, {"Bucket", F_BUCKET}, {"Key", F_KEY}, {"ETag", F_ETAG},
    {NULL, F_NONE}};
static const child list_children[] = {
    {"Bucket", F_BUCKET}, {"Key", F_KEY}, {"UploadId", F_UPLOAD_ID},
    {"PartNumberMarker", F_PART_NUMBER_MARKER},
    {"NextPartNumberMarker", F_NEXT_PART_NUMBER_MARKER}, {"MaxParts", F_MAX_PARTS},
    {"IsTruncated", F_IS_TRUNCATED}, {NULL, F_NONE}};
static const child error_children[] = {
    {"Code", F_CODE}, {"Message", F_MESSAGE}, {"Resource", F_RESOURCE},
    {"RequestId", F_REQUEST_ID}, {"TraceId", F_TRACE_ID}, {NULL, F_NONE}};
static const child part_children[] = {
    {"PartNumber", P_PART_NUMBER}, {"LastModified", P_LAST_MODIFIED}, {"ETag", P_ETAG},
    {"Size", P_SIZE}, {NULL, F_NONE}};

static const struct {
    const char *name;
    vod_cos_xml_kind kind;
    const child *children;
} roots[] = {
    {"InitiateMultipartUploadResult", VOD_COS_XML_INITIATE, initiate_children},
    {"CompleteMultipartUploadResult", VOD_COS_XML_COMPLETE, complete_children},
    {"ListPartsResult", VOD_COS_XML_LIST_PARTS, list_children},
    {"Error", VOD_COS_XML_ERROR, error_children},
};

struct vod_cos_xml {
    XML_Parser p;
    size_t max_bytes, max_text, max_parts;
    size_t bytes;               /* fed so far, leading whitespace included */
    unsigned long skipped_lines;/* newlines in the leading whitespace */
    int started;                /* a byte other than whitespace went to expat */
    int failed, done;
    char error[VOD_COS_XML_WHY_MAX];
    const char *root_name;
    const child *children;      /* of the root */
    int depth;                  /* of the element being read; 1 = the root */
    int skip_depth;             /* > 0: inside an element skipped at this depth */
    enum field leaf;            /* the text element being read, F_NONE: none */
    const char *leaf_name;
    int leaf_depth;
    int in_part;                /* inside a ListParts <Part> */
    unsigned long long seen;    /* bit per field met (of the root, then of the part) */
    vod_cos_xml_part part;      /* the <Part> being read */
    size_t parts_cap;
    vod_buf text;               /* the leaf's text so far */
    vod_cos_xml_doc doc;
};

/* ---- helpers -------------------------------------------------------------- */

static void fail(vod_cos_xml *x, const char *fmt, ...)
{
    va_list ap;
    if (x->failed)
        return;
    x->failed = 1;
    va_start(ap, fmt);
    vsnprintf(x->error, sizeof x->error, fmt, ap);
    va_end(ap);
    if (x->p != NULL)
        XML_StopParser(x->p, XML_FALSE);
}

/* An element name from the document, fit to print: at most 40 bytes,
 * anything but printable ASCII as '?'. */
static const char *shown(const char *name, char buf[48])
{
    size_t i;
    for (i = 0; name[i] != '\0' && i < 40; i++) {
        unsigned char c = (unsigned char)name[i];
        buf[i] = (c >= 0x21 && c <= 0x7e) ? (char)c : '?';
    }
    if (name[i] != '\0') {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A whole number in [min, max] from text with optional surrounding XML
 * whitespace. 0 or -1. */
static int parse_number(const char *s, size_t len, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t i = 0, digits = 0;
    while (len > 0 && is_xml_space(s[len - 1]))
        len--;
    while (i < len && is_xml_space(s[i]))
        i++;
    for (; i < len; i++, digits++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (digits == 0 || v < min)
        return -1;
    *out = v;
    return 0;
}

static void free_part(vod_cos_xml_part *part)
{
    free(part->etag);
    free(part->last_modified);
    memset(part, 0, sizeof *part);
}

/* ---- expat's callbacks --------------------------------------------------- */

static const child *find(const child *list, const char *name)
{
    for (; list->name != NULL; list++)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

static void begin_leaf(vod_cos_xml *x, const child *c, const char *parent)
{
    unsigned long long bit = 1ULL << c->field;
    if (x->seen & bit) {
        fail(x, "<%s> appears twice in %s", c->name, parent);
        return;
    }
    x->seen |= bit;
    x->leaf = c->field;
    x->leaf_name = c->name;
    x->leaf_depth = x->depth;
    vod_buf_reset(&x->text);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    vod_cos_xml *x = ud;
    char b1[48];
    (void)atts;
    if (x->failed)
        return;
    x->depth++;
    if (x->depth > VOD_COS_XML_MAX_DEPTH) {
        fail(x, "elements nested deeper than %d", VOD_COS_XML_MAX_DEPTH);
        return;
    }
    if (x->skip_depth > 0)
        return;
    if (x->leaf != F_NONE) {
        fail(x, "element <%s> inside <%s>, which holds text only", shown(name, b1), x->leaf_name);
        return;
    }
    if (x->depth == 1) {
        for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
            if (strcmp(roots[i].name, name) == 0) {
                x->doc.kind = roots[i].kind;
                x->root_name = roots[i].name;
                x->children = roots[i].children;
                return;
            }
        fail(x, "unexpected root element <%s> (not a COS multipart upload answer)",
             shown(name, b1));
        return;
    }
    if (x->depth == 2 && x->doc.kind == VOD_COS_XML_LIST_PARTS && strcmp(name, "Part") == 0) {
        if (x->doc.n_parts >= x->max_parts) {
            fail(x, "more than %zu <Part> elements", x->max_parts);
            return;
        }
        x->in_part = 1;
        x->seen &= ~((1ULL << P_PART_NUMBER) | (1ULL << P_LAST_MODIFIED) | (1ULL << P_ETAG) |
                     (1ULL << P_SIZE));
        return;
    }
    if (x->depth == 2 || (x->depth == 3 && x->in_part)) {
        const child *c = find(x->depth == 2 ? x->children : part_children, name);
        if (c != NULL) {
            begin_leaf(x, c, x->depth == 2 ? x->root_name : "a <Part>");
            return;
        }
    }
    x->skip_depth = x->depth;       /* an element we do not read, with all it holds */
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    vod_cos_xml *x = ud;
    if (x->failed || x->skip_depth > 0 || x->leaf == F_NONE || len <= 0)
        return;
    if ((size_t)len > x->max_text - x->text.len) {
        fail(x, "text of <%s> longer than %zu bytes", x->leaf_name, x->max_text);
        return;
    }
    if (vod_buf_add(&x->text, s, (size_t)len) != 0)
        fail(x, "out of memory");
}

/* The text of the leaf just closed, as a new string (or NULL after fail). */
static char *take_text(vod_cos_xml *x)
{
    char *s = malloc(x->text.len + 1);
    if (s == NULL) {
        fail(x, "out of memory");
        return NULL;
    }
    if (x->text.len > 0)
        memcpy(s, x->text.data, x->text.len);
    s[x->text.len] = '\0';
    return s;
}

static void end_leaf(vod_cos_xml *x)
{
    vod_cos_xml_doc *d = &x->doc;
    const char *t = x->text.data != NULL ? x->text.data : "";
    size_t n = x->text.len;
    unsigned long long v;
    char **str = NULL;

    switch (x->leaf) {
    case F_BUCKET: str = &d->bucket; break;
    case F_KEY: str = &d->key; break;
    case F_UPLOAD_ID: str = &d->upload_id; break;
    case F_LOCATION: str = &d->location; break;
    case F_ETAG: str = &d->etag; break;
    case F_CODE: str = &d->code; break;
    case F_MESSAGE: str = &d->message; break;
    case F_RESOURCE: str = &d->resource; break;
    case F_REQUEST_ID: str = &d->request_id; break;
    case F_TRACE_ID: str = &d->trace_id; break;
    case P_ETAG: str = &x->part.etag; break;
    case P_LAST_MODIFIED: str = &x->part.last_modified; break;
    case F_PART_NUMBER_MARKER:
    case F_NEXT_PART_NUMBER_MARKER:
    case F_MAX_PARTS:
        if (parse_number(t, n, 0, 2147483647UL, &v) != 0) {
            fail(x, "<%s> is not a whole number from 0 to 2147483647", x->leaf_name);
            return;
        }
        if (x->leaf == F_PART_NUMBER_MARKER)
            d->part_number_marker = (long)v;
        else if (x->leaf == F_NEXT_PART_NUMBER_MARKER)
            d->next_part_number_marker = (long)v;
        else
            d->max_parts = (long)v;
        return;
    case F_IS_TRUNCATED:
        while (n > 0 && is_xml_space(t[n - 1]))
            n--;
        while (n > 0 && is_xml_space(*t)) {
            t++;
            n--;
        }
        if (n == 4 && memcmp(t, "true", 4) == 0)
            d->is_truncated = 1;
        else if (n == 5 && memcmp(t, "false", 5) == 0)
            d->is_truncated = 0;
        else
            fail(x, "<IsTruncated> is neither true nor false");
        return;
    case P_PART_NUMBER:
        if (parse_number(t, n, 1, VOD_COS_MAX_PART_NUMBER, &v) != 0) {
            fail(x, "<PartNumber> is not a whole number from 1 to %d", VOD_COS_MAX_PART_NUMBER);
            return;
        }
        x->part.part_number = (unsigned)v;
        return;
    case P_SIZE:
        if (parse_number(t, n, 0, ULLONG_MAX, &v) != 0) {
            fail(x, "<Size> is not a whole number of bytes");
            return;
        }
        x->part.size = v;
        return;
    default:
        return;
    }
    *str = take_text(x);
}

static void end_part(vod_cos_xml *x)
{
    static const struct {
        enum field f;
        const char *name;
    } required[] = {{P_PART_NUMBER, "PartNumber"}, {P_ETAG, "ETag"}, {P_SIZE, "Size"}};
    vod_cos_xml_doc *d = &x->doc;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!(x->seen & (1ULL << required[i].f))) {
            fail(x, "<Part> %zu lacks <%s>", d->n_parts + 1, required[i].name);
            return;
        }
    if (d->n_parts == x->parts_cap) {
        size_t cap = x->parts_cap ? x->parts_cap * 2 : 16;
        vod_cos_xml_part *np;
        if (cap > x->max_parts)
            cap = x->max_parts;
        np = realloc(d->parts, cap * sizeof *np);
        if (np == NULL) {
            fail(x, "out of memory");
            return;
        }
        d->parts = np;
        x->parts_cap = cap;
    }
    d->parts[d->n_parts++] = x->part;
    memset(&x->part, 0, sizeof x->part);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    vod_cos_xml *x = ud;
    (void)name;
    if (x->failed)
        return;
    if (x->skip_depth > 0) {
        if (x->depth == x->skip_depth)
            x->skip_depth = 0;
    } else if (x->leaf != F_NONE && x->depth == x->leaf_depth) {
        end_leaf(x);
        x->leaf = F_NONE;
    } else if (x->in_part && x->depth == 2) {
        end_part(x);
        x->in_part = 0;
    }
    x->depth--;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    fail(ud, "a DOCTYPE is refused (COS's answers have none)");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    fail(ud, "an entity declaration is refused");
}

static int XMLCALL on_external_entity(XML_Parser p, const XML_Char *context,
                                      const XML_Char *base, const XML_Char *sysid,
                                      const XML_Char *pubid)
{
    (void)context, (void)base, (void)sysid, (void)pubid;
    fail(XML_GetUserData(p), "an external entity is refused");
    return XML_STATUS_ERROR;
}

/* ---- public API ------------------------------------------------------------ */

static void doc_init(vod_cos_xml_doc *d)
{
    memset(d, 0, sizeof *d);
    d->part_number_marker = d->next_part_number_marker = d->max_parts = -1;
    d->is_truncated = -1;
}

vod_cos_xml *vod_cos_xml_new(const vod_cos_xml_limits *limits)
{
    vod_cos_xml *x = calloc(1, sizeof *x);
    if (x == NULL)
        return NULL;
    x->max_bytes = limits && limits->max_bytes ? limits->max_bytes : VOD_COS_XML_MAX_BYTES;
    x->max_text = limits && limits->max_text ? limits->max_text : VOD_COS_XML_MAX_TEXT;
    x->max_parts = limits && limits->max_parts ? limits->max_parts : VOD_COS_XML_MAX_PARTS;
    doc_init(&x->doc);
    x->p = XML_ParserCreate(NULL);
    if (x->p == NULL) {
        free(x);
        return NULL;
    }
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity_decl);
    XML_SetExternalEntityRefHandler(x->p, on_external_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    return x;
}

static void expat_failed(vod_cos_xml *x)
{
    if (x->failed)
        return;                     /* our own reason stopped it */
    fail(x, "not well-formed XML: %s at line %lu, column %lu",
         XML_ErrorString(XML_GetErrorCode(x->p)),
         (unsigned long)XML_GetCurrentLineNumber(x->p) + x->skipped_lines,
         (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1);
}

int vod_cos_xml_feed(vod_cos_xml *x, const char *data, size_t len)
{
    int over;
    if (x == NULL)
        return -1;
    if (x->failed)
        return -1;
    if (x->done) {
        fail(x, "bytes fed after the end of the document");
        return -1;
    }
    if (data == NULL && len > 0) {
        fail(x, "no data given");
        return -1;
    }
    /* Bytes past the cap are refused after those before it were read, so
     * the reason is the first problem in the document whatever the pieces. */
    over = len > x->max_bytes - x->bytes;
    if (over)
        len = x->max_bytes - x->bytes;
    x->bytes += len;
    if (!x->started) {
        while (len > 0 && is_xml_space(*data)) {
            if (*data == '\n')
                x->skipped_lines++;
            data++;
            len--;
        }
        if (len > 0)
            x->started = 1;
    }
    while (len > 0) {
        int n = len > (1 << 20) ? (1 << 20) : (int)len;
        if (XML_Parse(x->p, data, n, XML_FALSE) != XML_STATUS_OK) {
            expat_failed(x);
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    if (over)
        fail(x, "document longer than %zu bytes", x->max_bytes);
    return x->failed ? -1 : 0;
}

int vod_cos_xml_finish(vod_cos_xml *x, vod_cos_xml_doc *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (x == NULL || out == NULL)
        return -1;
    if (x->done && !x->failed)
        fail(x, "the document was already finished");
    x->done = 1;
    if (x->failed)
        return -1;
    if (!x->started) {
        fail(x, "empty document (no element)");
        return -1;
    }
    if (XML_Parse(x->p, NULL, 0, XML_TRUE) != XML_STATUS_OK) {
        expat_failed(x);
        return -1;
    }
    if (x->failed)
        return -1;
    if (x->doc.kind == VOD_COS_XML_INITIATE &&
        (x->doc.upload_id == NULL || x->doc.upload_id[0] == '\0')) {
        fail(x, "InitiateMultipartUploadResult without an UploadId");
        return -1;
    }
    *out = x->doc;
    doc_init(&x->doc);
    x->parts_cap = 0;
    return 0;
}

const char *vod_cos_xml_error(const vod_cos_xml *x)
{
    return x != NULL ? x->error : "no parser";
}

void vod_cos_xml_doc_free(vod_cos_xml_doc *d)
{
    if (d == NULL)
        return;
    free(d->bucket);
    free(d->key);
    free(d->upload_id);
    free(d->location);
    free(d->etag);
    free(d->code);
    free(d->message);
    free(d->resource);
    free(d->request_id);
    free(d->trace_id);
    for (size_t i = 0; i < d->n_parts; i++)
        free_part(&d->parts[i]);
    free(d->parts);
    memset(d, 0, sizeof *d);
}

void vod_cos_xml_free(vod_cos_xml *x)
{
    if (x == NULL)
        return;
    if (x->p != NULL)
        XML_ParserFree(x->p);
    vod_cos_xml_doc_free(&x->doc);
    free_part(&x->part);
    vod_buf_free(&x->text, 0);
    free(x);
}

int vod_cos_xml_parse(const char *data, size_t len, const vod_cos_xml_limits *limits,
                      vod_cos_xml_doc *out, char why[VOD_COS_XML_WHY_MAX])
{
    vod_cos_xml *x;
    int rc;
    if (why != NULL)
        why[0] = '\0';
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (out == NULL) {
        if (why != NULL)
            snprintf(why, VOD_COS_XML_WHY_MAX, "no output given");
        return -1;
    }
    x = vod_cos_xml_new(limits);
    if (x == NULL) {
        if (why != NULL)
            snprintf(why, VOD_COS_XML_WHY_MAX, "out of memory");
        return -1;
    }
    rc = vod_cos_xml_feed(x, data, len);
    if (rc == 0)
        rc = vod_cos_xml_finish(x, out);
    if (rc != 0 && why != NULL)
        snprintf(why, VOD_COS_XML_WHY_MAX, "%s", x->error);
    vod_cos_xml_free(x);
    return rc;
}

/* ---- the Complete Multipart Upload body ---------------------------------- */

#define ETAG_MAX 256

int vod_cos_xml_complete_body(vod_buf *out, const vod_cos_part_ref *parts, size_t n,
                              char why[VOD_COS_XML_WHY_MAX])
{
    unsigned last = 0;
    if (why != NULL)
        why[0] = '\0';
    if (out == NULL) {
        if (why != NULL)
            snprintf(why, VOD_COS_XML_WHY_MAX, "no output buffer given");
        return -1;
    }
    vod_buf_reset(out);
    if (n == 0 || n > VOD_COS_MAX_PART_NUMBER || parts == NULL) {
        if (why != NULL)
            snprintf(why, VOD_COS_XML_WHY_MAX, "parts: need 1 to %d parts",
                     VOD_COS_MAX_PART_NUMBER);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *e = parts[i].etag;
        size_t len;
        if (parts[i].part_number < 1 || parts[i].part_number > VOD_COS_MAX_PART_NUMBER ||
            parts[i].part_number <= last) {
            if (why != NULL)
                snprintf(why, VOD_COS_XML_WHY_MAX,
                         "parts[%zu]: part numbers must rise strictly from 1 to %d (got %u after %u)",
                         i, VOD_COS_MAX_PART_NUMBER, parts[i].part_number, last);
            return -1;
        }
        last = parts[i].part_number;
        len = e != NULL ? strlen(e) : 0;
        if (len == 0 || len > ETAG_MAX) {
            if (why != NULL)
                snprintf(why, VOD_COS_XML_WHY_MAX, "parts[%zu]: the ETag must be 1 to %d bytes",
                         i, ETAG_MAX);
            return -1;
        }
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)e[k] < 0x20 || (unsigned char)e[k] > 0x7e) {
                if (why != NULL)
                    snprintf(why, VOD_COS_XML_WHY_MAX,
                             "parts[%zu]: the ETag must be printable ASCII", i);
                return -1;
            }
    }
    if (vod_buf_addstr(out, "<CompleteMultipartUpload>") != 0)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const char *e = parts[i].etag;
        size_t len = strlen(e);
        int quote = !(len >= 2 && e[0] == '"' && e[len - 1] == '"');
        char num[32];
        snprintf(num, sizeof num, "%u", parts[i].part_number);
        if (vod_buf_addstr(out, "<Part><PartNumber>") != 0 || vod_buf_addstr(out, num) != 0 ||
            vod_buf_addstr(out, "</PartNumber><ETag>") != 0 ||
            (quote && vod_buf_addc(out, '"') != 0))
            goto nomem;
        for (size_t k = 0; k < len; k++) {
            int rc;
            switch (e[k]) {
            case '&': rc = vod_buf_addstr(out, "&amp;"); break;
            case '<': rc = vod_buf_addstr(out, "&lt;"); break;
            case '>': rc = vod_buf_addstr(out, "&gt;"); break;
            default: rc = vod_buf_addc(out, e[k]); break;
            }
            if (rc != 0)
                goto nomem;
        }
        if ((quote && vod_buf_addc(out, '"') != 0) || vod_buf_addstr(out, "</ETag></Part>") != 0)
            goto nomem;
    }
    if (vod_buf_addstr(out, "</CompleteMultipartUpload>") != 0)
        goto nomem;
    vod_buf_cstr(out);
    return 0;
nomem:
    vod_buf_reset(out);
    if (why != NULL)
        snprintf(why, VOD_COS_XML_WHY_MAX, "out of memory");
    return -1;
}
