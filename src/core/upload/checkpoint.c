/* An upload's checkpoint file (checkpoint.h). */
#define _POSIX_C_SOURCE 200809L
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "buf.h"

#define MAGIC "tencentcloud-vod upload checkpoint 1"

static void wipe_free(char **s)
{
    if (*s != NULL) {
        volatile char *p = *s;
        while (*p)
            *p++ = 0;
        free(*s);
    }
    *s = NULL;
}

int vod_ckpt_set(char **field, const char *value)
{
    char *copy = NULL;
    if (value != NULL) {
        size_t n = strlen(value);
        copy = malloc(n + 1);
        if (copy == NULL)
            return -1;
        memcpy(copy, value, n + 1);
    }
    wipe_free(field);
    *field = copy;
    return 0;
}

int vod_ckpt_add_part(vod_ckpt *c, unsigned number, unsigned long long size, uint64_t crc,
                      const char *etag)
{
    vod_ckpt_part *p;
    if (c->n_parts == c->cap_parts) {
        size_t cap = c->cap_parts ? c->cap_parts * 2 : 64;
        p = realloc(c->parts, cap * sizeof *p);
        if (p == NULL)
            return -1;
        c->parts = p;
        c->cap_parts = cap;
    }
    p = &c->parts[c->n_parts++];
    p->number = number;
    p->size = size;
    p->crc = crc;
    snprintf(p->etag, sizeof p->etag, "%s", etag);
    return 0;
}

void vod_ckpt_free(vod_ckpt *c)
{
    wipe_free(&c->file);
    wipe_free(&c->session);
    wipe_free(&c->bucket);
    wipe_free(&c->region);
    wipe_free(&c->media_path);
    wipe_free(&c->cover_path);
    wipe_free(&c->secret_id);
    wipe_free(&c->secret_key);
    wipe_free(&c->token);
    wipe_free(&c->upload_id);
    free(c->parts);
    memset(c, 0, sizeof *c);
}

static int field(vod_buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return 0;
    if (strchr(value, '\n') || strchr(value, '\r'))
        return -2;
    return vod_buf_addstr(b, name) || vod_buf_addc(b, ' ') || vod_buf_addstr(b, value) ||
           vod_buf_addc(b, '\n') ? -1 : 0;
}

static int number(vod_buf *b, const char *name, long long v)
{
    char d[64];
    snprintf(d, sizeof d, "%lld", v);
    return field(b, name, d);
}

static size_t len_or_0(const char *s)
{
    return s != NULL ? strlen(s) : 0;
}

/* The text's length, or a little more: reserved in one go, the buffer never
 * moves once a secret is in it (a moved block is freed unwiped). */
static size_t text_size(const vod_ckpt *c)
{
    return sizeof MAGIC + 14 * 32 + len_or_0(c->file) + len_or_0(c->session) +
           len_or_0(c->bucket) + len_or_0(c->region) + len_or_0(c->media_path) +
           len_or_0(c->cover_path) + len_or_0(c->secret_id) + len_or_0(c->secret_key) +
           len_or_0(c->token) + len_or_0(c->upload_id) + c->n_parts * 160 + 8;
}

int vod_ckpt_format(vod_buf *out, const vod_ckpt *c, char why[VOD_CKPT_WHY_MAX])
{
    char mt[64], ps[32];
    size_t len0 = out->len;
    int rc;
    if (vod_buf_reserve(out, text_size(c)) != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "out of memory");
        return -1;
    }
    snprintf(mt, sizeof mt, "%lld %lld", c->mtime_s, c->mtime_ns);
    snprintf(ps, sizeof ps, "%llu", c->part_size);
    rc = vod_buf_addstr(out, MAGIC "\n");
    rc |= field(out, "file", c->file);
    rc |= number(out, "size", c->size);
    rc |= field(out, "mtime", mt);
    rc |= field(out, "part_size", ps);
    rc |= field(out, "session", c->session);
    rc |= field(out, "bucket", c->bucket);
    rc |= field(out, "region", c->region);
    rc |= field(out, "media_path", c->media_path);
    rc |= field(out, "cover_path", c->cover_path);
    rc |= field(out, "secret_id", c->secret_id);
    rc |= field(out, "secret_key", c->secret_key);
    rc |= field(out, "token", c->token);
    rc |= number(out, "expired", c->expired);
    rc |= field(out, "upload_id", c->upload_id);
    for (size_t i = 0; i < c->n_parts && rc == 0; i++) {
        char line[160];
        snprintf(line, sizeof line, "%u %llu %llu %s", c->parts[i].number, c->parts[i].size,
                 (unsigned long long)c->parts[i].crc, c->parts[i].etag);
        rc |= field(out, "part", line);
    }
    rc |= vod_buf_addstr(out, "end\n");
    if (rc != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, rc == -2 ? "a value holds a line break" : "out of memory");
        mbedtls_platform_zeroize(out->data + len0, out->len - len0);
        out->len = len0;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A new file at tmp, readable by its owner only whatever the umask, whatever
 * a crash left at tmp (removed first: O_EXCL neither reuses a file of
 * another mode nor follows a link). */
