/* A part of a file sent as it is read (file_window.h). */
#define _POSIX_C_SOURCE 200809L
#include "file_window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vod_file_window_set(vod_file_window *w, int fd, const char *path, unsigned long long base,
                        size_t size)
{
    if (w->buf == NULL) {
        w->buf = malloc(VOD_FILE_WINDOW);
        if (w->buf == NULL)
            return -1;
    }
    w->fd = fd;
    w->path = path;
    w->base = base;
    w->size = size;
    w->at = w->len = 0;
    return 0;
}

/* n bytes at the part's offset off into the window. 0, or -1 with why. */
static int read_window(vod_file_window *w, size_t off, size_t n, char *why, size_t why_len)
{
    size_t got = 0;
    w->len = 0;
    while (got < n) {
        ssize_t r = pread(w->fd, w->buf + got, n - got, (off_t)(w->base + off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(why, why_len, "%s: %s", w->path ? w->path : "the file",
                     r < 0 ? strerror(errno) : "the file shrank while it was being uploaded");
            return -1;
        }
        got += (size_t)r;
    }
    w->at = off;
    w->len = n;
    return 0;
}

int vod_file_window_fill(void *ctx, size_t off, const char **ptr, size_t *len, char *why,
                         size_t why_len)
{
    vod_file_window *w = ctx;
    if (off >= w->size) {
        snprintf(why, why_len, "offset %zu is past the part's %zu bytes", off, w->size);
        return -1;
    }
    if (w->len == 0 || off < w->at || off >= w->at + w->len) {
        size_t n = w->size - off < VOD_FILE_WINDOW ? w->size - off : VOD_FILE_WINDOW;
        if (read_window(w, off, n, why, why_len) != 0)
            return -1;
    }
    *ptr = w->buf + (off - w->at);
    *len = w->at + w->len - off;
    return 0;
}

void vod_file_window_free(vod_file_window *w)
{
    free(w->buf);
    w->buf = NULL;
    w->at = w->len = 0;
}
