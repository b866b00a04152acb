/* A growable byte buffer owned by a C struct (not by the Lua stack), so it can
 * live in a client userdata across calls and be reused without reallocating.
 * No Lua here: out of memory is reported by return value, never raised. */
#ifndef VOD_BUF_H
#define VOD_BUF_H

#include <stddef.h>

typedef struct vod_buf {
    char *data;
    size_t len;
    size_t cap;
} vod_buf;

/* Ensures room for n more bytes (plus a NUL). 0 ok, -1 out of memory. */
int vod_buf_reserve(vod_buf *b, size_t n);

/* Asks the kernel for transparent huge pages (2 MiB) under the whole 2 MiB
 * units of [p, p + n), before they are first touched: a buffer of many MiB
 * filled at once (an upload's part) then costs a handful of page faults
 * instead of one per 4 KiB page, which on a VM is most of what filling it
 * costs (32 MiB: 0.13 s of CPU in 4 KiB faults, 0.003 s in huge pages,
 * measured on the project's 2-vCPU VM). Only where the kernel's
 * /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or "always"
 * (madvise(2), MADV_HUGEPAGE); elsewhere, and for small ranges, nothing. */
void vod_mem_prefer_huge(void *p, size_t n);
int vod_buf_add(vod_buf *b, const void *p, size_t n);
int vod_buf_addstr(vod_buf *b, const char *s);
static inline int vod_buf_addc(vod_buf *b, char c)
{
    if (b->len + 2 > b->cap && vod_buf_reserve(b, 1) != 0)
        return -1;
    b->data[b->len++] = c;
    return 0;
}
/* Empties the buffer, keeping its memory for the next use. */
static inline void vod_buf_reset(vod_buf *b) { b->len = 0; }
/* NUL-terminates (room is always reserved) and returns data. */
const char *vod_buf_cstr(vod_buf *b);
/* Frees the memory, wiping it first when `wipe` is set; safe on a zeroed buffer. */
void vod_buf_free(vod_buf *b, int wipe);

#endif
