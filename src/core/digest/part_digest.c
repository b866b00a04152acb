/* part_digest.c - MD5 and CRC-64 of a part in one pass (see part_digest.h). */
#include "part_digest.h"

#include "crc64.h"

int vod_part_digest_init(vod_part_digest *d)
{
    if (d == NULL)
        return -1;
    d->crc = 0;
    d->len = 0;
    return vod_md5_init(&d->md5);
}

int vod_part_digest_update(vod_part_digest *d, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (d == NULL || (p == NULL && n != 0))
        return -1;
    while (n > 0) {
        size_t k = n < VOD_PART_DIGEST_BLOCK ? n : VOD_PART_DIGEST_BLOCK;
        if (vod_md5_update(&d->md5, p, k) != 0)
            return -1;
        d->crc = vod_crc64_update(d->crc, p, k);
        d->len += k;
        p += k;
        n -= k;
    }
    return 0;
}

int vod_part_digest_final(vod_part_digest *d, unsigned char md5[VOD_MD5_LEN])
{
    if (d == NULL)
        return -1;
    return vod_md5_final(&d->md5, md5);
}

void vod_part_digest_free(vod_part_digest *d)
{
    if (d != NULL)
        vod_md5_free(&d->md5);
}
