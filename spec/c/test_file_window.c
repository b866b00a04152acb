/*
 * test_file_window.c - unit tests for src/core/upload/file_window.c: a part
 * of a file handed to an exchange (its body_fill) a window at a time, read by
 * offset with pread. Prints "N passed, N failed".
 *
 * The file is a fresh one under $TMPDIR (or /tmp), removed at the end. Its
 * bytes are a function of their offset (byte_at), so that any slice can be
 * checked without a copy of the file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_window.h"

#include "check.h"

#define W VOD_FILE_WINDOW
#define FILE_SIZE (3 * (size_t)W + 12345)

static char dir[256], path[300];
static char why[200];

static unsigned char byte_at(unsigned long long off, unsigned seed)
{
    unsigned long long x = (off + seed) * 0x9E3779B97F4A7C15ULL;
    return (unsigned char)(x >> 56);
}

/* Writes the file: size bytes of byte_at(., seed). */
static void write_file(size_t size, unsigned seed)
{
    unsigned char *b = malloc(size ? size : 1);
    int fd;
    for (size_t i = 0; i < size; i++)
        b[i] = byte_at(i, seed);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, b, size) != (ssize_t)size) {
        perror(path);
        exit(2);
    }
    close(fd);
    free(b);
}

/* 1 when n bytes at p are the file's at off (seed's) */
static int same(const char *p, size_t n, unsigned long long off, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] != byte_at(off + i, seed))
            return 0;
    return 1;
}

/* Reads the whole part as an exchange does: fill at the next offset, at most
 * max_send of it taken at a time (0: all the fill gave). 1 when every byte
 * is the file's and the part's end is reached; *fills counts the calls,
 * *most the largest answer. */
static int walk(vod_file_window *w, size_t max_send, unsigned seed, int *fills, size_t *most)
{
    size_t off = 0;
    int ok = 1;
    *fills = 0;
    *most = 0;
    while (off < w->size) {
        const char *p = NULL;
        size_t n = 0;
        if (vod_file_window_fill(w, off, &p, &n, why, sizeof why) != 0 || p == NULL || n == 0 ||
            n > w->size - off || n > W)
            return 0;
        (*fills)++;
        if (n > *most)
            *most = n;
        if (max_send > 0 && n > max_send)
            n = max_send;
        ok &= same(p, n, w->base + off, seed);
        off += n;
    }
    return ok && off == w->size;
}

static void whole_parts(void)
{
    vod_file_window w;
    int fd = open(path, O_RDONLY), fills;
    size_t most;
    memset(&w, 0, sizeof w);
    write_file(FILE_SIZE, 1);
    CHECK(vod_file_window_set(&w, fd, path, 0, FILE_SIZE) == 0 && w.buf != NULL, "set: a buffer");
    CHECK(walk(&w, 0, 1, &fills, &most), "the part from offset 0, every byte the file's");
    CHECK(fills == 4 && most == W, "three full windows and a short one");

    /* a part at an offset that is no multiple of anything, shorter than a window */
    CHECK(vod_file_window_set(&w, fd, path, 500003, 777) == 0, "set again: the buffer kept");
    CHECK(walk(&w, 0, 1, &fills, &most) && fills == 1 && most == 777, "a short part: one fill");

    /* a part of exactly two windows, at an odd offset */
    CHECK(vod_file_window_set(&w, fd, path, 4097, 2 * W) == 0, "set");
    CHECK(walk(&w, 0, 1, &fills, &most) && fills == 2 && most == W, "two windows exactly");

    /* the driver takes less than a window at a time (a cosocket's slice, a
     * socket's partial write): the fills inside the window read nothing */
    CHECK(vod_file_window_set(&w, fd, path, 10, FILE_SIZE - 10) == 0, "set");
    CHECK(walk(&w, 65536, 1, &fills, &most), "in 64 KiB slices: every byte");
    CHECK(fills == (int)((FILE_SIZE - 10 + 65535) / 65536), "a fill a slice");
    CHECK(vod_file_window_set(&w, fd, path, 0, FILE_SIZE) == 0, "set");
    CHECK(walk(&w, 1000, 1, &fills, &most), "in slices of 1000 bytes, across windows' ends");
    vod_file_window_free(&w);
    close(fd);
}

/* A window is read once; what lies in it is answered from memory, an offset
 * outside it (a resend from 0) reads the file again, and so does the first
 * fill after a rewind (a new try of the request). */
