/* upload_ahead.c - the digests of a multipart object's parts, computed ahead
 * a batch at a time with multi-buffer MD5 (see upload_ahead.h). */
#define _POSIX_C_SOURCE 200809L
#include "upload_ahead.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc64.h"

static int cur_src(const vod_upload *u)
{
    return u->cur < u->n_objs ? u->objs[u->cur].src : 0;
}

void vod_ahead_reset(vod_ahead *a)
{
    free(a->scratch);
    a->scratch = NULL;
    a->stride = 0;
    a->lanes = 0;
    a->frontier = 0;
    a->off = 0;
}

int vod_ahead_busy(const vod_ahead *a, unsigned i)
{
    for (unsigned k = 0; k < a->lanes; k++)
        if (a->part[k] == i)
            return 1;
    return 0;
}

/* The next batch: up to `width` parts from the frontier on, not yet handed
 * out, of the part size, when fewer than half a batch's parts are digested
 * and waiting. 1 when one began. */
static int begin_batch(vod_upload *u, vod_ahead *a)
{
    unsigned long long ps = u->part_size;
    unsigned want = a->width, n = 0, i;
    if (a->frontier < u->next_part)
        a->frontier = u->next_part;
    if (a->frontier >= u->n_parts || a->frontier - u->next_part >= a->width / 2)
        return 0;
    if (ps * want > VOD_AHEAD_MAX_BYTES)
        want = (unsigned)(VOD_AHEAD_MAX_BYTES / ps);
    for (i = a->frontier; i < u->n_parts && n < want; i++) {
        const vod_upart *p = &u->parts[i];
        if (p->state == VOD_PART_TODO && !p->digested && p->size == ps)
            a->part[n++] = i;
    }
    a->frontier = i;
    if (n < VOD_AHEAD_MIN_LANES || vod_md5_mb_init(&a->mb, a->impl, n) != 0) {
        a->frontier = u->n_parts;           /* the rest: one stream a part */
        return 0;
    }
    if (cur_src(u) == VOD_SRC_FILE && a->scratch == NULL) {
        void *m = NULL;
        /* 2 MiB aligned: one huge page (vod_mem_prefer_huge) rather than 512 faults */
        if (posix_memalign(&m, VOD_AHEAD_SLICE >= (1 << 21) ? (1 << 21) : 64, VOD_AHEAD_SLICE) != 0)
            m = NULL;
        a->scratch = m;
        if (a->scratch == NULL) {
            a->off = 1;
            return 0;
        }
        vod_mem_prefer_huge(a->scratch, VOD_AHEAD_SLICE);
    }
    a->stride = VOD_AHEAD_SLICE / n / VOD_MD5_MB_BLOCK * VOD_MD5_MB_BLOCK;
    a->lanes = n;
    a->len = ps;
    a->done = 0;
    memset(a->crc, 0, sizeof a->crc);
    return 1;
}

/* n bytes of the file at offset into buf. 0, or -1 (an error, or the file
 * ended before). */
static int read_at(int fd, unsigned char *buf, size_t n, unsigned long long offset)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* The next stride of every part of the batch; at the end, their digests
 * into the parts. */
static void slice(vod_upload *u, vod_ahead *a)
{
    const vod_uobj *o = &u->objs[u->cur];
    const void *p[VOD_MD5_MB_MAX_LANES];
    size_t n = a->len - a->done < a->stride ? (size_t)(a->len - a->done) : a->stride;
    size_t whole = n / VOD_MD5_MB_BLOCK * VOD_MD5_MB_BLOCK;
    for (unsigned k = 0; k < a->lanes; k++) {
        unsigned long long at = u->parts[a->part[k]].offset + a->done;
        if (o->src == VOD_SRC_CONTENT) {
            p[k] = o->content + at;
        } else {
            unsigned char *buf = a->scratch + (size_t)k * a->stride;
            if (read_at(o->fd, buf, n, at) != 0) {
                a->off = 1;                 /* the lanes will read it, and say what failed */
                a->lanes = 0;
                return;
            }
            p[k] = buf;
        }
        a->crc[k] = vod_crc64_update(a->crc[k], p[k], n);
    }
    vod_md5_mb_update(&a->mb, p, whole);
    a->done += n;
    if (a->done == a->len) {
        unsigned char d[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN];
        for (unsigned k = 0; k < a->lanes; k++)
            p[k] = (const unsigned char *)p[k] + whole;
        if (vod_md5_mb_final(&a->mb, p, n - whole, d) == 0)
            for (unsigned k = 0; k < a->lanes; k++) {
                vod_upart *part = &u->parts[a->part[k]];
                memcpy(part->md5, d[k], VOD_MD5_LEN);
                part->crc = a->crc[k];
                part->digested = 1;
            }
        a->lanes = 0;
    }
}

int vod_ahead_step(vod_upload *u)
{
    vod_ahead *a = &u->ahead;
    int src = cur_src(u), began = 0;
    if (!a->ready) {
        a->impl = vod_md5_mb_best();
        a->width = vod_md5_mb_width(a->impl);
        a->ready = 1;
    }
    if (a->impl == VOD_MD5_MB_NONE || a->off || !u->content_md5 || u->parts == NULL ||
        (src != VOD_SRC_FILE && src != VOD_SRC_CONTENT))
        return 0;
    if (a->lanes == 0) {
        if (!begin_batch(u, a)) {
            if (a->frontier >= u->n_parts && a->scratch != NULL) {
                free(a->scratch);           /* no batch left for this object */
                a->scratch = NULL;
            }
            return 0;
        }
        began = (int)a->lanes;
    }
    slice(u, a);
    return began;
}
