/*
 * test_checkpoint.c - unit tests for src/core/upload/checkpoint.c: an
 * upload's checkpoint file ("name value" lines between the magic line and
 * "end"), written atomically and readable by its owner only, read back
 * strictly. Prints "N passed, N failed".
 *
 * Files go to a fresh directory under $TMPDIR (or /tmp), removed at the end.
 *
 * Built with -Wl,--wrap=free,--wrap=realloc (CMakeLists.txt, where the
 * linker has it: VOD_TEST_WRAP_ALLOC), the test also sees every block the
 * code gives back to the allocator, and checks that none still holds a
 * secret: the checkpoint holds the session's temporary SecretKey and Token.
 */
#define _GNU_SOURCE             /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"

#include "check.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#define SECRET_KEY "sEcReTkEy-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
#define TOKEN "tOkEn-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071"
#define MAGIC "tencentcloud-vod upload checkpoint 1"

static char dir[256], path[300], tmp_path[310];
static char why[VOD_CKPT_WHY_MAX];

/* ---- what the allocator gets back ------------------------------------------ */

#ifdef VOD_TEST_WRAP_ALLOC
#include <malloc.h>

void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);

static const char *watched[2];  /* secrets no block given back may hold */
static int secrets_given_back;

static void look(void *p)
{
    size_t n;
    if (p == NULL || watched[0] == NULL)
        return;
    n = malloc_usable_size(p);
    VALGRIND_MAKE_MEM_DEFINED(p, n);    /* a buffer's unused tail */
    for (int i = 0; i < 2; i++)
        if (watched[i] != NULL && memmem(p, n, watched[i], strlen(watched[i])) != NULL)
            secrets_given_back++;
}

void __wrap_free(void *p)
{
    look(p);
    __real_free(p);
}

/* a block that grows may move, leaving its old bytes behind */
void *__wrap_realloc(void *p, size_t n)
{
    look(p);
    return __real_realloc(p, n);
}

static void watch(const char *a, const char *b)
{
    watched[0] = a;
    watched[1] = b;
    secrets_given_back = 0;
}

#define HAVE_WATCH 1
#else
#define HAVE_WATCH 0
static int secrets_given_back;
static void watch(const char *a, const char *b)
{
    (void)a;
    (void)b;
}
#endif

/* ---- files ------------------------------------------------------------------ */

static int put_bytes(const char *p, const char *text, size_t n)
{
    FILE *f = fopen(p, "wb");
    int ok = f != NULL && fwrite(text, 1, n, f) == n;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok;
}

static int put_text(const char *p, const char *text)
{
    return put_bytes(p, text, strlen(text));
}

