/* The credential chain's data: what vod.new resolved (vod_cred_config) and
 * the client's side of it (vod_creds). A leaf header: the option reader, the
 * chain and the client type all use it without including each other. */
#ifndef VOD_CRED_CONFIG_H
#define VOD_CRED_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "buf.h"

enum { VOD_CRED_STATIC = 0, VOD_CRED_FUNCTION, VOD_CRED_CVM };

#define VOD_CREDS_NEVER LLONG_MAX           /* refresh_at of static credentials */
#define VOD_CREDS_BACKOFF 5                 /* s between refresh attempts while the old ones last */
#define VOD_CREDS_MAX_MARGIN 300            /* refresh when min(300 s, half the lifetime) remains */
#define VOD_METADATA_URL "http://metadata.tencentyun.com/latest/meta-data/"
#define VOD_METADATA_MAX_BODY (64 * 1024)

/* What vod.new resolved (part of vod_options): the narrow interface between
 * the option reader (options.c) and the credential chain (cred_read.c at
 * vod.new, cred_refresh.c afterwards). Strings of static credentials may point into
 * the profile file's text, held in a scratch box on the Lua stack and wiped
 * once the client has copied them. */
typedef struct vod_cred_config {
    int kind;                   /* VOD_CRED_* */
    /* static credentials (kind VOD_CRED_STATIC): point into the options
     * table, the environment or the profile file's text in `scratch` */
    const char *secret_id, *secret_key, *token;    /* token: NULL when none */
    size_t secret_id_len, secret_key_len, token_len;
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
    long meta_connect_ms, meta_timeout_ms;
    /* one fetch at a time per client (nginx: the other requests' coroutines
     * go on with valid credentials, or wait for it and share its failure) */
    int fetching;
    double fetching_until;      /* monotonic s: a fetch older than this is given up on */
    unsigned fetch_gen;         /* fetches begun */
    unsigned fail_gen;          /* the fetch whose failure fail_ref holds */
    int fail_ref;               /* that failure's error object (registry), or LUA_NOREF */
    char source[600];
    char tried[1024];
    char metadata_url[600];
    char meta_host[260];        /* the metadata service: host (bare), port, base path */
    int meta_port;
    char meta_path[300];
    char role[130];
} vod_creds;

#endif
