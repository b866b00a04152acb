/* The lazy, refreshed credentials of a credentials function or of the CVM
 * role (see cred_refresh.h; what vod.new reads is in cred_read.c). No secret is
 * ever formatted into a message or a debug line. */
#include "cred_refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_type.h"
#include "args.h"
#include "compat.h"
#include "cred_read.h"
#include "errors.h"
#include "json_decode.h"
#include "options.h"
#include "request.h"
#include "suggest.h"

/* ---- installing fetched credentials ------------------------------------ */

static void set_hint(vod_client *c, const char *id, size_t idl)
{
    snprintf(c->id_hint, sizeof c->id_hint, "%.4s...%s", id, idl > 8 ? id + idl - 4 : "");
}

/* 0, or -1 when out of memory (the client then holds no credentials). */
static int install(vod_client *c, const char *id, size_t idl, const char *key, size_t keyl,
                   const char *tok, size_t tokl, long long expires_at, long long now)
{
    vod_buf line = { NULL, 0, 0 };
    c->cred.have = 0;
    tc3_signer_free(&c->signer);        /* wipes the old key and its derived keys */
    if (tc3_signer_init(&c->signer, id, idl, key, keyl, VOD_SERVICE) != 0)
        return -1;
    if (vod_buf_addstr(&line, tokl ? "X-TC-Token: " : "X-TC-Token:") != 0 ||
        vod_buf_add(&line, tok, tokl) != 0 || vod_buf_addc(&line, '\0') != 0) {
        vod_buf_free(&line, 1);
        tc3_signer_free(&c->signer);
        return -1;
    }
    vod_buf_free(&c->cred.token_line, 1);
    c->cred.token_line = line;
    c->lines[c->cred.token_slot] = line.data;
    set_hint(c, id, idl);
    c->cred.have = c->cred.ever = 1;
    c->cred.expires_at = expires_at;
    if (expires_at == 0) {
        c->cred.refresh_at = VOD_CREDS_NEVER - 1;   /* never again, yet not "static" */
    } else {
        long long margin = (expires_at - now) / 2;
        if (margin > VOD_CREDS_MAX_MARGIN)
            margin = VOD_CREDS_MAX_MARGIN;
        c->cred.refresh_at = expires_at - margin;
    }
    return 0;
}

static int usable(const vod_client *c, long long now)
{
    return c->cred.have && (c->cred.expires_at == 0 || now < c->cred.expires_at);
}

static const char *kind_name(const vod_client *c)
{
    return c->cred.kind == VOD_CRED_FUNCTION ? "credentials function" : "CVM role";
}

/* A refresh failed: keep the current credentials while they last (trying
 * again after a pause), else raise ClientError.Credentials. */
static void refresh_failed(lua_State *L, vod_client *c, const char *why)
{
    long long now = (long long)time(NULL);
    char last[700];
    if (usable(c, now)) {
        long long next = now + VOD_CREDS_BACKOFF;
        c->cred.refresh_at = next < c->cred.expires_at ? next : c->cred.expires_at;
        vod_debug(L, c, "refreshing the credentials from the %s failed (%s); the current ones "
                  "stay in use for %llds", kind_name(c), why, c->cred.expires_at - now);
        return;
    }
    c->cred.refresh_at = 0;             /* the next call tries again */
    if (c->cred.kind == VOD_CRED_CVM) {
        snprintf(last, sizeof last, "CVM role (%s)", why);
        if (!c->cred.ever) {
            vod_creds_push_nothing_found(L, c->cred.tried, last);
        } else {
            vod_error_push(L, VOD_E_CREDENTIALS, NULL, "the credentials of the CVM role have "
                           "expired and could not be refreshed: %s", why);
            vod_creds_set_sources(L, "", last);
        }
    } else {
        vod_error_push(L, VOD_E_CREDENTIALS, NULL, "%s%s", c->cred.ever ? "the credentials have "
                       "expired and the credentials function failed: " : "credentials function: ",
                       why);
        vod_creds_set_sources(L, "", "credentials function");
    }
    vod_pushint(L, 0);
    lua_setfield(L, -2, "attempts");    /* nothing was sent */
    lua_error(L);
}