/* the whole file, malloc'd, or NULL */
static char *get_text(const char *p)
{
    FILE *f = fopen(p, "rb");
    char *s;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    if (s != NULL && fread(s, 1, (size_t)n, f) == (size_t)n) {
        s[n] = '\0';
    } else {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static unsigned mode_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

/* ---- checkpoints --------------------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int is_zeroed(const vod_ckpt *c)
{
    static const vod_ckpt zero;
    return memcmp(c, &zero, sizeof zero) == 0;
}

/* every field set, three parts */
static void fill(vod_ckpt *c)
{
    memset(c, 0, sizeof *c);
    vod_ckpt_set(&c->file, "/data/a b/talk \xe8\x85\xbe.mp4");
    c->size = 12582912;
    c->mtime_s = 1700000000;
    c->mtime_ns = 123456789;
    c->part_size = 1048576;
    vod_ckpt_set(&c->session, "session-key-0123456789abcdef");
    vod_ckpt_set(&c->bucket, "vod2-1500000000");
    vod_ckpt_set(&c->region, "ap-guangzhou");
    vod_ckpt_set(&c->media_path, "/e4f0b1c2vodgzp1500000000/5285890781234567890/f0.mp4");
    vod_ckpt_set(&c->cover_path, "/e4f0b1c2vodgzp1500000000/5285890781234567890/c0.jpg");
    vod_ckpt_set(&c->secret_id, "AKIDEXAMPLETEMP0000000000000000000000");
    vod_ckpt_set(&c->secret_key, SECRET_KEY);
    vod_ckpt_set(&c->token, TOKEN);
    c->expired = 1700003600;
    vod_ckpt_set(&c->upload_id, "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b");
    vod_ckpt_add_part(c, 1, 1048576, 0x0123456789abcdefULL, "\"d41d8cd98f00b204e9800998ecf8427e\"");
    vod_ckpt_add_part(c, 3, 1048576, 0, "\"9e107d9d372bb6826bd81d3542a419d6\"");
    vod_ckpt_add_part(c, 2, 1048576, UINT64_MAX, "\"e4d909c290d0fb1ca068ffaddf22cbd0\"");
}

static int same(const vod_ckpt *a, const vod_ckpt *b)
{
    if (!str_eq(a->file, b->file) || a->size != b->size || a->mtime_s != b->mtime_s ||
        a->mtime_ns != b->mtime_ns || a->part_size != b->part_size ||
        !str_eq(a->session, b->session) || !str_eq(a->bucket, b->bucket) ||
        !str_eq(a->region, b->region) || !str_eq(a->media_path, b->media_path) ||
        !str_eq(a->cover_path, b->cover_path) || !str_eq(a->secret_id, b->secret_id) ||
        !str_eq(a->secret_key, b->secret_key) || !str_eq(a->token, b->token) ||
        a->expired != b->expired || !str_eq(a->upload_id, b->upload_id) || a->n_parts != b->n_parts)
        return 0;
    for (size_t i = 0; i < a->n_parts; i++)
        if (a->parts[i].number != b->parts[i].number || a->parts[i].size != b->parts[i].size ||
            a->parts[i].crc != b->parts[i].crc || strcmp(a->parts[i].etag, b->parts[i].etag) != 0)
            return 0;
    return 1;
}

/* writes c to path and reads it back into back */
static int round_trip(const vod_ckpt *c, vod_ckpt *back)
{
    why[0] = '\0';
    if (vod_ckpt_write(path, c, why) != 0) {
        printf("     write: %s\n", why);
        return 0;
    }
    if (vod_ckpt_read(path, back, why) != 0) {
        printf("     read: %s\n", why);
        return 0;
    }
    return same(c, back);
}

/* ---- round trips ------------------------------------------------------------------ */

static void round_trips(void)
{
    vod_ckpt c, back;
    char etag[VOD_CKPT_ETAG_MAX + 1];
    int ok = 1;

    fill(&c);
    CHECK(round_trip(&c, &back), "every field and three parts, in the order they completed");
    CHECK(back.cap_parts >= back.n_parts, "the parts' capacity");
    vod_ckpt_free(&back);

    vod_ckpt_set(&c.cover_path, NULL);
    vod_ckpt_set(&c.token, NULL);
    vod_ckpt_set(&c.file, NULL);
    CHECK(round_trip(&c, &back) && back.cover_path == NULL && back.token == NULL && back.file == NULL,
          "cover_path, token and file NULL: NULL again");
    vod_ckpt_free(&back);
    vod_ckpt_set(&c.file, "");
    CHECK(round_trip(&c, &back) && back.file != NULL && back.file[0] == '\0', "an empty value");
    vod_ckpt_free(&back);

    c.size = LLONG_MAX;
    c.mtime_s = LLONG_MIN;
    c.mtime_ns = 999999999;
    c.part_size = ULLONG_MAX;
    c.expired = LLONG_MAX;
    vod_ckpt_add_part(&c, 10000, ULLONG_MAX, UINT64_MAX, "e");
    CHECK(round_trip(&c, &back), "the largest numbers, the smallest mtime, part 10000");
    vod_ckpt_free(&back);
    c.size = LLONG_MIN;
    c.mtime_s = -1;
    c.part_size = 0;
    c.expired = 0;
    CHECK(round_trip(&c, &back), "the smallest size, zeros");
    vod_ckpt_free(&back);
    {
        char *text = get_text(path);
        CHECK(text != NULL && strstr(text, "\npart_size 0\n") != NULL, "part_size written as it is");
        free(text);
    }
    vod_ckpt_free(&c);

    /* 10000 parts */
    fill(&c);
    c.n_parts = 0;
    for (unsigned i = 1; i <= 10000 && ok; i++) {
        snprintf(etag, sizeof etag, "\"%032x\"", i * 2654435761u);
        ok = vod_ckpt_add_part(&c, i, 1048576ULL * i, (uint64_t)i * 0x9e3779b97f4a7c15ULL, etag) == 0;
    }
    CHECK(ok && c.n_parts == 10000, "10000 parts added");
    CHECK(round_trip(&c, &back) && back.n_parts == 10000 && back.parts[9999].number == 10000,
          "10000 parts: written and read back");
    vod_ckpt_free(&back);
    vod_ckpt_free(&c);

    /* the longest ETag a part keeps */
    fill(&c);
    memset(etag, 'e', VOD_CKPT_ETAG_MAX);
    etag[VOD_CKPT_ETAG_MAX] = '\0';
    vod_ckpt_add_part(&c, 4, 1, 1, etag);
    CHECK(round_trip(&c, &back) && strcmp(back.parts[3].etag, etag) == 0, "an ETag of 71 bytes");
    vod_ckpt_free(&back);
    vod_ckpt_free(&c);
}

/* ---- the file ---------------------------------------------------------------------- */

static void the_file(void)
{
    vod_ckpt c, back;
    struct stat before, after;
    char *text;
    mode_t old;
    int fd;

    fill(&c);
    unlink(path);
    old = umask(0);
    CHECK(vod_ckpt_write(path, &c, why) == 0 && mode_of(path) == 0600, "0600 under umask 0");
    umask(old);

    text = get_text(path);
    CHECK(text != NULL && strncmp(text, MAGIC "\n", strlen(MAGIC) + 1) == 0, "the magic line first");
    CHECK(text != NULL && strlen(text) >= 5 && strcmp(text + strlen(text) - 5, "\nend\n") == 0,
          "\"end\" last");
    CHECK(text != NULL && strstr(text, "\nsecret_key " SECRET_KEY "\n") != NULL &&
          strstr(text, "\npart 1 1048576 81985529216486895 \"d41d8cd98f00b204e9800998ecf8427e\"\n") != NULL,
          "one field a line: \"name value\"; a part: number size crc etag");
    free(text);

    /* replaced atomically: a new file renamed over the old one */
    CHECK(stat(path, &before) == 0, "stat");
    vod_ckpt_set(&c.upload_id, "another-upload");
    CHECK(vod_ckpt_write(path, &c, why) == 0 && stat(path, &after) == 0 &&
          after.st_ino != before.st_ino, "an existing file: replaced by another (renamed over it)");
    CHECK(!exists(tmp_path), "no .tmp left behind");
    CHECK(vod_ckpt_read(path, &back, why) == 0 && strcmp(back.upload_id, "another-upload") == 0,
          "the new content");
    vod_ckpt_free(&back);

    /* a .tmp left by a crash, readable by all: never the checkpoint's mode */
    fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, "stale", 5) == 5 && fchmod(fd, 0666) == 0 && close(fd) == 0,
          "a stale .tmp, mode 0666");
    CHECK(vod_ckpt_write(path, &c, why) == 0 && mode_of(path) == 0600 && !exists(tmp_path),
          "written over a stale .tmp: 0600 still, no .tmp left");
    /* a .tmp that is a link elsewhere: not followed */
    {
        char victim[320];
        snprintf(victim, sizeof victim, "%s/victim", dir);
        CHECK(put_text(victim, "victim\n") && symlink(victim, tmp_path) == 0, "a .tmp linking elsewhere");
        CHECK(vod_ckpt_write(path, &c, why) == 0 && mode_of(path) == 0600 && !exists(tmp_path),
              "written over a linked .tmp");
        text = get_text(victim);
        CHECK(text != NULL && strcmp(text, "victim\n") == 0, "the link's target untouched");
        free(text);
        unlink(victim);
    }

    /* a value with a line break: refused, nothing written */
    {
        static const char *const breaks[] = {"a\nb", "a\rb", "\n"};
        char **fields[] = {&c.session, &c.secret_key, &c.token, &c.media_path};
        int all = 1;
        text = get_text(path);
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            for (size_t b = 0; b < 3; b++) {
                char *keep = NULL;
                vod_ckpt_set(&keep, *fields[f]);
                vod_ckpt_set(fields[f], breaks[b]);
                why[0] = '\0';
                if (vod_ckpt_write(path, &c, why) != -1 || strcmp(why, "a value holds a line break") != 0 ||
                    exists(tmp_path))
                    all = 0;
                vod_ckpt_set(fields[f], keep);
                vod_ckpt_set(&keep, NULL);
            }
        CHECK(all, "a line break (LF or CR) in a value: refused, no .tmp");
        {
            char *now = get_text(path);
            CHECK(text != NULL && now != NULL && strcmp(text, now) == 0, "the old file kept as it was");
            free(now);
        }
        free(text);
        unlink(path);
        vod_ckpt_set(&c.token, "a\nb");
        CHECK(vod_ckpt_write(path, &c, why) == -1 && !exists(path) && !exists(tmp_path),
              "no file at all when there was none");
        vod_ckpt_set(&c.token, TOKEN);
        vod_ckpt_add_part(&c, 9, 1, 1, "e\ntag");
        CHECK(vod_ckpt_write(path, &c, why) == -1 && !exists(path), "a line break in an ETag");
        c.n_parts--;
    }

    /* cannot write: the reason names the path, never a secret */
    {
        char nowhere[400];
        snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/c", dir);
        CHECK(vod_ckpt_write(nowhere, &c, why) == -1 && strstr(why, nowhere) != NULL &&
              strstr(why, SECRET_KEY) == NULL && strstr(why, TOKEN) == NULL,
              "a directory that does not exist: the path and the error");
    }
    vod_ckpt_free(&c);
}

