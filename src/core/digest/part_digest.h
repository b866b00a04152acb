/* The digests of one part (or of a whole single-PUT object) in one pass over
 * its bytes: MD5 for its Content-MD5 and ETag, CRC-64/XZ to combine into the
 * object's x-cos-hash-crc64ecma. update() walks the data in blocks of
 * VOD_PART_DIGEST_BLOCK bytes and runs both digests over each block while it
 * is in the first levels of cache.
 *
 * Measured with bench/bench_digest.c (8 MiB parts rewritten before each
 * round, AMD EPYC with a 32 MiB L3): one pass by 64 KiB blocks gave 758 to
 * 799 MB/s, two passes (MD5 over the part, then CRC-64 over it) 734 to 797
 * MB/s with the PCLMULQDQ CRC; 598 to 608 against 608 to 611 MB/s with the
 * table CRC. No difference beyond the noise, and none either with 96 MiB
 * parts (past the L3): MD5 (about 0.8 GB/s) is bound by computation, and the
 * hardware prefetcher streams the second pass. One pass is kept because it
 * costs nothing and one call feeding both digests as the bytes are read is
 * what an upload needs; the CRC adds about 5% to the MD5's time.
 *
 *     vod_part_digest d = {0};
 *     vod_part_digest_init(&d);           per part (reuses the MD5 context)
 *     vod_part_digest_update(&d, p, n);   as the bytes are read
 *     vod_part_digest_final(&d, md5);     d.crc and d.len are the part's
 *     vod_part_digest_free(&d);
 * No Lua. */
#ifndef VOD_PART_DIGEST_H
#define VOD_PART_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "md5.h"

#define VOD_PART_DIGEST_BLOCK (64 * 1024)

typedef struct vod_part_digest {
    vod_md5 md5;
    uint64_t crc;       /* CRC-64 of the bytes so far (0 for none) */
    uint64_t len;       /* bytes so far */
} vod_part_digest;

/* 0, or -1 when MD5 cannot be set up. */
int vod_part_digest_init(vod_part_digest *d);
/* 0, or -1 (then the digest is unusable until init). */
int vod_part_digest_update(vod_part_digest *d, const void *data, size_t n);
/* The MD5 into md5; crc and len stay readable. 0 or -1. */
int vod_part_digest_final(vod_part_digest *d, unsigned char md5[VOD_MD5_LEN]);
void vod_part_digest_free(vod_part_digest *d);

#endif