/* Installs, or reports as refresh_failed does. */
static void take(lua_State *L, vod_client *c, const char *id, size_t idl, const char *key,
                 size_t keyl, const char *tok, size_t tokl, long long expires_at)
{
    char why[300];
    long long now = (long long)time(NULL);
    if (vod_creds_unusable(id, idl, key, keyl, tok, tokl, kind_name(c), why, sizeof why))
        refresh_failed(L, c, why);
    else if (expires_at != 0 && expires_at <= now)
        refresh_failed(L, c, "the credentials it gave have already expired");
    else if (install(c, id, idl, key, keyl, tok, tokl, expires_at, now) != 0) {
        c->cred.refresh_at = 0;         /* none held now: the next call fetches again */
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory installing credentials");
    }
    else
        vod_debug(L, c, "new credentials from the %s%s", c->cred.source,
                  expires_at ? ", refreshed ahead of their expiry" : "");
}

/* ---- a credentials function -------------------------------------------- */

/* With the results of pcall(fn) at ok, ok + 1, ok + 2. */
static void function_result(lua_State *L, vod_client *c, int ok)
{
    static const char *const f[] = { "secret_id", "secret_key", "token", "expires_at" };
    const char *s[3] = { NULL, NULL, NULL };
    size_t len[3] = { 0, 0, 0 };
    long long expires_at = 0;
    char why[400];
    int r = ok + 1;
    if (!lua_toboolean(L, ok)) {
        const char *msg = lua_tostring(L, r);
        if (msg == NULL && vod_error_is(L, r)) {
            lua_getfield(L, r, "message");
            msg = lua_tostring(L, -1);
        }
        snprintf(why, sizeof why, "it raised an error: %.300s", msg ? msg : luaL_typename(L, r));
        refresh_failed(L, c, why);
        return;
    }
    if (lua_isnil(L, r)) {
        if (lua_type(L, r + 1) == LUA_TSTRING)
            snprintf(why, sizeof why, "%.380s", lua_tostring(L, r + 1));
        else
            snprintf(why, sizeof why, "it returned nil without a message");
        refresh_failed(L, c, why);
        return;
    }
    if (lua_type(L, r) != LUA_TTABLE) {
        snprintf(why, sizeof why, "it must return a table { secret_id, secret_key, token, "
                 "expires_at } or nil and a message, got %s", luaL_typename(L, r));
        refresh_failed(L, c, why);
        return;
    }
    lua_pushnil(L);
    while (lua_next(L, r) != 0) {
        size_t i, klen;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
        for (i = 0; k != NULL && i < 4; i++)
            if (strcmp(k, f[i]) == 0)
                break;
        if (k == NULL || i == 4) {
            const char *hint = k ? vod_suggest(k, klen, f, 4) : NULL;
            snprintf(why, sizeof why, "the table it returned has an unknown field '%.40s'%s%s%s",
                     k ? k : "?", hint ? " (did you mean '" : "", hint ? hint : "",
                     hint ? "'?)" : "");
            lua_pop(L, 2);
            refresh_failed(L, c, why);
            return;
        }
        if (i == 3) {
            if (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &expires_at) ||
                expires_at <= 0) {
                snprintf(why, sizeof why, "expires_at must be an integer of UNIX seconds, got %s",
                         luaL_typename(L, -1));
                lua_pop(L, 2);
                refresh_failed(L, c, why);
                return;
            }
        } else if (lua_type(L, -1) != LUA_TSTRING) {
            snprintf(why, sizeof why, "field '%s' must be a string, got %s", f[i],
                     luaL_typename(L, -1));
            lua_pop(L, 2);
            refresh_failed(L, c, why);
            return;
        } else {
            s[i] = lua_tolstring(L, -1, &len[i]);      /* held by the returned table */
        }
        lua_pop(L, 1);
    }
    if (s[0] == NULL || s[1] == NULL) {
        snprintf(why, sizeof why, "the table it returned needs both secret_id and secret_key");
        refresh_failed(L, c, why);
        return;
    }
    take(L, c, s[0], len[0], s[1], len[1], len[2] ? s[2] : NULL, len[2], expires_at);
}

/* ---- the CVM role --------------------------------------------------------- */