/* ---- reading ------------------------------------------------------------------------- */

static char *valid;             /* the text the writer writes for fill() */

/* valid with the line starting "name " (or exactly `name`) replaced by `with`
 * ("" removes it), into out */
static void variant(char *out, size_t n, const char *name, const char *with)
{
    const char *p = valid;
    size_t k = 0, nl = strlen(name);
    int done = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        int match = !done && ((len > nl && memcmp(p, name, nl) == 0 && p[nl] == ' ') ||
                              (len == nl + 1 && memcmp(p, name, nl) == 0));
        const char *src = match ? with : p;
        size_t sl = match ? strlen(with) : len;
        if (match)
            done = 1;
        if (k + sl < n) {
            memcpy(out + k, src, sl);
            k += sl;
        }
        p += len;
    }
    out[k] = '\0';
}

static int reason_ok(void)
{
    return why[0] != '\0' && strlen(why) < VOD_CKPT_WHY_MAX && strstr(why, SECRET_KEY) == NULL &&
           strstr(why, TOKEN) == NULL;
}

/* the text in the file: read refused, with a reason that names no secret, c zeroed */
static int refused_bytes(const char *text, size_t n)
{
    vod_ckpt c;
    int rc;
    if (!put_bytes(path, text, n))
        return 0;
    memset(&c, 0x5a, sizeof c);
    why[0] = '\0';
    rc = vod_ckpt_read(path, &c, why);
    if (rc == -1 && reason_ok() && is_zeroed(&c))
        return 1;
    printf("     rc %d, why \"%s\"\n", rc, why);
    if (rc == 0)
        vod_ckpt_free(&c);
    return 0;
}

