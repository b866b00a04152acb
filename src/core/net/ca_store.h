/* A process-wide cache of parsed CA bundles, for libcurl's OpenSSL backend.
 *
 * libcurl parses the CA file again for every new TLS connection of every
 * handle (35-45 ms of CPU for Debian's 146-certificate bundle). Here each
 * file is parsed once per process (again only when its size or mtime
 * changes) and the same X509_STORE is handed to every new connection through
 * CURLOPT_SSL_CTX_FUNCTION. Verification is unchanged: the store is the same
 * trust anchors libcurl would have loaded. No Lua here. */
#ifndef VOD_CA_STORE_H
#define VOD_CA_STORE_H

#include <curl/curl.h>

/* True when libcurl's TLS backend is OpenSSL, so the cache can be used. */
int vod_ca_store_usable(void);

/* CURLOPT_SSL_CTX_FUNCTION: installs the cached store for the file named by
 * `path` (a NUL-terminated string that outlives the handle). */
CURLcode vod_ca_store_ssl_ctx(CURL *curl, void *ssl_ctx, void *path);

#endif
