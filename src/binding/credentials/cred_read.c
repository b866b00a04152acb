/* vod.new's side of the credential chain (see cred_read.h): the options, the
 * environment, the profile file, else the CVM role for later. Raises
 * ClientError.InvalidOption for a bad option, ClientError.Credentials for an
 * explicit choice that cannot be honoured, or when nothing is found and the
 * CVM role is off. Never formats a secret into a message. */
#include "cred_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "defaults.h"
#include "errors.h"
#include "options.h"
#include "profile.h"
#include "suggest.h"
#include "tc3_sign.h"

#define SCRATCH_MT "tencentcloud.vod.scratch"

static void add_tried(char *tried, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_tried(char *tried, size_t n, const char *fmt, ...)
{
    size_t len = strlen(tried);
    va_list ap;
    if (len + 2 >= n)
        return;
    va_start(ap, fmt);
    vsnprintf(tried + len, n - len - 1, fmt, ap);
    va_end(ap);
    len = strlen(tried);
    tried[len] = '\n';
    tried[len + 1] = '\0';
}



static int scratch_gc(lua_State *L)
{
    vod_buf_free(lua_touserdata(L, 1), 1);
    return 0;
}

/* A box on the stack for the profile file's text: wiped by vod_creds_init,
 * or by __gc after an error. */
static vod_buf *push_scratch(lua_State *L)
{
    vod_buf *b = vod_newuserdata(L, sizeof *b);
    memset(b, 0, sizeof *b);
    if (luaL_newmetatable(L, SCRATCH_MT)) {
        lua_pushcfunction(L, scratch_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* metadata_url: http://host[:port][/path/], split for the cosocket transport too. */
static void parse_metadata_url(lua_State *L, const char *url, size_t len, vod_cred_config *k)
{
    const char *h, *he, *colon = NULL;
    long port = 80;
    if (len < 8 || len > 250 || strncmp(url, "http://", 7) != 0 || !vod_opt_printable(url, len, 0) ||
        strpbrk(url, "?#@\\%") != NULL)
        vod_opt_error(L, "metadata_url", "must be an http:// URL of at most 250 characters without "
                   "user, query or fragment (e.g. \"%s\")", VOD_METADATA_URL);
    h = url + 7;
    he = strchr(h, '/');
    if (he == NULL)
        he = url + len;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(he - h));
        if (rb == NULL || rb == h + 1)
            vod_opt_error(L, "metadata_url", "has an unclosed '[' or an empty address");
        snprintf(k->meta_host, sizeof k->meta_host, "%.*s", (int)(rb - h - 1), h + 1);
        if (rb + 1 < he && rb[1] != ':')
            vod_opt_error(L, "metadata_url", "must be http://host[:port]/path/");
        colon = rb + 1 < he ? rb + 1 : NULL;
    } else {
        colon = memchr(h, ':', (size_t)(he - h));
        snprintf(k->meta_host, sizeof k->meta_host, "%.*s", (int)((colon ? colon : he) - h), h);
        for (const char *q = k->meta_host; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                  (*q >= '0' && *q <= '9') || *q == '.' || *q == '-'))
                vod_opt_error(L, "metadata_url", "has a host that is not a name or an address");
    }
    if (k->meta_host[0] == '\0')
        vod_opt_error(L, "metadata_url", "has an empty host name");
    if (colon != NULL) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (end != he || port < 1 || port > 65535)
            vod_opt_error(L, "metadata_url", "has a port outside 1..65535");
    }
    k->meta_port = (int)port;
    snprintf(k->meta_path, sizeof k->meta_path, "%.*s%s", (int)(url + len - he), he,
             url[len - 1] == '/' ? "" : "/");
    snprintf(k->metadata_url, sizeof k->metadata_url, "%.*s%s", (int)(he - url), url,
             k->meta_path);
}

