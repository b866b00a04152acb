/*
 * cos_xml.h - the XML documents of COS's multipart upload (XML API V5), read
 * with libexpat into plain C structs, and the one document the client writes.
 *
 * Read (COS's API pages: Initiate Multipart Upload, 436/7746; Complete
 * Multipart Upload, 436/7742; List Parts, 436/7747; Error Codes, 436/7730):
 *   InitiateMultipartUploadResult { Bucket, Key, UploadId }
 *   CompleteMultipartUploadResult { Location, Bucket, Key, ETag }
 *   ListPartsResult { Bucket, Key, UploadId, PartNumberMarker,
 *     NextPartNumberMarker, MaxParts, IsTruncated,
 *     Part* { PartNumber, LastModified, ETag, Size } }
 *   Error { Code, Message, Resource, RequestId, TraceId }
 * The root element tells which document it is (so an <Error> inside the 200
 * of a Complete is recognised); other elements (Owner, Initiator,
 * StorageClass, EncodingType...) and attributes (xmlns) are skipped. Leading
 * whitespace is skipped (COS keeps a Complete's connection alive with spaces
 * before the document). Fed in pieces as the body arrives, or whole.
 *
 * Bounded and closed: a cap on the document's bytes (leading whitespace
 * counted), on each element's text and on the number of <Part> elements; a
 * DOCTYPE is refused, so no entity is ever declared or expanded beyond the
 * five predefined ones and character references, and external entities are
 * never loaded. Every refusal says why in one sentence.
 *
 * Written: the body of Complete Multipart Upload.
 *
 * No Lua, no I/O. Link with -lexpat.
 */
#ifndef VOD_COS_XML_H
#define VOD_COS_XML_H

#include <stddef.h>

#include "buf.h"

#define VOD_COS_XML_MAX_BYTES (1024 * 1024)  /* default cap on a document */
#define VOD_COS_XML_MAX_TEXT 4096            /* default cap on an element's text */
#define VOD_COS_XML_MAX_PARTS 1000           /* default cap on <Part>s (List Parts
                                                answers at most 1000 a page) */
#define VOD_COS_XML_MAX_DEPTH 16             /* elements nested deeper are refused */
#define VOD_COS_XML_WHY_MAX 160              /* bytes of an error sentence, NUL included */
#define VOD_COS_MAX_PART_NUMBER 10000

typedef enum vod_cos_xml_kind {
    VOD_COS_XML_NONE = 0,
    VOD_COS_XML_INITIATE,       /* InitiateMultipartUploadResult */
    VOD_COS_XML_COMPLETE,       /* CompleteMultipartUploadResult */
    VOD_COS_XML_LIST_PARTS,     /* ListPartsResult */
    VOD_COS_XML_ERROR           /* Error */
} vod_cos_xml_kind;

typedef struct vod_cos_xml_part {
    unsigned part_number;       /* 1 to 10000 */
    char *etag;                 /* as given: with its quotes, entities decoded */
    unsigned long long size;    /* bytes */
    char *last_modified;        /* as given; NULL when absent */
} vod_cos_xml_part;

/* What a document said. Strings are malloc'd, NUL-terminated (XML text
 * cannot hold a NUL), and NULL when the element was absent; numbers are -1
 * when absent. Only the fields of `kind` are ever set. */
typedef struct vod_cos_xml_doc {
    vod_cos_xml_kind kind;
    /* Initiate, Complete and ListParts */
    char *bucket, *key;
    /* Initiate (required there) and ListParts */
    char *upload_id;
    /* Complete */
    char *location, *etag;
    /* ListParts */
    long part_number_marker, next_part_number_marker, max_parts;
    int is_truncated;                   /* 1 "true", 0 "false", -1 absent */
    vod_cos_xml_part *parts;            /* in document order */
    size_t n_parts;
    /* Error */
    char *code, *message, *resource, *request_id, *trace_id;
} vod_cos_xml_doc;

typedef struct vod_cos_xml_limits {
    size_t max_bytes;           /* 0: VOD_COS_XML_MAX_BYTES */
    size_t max_text;            /* 0: VOD_COS_XML_MAX_TEXT */
    size_t max_parts;           /* 0: VOD_COS_XML_MAX_PARTS */
} vod_cos_xml_limits;

typedef struct vod_cos_xml vod_cos_xml;      /* a parser (opaque) */

/* A parser for one document; limits may be NULL (the defaults). NULL when
 * out of memory. */
vod_cos_xml *vod_cos_xml_new(const vod_cos_xml_limits *limits);

/* Hands the parser the next len bytes. 0, or -1 when the document is refused
 * (vod_cos_xml_error() says why; later calls keep failing). The reason is the
 * first problem in the document however it was split, with one exception:
 * when the document is not well-formed ("not well-formed XML: ..."), expat's
 * wording, and whether a cap on the text just before the fault is reported
 * instead, may depend on the pieces. The verdict never does. */
int vod_cos_xml_feed(vod_cos_xml *x, const char *data, size_t len);

/* The body ended: 0 with *out filled (the caller then owns its strings and
 * frees them with vod_cos_xml_doc_free()), or -1 with *out zeroed and
 * vod_cos_xml_error() saying why. The parser is spent either way. */
int vod_cos_xml_finish(vod_cos_xml *x, vod_cos_xml_doc *out);

/* Why the document was refused, "" while it was not. */
const char *vod_cos_xml_error(const vod_cos_xml *x);

/* Safe on NULL. */
void vod_cos_xml_free(vod_cos_xml *x);

/* Frees what a document holds and zeroes it; safe on a zeroed doc and twice. */
void vod_cos_xml_doc_free(vod_cos_xml_doc *d);

/* The whole body at once: 0, or -1 with why (may be NULL) filled and *out
 * zeroed. */
int vod_cos_xml_parse(const char *data, size_t len, const vod_cos_xml_limits *limits,
                      vod_cos_xml_doc *out, char why[VOD_COS_XML_WHY_MAX]);

/* A part of the Complete request: its number and the ETag that Upload Part
 * answered ("\"<hex>\"", or the hex alone: quotes are added when absent). */
typedef struct vod_cos_part_ref {
    unsigned part_number;
    const char *etag;
} vod_cos_part_ref;

/*
 * Writes the Complete Multipart Upload body into *out (reset first):
 *   <CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
 *   <ETag>"..."</ETag></Part>...</CompleteMultipartUpload>   (one line)
 * with '&', '<' and '>' of the ETags escaped. Rules: 1 to 10000 parts, part
 * numbers from 1 to 10000 in strictly ascending order (COS answers
 * InvalidPartOrder otherwise), each ETag 1 to 256 bytes of printable ASCII.
 * 0, or -1 with why filled (may be NULL) and out emptied.
 */
int vod_cos_xml_complete_body(vod_buf *out, const vod_cos_part_ref *parts, size_t n,
                              char why[VOD_COS_XML_WHY_MAX]);

#endif
