/* A part of a file sent as it is read: the request's body (an exchange's
 * body_fill, exchange.h) taken from the file a window at a time, into one
 * small buffer that serves every part a lane sends, instead of the whole
 * part read into memory first. For a part whose digests are already known
 * (computed ahead: upload_ahead.h), so that nothing needs the part whole.
 *
 * The window holds the part's bytes [at, at + len); an offset outside it
 * reads the window that begins there (pread(2), by offset: the file's own
 * position is not used, and other lanes read the same descriptor). A
 * resend begins again at offset 0 and so reads the file again. A file that
 * ends before the part does (it shrank after the part was planned) or a read
 * error fails the fill with the path and the reason: the exchange then fails
 * (VOD_FAIL_SOURCE) and the request is cut short. */
#ifndef VOD_FILE_WINDOW_H
#define VOD_FILE_WINDOW_H

#include <stddef.h>

/* The window's size: what a lane holds of a part, and what one pread reads.
 * 256 KiB: a cosocket's send slice (upload_cos.c), a pread large enough that
 * its system call costs little next to its copy, and a buffer that stays in
 * the CPU's cache between the read and the send's copy into the socket. */
#ifndef VOD_FILE_WINDOW
#define VOD_FILE_WINDOW (256 * 1024)
#endif

typedef struct vod_file_window {
    int fd;                     /* the file (not owned) */
    const char *path;           /* its path, for the error (not copied) */
    unsigned long long base;    /* the part's offset in the file */
    size_t size;                /* the part's length */
    char *buf;                  /* VOD_FILE_WINDOW bytes, once set */
    size_t at, len;             /* buf holds the part's bytes [at, at + len) */
} vod_file_window;

/* The part of size bytes at base of fd, the window emptied (its buffer
 * allocated the first time). 0, or -1: out of memory. */
int vod_file_window_set(vod_file_window *w, int fd, const char *path, unsigned long long base,
                        size_t size);

/* Forgets what the window holds: the next fill reads the file (a retry). */
static inline void vod_file_window_rewind(vod_file_window *w) { w->len = 0; }

/* The exchange's vod_xbody_fill, ctx a vod_file_window: the part's bytes at
 * off, at most to the window's end. 0, or -1 with why. */
int vod_file_window_fill(void *ctx, size_t off, const char **ptr, size_t *len, char *why,
                         size_t why_len);

/* Frees the buffer; safe on a zeroed struct. */
void vod_file_window_free(vod_file_window *w);

#endif