static void read_cvm_options(lua_State *L, int t, vod_cred_config *k, int *enabled)
{
    const char *s;
    size_t len;
    *enabled = 1;
    k->metadata_timeout = VOD_DEFAULT_METADATA_TIMEOUT;
    parse_metadata_url(L, VOD_METADATA_URL, strlen(VOD_METADATA_URL), k);
    if (t == 0)
        return;
    if ((s = vod_opt_string(L, t, "metadata_url", &len)) != NULL)
        parse_metadata_url(L, s, len, k);
    vod_opt_raw(L, t, "cvm_role");
    if (lua_type(L, -1) == LUA_TBOOLEAN) {
        *enabled = lua_toboolean(L, -1);
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        s = lua_tolstring(L, -1, &len);
        if (len == 0 || len > 128 || !vod_opt_printable(s, len, 0) || strpbrk(s, "/?#%\\") != NULL)
            vod_opt_error(L, "cvm_role", "must be a role name of 1 to 128 printable characters "
                       "without spaces, '/', '?', '#', '%%' or '\\'");
        snprintf(k->role, sizeof k->role, "%s", s);
    } else if (!lua_isnil(L, -1)) {
        vod_opt_error(L, "cvm_role", "must be a role name, or false to skip the CVM role, got %s",
                   luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    vod_opt_raw(L, t, "metadata_timeout");
    if (!lua_isnil(L, -1)) {
        double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
        if (!(v > 0 && v <= 60))
            vod_opt_error(L, "metadata_timeout", "must be a number of seconds, more than 0 and at "
                       "most 60");
        k->metadata_timeout = v;
    }
    lua_pop(L, 1);
}

/* credentials = { secret_id, secret_key, token } | function */
static int read_credentials_option(lua_State *L, int t, vod_cred_config *k, int given_plain)
{
    static const char *const f[] = { "secret_id", "secret_key", "token" };
    int ct;
    vod_opt_raw(L, t, "credentials");
    ct = lua_gettop(L);
    if (lua_isnil(L, ct)) {
        lua_pop(L, 1);
        return 0;
    }
    if (given_plain)
        vod_opt_error(L, "credentials", "cannot be combined with secret_id, secret_key or token: "
                   "give one or the other");
    if (lua_type(L, ct) == LUA_TFUNCTION) {
        k->kind = VOD_CRED_FUNCTION;
        snprintf(k->source, sizeof k->source, "credentials function");
    } else if (lua_type(L, ct) == LUA_TTABLE) {
        const char **dst[3];
        size_t *lens[3];
        dst[0] = &k->secret_id; dst[1] = &k->secret_key; dst[2] = &k->token;
        lens[0] = &k->secret_id_len; lens[1] = &k->secret_key_len; lens[2] = &k->token_len;
        lua_pushnil(L);
        while (lua_next(L, ct) != 0) {
            size_t i, len;
            const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &len) : NULL;
            for (i = 0; key != NULL && i < 3; i++)
                if (strcmp(key, f[i]) == 0)
                    break;
            if (key == NULL || i == 3) {
                const char *hint = key ? vod_suggest(key, len, f, 3) : NULL;
                vod_opt_error(L, "credentials", "has an unknown field '%.40s'%s%s%s",
                           key ? key : "?", hint ? " (did you mean '" : "", hint ? hint : "",
                           hint ? "'?)" : "");
            }
            if (lua_type(L, -1) != LUA_TSTRING)
                vod_opt_error(L, "credentials", "field '%s' must be a string, got %s", f[i],
                           luaL_typename(L, -1));
            *dst[i] = lua_tolstring(L, -1, lens[i]);   /* held by the options table */
            lua_pop(L, 1);
        }
        if (k->secret_id == NULL || k->secret_key == NULL)
            vod_opt_error(L, "credentials", "needs both secret_id and secret_key");
        snprintf(k->source, sizeof k->source, "options");
    } else {
        vod_opt_error(L, "credentials", "must be a table { secret_id, secret_key, token } or a "
                   "function returning one, got %s", luaL_typename(L, ct));
    }
    lua_pop(L, 1);
    return 1;
}

static int from_environment(vod_cred_config *k)
{
    const char *id = getenv("TENCENTCLOUD_SECRET_ID");
    const char *key = getenv("TENCENTCLOUD_SECRET_KEY");
    const char *tok = getenv("TENCENTCLOUD_SESSION_TOKEN");
    int has_id = id != NULL && *id != '\0', has_key = key != NULL && *key != '\0';
    if (!has_id || !has_key) {
        add_tried(k->tried, sizeof k->tried, "environment (%s not set)",
                  has_id ? "TENCENTCLOUD_SECRET_KEY" : "TENCENTCLOUD_SECRET_ID");
        return 0;
    }
    k->secret_id = id;
    k->secret_id_len = strlen(id);
    k->secret_key = key;
    k->secret_key_len = strlen(key);
    if (tok != NULL && *tok != '\0') {
        k->token = tok;
        k->token_len = strlen(tok);
    }
    snprintf(k->source, sizeof k->source, "environment");
    return 1;
}

/* Tries one profile file. Returns 1 when it held the section (credentials
 * set in o), 0 when not (why appended to notes), raises when the file is
 * explicit and unreadable, malformed, or the section is incomplete. */
static int try_profile_file(lua_State *L, vod_cred_config *k, vod_buf *text, const char *path,
                            const char *explicit_file, const char *section, char *notes,
                            size_t nn)
{
    int err = 0;
    vod_profile pr;
    vod_profile_status st = vod_profile_load(path, text, &err);
    size_t nl = strlen(notes);
    const char *sep = nl ? "; " : "";
    if (st != VOD_PROFILE_OK) {
        const char *why = st == VOD_PROFILE_NOT_FOUND && err == ENOENT ? "not found" : strerror(err);
        if (explicit_file != NULL)
            vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "profile file %.300s (from %s) cannot be "
                            "read: %s", path, explicit_file, why);
        snprintf(notes + nl, nn - nl, "%s%.300s: %s", sep, path, why);
        return 0;
    }
    st = vod_profile_parse(text->data, text->len, section, &pr);
    if (st == VOD_PROFILE_MALFORMED)
        vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "profile file %.300s: line %d is not a "
                        "[section], a 'key = value' line or a comment", path, pr.line);
    if (st == VOD_PROFILE_NO_SECTION) {
        snprintf(notes + nl, nn - nl, "%s%.300s: no [%s] section", sep, path, section);
        return 0;
    }
    if (pr.secret_id_len == 0 || pr.secret_key_len == 0)
        vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "profile file %.300s [%s] has %s: it needs "
                        "both secret_id and secret_key", path, section,
                        pr.secret_id_len ? "secret_id but no secret_key" :
                        pr.secret_key_len ? "secret_key but no secret_id" :
                        "neither secret_id nor secret_key");
    k->secret_id = pr.secret_id;
    k->secret_id_len = pr.secret_id_len;
    k->secret_key = pr.secret_key;
    k->secret_key_len = pr.secret_key_len;
    k->token = pr.token_len ? pr.token : NULL;
    k->token_len = pr.token_len;
    snprintf(k->source, sizeof k->source, "profile file %.300s [%s]", path, section);
    return 1;
}