static int refused(const char *text)
{
    return refused_bytes(text, strlen(text));
}

static int refused_variant(const char *name, const char *with)
{
    char text[4096];
    variant(text, sizeof text, name, with);
    return refused(text);
}

static int accepted(const char *text, vod_ckpt *c)
{
    if (!put_text(path, text))
        return 0;
    why[0] = '\0';
    if (vod_ckpt_read(path, c, why) == 0)
        return 1;
    printf("     why \"%s\"\n", why);
    return 0;
}

static void reading(void)
{
    static const char *const required[] = {"session", "bucket", "region", "media_path", "secret_id",
                                           "secret_key", "upload_id"};
    static const struct { const char *name; size_t off; } optional_s[] = {
        {"file", offsetof(vod_ckpt, file)}, {"cover_path", offsetof(vod_ckpt, cover_path)},
        {"token", offsetof(vod_ckpt, token)}};
    static const char *const optional_n[] = {"size", "mtime", "part_size", "expired"};
    vod_ckpt c, want;
    char text[4096], line[200];
    int all;

    fill(&want);
    CHECK(vod_ckpt_write(path, &want, why) == 0 && (valid = get_text(path)) != NULL, "the valid text");
    if (valid == NULL)
        return;
    CHECK(accepted(valid, &c) && same(&c, &want), "the valid text reads");
    vod_ckpt_free(&c);

    /* no file */
    unlink(path);
    memset(&c, 0x5a, sizeof c);
    CHECK(vod_ckpt_read(path, &c, why) == 1 && is_zeroed(&c), "no such file: 1, c zeroed");
    CHECK(vod_ckpt_read(dir, &c, why) == -1 && reason_ok() && is_zeroed(&c), "a directory: -1");

    /* not a checkpoint of this version */
    CHECK(refused(""), "an empty file");
    CHECK(refused("\n"), "an empty line");
    CHECK(refused_variant(MAGIC, "tencentcloud-vod upload checkpoint 2\n"), "a later version's magic");
    CHECK(refused_variant(MAGIC, MAGIC "\r\n"), "the magic line with CR LF");
    CHECK(refused_variant(MAGIC, ""), "no magic line");
    CHECK(refused_variant(MAGIC, "[default]\n"), "another file");
    CHECK(refused(MAGIC), "the magic alone, without its line break");
    CHECK(refused(MAGIC "\nend\n"), "the magic and end: every required field missing");

    /* cut short */
    CHECK(refused_variant("end", ""), "no end line");
    {
        size_t n = strlen(valid), cuts = 0;
        all = 1;
        for (size_t k = 0; k + 4 < n; k += 7, cuts++)
            if (!refused_bytes(valid, k))
                all = 0;
        CHECK(all && cuts > 50, "cut at every 7th byte before the end line");
    }
    CHECK(put_bytes(path, valid, strlen(valid) - 1) && vod_ckpt_read(path, &c, why) == 0 && same(&c, &want),
          "the end line without its line break");
    vod_ckpt_free(&c);

    /* required fields */
    all = 1;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        snprintf(line, sizeof line, "%s \n", required[i]);
        if (!refused_variant(required[i], "") || !refused_variant(required[i], line))
            all = 0;
    }
    CHECK(all, "session, bucket, region, media_path, secret_id, secret_key, upload_id: "
               "missing or empty, refused");
    CHECK(refused_variant("media_path", "media_path a/b.mp4\n"), "a media_path without its leading '/'");
    CHECK(refused_variant("cover_path", "cover_path \n"), "an empty cover_path");
    CHECK(refused_variant("cover_path", "cover_path c.jpg\n"), "a cover_path without its leading '/'");
    all = 1;
    for (size_t i = 0; i < sizeof optional_s / sizeof optional_s[0]; i++) {
        variant(text, sizeof text, optional_s[i].name, "");
        if (!accepted(text, &c) || *(char **)((char *)&c + optional_s[i].off) != NULL)
            all = 0;
        vod_ckpt_free(&c);
    }
    CHECK(all, "file, cover_path, token: may be missing (NULL)");
    all = 1;
    for (size_t i = 0; i < sizeof optional_n / sizeof optional_n[0]; i++) {
        variant(text, sizeof text, optional_n[i], "");
        if (!accepted(text, &c))
            all = 0;
        vod_ckpt_free(&c);
    }
    CHECK(all, "size, mtime, part_size, expired: may be missing (0)");

    /* numbers */
    {
        static const struct { const char *name, *line; } bad[] = {
            {"size", "size abc\n"}, {"size", "size \n"}, {"size", "size 12x\n"},
            {"size", "size 1 2\n"}, {"size", "size  12\n"}, {"size", "size +12\n"},
            {"size", "size 1.5\n"}, {"size", "size -\n"}, {"size", "size 0x10\n"},
            {"size", "size 9223372036854775808\n"}, {"size", "size -9223372036854775809\n"},
            {"size", "size 99999999999999999999999\n"},
            {"mtime", "mtime 1\n"}, {"mtime", "mtime 1 x\n"}, {"mtime", "mtime x 1\n"},
            {"mtime", "mtime 1 2 3\n"}, {"mtime", "mtime 1  2\n"},
            {"part_size", "part_size -1\n"}, {"part_size", "part_size 18446744073709551616\n"},
            {"part_size", "part_size one\n"},
            {"expired", "expired 1700003600.5\n"}, {"expired", "expired soon\n"},
        };
        all = 1;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            if (!refused_variant(bad[i].name, bad[i].line)) {
                printf("     accepted: %s", bad[i].line);
                all = 0;
            }
        CHECK(all, "bad numbers: letters, nothing, trailing bytes, signs, spaces, out of range");
        variant(text, sizeof text, "size", "size -9223372036854775808\n");
        CHECK(accepted(text, &c) && c.size == LLONG_MIN, "the smallest size");
        vod_ckpt_free(&c);
        variant(text, sizeof text, "part_size", "part_size 18446744073709551615\n");
        CHECK(accepted(text, &c) && c.part_size == ULLONG_MAX, "the largest part_size");
        vod_ckpt_free(&c);
        variant(text, sizeof text, "size", "size -0\n");
        CHECK(accepted(text, &c) && c.size == 0, "-0");
        vod_ckpt_free(&c);
    }

    /* part lines */
    {
        static const char *const bad[] = {
            "part 0 1 2 e\n", "part 10001 1 2 e\n", "part 4294967297 1 2 e\n", "part -1 1 2 e\n",
            "part 1 2 3\n", "part 1 2 3 \n", "part 1 2\n", "part 1\n", "part\n", "part \n",
            "part x 1 2 e\n", "part 1 -1 2 e\n", "part 1 1 18446744073709551616 e\n",
            "part 1  1 2 e\n", "part 1 1 2x e\n",
        };
        char over[200];
        all = 1;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            if (!refused_variant("part", bad[i])) {
                printf("     accepted: %s", bad[i]);
                all = 0;
            }
        CHECK(all, "bad part lines: number 0 or past 10000, fields missing, bad numbers");
        snprintf(over, sizeof over, "part 1 1 2 %072d\n", 7);
        CHECK(refused_variant("part", over), "an ETag of 72 bytes: refused, not cut");
        snprintf(over, sizeof over, "part 1 1 2 %071d\n", 7);
        CHECK(accepted((variant(text, sizeof text, "part", over), text), &c) && strlen(c.parts[0].etag) == 71,
              "an ETag of 71 bytes");
        vod_ckpt_free(&c);
        variant(text, sizeof text, "part", "part 10000 18446744073709551615 18446744073709551615 \"x y\"\n");
        CHECK(accepted(text, &c) && c.parts[0].number == 10000 && c.parts[0].size == ULLONG_MAX &&
              c.parts[0].crc == UINT64_MAX && strcmp(c.parts[0].etag, "\"x y\"") == 0,
              "part 10000, the largest numbers, an ETag to the end of its line");
        vod_ckpt_free(&c);
    }

    /* bytes no value holds */
    {
        static const char with_nul[] = MAGIC "\nsession s\0x\n";
        char text2[4200];
        size_t n;
        variant(text, sizeof text, "session", "session a\rb\n");
        CHECK(refused(text), "a CR inside a value");
        variant(text, sizeof text, "end", "end\r\n");
        CHECK(refused(text), "end with CR LF");
        /* a NUL byte: the rest of the valid text after "session s\0x\n" */
        n = sizeof with_nul - 1;
        memcpy(text2, with_nul, n);
        variant(text, sizeof text, MAGIC, "");
        snprintf(text2 + n, sizeof text2 - n, "%s", text);
        CHECK(refused_bytes(text2, n + strlen(text)), "a NUL byte in a line");
        CHECK(refused_variant("session", "session\n"), "a line without a value");
        CHECK(refused_variant("session", "\n"), "an empty line");
    }

    /* a later version's fields: ignored */
    variant(text, sizeof text, "session", "future_field some value\nsession session-key-0123456789abcdef\n"
                                         "x-later 1 2 3\n");
    CHECK(accepted(text, &c) && same(&c, &want), "unknown fields ignored");
    vod_ckpt_free(&c);
    snprintf(text, sizeof text, "%sthe rest is not read\n", valid);
    CHECK(accepted(text, &c) && same(&c, &want), "what follows the end line is not read");
    vod_ckpt_free(&c);
    variant(text, sizeof text, "upload_id", "upload_id first\nupload_id second\n");
    CHECK(accepted(text, &c) && strcmp(c.upload_id, "second") == 0, "a field twice: the later one");
    vod_ckpt_free(&c);

    vod_ckpt_free(&want);
    free(valid);
    valid = NULL;
}

