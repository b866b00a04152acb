/* Generated SessionIds (session_id.h). The bytes come from the operating
 * system (getrandom) a pool at a time, which saves a system call per id; the
 * pool is emptied in a child after fork (pthread_atfork), so a forked
 * process never hands out ids its parent drew. */
#define _GNU_SOURCE
#include "session_id.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "mbedtls/platform_util.h"

#define POOL 512                        /* bytes: 32 ids a system call */

static unsigned char pool[POOL];
static size_t left;                     /* unused bytes at the end of pool */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void forget(void)
{
    left = 0;                           /* the child draws its own */
    mbedtls_platform_zeroize(pool, sizeof pool);
}

static void register_fork_handler(void)
{
    pthread_atfork(NULL, NULL, forget);
}

static int fill(void)
{
    size_t got = 0;
    while (got < sizeof pool) {
        ssize_t n = getrandom(pool + got, sizeof pool - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    left = sizeof pool;
    return 0;
}

int vod_session_id_new(char out[VOD_SESSION_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    size_t plen = sizeof VOD_SESSION_ID_PREFIX - 1;
    pthread_once(&once, register_fork_handler);
    pthread_mutex_lock(&lock);
    if (left < sizeof r && fill() != 0) {
        pthread_mutex_unlock(&lock);
        out[0] = '\0';
        return -1;
    }
    memcpy(r, pool + sizeof pool - left, sizeof r);
    mbedtls_platform_zeroize(pool + sizeof pool - left, sizeof r);   /* never handed out twice */
    left -= sizeof r;
    pthread_mutex_unlock(&lock);
    memcpy(out, VOD_SESSION_ID_PREFIX, plen);
    for (size_t i = 0; i < sizeof r; i++) {
        out[plen + 2 * i] = hex[r[i] >> 4];
        out[plen + 2 * i + 1] = hex[r[i] & 15];
    }
    out[VOD_SESSION_ID_LEN] = '\0';
    return 0;
}