static void meta_url(const vod_client *c, char *out, size_t n)
{
    snprintf(out, n, "%scam/security-credentials/%s", c->cred.metadata_url, c->cred.role);
}

static const char *str_field(lua_State *L, int t, const char *name, size_t *len)
{
    lua_getfield(L, t, name);
    if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        return NULL;
    }
    {
        const char *s = lua_tolstring(L, -1, len);
        lua_pop(L, 1);                  /* held by the table */
        return s;
    }
}

/* A metadata response (or neterr). Returns 1 when another request is
 * needed (the role was just discovered), 0 when done; raises when there are
 * no usable credentials. */
static int metadata_result(lua_State *L, vod_client *c, long status, const char *body,
                           size_t len, const char *neterr)
{
    char url[760], why[900];
    int base = lua_gettop(L);
    meta_url(c, url, sizeof url);
    if (neterr != NULL || status != 200) {
        if (neterr != NULL)
            snprintf(why, sizeof why, "%s: %s", url, neterr);
        else if (status == 404 && c->cred.role[0] == '\0')
            snprintf(why, sizeof why, "%s: HTTP 404: no role is attached to this instance", url);
        else
            snprintf(why, sizeof why, "%s: HTTP %ld", url, status);
        if (!c->cred.role_given && status == 404)
            c->cred.role[0] = '\0';     /* the role may have changed: discover it again */
        refresh_failed(L, c, why);
        return 0;
    }
    if (c->cred.role[0] == '\0') {      /* the role list: its first line */
        size_t n = 0;
        while (n < len && body[n] != '\n' && body[n] != '\r')
            n++;
        while (n > 0 && (body[n - 1] == ' ' || body[n - 1] == '\t'))
            n--;
        if (n == 0 || n > 128 || !vod_opt_printable(body, n, 0) || memchr(body, '/', n) ||
            memchr(body, '?', n) || memchr(body, '#', n) || memchr(body, '%', n)) {
            snprintf(why, sizeof why, "%s: %s", url, n == 0 ? "no role is attached to this "
                     "instance" : "the role name is not 1 to 128 printable characters");
            refresh_failed(L, c, why);
            return 0;
        }
        memcpy(c->cred.role, body, n);
        c->cred.role[n] = '\0';
        snprintf(c->cred.source, sizeof c->cred.source, "CVM role %s", c->cred.role);
        return 1;
    }
    {
        const char *code, *id, *key, *tok;
        size_t idl = 0, keyl = 0, tokl = 0;
        long long exp = 0;
        char err[128];
        int t;
        if (!vod_json_decode(L, body, len, err, sizeof err) || lua_type(L, -1) != LUA_TTABLE) {
            lua_settop(L, base);
            snprintf(why, sizeof why, "%s: the response is not a JSON object", url);
            refresh_failed(L, c, why);
            return 0;
        }
        t = lua_gettop(L);
        code = str_field(L, t, "Code", &idl);
        if (code == NULL || strcmp(code, "Success") != 0) {
            snprintf(why, sizeof why, "%s: Code is %s%.60s%s, not \"Success\"", url,
                     code ? "\"" : "", code ? (vod_opt_printable(code, strlen(code), 0) ? code : "?") :
                     "missing", code ? "\"" : "");
            lua_settop(L, base);
            refresh_failed(L, c, why);
            return 0;
        }
        id = str_field(L, t, "TmpSecretId", &idl);
        key = str_field(L, t, "TmpSecretKey", &keyl);
        tok = str_field(L, t, "Token", &tokl);
        lua_getfield(L, t, "ExpiredTime");
        if (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &exp) || exp <= 0)
            exp = -1;
        lua_pop(L, 1);
        if (id == NULL || key == NULL || tok == NULL || exp < 0) {
            snprintf(why, sizeof why, "%s: the response lacks %s", url,
                     id == NULL ? "TmpSecretId" : key == NULL ? "TmpSecretKey" :
                     tok == NULL ? "Token" : "an integer ExpiredTime");
            lua_settop(L, base);
            refresh_failed(L, c, why);
            return 0;
        }
        take(L, c, id, idl, key, keyl, tok, tokl, exp);
        lua_settop(L, base);
        return 0;
    }
}

/* ---- the engine's side (src/binding/call/engine.c) ------------------------- */