/* ---- from memory: vod_ckpt_format, vod_ckpt_parse ------------------------------------ */

static int parse_why(const char *text, const char *want)
{
    vod_ckpt c;
    why[0] = '\0';
    if (vod_ckpt_parse(text, strlen(text), "ckpt", &c, why) == -1 && strcmp(why, want) == 0 &&
        is_zeroed(&c))
        return 1;
    printf("     why \"%s\"\n     want \"%s\"\n", why, want);
    return 0;
}

static void from_memory(void)
{
    vod_ckpt c, back;
    vod_buf b = {0};
    char *file = NULL, *copy;
    size_t n;

    fill(&c);
    CHECK(vod_ckpt_write(path, &c, why) == 0 && (file = get_text(path)) != NULL, "a file");
    if (file == NULL) {
        vod_ckpt_free(&c);
        return;
    }
    vod_buf_addstr(&b, "before|");
    CHECK(vod_ckpt_format(&b, &c, why) == 0 && strncmp(vod_buf_cstr(&b), "before|", 7) == 0 &&
          strcmp(b.data + 7, file) == 0, "format: the file's text, appended");
    n = b.len;
    vod_ckpt_set(&c.region, "ap-\nguangzhou");
    CHECK(vod_ckpt_format(&b, &c, why) == -1 && strcmp(why, "a value holds a line break") == 0 &&
          b.len == n, "format refuses a line break, out as it was");
    vod_buf_free(&b, 1);

    /* the text need not end with a NUL: only len bytes are read */
    n = strlen(file);
    copy = malloc(n + 16);
    memcpy(copy, file, n);
    memcpy(copy + n, "garbage no NUL", 14);
    vod_ckpt_set(&c.region, "ap-guangzhou");
    CHECK(vod_ckpt_parse(copy, n, "ckpt", &back, why) == 0 && same(&back, &c), "parse: len bytes");
    vod_ckpt_free(&back);
    CHECK(vod_ckpt_parse(copy, n - 4, "ckpt", &back, why) == -1 &&
          strcmp(why, "ckpt is cut short (no end line)") == 0, "parse: the end line past len");
    free(copy);
    free(file);
    vod_ckpt_free(&c);

    CHECK(parse_why("", "ckpt is empty"), "reason: empty");
    CHECK(parse_why("tencentcloud-vod upload checkpoint 2\nend\n",
                    "ckpt is not an upload checkpoint of this version"), "reason: another version");
    CHECK(parse_why(MAGIC "\nsession s\n", "ckpt is cut short (no end line)"), "reason: no end line");
    CHECK(parse_why(MAGIC "\nsession s\nend\n", "ckpt has no usable bucket"), "reason: a missing field");
    CHECK(parse_why(MAGIC "\nsession s\nbucket b\nregion r\nmedia_path m\nend\n",
                    "ckpt has no usable media_path"), "reason: a media_path without '/'");
    CHECK(parse_why(MAGIC "\nfile f\nsize 1x\nend\n", "ckpt, line 3: bad size"), "reason: the line");
    CHECK(parse_why(MAGIC "\npart 1 2 3\nend\n", "ckpt, line 2: bad part"), "reason: a part");
    CHECK(parse_why(MAGIC "\nsecret_key\nend\n", "ckpt, line 2: a line without a value"),
          "reason: a line without a value");
}

