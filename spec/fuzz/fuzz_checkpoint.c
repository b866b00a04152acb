/* libFuzzer harness for the upload checkpoint reader
 * (src/core/upload/checkpoint.h): vod_ckpt_parse, vod_ckpt_read,
 * vod_ckpt_format, vod_ckpt_free.
 *
 * Input: a checkpoint file's text, whole.
 *
 * Must never crash or leak. The text is parsed from memory (vod_ckpt_parse)
 * and, written to a file, read with vod_ckpt_read: the same verdict, the
 * same reason, the same checkpoint. A refusal: -1, a reason of a known form
 * (the path, then what is wrong, a line's number, a field's name: never a
 * value of the text), the checkpoint zeroed. An
 * acceptance keeps the rules of checkpoint.h (the required fields there and
 * not empty, the storage paths beginning with '/', parts numbered 1 to
 * 10000 with ETags of 1 to 71 bytes, no value with a NUL, CR or LF), and
 * what the reader accepts the writer can write: vod_ckpt_format of it,
 * parsed again, gives the same checkpoint. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_checkpoint: %s\n", what);
    abort();
}

/* ---- the file vod_ckpt_read reads: one per process ------------------------ */

static char file_path[300];
static int file_fd = -1;

static void remove_file(void)
{
    unlink(file_path);
}

static void put_file(const uint8_t *data, size_t size)
{
    if (file_fd < 0) {
        const char *t = getenv("TMPDIR");
        snprintf(file_path, sizeof file_path, "%s/fuzz_checkpoint.XXXXXX", t && *t ? t : "/tmp");
        file_fd = mkstemp(file_path);
        if (file_fd < 0)
            die("cannot create the temporary file");
        atexit(remove_file);
    }
    /* written over, then cut to its size (ext4 flushes a file truncated to
     * 0 and rewritten when it is closed: a thousand times slower) */
    if ((size > 0 && pwrite(file_fd, data, size, 0) != (ssize_t)size) ||
        ftruncate(file_fd, (off_t)size) != 0)
        die("cannot write the temporary file");
}

/* ---- comparing ---------------------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void same(const vod_ckpt *a, const vod_ckpt *b, const char *what)
{
    if (!str_eq(a->file, b->file) || a->size != b->size || a->mtime_s != b->mtime_s ||
        a->mtime_ns != b->mtime_ns || a->part_size != b->part_size ||
        !str_eq(a->session, b->session) || !str_eq(a->bucket, b->bucket) ||
        !str_eq(a->region, b->region) || !str_eq(a->media_path, b->media_path) ||
        !str_eq(a->cover_path, b->cover_path) || !str_eq(a->secret_id, b->secret_id) ||
        !str_eq(a->secret_key, b->secret_key) || !str_eq(a->token, b->token) ||
        a->expired != b->expired || !str_eq(a->upload_id, b->upload_id) || a->n_parts != b->n_parts)
        die(what);
    for (size_t i = 0; i < a->n_parts; i++)
        if (a->parts[i].number != b->parts[i].number || a->parts[i].size != b->parts[i].size ||
            a->parts[i].crc != b->parts[i].crc || strcmp(a->parts[i].etag, b->parts[i].etag) != 0)
            die(what);
}

static int is_zeroed(const vod_ckpt *c)
{
    static const vod_ckpt zero;
    return memcmp(c, &zero, sizeof zero) == 0;
}

/* ---- the rules ------------------------------------------------------------------ */

static void value_ok(const char *v, int required, int storage_path)
{
    if (v == NULL) {
        if (required)
            die("a required field missing, accepted");
        return;
    }
    if (strpbrk(v, "\r\n") != NULL)
        die("a value with a line break");
    if (required && v[0] == '\0')
        die("a required field empty, accepted");
    if (storage_path && v[0] != '/')
        die("a storage path without its leading '/', accepted");
}