int vod_creds_due(const vod_client *c, int force)
{
    if (c->cred.refresh_at == VOD_CREDS_NEVER)
        return 0;
    return force || (long long)time(NULL) >= c->cred.refresh_at;
}

int vod_creds_usable(const vod_client *c)
{
    return c->cred.refresh_at == VOD_CREDS_NEVER || usable(c, (long long)time(NULL));
}

void vod_creds_fetch_begin(vod_client *c, double now, double budget)
{
    c->cred.fetching = 1;
    c->cred.fetching_until = now + budget;
    c->cred.fetch_gen++;
}

static void fetch_end(vod_client *c)
{
    c->cred.fetching = 0;
}

/* Runs fn protected: a failure (an error object raised by refresh_failed, or
 * running out of memory) ends the fetch, is kept for the calls that waited
 * for it (they raise the same object), and is raised again. */
static int protect(lua_State *L, vod_client *c, lua_CFunction fn, int nargs)
{
    int ok;
    lua_pushcfunction(L, fn);
    lua_insert(L, -nargs - 1);
    ok = lua_pcall(L, nargs, 1, 0) == 0;
    if (ok) {
        int more = lua_toboolean(L, -1);
        lua_pop(L, 1);
        return more;
    }
    fetch_end(c);
    if (c->cred.fail_ref != LUA_NOREF && c->cred.fail_ref != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, c->cred.fail_ref);
    lua_pushvalue(L, -1);
    c->cred.fail_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    c->cred.fail_gen = c->cred.fetch_gen;
    return lua_error(L);
}

/* (client, ok, r1, r2) */
static int function_result_p(lua_State *L)
{
    vod_client *c = lua_touserdata(L, 1);
    function_result(L, c, 2);
    if (!usable(c, (long long)time(NULL)))
        vod_creds_require(L, c, NULL);
    lua_pushboolean(L, 0);
    return 1;
}

void vod_creds_from_function(lua_State *L, vod_client *c, int base)
{
    lua_pushlightuserdata(L, c);
    lua_pushvalue(L, base);
    lua_pushvalue(L, base + 1);
    lua_pushvalue(L, base + 2);
    protect(L, c, function_result_p, 4);
    fetch_end(c);
}

/* (client, status, body, neterr or nil) */
static int metadata_result_p(lua_State *L)
{
    vod_client *c = lua_touserdata(L, 1);
    size_t len = 0;
    const char *body = lua_tolstring(L, 3, &len);
    int more = metadata_result(L, c, (long)lua_tonumber(L, 2), body ? body : "", len,
                               lua_tostring(L, 4));
    if (!more && !usable(c, (long long)time(NULL)))
        vod_creds_require(L, c, NULL);
    lua_pushboolean(L, more);
    return 1;
}

int vod_creds_from_metadata(lua_State *L, vod_client *c, long status, const char *body,
                            size_t len, const char *neterr)
{
    int more;
    lua_pushlightuserdata(L, c);
    lua_pushnumber(L, (lua_Number)status);
    lua_pushlstring(L, body, len);
    if (neterr != NULL)
        lua_pushstring(L, neterr);
    else
        lua_pushnil(L);
    more = protect(L, c, metadata_result_p, 4);
    if (!more)
        fetch_end(c);
    return more;
}

int vod_creds_shared_failure(lua_State *L, const vod_client *c, unsigned gen)
{
    if (c->cred.fail_gen != gen || c->cred.fail_ref == LUA_NOREF || c->cred.fail_ref == 0)
        return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->cred.fail_ref);
    return lua_error(L);
}

void vod_creds_metadata_url(const vod_client *c, char *out, size_t n)
{
    meta_url(c, out, n);
}

int vod_creds_metadata_request(const vod_client *c, vod_buf *req)
{
    const char *h = c->cred.metadata_url + 7, *e = strchr(h, '/');
    vod_buf_reset(req);
    return vod_buf_addstr(req, "GET ") || vod_buf_addstr(req, c->cred.meta_path) ||
           vod_buf_addstr(req, "cam/security-credentials/") || vod_buf_addstr(req, c->cred.role) ||
           vod_buf_addstr(req, " HTTP/1.1\r\nHost: ") || vod_buf_add(req, h, (size_t)(e - h)) ||
           vod_buf_addstr(req, "\r\nAccept: */*\r\nConnection: close\r\n\r\n") ? -1 : 0;
}