static void windows_and_resends(void)
{
    vod_file_window w;
    int fd = open(path, O_RDONLY);
    const char *p, *q;
    size_t n, m;
    memset(&w, 0, sizeof w);
    write_file(FILE_SIZE, 1);
    vod_file_window_set(&w, fd, path, 5, 2 * W + 100);
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, sizeof why) == 0 && n == W && same(p, n, 5, 1),
          "the first window");
    write_file(FILE_SIZE, 2);                   /* the file changes under the window */
    CHECK(vod_file_window_fill(&w, 300, &q, &m, why, sizeof why) == 0 && q == p + 300 &&
          m == W - 300 && same(q, m, 305, 1), "inside the window: from memory, as read");
    CHECK(vod_file_window_fill(&w, W, &q, &m, why, sizeof why) == 0 && m == W && same(q, m, W + 5, 2),
          "the next window: read now");
    CHECK(vod_file_window_fill(&w, 0, &q, &m, why, sizeof why) == 0 && m == W && same(q, m, 5, 2),
          "a resend from 0: read again");
    CHECK(vod_file_window_fill(&w, 2 * W + 99, &q, &m, why, sizeof why) == 0 && m == 1 &&
          same(q, 1, 2 * W + 104, 2), "the last byte alone");
    write_file(FILE_SIZE, 3);
    vod_file_window_rewind(&w);
    CHECK(vod_file_window_fill(&w, 2 * W + 99, &q, &m, why, sizeof why) == 0 && m == 1 &&
          same(q, 1, 2 * W + 104, 3), "after a rewind: read again, even where the window was");
    CHECK(vod_file_window_fill(&w, 2 * W + 100, &q, &m, why, sizeof why) == -1 &&
          strstr(why, "past") != NULL, "past the part's end: an error");
    vod_file_window_free(&w);
    close(fd);
}

/* The file ends before the part does, or cannot be read: the fill fails with
 * the path and the reason; what came before is still given. */
static void failures(void)
{
    vod_file_window w;
    int fd = open(path, O_RDONLY), fills;
    const char *p;
    size_t n, most;
    memset(&w, 0, sizeof w);
    write_file(FILE_SIZE, 1);
    vod_file_window_set(&w, fd, path, W, 2 * W);
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, sizeof why) == 0 && n == W, "the first window");
    CHECK(truncate(path, (off_t)(W + W + 1000)) == 0, "truncate");
    why[0] = '\0';
    CHECK(vod_file_window_fill(&w, W, &p, &n, why, sizeof why) == -1, "a file that shrank: -1");
    CHECK(strstr(why, path) != NULL && strstr(why, "shrank") != NULL, why);
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, sizeof why) == 0 && n == W && same(p, n, W, 1),
          "the part's start is still there: a resend gets as far again");
    CHECK(truncate(path, 0) == 0, "truncate to 0");
    vod_file_window_rewind(&w);
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, sizeof why) == -1 && strstr(why, "shrank"),
          "an empty file: -1 at once");
    close(fd);

    /* a descriptor that cannot be read (a directory): the system's reason */
    fd = open(dir, O_RDONLY);
    vod_file_window_set(&w, fd, NULL, 0, 100);
    why[0] = '\0';
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, sizeof why) == -1, "a directory: -1");
    CHECK(strstr(why, "the file: ") == why && strstr(why, strerror(EISDIR)) != NULL, why);
    /* a reason longer than why: cut, still a string */
    CHECK(vod_file_window_fill(&w, 0, &p, &n, why, 8) == -1 && strlen(why) == 7, "why is cut to its size");
    close(fd);
    vod_file_window_free(&w);

    /* set after free: a new buffer */
    write_file(FILE_SIZE, 4);
    fd = open(path, O_RDONLY);
    CHECK(vod_file_window_set(&w, fd, path, 0, FILE_SIZE) == 0 && walk(&w, 0, 4, &fills, &most),
          "set after free: a new buffer, the part again");
    vod_file_window_free(&w);
    vod_file_window_free(&w);
    CHECK(w.buf == NULL, "free twice: nothing left");
    close(fd);
}

static void zeroed(void)
{
    vod_file_window w;
    memset(&w, 0, sizeof w);
    vod_file_window_free(&w);
    CHECK(w.buf == NULL && w.len == 0, "free on a zeroed struct");
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vod-window-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(path, sizeof path, "%s/part.bin", dir);
    write_file(FILE_SIZE, 1);
    zeroed();
    whole_parts();
    windows_and_resends();
    failures();
    unlink(path);
    rmdir(dir);
    return check_report();
}
