/* Generated SessionIds (session_id.h). */
#define _GNU_SOURCE
#include "session_id.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int vod_session_id_new(char out[VOD_SESSION_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    size_t got = 0, plen = sizeof VOD_SESSION_ID_PREFIX - 1;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            out[0] = '\0';
            return -1;
        }
        got += (size_t)n;
    }
    memcpy(out, VOD_SESSION_ID_PREFIX, plen);
    for (size_t i = 0; i < sizeof r; i++) {
        out[plen + 2 * i] = hex[r[i] >> 4];
        out[plen + 2 * i + 1] = hex[r[i] & 15];
    }
    out[VOD_SESSION_ID_LEN] = '\0';
    return 0;
}
