#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/platform_util.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_UNIT ((uintptr_t)2 * 1024 * 1024)

void vod_mem_prefer_huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t start = ((uintptr_t)p + HUGE_UNIT - 1) & ~(HUGE_UNIT - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~(HUGE_UNIT - 1);
    if (p != NULL && end > start)
        (void)madvise((void *)start, (size_t)(end - start), MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

int vod_buf_reserve(vod_buf *b, size_t n)
{
    size_t need, cap;
    char *p;
    if (n > (size_t)-1 / 2 - b->len)
        return -1;
    need = b->len + n + 1;              /* + NUL */
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int vod_buf_add(vod_buf *b, const void *p, size_t n)
{
    if (vod_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int vod_buf_addstr(vod_buf *b, const char *s)
{
    return vod_buf_add(b, s, strlen(s));
}

const char *vod_buf_cstr(vod_buf *b)
{
    if (b->data == NULL && vod_buf_reserve(b, 0) != 0)
        return "";
    b->data[b->len] = '\0';
    return b->data;
}

void vod_buf_free(vod_buf *b, int wipe)
{
    if (b->data != NULL && wipe)
        mbedtls_platform_zeroize(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
