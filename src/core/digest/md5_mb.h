/* Multi-buffer MD5 (RFC 1321): the MD5 of up to 32 independent messages of
 * equal length at once, one SIMD lane a message. MD5 of one message cannot
 * go faster than one step after the other (each step needs the previous
 * one's result), but an upload's parts are independent messages of the same
 * size: the lanes of a vector register carry as many of them as it holds
 * 32-bit words. Why this is written here, and its speeds: md5_mb.c.
 *
 * Implementations (chosen at run time from the CPU):
 *   VOD_MD5_MB_AVX512  up to 32 lanes: one or two groups of 16 in AVX-512F
 *                      zmm registers
 *   VOD_MD5_MB_AVX2    up to 16 lanes: one or two groups of 8 in AVX2 ymm
 *                      registers
 * (a second group of lanes, independent of the first, keeps the vector units
 * busy while the first waits on its dependent steps; up to a group's width,
 * one group is run).
 * On other CPUs, or a build for another architecture, or with -DVOD_MD5_MB_OFF
 * at build time, none is available: vod_md5_mb_best() is VOD_MD5_MB_NONE and
 * the callers keep to single-stream MD5 (md5.h). The environment variable
 * VOD_MD5_MB, read once, can narrow the choice for tests and measurements:
 * "off" (none), "avx2" (AVX2 even on an AVX-512 CPU), "avx512".
 *
 *     vod_md5_mb m;
 *     if (vod_md5_mb_init(&m, vod_md5_mb_best(), lanes) != 0) ...single-stream
 *     vod_md5_mb_update(&m, ptrs, n);       any number of times, n % 64 == 0:
 *                                           n bytes at ptrs[i] into lane i
 *     vod_md5_mb_final(&m, tails, k, out);  the last k (< 64) bytes of each
 *                                           lane, then the digests out[i]
 *
 * Every lane takes the same number of bytes (what makes one padding block
 * serve all lanes). No allocation, no Lua; a context is used by one thread at
 * a time; the functions themselves are safe from any thread. */
#ifndef VOD_MD5_MB_H
#define VOD_MD5_MB_H

#include <stddef.h>
#include <stdint.h>

#include "md5.h"

#define VOD_MD5_MB_MAX_LANES 32
#define VOD_MD5_MB_BLOCK 64     /* update() takes whole blocks of this many bytes */

enum { VOD_MD5_MB_NONE = 0, VOD_MD5_MB_AVX2, VOD_MD5_MB_AVX512 };

typedef struct vod_md5_mb {
    /* the lanes' chaining values, word by word: h[0][i] is lane i's A (no
     * alignment is assumed: a context may live in a Lua userdata) */
    uint32_t h[4][VOD_MD5_MB_MAX_LANES];
    uint64_t len;               /* bytes each lane has taken */
    unsigned lanes;             /* lanes in use */
    int impl;
} vod_md5_mb;

/* The implementation to use on this CPU (VOD_MD5_MB_NONE when there is none,
 * or VOD_MD5_MB says "off"). */
int vod_md5_mb_best(void);
/* 1 when impl is compiled in and this CPU can run it (VOD_MD5_MB aside). */
int vod_md5_mb_have(int impl);
/* Its lanes (16, 8; 0 for none) and its name ("avx512", "avx2", "none"). */
unsigned vod_md5_mb_width(int impl);
const char *vod_md5_mb_name(int impl);

/* Starts `lanes` digests (1 to impl's width) on impl. 0, or -1 when impl is
 * not available or lanes is out of range. */
int vod_md5_mb_init(vod_md5_mb *m, int impl, unsigned lanes);
/* n bytes (a multiple of 64; 0 is fine) at data[i] into lane i, for each lane
 * in use. 0, or -1 (n not a multiple of 64, a NULL pointer with n > 0, or m
 * not initialised). */
int vod_md5_mb_update(vod_md5_mb *m, const void *const data[], size_t n);
/* Each lane's last tail_len (< 64) bytes at tail[i] (tail may be NULL when
 * tail_len is 0), the padding, and the digests into out[0..lanes). The
 * context must be initialised again before reuse. 0, or -1 (outputs zeroed). */
int vod_md5_mb_final(vod_md5_mb *m, const void *const tail[], size_t tail_len,
                     unsigned char out[][VOD_MD5_LEN]);

#endif