static void accepted_ok(const vod_ckpt *c)
{
    value_ok(c->file, 0, 0);
    value_ok(c->session, 1, 0);
    value_ok(c->bucket, 1, 0);
    value_ok(c->region, 1, 0);
    value_ok(c->media_path, 1, 1);
    value_ok(c->cover_path, 0, 1);
    value_ok(c->secret_id, 1, 0);
    value_ok(c->secret_key, 1, 0);
    value_ok(c->token, 0, 0);
    value_ok(c->upload_id, 1, 0);
    if (c->n_parts > c->cap_parts || (c->n_parts > 0 && c->parts == NULL))
        die("the parts' count past their capacity");
    for (size_t i = 0; i < c->n_parts; i++) {
        size_t n = strnlen(c->parts[i].etag, sizeof c->parts[i].etag);
        if (c->parts[i].number < 1 || c->parts[i].number > VOD_CKPT_MAX_PART)
            die("a part number out of range, accepted");
        if (n < 1 || n > VOD_CKPT_ETAG_MAX)
            die("an ETag of the wrong length, accepted");
        if (strpbrk(c->parts[i].etag, "\r\n") != NULL)
            die("an ETag with a line break");
    }
}

static int one_of(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* A reason is the path then one of the sentences of checkpoint.c, naming
 * at most a line's number and a field's name: never a value of the text. */
static void reason_ok(const char *why)
{
    static const char *const whole[] = {" is empty", " is not an upload checkpoint of this version",
                                        " is cut short (no end line)",
                                        " cannot be read: out of memory", NULL};
    static const char *const fields[] = {"session", "bucket", "region", "media_path", "cover_path",
                                         "secret_id", "secret_key", "upload_id", NULL};
    static const char *const line_whats[] = {"a NUL or CR byte", "a line without a value", "bad size",
                                             "bad mtime", "bad part_size", "bad expired", "bad part",
                                             NULL};
    size_t pl = strlen(file_path);
    const char *r = why + pl;
    if (strncmp(why, file_path, pl) != 0)
        die("a reason that does not begin with the path");
    if (one_of(r, whole))
        return;
    if (strncmp(r, " has no usable ", 15) == 0 && one_of(r + 15, fields))
        return;
    if (strncmp(r, ", line ", 7) == 0) {
        size_t d = strspn(r + 7, "0123456789");
        if (d > 0 && r[7] != '0' && strncmp(r + 7 + d, ": ", 2) == 0 && one_of(r + 9 + d, line_whats))
            return;
    }
    fprintf(stderr, "reason: \"%s\"\n", why);
    die("a reason of no known form");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vod_ckpt mem, disk, again;
    char why_mem[VOD_CKPT_WHY_MAX] = "", why_disk[VOD_CKPT_WHY_MAX] = "", w[VOD_CKPT_WHY_MAX];
    vod_buf text = { NULL, 0, 0 };
    int rc_mem, rc_disk;

    put_file(data, size);
    rc_mem = vod_ckpt_parse((const char *)data, size, file_path, &mem, why_mem);
    rc_disk = vod_ckpt_read(file_path, &disk, why_disk);
    if (rc_mem != rc_disk || strcmp(why_mem, why_disk) != 0) {
        fprintf(stderr, "memory: %d \"%s\"; file: %d \"%s\"\n", rc_mem, why_mem, rc_disk, why_disk);
        die("from memory and from the file: different verdicts");
    }
    if (rc_mem != 0) {
        if (rc_mem != -1)
            die("a verdict other than 0 and -1 from the text");
        if (!is_zeroed(&mem) || !is_zeroed(&disk))
            die("a refusal left a checkpoint behind");
        reason_ok(why_mem);
        return 0;
    }
    if (why_mem[0] != '\0')
        die("a reason given on success");
    same(&mem, &disk, "from memory and from the file: different checkpoints");
    accepted_ok(&mem);
    if (vod_ckpt_format(&text, &mem, w) != 0)
        die("the writer refuses what the reader accepted");
    if (vod_ckpt_parse(text.data, text.len, "again", &again, w) != 0) {
        fprintf(stderr, "again: %s\n", w);
        die("the reader refuses what the writer wrote");
    }
    same(&mem, &again, "written and read again: another checkpoint");
    vod_buf_free(&text, 1);
    vod_ckpt_free(&again);
    vod_ckpt_free(&disk);
    vod_ckpt_free(&mem);
    if (!is_zeroed(&mem))
        die("vod_ckpt_free left something");
    return 0;
}
