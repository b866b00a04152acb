/* client:upload's inputs (upload_params.h). */
#define _POSIX_C_SOURCE 200809L
#include "upload_params.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "check_model.h"
#include "clock.h"
#include "compat.h"
#include "defaults.h"
#include "errors.h"
#include "options.h"
#include "request.h"
#include "vod_model.h"

#define MAX_PART (5ULL * 1024 * 1024 * 1024)     /* COS: a part, or one PUT, of 5 GiB at most */
#define MAX_MANIFEST (10 * 1024 * 1024)           /* the API's body: the manifest's text goes in it */

static const char *const OPTIONS[] = { "concurrency", "part_size", "multipart_threshold", "progress",
                                       "checkpoint", "content_md5", "part_timeout" };
#define NOPTIONS (sizeof OPTIONS / sizeof OPTIONS[0])

static const char *const SOURCES[] = { "MediaFilePath", "MediaContent", "MediaReader", "MediaSize",
                                       "CoverFilePath", "CoverContent" };
#define NSOURCES (sizeof SOURCES / sizeof SOURCES[0])

static char *dup(lua_State *L, const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p == NULL)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static int option_error(lua_State *L, const char *name, const char *rule)
{
    vod_error_push(L, VOD_E_INVALID_OPTION, "upload", "upload option '%s' %s", name, rule);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "option");
    return lua_error(L);
}

static int param_error(lua_State *L, const char *name, const char *fmt, const char *a)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a);
    vod_error_push(L, VOD_E_INVALID_PARAMETER, "upload", "%s", msg);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "param");
    vod_pushint(L, 0);
    lua_setfield(L, -2, "attempts");
    return lua_error(L);
}

static unsigned long long size_option(lua_State *L, int t, const char *name, unsigned long long def,
                                      unsigned long long min, const char *rule)
{
    long long v = 0;
    lua_getfield(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &v) || v < (long long)min ||
        (unsigned long long)v > MAX_PART)
        option_error(L, name, rule);
    lua_pop(L, 1);
    return (unsigned long long)v;
}

static void read_options(lua_State *L, vod_upload *u, int t)
{
    long long n = 0;
    u->concurrency = VOD_DEFAULT_UPLOAD_CONCURRENCY;
    u->part_size = VOD_DEFAULT_UPLOAD_PART_SIZE;
    u->threshold = VOD_DEFAULT_UPLOAD_THRESHOLD;
    u->content_md5 = 1;
    u->timeout_ms = (long)(VOD_DEFAULT_UPLOAD_PART_TIMEOUT * 1000);
    if (t == 0)
        goto timeout;
    vod_arg_check_type(L, t, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        size_t kl = 1, i;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : "?";
        lua_pop(L, 1);
        for (i = 0; i < NOPTIONS; i++)
            if (strcmp(k, OPTIONS[i]) == 0)
                break;
        if (i == NOPTIONS)
            vod_opt_unknown(L, "upload", k, kl, OPTIONS, NOPTIONS);
    }
    lua_getfield(L, t, "concurrency");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &n) || n < 1 ||
            n > VOD_UPLOAD_MAX_LANES)
            option_error(L, "concurrency", "must be an integer from 1 to 32 (parts in flight)");
        u->concurrency = (int)n;
    }
    lua_pop(L, 1);
    u->part_size = size_option(L, t, "part_size", u->part_size, VOD_UPLOAD_MIB,
                               "must be an integer number of bytes from 1 MiB (1048576) to 5 GiB "
                               "(COS's limits on a part)");
    u->threshold = size_option(L, t, "multipart_threshold", u->threshold, 0,
                               "must be an integer number of bytes from 0 to 5 GiB (the largest "
                               "single PUT)");
    lua_getfield(L, t, "progress");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TFUNCTION)
            option_error(L, "progress", "must be a function(done, total, what)");
        u->progress_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        lua_pop(L, 1);
    }
    lua_getfield(L, t, "checkpoint");
    if (!lua_isnil(L, -1)) {
        size_t len = 0;
        const char *s = NULL;
        if (lua_type(L, -1) != LUA_TSTRING || (s = lua_tolstring(L, -1, &len), len == 0) ||
            memchr(s, '\0', len) != NULL || len > 4000)
            option_error(L, "checkpoint", "must be a file's path");
        u->checkpoint = dup(L, s, len);
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "content_md5");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TBOOLEAN)
            option_error(L, "content_md5", "must be true or false");
        u->content_md5 = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "part_timeout");
    if (!lua_isnil(L, -1)) {
        double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
        if (!(v > 0 && v <= 86400))
            option_error(L, "part_timeout", "must be a number of seconds, more than 0 and at most "
                         "86400");
        u->timeout_ms = (long)(v * 1000);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
timeout:
    /* a COS request carries a whole part: the client's timeout, or more */
    if (u->c->timeout_ms > u->timeout_ms)
        u->timeout_ms = u->c->timeout_ms;
}

