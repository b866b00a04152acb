/* The credential chain, in the official SDKs' order: the options (secret_id,
 * secret_key, token, or `credentials`: a table or a function), the
 * environment, the profile file, the CVM instance role. vod.new resolves the
 * static sources at once; a credentials function and the CVM role are
 * fetched lazily at the first call and refreshed ahead of their expiry. The
 * transports only move bytes: this file decides when a refresh is due, reads
 * what came back and installs the new key (signer) and token (X-TC-Token). */
#ifndef VOD_CREDS_H
#define VOD_CREDS_H

#include <limits.h>
#include <stddef.h>
#include <lua.h>

#include "buf.h"

enum { VOD_CRED_STATIC = 0, VOD_CRED_FUNCTION, VOD_CRED_CVM };

#define VOD_CREDS_NEVER LLONG_MAX           /* refresh_at of static credentials */
#define VOD_CREDS_BACKOFF 5                 /* s between refresh attempts while the old ones last */
#define VOD_CREDS_MAX_MARGIN 300            /* refresh when min(300 s, half the lifetime) remains */
#define VOD_METADATA_URL "http://metadata.tencentyun.com/latest/meta-data/"
#define VOD_METADATA_MAX_BODY (64 * 1024)

/* What vod.new resolved (part of vod_options). Strings of static credentials
 * are in vod_options (they may point into the profile file's text, held in a
 * scratch box on the Lua stack and wiped once the client has copied them). */
typedef struct vod_cred_config {
    int kind;                   /* VOD_CRED_* */
    char source[600];           /* "options", "environment", "profile file <path> [<name>]", ... */
    char tried[1024];           /* sources tried before, '\n'-separated, for the error */
    char metadata_url[600];     /* base URL, ends with '/' */
    char meta_host[260];        /* its parts, for the cosocket transport */
    int meta_port;
    char meta_path[300];
    char role[130];             /* "" = discover */
    double metadata_timeout;    /* s, whole request */
    vod_buf *scratch;           /* the profile file's text, or NULL */
} vod_cred_config;

/* The client's side (a member of vod_client). */
typedef struct vod_creds {
    long long refresh_at;       /* UNIX s from which a refresh is due; NEVER when static */
    long long expires_at;       /* UNIX s; 0 = never */
    int kind, have, ever, role_given;
    int func_ref;               /* the credentials function (registry) */
    size_t token_slot;          /* index of the X-TC-Token line in the client's lines[] */
    vod_buf token_line;         /* "X-TC-Token: ..." of fetched credentials (wiped) */
    vod_buf meta_body;          /* the libcurl path's metadata response */
    long meta_connect_ms, meta_timeout_ms;
    char source[600];
    char tried[1024];
    char metadata_url[600];
    char meta_host[260];        /* for the cosocket transport: host (bare), port, base path */
    int meta_port;
    char meta_path[300];
    char role[130];
} vod_creds;

struct vod_client;
struct vod_options;

/* vod.new: resolves the chain into o (raises ClientError.Credentials or
 * ClientError.InvalidOption). t: the options table's index, or 0. */
void vod_creds_read(lua_State *L, int t, struct vod_options *o);

/* vod.new, on the new client: installs static credentials (or prepares the
 * lazy ones), then wipes the scratch copy. opts: the options table's index. */
void vod_creds_init(lua_State *L, struct vod_client *c, const struct vod_options *o, int opts);

/* __gc/close: drops the function reference and wipes the token. */
void vod_creds_free(lua_State *L, struct vod_client *c);

/* The libcurl path, before a call: refreshes when due (a credentials
 * function, or a GET to the metadata service), or raises
 * ClientError.Credentials when there are no usable credentials. Call only
 * when c->cred.refresh_at != VOD_CREDS_NEVER (the hot path's one compare). */
void vod_creds_refresh(lua_State *L, struct vod_client *c);

/* build_request (no I/O): raises ClientError.Credentials unless the client
 * holds credentials that have not expired. Same precondition. */
void vod_creds_require(lua_State *L, struct vod_client *c, const char *action);

/* Shared by creds_read.c and creds.c: why these cannot be used (into why,
 * naming `from`), or NULL; the error listing the sources tried ('\n'-separated
 * in tried, then last); the `sources` array on the error object on top. */
const char *vod_creds_unusable(const char *id, size_t idl, const char *key, size_t keyl,
                               const char *tok, size_t tokl, const char *from, char *why,
                               size_t n);
void vod_creds_push_nothing_found(lua_State *L, const char *tried, const char *last);
void vod_creds_set_sources(lua_State *L, const char *tried, const char *last);

/* Adds the credential methods to the methods table on top. */
void vod_creds_register(lua_State *L);

#endif