/* ---- vod_ckpt_set, vod_ckpt_free, and secrets --------------------------------------- */

static void set_and_free(void)
{
    vod_ckpt c, back;
    char *s = NULL;

    CHECK(vod_ckpt_set(&s, "one") == 0 && strcmp(s, "one") == 0, "set: a copy");
    watch("one", NULL);
    CHECK(vod_ckpt_set(&s, "two") == 0 && strcmp(s, "two") == 0, "set: the value replaced");
    CHECK(secrets_given_back == 0, "set: the old value wiped before it is freed");
    CHECK(vod_ckpt_set(&s, s) == 0 && strcmp(s, "two") == 0, "set to itself");
    watch(NULL, NULL);
    CHECK(vod_ckpt_set(&s, NULL) == 0 && s == NULL, "set NULL: freed");

    fill(&c);
    watch(SECRET_KEY, TOKEN);
    vod_ckpt_free(&c);
    CHECK(is_zeroed(&c), "free: the struct zeroed");
    CHECK(secrets_given_back == 0, "free: the secret key and the token wiped before they are freed");
    vod_ckpt_free(&c);
    CHECK(is_zeroed(&c), "free twice");

    /* the writer's and the reader's own copies */
    fill(&c);
    for (unsigned i = 4; i <= 2000; i++)
        vod_ckpt_add_part(&c, i, 1, 1, "\"0123456789abcdef0123456789abcdef\"");
    watch(SECRET_KEY, TOKEN);
    CHECK(vod_ckpt_write(path, &c, why) == 0, "a write of 2000 parts");
    CHECK(secrets_given_back == 0, "the writer leaves no copy of the secrets in memory it gives back");
    watch(SECRET_KEY, TOKEN);
    CHECK(vod_ckpt_read(path, &back, why) == 0, "read it");
    CHECK(secrets_given_back == 0, "the reader leaves no copy of the secrets in memory it gives back");
    watch(NULL, NULL);
    vod_ckpt_free(&back);
    vod_ckpt_free(&c);
    if (!HAVE_WATCH)
        printf("     (built without --wrap: the memory given back was not looked at)\n");
}

static void cleanup(void)
{
    unlink(tmp_path);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vod-ckpt-XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/c", dir);
    snprintf(tmp_path, sizeof tmp_path, "%s/c.tmp", dir);
    round_trips();
    the_file();
    reading();
    from_memory();
    set_and_free();
    cleanup();
    return check_report();
}