/* The file name's extension, lower case, into out (empty when none). */
static void extension(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t i = 0;
    out[0] = '\0';
    if (dot == NULL || (slash != NULL && dot < slash) || dot[1] == '\0')
        return;
    for (dot++; *dot && i + 1 < n; dot++)
        out[i++] = (char)tolower((unsigned char)*dot);
    out[i] = '\0';
}

/* The file name without its directory and extension. */
static void base_name(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    const char *dot;
    size_t len;
    b = b ? b + 1 : path;
    dot = strrchr(b, '.');
    len = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    snprintf(out, n, "%.*s", (int)len, b);
}

static long long file_size(lua_State *L, const char *param, const char *path)
{
    struct stat st;
    char msg[500];
    if (stat(path, &st) != 0) {
        snprintf(msg, sizeof msg, "%s %.300s cannot be read: %s", param, path, strerror(errno));
        param_error(L, param, "%s", msg);
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(msg, sizeof msg, "%s %.300s is not a regular file", param, path);
        param_error(L, param, "%s", msg);
    }
    return (long long)st.st_size;
}

static const char *source(lua_State *L, int p, const char *name, int type)
{
    lua_getfield(L, p, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (lua_type(L, -1) != type) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s must be a %s, got %%s", name, lua_typename(L, type));
        param_error(L, name, msg, luaL_typename(L, -1));
    }
    if (type == LUA_TSTRING && vod_rawlen(L, -1) == 0 && strstr(name, "Path") != NULL)
        param_error(L, name, "%s must not be empty", name);
    lua_pop(L, 1);                      /* the table holds it */
    return name;
}

static vod_uobj *add_object(lua_State *L, vod_upload *u)
{
    vod_uobj *o;
    void *p = realloc(u->objs, (u->n_objs + 1) * sizeof *u->objs);
    if (p == NULL)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
    u->objs = p;
    o = &u->objs[u->n_objs++];
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->content_ref = LUA_NOREF;
    o->size = -1;
    return o;
}

/* The object of a source: a file (its size now), a string, or the reader. */
static void take_source(lua_State *L, vod_upload *u, int p, int what, const char *path_key,
                        const char *content_key, const char *reader_key)
{
    vod_uobj *o = add_object(L, u);
    o->what = what;
    if (path_key != NULL) {
        size_t len;
        const char *s;
        lua_getfield(L, p, path_key);
        s = lua_tolstring(L, -1, &len);
        if (memchr(s, '\0', len) != NULL)
            param_error(L, path_key, "%s must not hold a NUL byte", path_key);
        o->path = dup(L, s, len);
        lua_pop(L, 1);
        o->src = VOD_SRC_FILE;
        o->size = file_size(L, path_key, o->path);
    } else if (content_key != NULL) {
        lua_getfield(L, p, content_key);
        o->content = lua_tostring(L, -1);
        o->size = (long long)vod_rawlen(L, -1);
        o->content_ref = luaL_ref(L, LUA_REGISTRYINDEX);     /* keeps the string alive */
        o->src = VOD_SRC_CONTENT;
    } else {
        long long size = -1;
        lua_getfield(L, p, reader_key);
        u->reader_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_getfield(L, p, "MediaSize");
        if (!lua_isnil(L, -1) && (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &size) ||
                                  size < 0))
            param_error(L, "MediaSize", "MediaSize must be a non-negative integer (bytes)%s", "");
        lua_pop(L, 1);
        o->size = size;
        o->src = VOD_SRC_READER;
    }
}