static int from_profile(lua_State *L, int t, vod_cred_config *k)
{
    const char *file, *section, *file_from = NULL, *section_from = NULL, *home;
    char notes[900] = "", home_path[4200];
    size_t len;
    vod_buf *text;
    file = vod_opt_string(L, t, "credentials_file", &len);
    if (file != NULL) {
        if (len == 0 || memchr(file, '\0', len) != NULL)
            vod_opt_error(L, "credentials_file", "must be a file name");
        file_from = "the option 'credentials_file'";
    } else if ((file = getenv("TENCENTCLOUD_CREDENTIALS_FILE")) != NULL && *file != '\0') {
        file_from = "TENCENTCLOUD_CREDENTIALS_FILE";
    } else {
        file = NULL;
    }
    section = vod_opt_string(L, t, "profile", &len);
    if (section != NULL) {
        if (len == 0 || len > 128 || !vod_opt_printable(section, len, 0) || strchr(section, ']'))
            vod_opt_error(L, "profile", "must be a section name of 1 to 128 printable characters "
                       "without spaces or ']'");
        section_from = "the option 'profile'";
    } else if ((section = getenv("TENCENTCLOUD_PROFILE")) != NULL && *section != '\0') {
        len = strlen(section);
        if (len > 128 || !vod_opt_printable(section, len, 0) || strchr(section, ']'))
            vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "TENCENTCLOUD_PROFILE must be a section "
                            "name of 1 to 128 printable characters without spaces or ']'");
        section_from = "TENCENTCLOUD_PROFILE";
    } else {
        section = VOD_DEFAULT_PROFILE;
    }
    text = push_scratch(L);             /* stays on the stack until the client copied the keys */
    k->scratch = text;
    if (file != NULL) {
        if (try_profile_file(L, k, text, file, file_from, section, notes, sizeof notes))
            return 1;
    } else {
        home = getenv("HOME");
        if (home != NULL && *home != '\0') {
            snprintf(home_path, sizeof home_path, "%.4000s/.tencentcloud/credentials", home);
            if (try_profile_file(L, k, text, home_path, NULL, section, notes, sizeof notes))
                return 1;
        } else {
            snprintf(notes, sizeof notes, "~/.tencentcloud/credentials: HOME not set");
        }
        if (try_profile_file(L, k, text, "/etc/tencentcloud/credentials", NULL, section, notes,
                             sizeof notes))
            return 1;
    }
    if (section_from != NULL)
        vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "profile [%s] (from %s) is in no profile "
                        "file: %s", section, section_from, notes);
    add_tried(k->tried, sizeof k->tried, "profile file (%s)", notes);
    return 0;
}

