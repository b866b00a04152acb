/* An upload's checkpoint file: what a second call of client:upload needs to
 * resume a multipart upload inside its session (the session, its temporary
 * credentials, the UploadId, the part size, the file's size and mtime, and
 * the parts COS has, with their ETags and CRC-64s). Written after each part
 * completes, atomically (a new file in the same directory, fsync'd, renamed
 * over the old one: a crash leaves the old file or the new one, never half
 * of one), readable by its owner only (0600: it holds the session's secret).
 * No Lua.
 *
 * The text is one field a line, "name value", the value to the end of the
 * line, between a first line naming the format and its version (MAGIC in
 * checkpoint.c) and a last line "end"; values hold no line break (LF or CR,
 * checked when writing), numbers are decimal. A part is "part N SIZE CRC
 * ETAG". A reader ignores the fields it does not know (a later version's). */
#ifndef VOD_CHECKPOINT_H
#define VOD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define VOD_CKPT_WHY_MAX 200
#define VOD_CKPT_MAX_PART 10000         /* COS's highest part number */
#define VOD_CKPT_ETAG_MAX 71            /* bytes of a part's ETag */
#define VOD_CKPT_MAX_BYTES (16u << 20)  /* a larger file is not a checkpoint */

typedef struct vod_ckpt_part {
    unsigned number;
    unsigned long long size;
    uint64_t crc;
    char etag[VOD_CKPT_ETAG_MAX + 1];
} vod_ckpt_part;

typedef struct vod_ckpt {
    char *file;                 /* the uploaded file's path, as given */
    long long size;
    long long mtime_s, mtime_ns;
    unsigned long long part_size;
    char *session, *bucket, *region, *media_path, *cover_path;   /* cover_path may be NULL */
    char *secret_id, *secret_key, *token;                         /* secrets: wiped */
    long long expired;          /* the credentials' ExpiredTime, Unix s */
    char *upload_id;
    vod_ckpt_part *parts;       /* in the order they completed */
    size_t n_parts, cap_parts;
} vod_ckpt;

/* Writes c to path atomically: path.tmp (created anew, mode 0600), written,
 * fsync'd, renamed over path. 0, or -1 with why (never a secret). */
int vod_ckpt_write(const char *path, const vod_ckpt *c, char why[VOD_CKPT_WHY_MAX]);

/* Appends the text vod_ckpt_write writes to out, reserving its room first:
 * out does not move once a secret is in it (free it wiping). 0, or -1 with
 * why and out as it was: a value with a line break (LF or CR), out of
 * memory. */
int vod_ckpt_format(vod_buf *out, const vod_ckpt *c, char why[VOD_CKPT_WHY_MAX]);

/* Reads path into c (zeroed first): 0, 1 when there is no such file, or -1
 * with why and c zeroed: not a regular file of at most VOD_CKPT_MAX_BYTES,
 * or what vod_ckpt_parse refuses. */
int vod_ckpt_read(const char *path, vod_ckpt *c, char why[VOD_CKPT_WHY_MAX]);

/* Parses a checkpoint's text (len bytes, need not be NUL-terminated) into c
 * (zeroed first): 0, or -1 with why (naming the text as `name`, the path;
 * never a value of the text) and c zeroed. Refused: another first line; no
 * "end" line; a NUL or CR byte, or a line without a space, before it; a
 * number that is not decimal digits (with a '-' for the signed ones) within
 * its type; a part whose number is not 1 to VOD_CKPT_MAX_PART, or whose ETag
 * is not 1 to VOD_CKPT_ETAG_MAX bytes; session, bucket, region, media_path,
 * secret_id, secret_key or upload_id missing or empty; a media_path, or a
 * cover_path, not beginning with '/'. A field given twice: the later one. */
int vod_ckpt_parse(const char *text, size_t len, const char *name, vod_ckpt *c,
                   char why[VOD_CKPT_WHY_MAX]);

/* Adds a completed part. 0, or -1 out of memory. */
int vod_ckpt_add_part(vod_ckpt *c, unsigned number, unsigned long long size, uint64_t crc,
                      const char *etag);

/* Sets a string field (copied, the old one wiped). 0, or -1 out of memory. */
int vod_ckpt_set(char **field, const char *value);

/* Frees everything, wiping the secrets; c is zeroed. */
void vod_ckpt_free(vod_ckpt *c);

#endif
