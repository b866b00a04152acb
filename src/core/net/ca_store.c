#include "ca_store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define SLOTS 8

typedef struct slot {
    char *path;
    time_t mtime;
    off_t size;
    X509_STORE *store;
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot slots[SLOTS];
static unsigned next_victim;

int vod_ca_store_usable(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v != NULL && v->ssl_version != NULL && strncmp(v->ssl_version, "OpenSSL", 7) == 0;
}

static X509_STORE *load(const char *path)
{
    X509_STORE *st = X509_STORE_new();
    if (st == NULL)
        return NULL;
    if (X509_STORE_load_locations(st, path, NULL) != 1) {
        X509_STORE_free(st);
        return NULL;
    }
    return st;
}

/* Returns a new reference to the store for path, or NULL. */
static X509_STORE *get_store(const char *path)
{
    struct stat sb;
    X509_STORE *st = NULL;
    slot *s = NULL;
    if (stat(path, &sb) != 0)
        return NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].path != NULL && strcmp(slots[i].path, path) == 0)
            s = &slots[i];
    if (s != NULL && s->mtime == sb.st_mtime && s->size == sb.st_size) {
        st = s->store;
        X509_STORE_up_ref(st);
        pthread_mutex_unlock(&lock);
        return st;
    }
    st = load(path);
    if (st != NULL) {
        char *copy = s ? s->path : strdup(path);
        if (copy != NULL) {
            if (s == NULL) {
                s = &slots[next_victim++ % SLOTS];
                free(s->path);
                if (s->store)
                    X509_STORE_free(s->store);
            } else {
                X509_STORE_free(s->store);
            }
            s->path = copy;
            s->mtime = sb.st_mtime;
            s->size = sb.st_size;
            s->store = st;
            X509_STORE_up_ref(st);      /* one for the slot, one for the caller */
        }
    }
    pthread_mutex_unlock(&lock);
    return st;
}

/* When the module is unloaded (lua_close dlcloses it after collecting every
 * client), release the cache: its slots would vanish with the module. A TLS
 * context still alive elsewhere holds its own reference to its store. */
__attribute__((destructor)) static void release_cache(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++) {
        free(slots[i].path);
        if (slots[i].store != NULL)
            X509_STORE_free(slots[i].store);
        memset(&slots[i], 0, sizeof slots[i]);
    }
    pthread_mutex_unlock(&lock);
}

CURLcode vod_ca_store_ssl_ctx(CURL *curl, void *ssl_ctx, void *path)
{
    X509_STORE *st = get_store((const char *)path);
    (void)curl;
    if (st == NULL)
        return CURLE_SSL_CACERT_BADFILE;
    SSL_CTX_set1_cert_store((SSL_CTX *)ssl_ctx, st);    /* takes its own reference */
    X509_STORE_free(st);
    return CURLE_OK;
}