void vod_creds_read(lua_State *L, int t, vod_cred_config *k)
{
    const char *id, *key, *tok;
    size_t idl = 0, keyl = 0, tokl = 0;
    int cvm;
    char why[200];
    k->kind = VOD_CRED_STATIC;
    read_cvm_options(L, t, k, &cvm);
    id = vod_opt_string(L, t, "secret_id", &idl);
    key = vod_opt_string(L, t, "secret_key", &keyl);
    tok = vod_opt_string(L, t, "token", &tokl);
    if (t != 0 && read_credentials_option(L, t, k, id || key || tok)) {
        if (k->kind == VOD_CRED_FUNCTION)
            return;
    } else if (id != NULL || key != NULL) {
        if (id == NULL || key == NULL)
            vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "options give %s without %s: pass both",
                            id ? "secret_id" : "secret_key", id ? "secret_key" : "secret_id");
        k->secret_id = id;
        k->secret_id_len = idl;
        k->secret_key = key;
        k->secret_key_len = keyl;
        k->token = tok;
        k->token_len = tokl;
        snprintf(k->source, sizeof k->source, "options");
    } else if (tok != NULL) {
        vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "options give token without secret_id and "
                        "secret_key: pass all three");
    } else {
        add_tried(k->tried, sizeof k->tried, "options (no secret_id/secret_key)");
        if (!from_environment(k) && !from_profile(L, t, k)) {
            if (!cvm) {
                vod_creds_push_nothing_found(L, k->tried, "CVM role (disabled by cvm_role = false)");
                lua_error(L);
            }
            k->kind = VOD_CRED_CVM;
            snprintf(k->source, sizeof k->source, "CVM role %s", k->role[0] ? k->role : "(not fetched yet)");
            return;
        }
    }
    if (vod_creds_unusable(k->secret_id, k->secret_id_len, k->secret_key, k->secret_key_len, k->token,
                 k->token_len, k->source, why, sizeof why))
        vod_error_raise(L, VOD_E_CREDENTIALS, NULL, "%s", why);
    if (k->token != NULL && k->token_len == 0)
        k->token = NULL;
}

/* ---- the chain's messages (cred_read.h) ----------------------------------- */

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
