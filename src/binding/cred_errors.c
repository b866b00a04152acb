/* The credential chain's messages (cred_errors.h). */
#include "cred_errors.h"

#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "optread.h"
#include "tc3_sign.h"

/* Why a secret id, key or token cannot be used, or NULL. `from` names the source. */
const char *vod_creds_unusable(const char *id, size_t idl, const char *key, size_t keyl,
                            const char *tok, size_t tokl, const char *from, char *why, size_t n)
{
    if (idl == 0 || idl > TC3_MAX_ID_LEN || !vod_opt_printable(id, idl, 0) || memchr(id, '/', idl) ||
        memchr(id, ',', idl))
        snprintf(why, n, "secret_id (from the %s) must be 1 to %d printable characters without "
                 "spaces, '/' or ','", from, TC3_MAX_ID_LEN);
    else if (keyl == 0 || keyl > 1024 || !vod_opt_printable(key, keyl, 0))
        snprintf(why, n, "secret_key (from the %s) must be 1 to 1024 printable characters "
                 "without spaces", from);
    else if (tok != NULL && (tokl > 16384 || !vod_opt_printable(tok, tokl, 0)))
        snprintf(why, n, "token (from the %s) must be at most 16384 printable characters "
                 "without spaces or line breaks", from);
    else
        return NULL;
    return why;
}

/* Pushes the sources ("a\nb\n" + last) as an array, and sets it as field
 * `sources` of the error object on top. */
void vod_creds_set_sources(lua_State *L, const char *tried, const char *last)
{
    int n = 0;
    lua_newtable(L);
    for (const char *p = tried; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lua_pushlstring(L, p, len);
        lua_rawseti(L, -2, ++n);
        p += len + (nl != NULL);
    }
    if (last != NULL) {
        lua_pushstring(L, last);
        lua_rawseti(L, -2, ++n);
    }
    lua_setfield(L, -2, "sources");
}

/* Pushes "no credentials found; tried: a, b, c" with the sources array. */
void vod_creds_push_nothing_found(lua_State *L, const char *tried, const char *last)
{
    char msg[1600];
    size_t k = (size_t)snprintf(msg, sizeof msg, "no credentials found; tried: ");
    for (const char *p = tried; *p && k < sizeof msg - 3; p++) {
        if (*p != '\n') {
            msg[k++] = *p;
        } else if (p[1] != '\0' || last != NULL) {
            msg[k++] = ',';
            msg[k++] = ' ';
        }
    }
    msg[k] = '\0';
    if (last != NULL)
        snprintf(msg + k, sizeof msg - k, "%s", last);
    vod_error_push(L, VOD_E_CREDENTIALS, NULL, "%s", msg);
    vod_creds_set_sources(L, tried, last);
}