void vod_creds_require(lua_State *L, vod_client *c, const char *action)
{
    long long now = (long long)time(NULL);
    if (usable(c, now))
        return;
    vod_error_push(L, VOD_E_CREDENTIALS, action, "%s", c->cred.have ?
                   "the credentials have expired; a call refreshes them (or client:refresh_credentials())" :
                   "no credentials yet: the first call fetches them (or client:refresh_credentials())");
    vod_pushint(L, 0);
    lua_setfield(L, -2, "attempts");
    lua_error(L);
}

/* client:credential_status() -> { source, valid, expires_at, refresh_at } (never a secret) */
int vod_m_credential_status(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, c->cred.source);
    lua_setfield(L, -2, "source");
    lua_pushboolean(L, c->cred.refresh_at == VOD_CREDS_NEVER || usable(c, (long long)time(NULL)));
    lua_setfield(L, -2, "valid");
    if (c->cred.expires_at) {
        vod_pushint(L, c->cred.expires_at);
        lua_setfield(L, -2, "expires_at");
    }
    if (c->cred.refresh_at < VOD_CREDS_NEVER - 1) {
        vod_pushint(L, c->cred.refresh_at);
        lua_setfield(L, -2, "refresh_at");
    }
    return 1;
}

/* ---- the client's life ------------------------------------------------------ */

void vod_creds_init(lua_State *L, vod_client *c, const vod_cred_config *k, int opts)
{
    c->cred.func_ref = LUA_NOREF;
    c->cred.fail_ref = LUA_NOREF;
    c->cred.kind = k->kind;
    snprintf(c->cred.source, sizeof c->cred.source, "%s", k->source);
    snprintf(c->cred.tried, sizeof c->cred.tried, "%s", k->tried);
    if (k->kind == VOD_CRED_STATIC) {
        int rc = tc3_signer_init(&c->signer, k->secret_id, k->secret_id_len, k->secret_key,
                                 k->secret_key_len, VOD_SERVICE);
        set_hint(c, k->secret_id, k->secret_id_len);
        if (k->scratch != NULL)
            vod_buf_free(k->scratch, 1);        /* the profile file's text: copied now */
        if (rc != 0)
            vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory setting up the signer");
        c->cred.have = c->cred.ever = 1;
        c->cred.refresh_at = VOD_CREDS_NEVER;
        return;
    }
    if (k->scratch != NULL)
        vod_buf_free(k->scratch, 1);
    snprintf(c->id_hint, sizeof c->id_hint, "pending");
    c->cred.refresh_at = 0;             /* due at the first call */
    if (k->kind == VOD_CRED_FUNCTION) {
        lua_pushliteral(L, "credentials");
        lua_rawget(L, opts);
        c->cred.func_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        return;
    }
    snprintf(c->cred.metadata_url, sizeof c->cred.metadata_url, "%s", k->metadata_url);
    snprintf(c->cred.role, sizeof c->cred.role, "%s", k->role);
    c->cred.role_given = k->role[0] != '\0';
    c->cred.meta_timeout_ms = (long)(k->metadata_timeout * 1000 + 0.5);
    c->cred.meta_connect_ms = c->cred.meta_timeout_ms < 1000 ? c->cred.meta_timeout_ms : 1000;
    snprintf(c->cred.meta_host, sizeof c->cred.meta_host, "%s", k->meta_host);
    snprintf(c->cred.meta_path, sizeof c->cred.meta_path, "%s", k->meta_path);
    c->cred.meta_port = k->meta_port;
}

void vod_creds_free(lua_State *L, vod_client *c)
{
    if (c->cred.func_ref != LUA_NOREF && c->cred.func_ref != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, c->cred.func_ref);
        c->cred.func_ref = LUA_NOREF;
    }
    vod_buf_free(&c->cred.token_line, 1);
    if (c->cred.fail_ref != LUA_NOREF && c->cred.fail_ref != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, c->cred.fail_ref);
        c->cred.fail_ref = LUA_NOREF;
    }
}