static int create_tmp(const char *tmp)
{
    if (unlink(tmp) != 0 && errno != ENOENT)
        return -1;
    return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

int vod_ckpt_write(const char *path, const vod_ckpt *c, char why[VOD_CKPT_WHY_MAX])
{
    vod_buf b = { NULL, 0, 0 }, tmp = { NULL, 0, 0 };
    int fd;
    if (vod_ckpt_format(&b, c, why) != 0) {
        vod_buf_free(&b, 1);
        return -1;
    }
    if (vod_buf_addstr(&tmp, path) != 0 || vod_buf_addstr(&tmp, ".tmp") != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "out of memory");
        vod_buf_free(&b, 1);
        vod_buf_free(&tmp, 0);
        return -1;
    }
    fd = create_tmp(vod_buf_cstr(&tmp));
    if (fd < 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot write %s.tmp: %s", path, strerror(errno));
        vod_buf_free(&b, 1);
        vod_buf_free(&tmp, 0);
        return -1;
    }
    if (write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot write %s.tmp: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot write %s.tmp: %s", path, strerror(errno));
        goto fail;
    }
    if (rename(vod_buf_cstr(&tmp), path) != 0) {
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot rename %s.tmp to %s: %s", path, path,
                 strerror(errno));
        goto fail;
    }
    vod_buf_free(&b, 1);
    vod_buf_free(&tmp, 0);
    return 0;
fail:
    unlink(vod_buf_cstr(&tmp));
    vod_buf_free(&b, 1);
    vod_buf_free(&tmp, 0);
    return -1;
}

static int parse_line(vod_ckpt *c, char *line, char why[VOD_CKPT_WHY_MAX])
{
    static const struct { const char *name; size_t off; } strs[] = {
        { "file", offsetof(vod_ckpt, file) }, { "session", offsetof(vod_ckpt, session) },
        { "bucket", offsetof(vod_ckpt, bucket) }, { "region", offsetof(vod_ckpt, region) },
        { "media_path", offsetof(vod_ckpt, media_path) },
        { "cover_path", offsetof(vod_ckpt, cover_path) },
        { "secret_id", offsetof(vod_ckpt, secret_id) },
        { "secret_key", offsetof(vod_ckpt, secret_key) }, { "token", offsetof(vod_ckpt, token) },
        { "upload_id", offsetof(vod_ckpt, upload_id) },
    };
    char *sp = strchr(line, ' ');
    const char *v;
    if (sp == NULL) {
        snprintf(why, VOD_CKPT_WHY_MAX, "a line without a value");
        return -1;
    }
    *sp = '\0';
    v = sp + 1;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strcmp(line, strs[i].name) == 0)
            return vod_ckpt_set((char **)((char *)c + strs[i].off), v) == 0 ? 0 :
                   (snprintf(why, VOD_CKPT_WHY_MAX, "out of memory"), -1);
    if (strcmp(line, "size") == 0)
        return sscanf(v, "%lld", &c->size) == 1 ? 0 : (snprintf(why, VOD_CKPT_WHY_MAX, "bad size"), -1);
    if (strcmp(line, "mtime") == 0)
        return sscanf(v, "%lld %lld", &c->mtime_s, &c->mtime_ns) == 2 ? 0
               : (snprintf(why, VOD_CKPT_WHY_MAX, "bad mtime"), -1);
    if (strcmp(line, "part_size") == 0)
        return sscanf(v, "%llu", &c->part_size) == 1 ? 0
               : (snprintf(why, VOD_CKPT_WHY_MAX, "bad part_size"), -1);
    if (strcmp(line, "expired") == 0)
        return sscanf(v, "%lld", &c->expired) == 1 ? 0
               : (snprintf(why, VOD_CKPT_WHY_MAX, "bad expired"), -1);
    if (strcmp(line, "part") == 0) {
        unsigned n;
        unsigned long long size, crc;
        char etag[72];
        if (sscanf(v, "%u %llu %llu %71s", &n, &size, &crc, etag) != 4 || n < 1 || n > 10000) {
            snprintf(why, VOD_CKPT_WHY_MAX, "bad part line");
            return -1;
        }
        return vod_ckpt_add_part(c, n, size, (uint64_t)crc, etag) == 0 ? 0
               : (snprintf(why, VOD_CKPT_WHY_MAX, "out of memory"), -1);
    }
    return 0;                           /* a field of a later version: ignored */
}

int vod_ckpt_read(const char *path, vod_ckpt *c, char why[VOD_CKPT_WHY_MAX])
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, ended = 0, rc = 0;
    memset(c, 0, sizeof *c);
    f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT)
            return 1;
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (first) {
            first = 0;
            if (strcmp(line, MAGIC) != 0) {
                snprintf(why, VOD_CKPT_WHY_MAX, "%s is not an upload checkpoint of this version", path);
                rc = -1;
            }
            continue;
        }
        if (strcmp(line, "end") == 0) {
            ended = 1;
            break;
        }
        rc = parse_line(c, line, why);
    }
    if (line != NULL) {
        memset(line, 0, cap);           /* it held the secret */
        free(line);
    }
    fclose(f);
    if (rc == 0 && (first || !ended || c->session == NULL || c->upload_id == NULL ||
                    c->secret_id == NULL || c->secret_key == NULL || c->media_path == NULL)) {
        snprintf(why, VOD_CKPT_WHY_MAX, "%s is cut short or lacks a field", path);
        rc = -1;
    }
    if (rc != 0)
        vod_ckpt_free(c);
    return rc;
}
