/* An upload's checkpoint file (checkpoint.h). */
#define _POSIX_C_SOURCE 200809L
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ---- reading ------------------------------------------------------------ */

/* A piece of the text: not NUL-terminated. */
typedef struct span {
    const char *p;
    size_t n;
} span;

static int is(span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* The bytes of *rest before the first sep, *rest moved past it: 0, or -1
 * when there is no sep. */
static int cut(span *rest, char sep, span *head)
{
    const char *at = memchr(rest->p, sep, rest->n);
    if (at == NULL)
        return -1;
    head->p = rest->p;
    head->n = (size_t)(at - rest->p);
    rest->n -= head->n + 1;
    rest->p = at + 1;
    return 0;
}

/* Decimal digits only (as the writer writes them), at most max. */
static int unsigned_of(span s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (s.n == 0)
        return -1;
    for (size_t i = 0; i < s.n; i++) {
        unsigned d = (unsigned)((unsigned char)s.p[i] - '0');
        if (d > 9 || v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* An optional '-', then digits: a long long. */
static int signed_of(span s, long long *out)
{
    int neg = s.n > 0 && s.p[0] == '-';
    span digits = { s.p + neg, s.n - (size_t)neg };
    unsigned long long m;
    if (unsigned_of(digits, neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX, &m) != 0)
        return -1;
    *out = !neg ? (long long)m : m > LLONG_MAX ? LLONG_MIN : -(long long)m;
    return 0;
}

static int set_span(char **field, span v)
{
    char *copy = malloc(v.n + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, v.p, v.n);
    copy[v.n] = '\0';
    wipe_free(field);
    *field = copy;
    return 0;
}

/* "number size crc etag": the number 1 to VOD_CKPT_MAX_PART, the ETag the
 * rest of the line, 1 to VOD_CKPT_ETAG_MAX bytes. */
static int part_line(vod_ckpt *c, span v)
{
    span n, size, crc;
    unsigned long long number, sz, cr;
    char etag[VOD_CKPT_ETAG_MAX + 1];
    if (cut(&v, ' ', &n) != 0 || cut(&v, ' ', &size) != 0 || cut(&v, ' ', &crc) != 0 ||
        unsigned_of(n, VOD_CKPT_MAX_PART, &number) != 0 || number < 1 ||
        unsigned_of(size, ULLONG_MAX, &sz) != 0 || unsigned_of(crc, UINT64_MAX, &cr) != 0 ||
        v.n < 1 || v.n > VOD_CKPT_ETAG_MAX)
        return -1;
    memcpy(etag, v.p, v.n);
    etag[v.n] = '\0';
    return vod_ckpt_add_part(c, (unsigned)number, sz, (uint64_t)cr, etag) == 0 ? 0 : -2;
}

/* One "name value" line (not "end"): 0, -1 a bad value, -2 out of memory. */
static int parse_line(vod_ckpt *c, span name, span v)
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
    span s;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (is(name, strs[i].name))
            return set_span((char **)((char *)c + strs[i].off), v) == 0 ? 0 : -2;
    if (is(name, "size"))
        return signed_of(v, &c->size);
    if (is(name, "mtime"))
        return cut(&v, ' ', &s) == 0 && signed_of(s, &c->mtime_s) == 0 &&
               signed_of(v, &c->mtime_ns) == 0 ? 0 : -1;
    if (is(name, "part_size"))
        return unsigned_of(v, ULLONG_MAX, &c->part_size);
    if (is(name, "expired"))
        return signed_of(v, &c->expired);
    if (is(name, "part"))
        return part_line(c, v);
    return 0;                           /* a field of a later version: ignored */
}

static int nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* The field the text lacks (or holds empty, or a storage path without its
 * leading '/': ApplyUpload's own rules), or NULL. */
static const char *lacking(const vod_ckpt *c)
{
    return !nonempty(c->session) ? "session" : !nonempty(c->bucket) ? "bucket" :
           !nonempty(c->region) ? "region" :
           !nonempty(c->media_path) || c->media_path[0] != '/' ? "media_path" :
           c->cover_path != NULL && c->cover_path[0] != '/' ? "cover_path" :
           !nonempty(c->secret_id) ? "secret_id" : !nonempty(c->secret_key) ? "secret_key" :
           !nonempty(c->upload_id) ? "upload_id" : NULL;
}

static int refuse(vod_ckpt *c, char why[VOD_CKPT_WHY_MAX], const char *name, size_t line,
                  const char *what)
{
    if (line > 0)
        snprintf(why, VOD_CKPT_WHY_MAX, "%s, line %zu: %s", name, line, what);
    else
        snprintf(why, VOD_CKPT_WHY_MAX, "%s %s", name, what);
    vod_ckpt_free(c);
    return -1;
}

int vod_ckpt_parse(const char *text, size_t len, const char *name, vod_ckpt *c,
                   char why[VOD_CKPT_WHY_MAX])
{
    span rest = { text, len }, line, field;
    size_t no = 0;
    const char *missing;
    memset(c, 0, sizeof *c);
    while (rest.n > 0) {
        int rc;
        if (cut(&rest, '\n', &line) != 0) {
            line = rest;                /* the last line, without its line break */
            rest.n = 0;
        }
        no++;
        if (memchr(line.p, '\0', line.n) != NULL || memchr(line.p, '\r', line.n) != NULL)
            return refuse(c, why, name, no, "a NUL or CR byte");
        if (no == 1) {
            if (!is(line, MAGIC))
                return refuse(c, why, name, 0, "is not an upload checkpoint of this version");
            continue;
        }
        if (is(line, "end")) {
            missing = lacking(c);
            if (missing == NULL)
                return 0;               /* what follows is not read */
            snprintf(why, VOD_CKPT_WHY_MAX, "%s has no usable %s", name, missing);
            vod_ckpt_free(c);
            return -1;
        }
        if (cut(&line, ' ', &field) != 0)
            return refuse(c, why, name, no, "a line without a value");
        rc = parse_line(c, field, line);
        if (rc == -2)
            return refuse(c, why, name, 0, "cannot be read: out of memory");
        if (rc != 0) {
            char what[40];
            snprintf(what, sizeof what, "bad %.*s", (int)(field.n < 20 ? field.n : 20), field.p);
            return refuse(c, why, name, no, what);
        }
    }
    return refuse(c, why, name, 0, no == 0 ? "is empty" : "is cut short (no end line)");
}

int vod_ckpt_read(const char *path, vod_ckpt *c, char why[VOD_CKPT_WHY_MAX])
{
    struct stat st;
    char *text;
    size_t len = 0;
    int fd, rc;
    memset(c, 0, sizeof *c);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > VOD_CKPT_MAX_BYTES) {
        snprintf(why, VOD_CKPT_WHY_MAX, "%s is not a file of at most %u bytes", path,
                 (unsigned)VOD_CKPT_MAX_BYTES);
        close(fd);
        return -1;
    }
    /* one block of the file's size: a growing buffer would leave copies of
     * the secrets behind; wiped before it is freed */
    text = malloc((size_t)st.st_size + 1);
    if (text == NULL) {
        snprintf(why, VOD_CKPT_WHY_MAX, "cannot read %s: out of memory", path);
        close(fd);
        return -1;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, text + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, VOD_CKPT_WHY_MAX, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            mbedtls_platform_zeroize(text, len);
            free(text);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    rc = vod_ckpt_parse(text, len, path, c, why);
    mbedtls_platform_zeroize(text, len);
    free(text);
    return rc;
}