void vod_upload_read(lua_State *L, vod_upload *u, int p, int opts)
{
    const char *mpath, *mcontent, *mreader, *cpath, *ccontent;
    const vod_maction *apply = vod_model_action("ApplyUpload", 11);
    vod_check_error ce;
    int t, n;
    p = vod_absindex(L, p);
    read_options(L, u, opts ? vod_absindex(L, opts) : 0);
    mpath = source(L, p, "MediaFilePath", LUA_TSTRING);
    mcontent = source(L, p, "MediaContent", LUA_TSTRING);
    mreader = source(L, p, "MediaReader", LUA_TFUNCTION);
    cpath = source(L, p, "CoverFilePath", LUA_TSTRING);
    ccontent = source(L, p, "CoverContent", LUA_TSTRING);
    n = (mpath != NULL) + (mcontent != NULL) + (mreader != NULL);
    if (n != 1)
        param_error(L, "MediaFilePath", "upload needs exactly one of MediaFilePath, MediaContent "
                    "or MediaReader%s", n ? ", not several" : "");
    if (cpath != NULL && ccontent != NULL)
        param_error(L, "CoverFilePath", "give one of CoverFilePath or CoverContent%s", ", not both");
    lua_getfield(L, p, "MediaSize");
    if (!lua_isnil(L, -1) && mreader == NULL)
        param_error(L, "MediaSize", "MediaSize goes with MediaReader%s", "");
    lua_pop(L, 1);
    /* ApplyUpload's parameters: the table's, but for the sources, and the
     * types and name from the file names where absent */
    lua_newtable(L);
    t = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, p) != 0) {
        int src = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (size_t i = 0; i < NSOURCES; i++)
                if (strcmp(lua_tostring(L, -2), SOURCES[i]) == 0)
                    src = 1;
        if (src) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, t);
    }
    lua_getfield(L, t, "MediaType");
    if (lua_isnil(L, -1)) {
        char ext[32] = "";
        if (mpath != NULL) {
            lua_getfield(L, p, "MediaFilePath");
            extension(lua_tostring(L, -1), ext, sizeof ext);
            lua_pop(L, 1);
        }
        if (ext[0] == '\0')
            param_error(L, "MediaType", "MediaType is required (%s)", mpath ? "the file name has no "
                        "extension to take it from" : "only a file's name tells it");
        lua_pushstring(L, ext);
        lua_setfield(L, t, "MediaType");
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "MediaName");
    if (lua_isnil(L, -1) && mpath != NULL) {
        char name[256];
        lua_getfield(L, p, "MediaFilePath");
        base_name(lua_tostring(L, -1), name, sizeof name);
        lua_pop(L, 1);
        if (name[0]) {
            lua_pushstring(L, name);
            lua_setfield(L, t, "MediaName");
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "CoverType");
    if (lua_isnil(L, -1) && (cpath != NULL || ccontent != NULL)) {
        char ext[32] = "";
        if (cpath != NULL) {
            lua_getfield(L, p, "CoverFilePath");
            extension(lua_tostring(L, -1), ext, sizeof ext);
            lua_pop(L, 1);
        }
        if (ext[0] == '\0')
            param_error(L, "CoverType", "CoverType is required (%s)", cpath ? "the cover's file name "
                        "has no extension to take it from" : "only a file's name tells it");
        lua_pushstring(L, ext);
        lua_setfield(L, t, "CoverType");
    }
    lua_pop(L, 1);
    if (vod_check_model(L, t, vod_maction_input(apply), &ce) != 0) {
        vod_error_push(L, VOD_E_INVALID_PARAMETER, "ApplyUpload", "%s", ce.message);
        if (ce.param[0]) {
            lua_pushstring(L, ce.param);
            lua_setfield(L, -2, "param");
        }
        vod_pushint(L, 0);
        lua_setfield(L, -2, "attempts");
        lua_error(L);
    }
    lua_getfield(L, t, "MediaType");
    snprintf(u->media_type, sizeof u->media_type, "%s", lua_tostring(L, -1));
    for (char *c = u->media_type; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    lua_pop(L, 1);
    lua_getfield(L, t, "CoverType");
    if (lua_type(L, -1) == LUA_TSTRING)
        snprintf(u->cover_type, sizeof u->cover_type, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (u->cover_type[0] && cpath == NULL && ccontent == NULL)
        param_error(L, "CoverType", "CoverType needs the cover: CoverFilePath or CoverContent%s", "");
    lua_getfield(L, t, "SubAppId");
    {
        long long v;
        if (lua_type(L, -1) == LUA_TNUMBER && vod_tointegral(L, -1, &v)) {
            u->sub_app_id = (unsigned long long)v;
            u->has_sub_app_id = 1;
        }
    }
    lua_pop(L, 1);
    u->manifest = strcmp(u->media_type, "m3u8") == 0 || strcmp(u->media_type, "mpd") == 0;
    if (u->manifest && mpath == NULL)
        param_error(L, "MediaFilePath", "an %s manifest's segments are files beside it: give "
                    "MediaFilePath", u->media_type);
    if (u->checkpoint != NULL && (mpath == NULL || u->manifest))
        option_error(L, "checkpoint", "resumes the upload of a file: it needs MediaFilePath (and "
                     "not a manifest)");
    u->params_ref = luaL_ref(L, LUA_REGISTRYINDEX);     /* ApplyUpload's parameters */
    take_source(L, u, p, VOD_WHAT_MEDIA, mpath ? "MediaFilePath" : NULL,
                mcontent ? "MediaContent" : NULL, mreader ? "MediaReader" : NULL);
    if (cpath != NULL || ccontent != NULL)
        take_source(L, u, p, VOD_WHAT_COVER, cpath ? "CoverFilePath" : NULL,
                    ccontent ? "CoverContent" : NULL, NULL);
    u->what_total = u->objs[0].size > 0 ? (unsigned long long)u->objs[0].size : 0;
    for (size_t i = 0; i < u->n_objs; i++)
        if (u->objs[i].size > 0)
            u->total_bytes += (unsigned long long)u->objs[i].size;
}

/* The manifest's text, for ParseStreamingManifest. */
static int push_file_text(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    luaL_Buffer b;
    char chunk[8192];
    size_t n, total = 0;
    if (f == NULL) {
        vod_error_push(L, VOD_E_FILE, "upload", "%s: %s", path, strerror(errno));
        return -1;
    }
    luaL_buffinit(L, &b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        total += n;
        if (total > MAX_MANIFEST) {
            fclose(f);
            luaL_pushresult(&b);
            lua_pop(L, 1);
            vod_error_push(L, VOD_E_FILE, "upload", "%s: a manifest of more than %d bytes", path,
                           MAX_MANIFEST);
            return -1;
        }
        luaL_addlstring(&b, chunk, n);
    }
    fclose(f);
    luaL_pushresult(&b);
    return 0;
}

int vod_upload_call_params(lua_State *L, vod_upload *u, int which)
{
    if (which == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->params_ref);
        return 0;
    }
    lua_createtable(L, 0, 2);
    if (which == 1) {
        if (push_file_text(L, u->objs[0].path) != 0) {
            lua_remove(L, -2);
            return -1;
        }
        lua_setfield(L, -2, "MediaManifestContent");
        lua_pushstring(L, u->media_type);
        lua_setfield(L, -2, "ManifestType");
        return 0;
    }
    lua_pushstring(L, u->session);
    lua_setfield(L, -2, "VodSessionKey");
    if (u->has_sub_app_id) {
        vod_pushint(L, (long long)u->sub_app_id);
        lua_setfield(L, -2, "SubAppId");
    }
    return 0;
}

static int set(char **field, const char *v)
{
    char *c = NULL;
    if (v != NULL) {
        size_t n = strlen(v);
        if ((c = malloc(n + 1)) == NULL)
            return -1;
        memcpy(c, v, n + 1);
    }
    free(*field);
    *field = c;
    return 0;
}

/* cos_endpoint with {bucket} and {region} filled: "scheme://authority". */
static int expand(const char *tmpl, const char *bucket, const char *region, char *out, size_t n)
{
    size_t k = 0;
    for (const char *s = tmpl; *s; s++) {
        const char *v = NULL;
        size_t skip = 0;
        if (strncmp(s, "{bucket}", 8) == 0)
            v = bucket, skip = 7;
        else if (strncmp(s, "{region}", 8) == 0)
            v = region, skip = 7;
        if (v != NULL) {
            for (; *v; v++) {
                if (!(isalnum((unsigned char)*v) || *v == '-' || *v == '.'))
                    return -1;          /* a name that cannot be in a host */
                if (k + 1 >= n)
                    return -1;
                out[k++] = *v;
            }
            s += skip;
        } else {
            if (k + 1 >= n)
                return -1;
            out[k++] = *s;
        }
    }
    out[k] = '\0';
    return 0;
}

int vod_upload_session(vod_upload *u, const char *bucket, const char *region, const char *session,
                       const char *media, const char *cover, const char *id, const char *key,
                       const char *token, long long expired, char why[300])
{
    char url[340], cwhy[VOD_COS_WHY_MAX];
    const char *authority, *bracket, *colon;
    size_t hl;
    int port;
    if (set(&u->bucket, bucket) || set(&u->region, region) || set(&u->session, session) ||
        set(&u->media_path, media) || set(&u->cover_path, cover)) {
        snprintf(why, 300, "out of memory");
        return -1;
    }
    vod_cos_signer_free(&u->signer);
    memset(&u->signer, 0, sizeof u->signer);
    if (vod_cos_signer_init(&u->signer, id, strlen(id), key, strlen(key), token,
                            token ? strlen(token) : 0, cwhy) != 0) {
        snprintf(why, 300, "the session's temporary credentials cannot be used: %s", cwhy);
        return -1;
    }
    if (expand(u->c->cos_endpoint, bucket, region, url, sizeof url) != 0) {
        snprintf(why, 300, "cos_endpoint '%.100s' with StorageBucket '%.60s' and StorageRegion '%.40s' is "
                 "not a URL", u->c->cos_endpoint, bucket, region);
        return -1;
    }
    u->https = strncmp(url, "https://", 8) == 0;
    authority = url + (u->https ? 8 : 7);
    vod_route_free(&u->route);
    memset(&u->route, 0, sizeof u->route);
    if (vod_route_init(&u->route, &u->c->proxy, u->https ? "https" : "http", authority,
                       u->c->connect_timeout_ms) != 0) {
        snprintf(why, 300, "out of memory");
        return -1;
    }
    /* Host: the port only when it is not the scheme's own */
    bracket = authority[0] == '[' ? strchr(authority, ']') : NULL;
    colon = strchr(bracket ? bracket : authority, ':');
    hl = colon ? (size_t)(colon - authority) : strlen(authority);
    port = colon ? atoi(colon + 1) : (u->https ? 443 : 80);
    if (colon && port == (u->https ? 443 : 80))
        snprintf(u->host, sizeof u->host, "%.*s", (int)hl, authority);
    else
        snprintf(u->host, sizeof u->host, "%s", authority);
    u->expired = expired;
    u->key_start = (long long)(vod_wallclock() + (double)u->cos_offset) - 60;
    u->key_end = expired;
    /* the objects' keys: the storage paths without their leading '/' */
    for (size_t i = 0; i < u->n_objs; i++) {
        vod_uobj *o = &u->objs[i];
        const char *path = o->what == VOD_WHAT_COVER ? cover : media;
        if (o->what == VOD_WHAT_SEGMENT || path == NULL)
            continue;
        if (set(&o->key, path + 1) != 0) {
            snprintf(why, 300, "out of memory");
            return -1;
        }
    }
    if (u->checkpoint != NULL) {
        vod_ckpt *k = &u->ckpt;
        const vod_uobj *o = &u->objs[0];
        struct stat st;
        if (stat(o->path, &st) == 0) {
            k->mtime_s = (long long)st.st_mtim.tv_sec;
            k->mtime_ns = (long long)st.st_mtim.tv_nsec;
            k->size = (long long)st.st_size;
        }
        if (vod_ckpt_set(&k->file, o->path) || vod_ckpt_set(&k->session, session) ||
            vod_ckpt_set(&k->bucket, bucket) || vod_ckpt_set(&k->region, region) ||
            vod_ckpt_set(&k->media_path, media) || vod_ckpt_set(&k->cover_path, cover) ||
            vod_ckpt_set(&k->secret_id, id) || vod_ckpt_set(&k->secret_key, key) ||
            vod_ckpt_set(&k->token, token)) {
            snprintf(why, 300, "out of memory");
            return -1;
        }
        k->expired = expired;
    }
    return 0;
}

/* A segment's path as the manifest gives it: relative, inside its directory. */
static int segment_ok(const char *s)
{
    if (s[0] == '\0' || s[0] == '/' || strstr(s, "://") != NULL || strchr(s, '\\') != NULL)
        return 0;
    for (const char *p = s; p != NULL; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
            return 0;
    }
    return 1;
}

int vod_upload_segments(lua_State *L, vod_upload *u, int res)
{
    const char *mdir_end = strrchr(u->objs[0].path, '/');
    const char *kdir_end = strrchr(u->objs[0].key, '/');
    size_t n;
    vod_uobj cover;
    int has_cover = u->n_objs > 1;
    lua_getfield(L, res, "MediaSegmentSet");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        vod_error_push(L, VOD_E_MALFORMED, "ParseStreamingManifest", "the answer has no "
                       "MediaSegmentSet");
        return -1;
    }
    if (has_cover) {
        cover = u->objs[1];
        u->n_objs = 1;
    }
    n = vod_rawlen(L, -1);
    for (size_t i = 1; i <= n; i++) {
        int rc = 0;
        const char *seg;
        vod_uobj *o;
        struct stat st;
        lua_rawgeti(L, -1, (int)i);
        seg = lua_tostring(L, -1);
        if (seg == NULL || !segment_ok(seg)) {
            vod_error_push(L, VOD_E_INVALID_PARAMETER, "ParseStreamingManifest", "the manifest names "
                           "a segment outside its directory: '%s'", seg ? seg : "?");
            rc = -1;
            goto out;
        }
        o = add_object(L, u);
        o->what = VOD_WHAT_SEGMENT;
        o->src = VOD_SRC_FILE;
        o->segment = dup(L, seg, strlen(seg));
        o->path = malloc((mdir_end ? (size_t)(mdir_end - u->objs[0].path) + 1 : 0) + strlen(seg) + 1);
        o->key = malloc((kdir_end ? (size_t)(kdir_end - u->objs[0].key) + 1 : 0) + strlen(seg) + 1);
        if (o->path == NULL || o->key == NULL)
            vod_error_raise(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
        sprintf(o->path, "%.*s%s", mdir_end ? (int)(mdir_end - u->objs[0].path) + 1 : 0,
                u->objs[0].path, seg);
        sprintf(o->key, "%.*s%s", kdir_end ? (int)(kdir_end - u->objs[0].key) + 1 : 0,
                u->objs[0].key, seg);
        if (stat(o->path, &st) != 0 || !S_ISREG(st.st_mode)) {
            vod_error_push(L, VOD_E_FILE, "upload", "the segment %s of the manifest: %s", o->path,
                           strerror(errno ? errno : ENOENT));
            rc = -1;
            goto out;
        }
        o->size = (long long)st.st_size;
        u->total_bytes += (unsigned long long)o->size;
        u->what_total += (unsigned long long)o->size;
out:
        if (rc != 0) {                  /* the error on top; the item, the list below it */
            lua_replace(L, -3);
            lua_pop(L, 1);
            if (has_cover)
                *add_object(L, u) = cover;
            return -1;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (has_cover)
        *add_object(L, u) = cover;
    vod_debug(L, u->c, "upload: the manifest names %zu segments", n);
    return 0;
}
