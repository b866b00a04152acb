#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_type.h"
#include "args.h"
#include "compat.h"
#include "cred_types.h"
#include "defaults.h"
#include "errors.h"
#include "suggest.h"

/* ---- readers of an options table (options.h) ------------------------------ */

int vod_opt_error(lua_State *L, const char *name, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "option '%s' %s", name, msg);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "option");
    return lua_error(L);
}

void vod_opt_unknown(lua_State *L, const char *fname, const char *key, size_t klen,
                     const char *const *known, size_t n)
{
    char msg[700];
    const char *hint = vod_suggest(key, klen, known, n);
    size_t k = (size_t)snprintf(msg, sizeof msg, "unknown %s%soption '%.60s'", fname ? fname : "",
                                fname ? " " : "", key);
    if (hint != NULL) {
        snprintf(msg + k, sizeof msg - k, " (did you mean '%s'?)", hint);
    } else {
        k += (size_t)snprintf(msg + k, sizeof msg - k, " (known: ");
        for (size_t i = 0; i < n && k < sizeof msg - 4; i++)
            k += (size_t)snprintf(msg + k, sizeof msg - k, "%s%s", i ? ", " : "", known[i]);
        if (k < sizeof msg - 2)
            snprintf(msg + k, sizeof msg - k, ")");
    }
    vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "%s", msg);
    lua_pushlstring(L, key, klen);
    lua_setfield(L, -2, "option");
    lua_error(L);
}

/* private.unknown_option(fname, key, known) raises as vod_opt_unknown does
 * (for the Lua parts: consume_events). */
int vod_l_unknown_option(lua_State *L)
{
    const char *names[64];
    size_t n = 0, klen;
    const char *fname = luaL_checkstring(L, 1);
    const char *key = luaL_checklstring(L, 2, &klen);
    luaL_checktype(L, 3, LUA_TTABLE);
    while (n < 64) {
        lua_rawgeti(L, 3, (int)n + 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 1);
            break;
        }
        names[n++] = lua_tostring(L, -1);   /* held by the table */
        lua_pop(L, 1);
    }
    vod_opt_unknown(L, fname, key, klen, names, n);
    return 0;
}

/* Header values must not be able to start a new header line. */
int vod_opt_printable(const char *s, size_t n, int allow_space)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || (c == ' ' && !allow_space))
            return 0;
    }
    return 1;
}

/* Raw reads only: a value the table holds stays alive while we keep pointers
 * into it, whereas one made by an __index function would not. */
void vod_opt_raw(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    lua_rawget(L, t);
}

const char *vod_opt_string(lua_State *L, int t, const char *name, size_t *len)
{
    const char *s;
    if (t == 0)
        return NULL;
    vod_opt_raw(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (lua_type(L, -1) != LUA_TSTRING)
        vod_opt_error(L, name, "must be a string, got %s", luaL_typename(L, -1));
    s = lua_tolstring(L, -1, len);
    lua_pop(L, 1);      /* still referenced by the options table */
    return s;
}

/* ---- vod.new's options ------------------------------------------------------ */

static const char *const NAMES[] = {
    "secret_id", "secret_key", "token", "region", "endpoint", "scheme", "ca_file",
    "timeout", "connect_timeout", "language", "max_response_size", "retries", "rate_limit",
    "debug", "site", "proxy", "auto_session_id",
    "credentials", "credentials_file", "profile", "cvm_role", "metadata_url", "metadata_timeout",
};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static double get_seconds(lua_State *L, int t, const char *name, double def)
{
    double v;
    vod_opt_raw(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    if (lua_type(L, -1) != LUA_TNUMBER)
        vod_opt_error(L, name, "must be a number of seconds, got %s", luaL_typename(L, -1));
    v = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!(v > 0 && v <= 86400))
        vod_opt_error(L, name, "must be more than 0 and at most 86400 seconds%s", "");
    return v;
}

/* A number field of a sub-table option, e.g. retries.base_delay. */
static double sub_number(lua_State *L, int t, const char *opt, const char *name, double def,
                         double min, double max)
{
    double v;
    vod_opt_raw(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1e300;
    lua_pop(L, 1);
    if (!(v >= min && v <= max)) {
        char why[160];
        snprintf(why, sizeof why, "field '%s' must be a number from %g to %g", name, min, max);
        vod_opt_error(L, opt, "%s", why);
    }
    return v;
}

static void only_fields(lua_State *L, int t, const char *opt, const char *const *names, size_t n)
{
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        size_t i, len;
        const char *k;
        lua_pop(L, 1);
        k = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        for (i = 0; k != NULL && i < n; i++)
            if (strcmp(k, names[i]) == 0)
                break;
        if (k == NULL || i == n) {
            char why[200];
            const char *hint = k ? vod_suggest(k, len, names, n) : NULL;
            snprintf(why, sizeof why, "has an unknown field '%.40s'%s%s%s", k ? k : "?",
                     hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
            vod_opt_error(L, opt, "%s", why);
        }
    }
}

/* retries = false | true | { max, base_delay, max_delay, deadline } */
static void read_retries(lua_State *L, int t, vod_options *o)
{
    static const char *const f[] = { "max", "base_delay", "max_delay", "deadline" };
    int rt;
    o->retry.enabled = 1;
    o->retry.max = VOD_DEFAULT_RETRY_MAX;
    o->retry.base_delay = VOD_DEFAULT_RETRY_BASE_DELAY;
    o->retry.max_delay = VOD_DEFAULT_RETRY_MAX_DELAY;
    o->retry.deadline = VOD_DEFAULT_RETRY_DEADLINE;
    if (t == 0)
        return;
    vod_opt_raw(L, t, "retries");
    rt = lua_gettop(L);
    if (lua_type(L, rt) == LUA_TBOOLEAN) {
        o->retry.enabled = lua_toboolean(L, rt);
    } else if (lua_type(L, rt) == LUA_TTABLE) {
        only_fields(L, rt, "retries", f, 4);
        o->retry.max = (int)sub_number(L, rt, "retries", "max", o->retry.max, 0, 10);
        o->retry.base_delay = sub_number(L, rt, "retries", "base_delay", o->retry.base_delay, 0.001, 60);
        o->retry.max_delay = sub_number(L, rt, "retries", "max_delay", o->retry.max_delay, 0.001, 300);
        o->retry.deadline = sub_number(L, rt, "retries", "deadline", o->retry.deadline, 0.001, 86400);
        vod_opt_raw(L, rt, "max");
        if (!lua_isnil(L, -1)) {
            long long m;
            if (!vod_tointegral(L, -1, &m))
                vod_opt_error(L, "retries", "field 'max' must be an integer%s", "");
        }
        lua_pop(L, 1);
    } else if (!lua_isnil(L, rt)) {
        vod_opt_error(L, "retries", "must be false, true or a table "
                   "{ max, base_delay, max_delay, deadline }, got %s", luaL_typename(L, rt));
    }
    lua_pop(L, 1);
}

/* rate_limit = false | requests per second | { rate, burst, adaptive, shared_dict } */
static void read_rate_limit(lua_State *L, int t, vod_options *o)
{
    static const char *const f[] = { "rate", "burst", "adaptive", "shared_dict" };
    int rt;
    o->rate = VOD_DEFAULT_RATE;
    o->burst = VOD_DEFAULT_BURST;
    o->adaptive = VOD_DEFAULT_ADAPTIVE;
    if (t == 0)
        return;
    vod_opt_raw(L, t, "rate_limit");
    rt = lua_gettop(L);
    if (lua_type(L, rt) == LUA_TBOOLEAN) {
        if (lua_toboolean(L, rt))
            vod_opt_error(L, "rate_limit", "must be false, a number of requests per second or a "
                       "table { rate, burst, adaptive, shared_dict }, got true%s", "");
        o->rate = 0;
    } else if (lua_type(L, rt) == LUA_TNUMBER) {
        o->rate = (double)lua_tonumber(L, rt);
        if (!(o->rate > 0 && o->rate <= 100000))
            vod_opt_error(L, "rate_limit", "must be more than 0 and at most 100000 requests per "
                       "second%s", "");
    } else if (lua_type(L, rt) == LUA_TTABLE) {
        size_t len;
        only_fields(L, rt, "rate_limit", f, 4);
        o->rate = sub_number(L, rt, "rate_limit", "rate", VOD_DEFAULT_RATE, 0.001, 100000);
        o->burst = sub_number(L, rt, "rate_limit", "burst", VOD_DEFAULT_BURST, 1, 100000);
        vod_opt_raw(L, rt, "adaptive");
        if (lua_type(L, -1) == LUA_TBOOLEAN)
            o->adaptive = lua_toboolean(L, -1);
        else if (!lua_isnil(L, -1))
            vod_opt_error(L, "rate_limit", "field 'adaptive' must be true or false, got %s",
                          luaL_typename(L, -1));
        lua_pop(L, 1);
        vod_opt_raw(L, rt, "shared_dict");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                vod_opt_error(L, "rate_limit", "field 'shared_dict' must be the name of a "
                           "lua_shared_dict%s", "");
            o->rate_dict = lua_tolstring(L, -1, &len);
            if (len == 0 || len > 64)
                vod_opt_error(L, "rate_limit", "field 'shared_dict' must be 1 to 64 characters%s", "");
        }
        lua_pop(L, 1);
    } else if (!lua_isnil(L, rt)) {
        vod_opt_error(L, "rate_limit", "must be false, a number of requests per second or a table "
                   "{ rate, burst, adaptive, shared_dict }, got %s", luaL_typename(L, rt));
    }
    lua_pop(L, 1);
}

static void check_names(lua_State *L, int t)
{
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        size_t len, i;
        const char *k;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            vod_error_raise(L, VOD_E_INVALID_OPTION, NULL,
                            "option names must be strings, got a %s key", luaL_typename(L, -1));
        k = lua_tolstring(L, -1, &len);
        for (i = 0; i < NNAMES; i++)
            if (strlen(NAMES[i]) == len && memcmp(NAMES[i], k, len) == 0)
                break;
        if (i < NNAMES)
            continue;
        vod_opt_unknown(L, NULL, k, len, NAMES, NNAMES);
    }
}

static void check_endpoint(lua_State *L, const char *ep, size_t len)
{
    const char *colon, *host_end;
    if (len == 0 || len > 260)
        vod_opt_error(L, "endpoint", "must be a host or host:port of 1 to 260 characters%s", "");
    if (strstr(ep, "://") != NULL)
        vod_opt_error(L, "endpoint", "must be a host or host:port without a scheme "
                   "(use the 'scheme' option for http), got '%.80s'", ep);
    if (ep[0] == '[') {                 /* [v6]:port */
        host_end = memchr(ep, ']', len);
        if (host_end == NULL)
            vod_opt_error(L, "endpoint", "has an unclosed '[' in '%.80s'", ep);
        host_end++;
    } else {
        colon = memchr(ep, ':', len);
        host_end = colon ? colon : ep + len;
    }
    for (const char *p = ep; p < host_end; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || (ep[0] == '[' && (c == ':' || c == '[' || c == ']'));
        if (!ok)
            vod_opt_error(L, "endpoint", "may contain only letters, digits, '.', '-' and a :port, "
                       "got '%.80s'", vod_opt_printable(ep, len, 1) ? ep : "(control characters)");
    }
    if (host_end == ep || (ep[0] == '[' && host_end - ep <= 2))
        vod_opt_error(L, "endpoint", "has an empty host name%s", "");
    if (host_end < ep + len) {
        char *end;
        long port;
        if (*host_end != ':' || host_end[1] < '0' || host_end[1] > '9')
            vod_opt_error(L, "endpoint", "must be host or host:port, got '%.80s'",
                       vod_opt_printable(ep, len, 1) ? ep : "(control characters)");
        errno = 0;
        port = strtol(host_end + 1, &end, 10);
        if (errno != 0 || *end != '\0' || end != ep + len || port < 1 || port > 65535)
            vod_opt_error(L, "endpoint", "has a port outside 1..65535 in '%.80s'",
                       vod_opt_printable(ep, len, 1) ? ep : "(control characters)");
    }
}

static const char *env_get(const char *name)
{
    return getenv(name);
}

/* proxy = "scheme://[user:password@]host[:port]" | false | nil (the
 * environment, unless NO_PROXY exempts the endpoint). Read last, once the
 * endpoint is known; no message ever quotes the user info. */
static void read_proxy(lua_State *L, int t, vod_options *o)
{
    char why[200];
    const char *host = o->endpoint, *after, *var, *bypass, *v;
    char hbuf[264];
    int https = strcmp(o->scheme, "https") == 0, port;
    size_t hl;
    if (t) {
        vod_opt_raw(L, t, "proxy");
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t len;
            const char *s = lua_tolstring(L, -1, &len);
            if (vod_proxy_parse(s, len, 0, &o->proxy, why, sizeof why) != 0) {
                vod_proxy_wipe(&o->proxy);
                vod_opt_error(L, "proxy", "%s", why);
            }
            snprintf(o->proxy.source, sizeof o->proxy.source, "option");
            lua_pop(L, 1);
            return;
        }
        if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
            lua_pop(L, 1);
            return;                     /* false: no proxy, whatever the environment says */
        }
        if (!lua_isnil(L, -1))
            vod_opt_error(L, "proxy", "must be a URL string scheme://[user:password@]host[:port] "
                       "or false, got %s", lua_type(L, -1) == LUA_TBOOLEAN ? "true"
                       : luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    hl = host[0] == '[' ? (size_t)(strchr(host, ']') - host) + 1 : strcspn(host, ":");
    after = host + hl;
    port = *after == ':' ? atoi(after + 1) : (https ? 443 : 80);
    snprintf(hbuf, sizeof hbuf, "%.*s", (int)hl, host);
    v = vod_proxy_from_env(env_get, https, hbuf, port, &var, &bypass);
    if (v == NULL)
        return;
    if (vod_proxy_parse(v, strlen(v), 1, &o->proxy, why, sizeof why) != 0) {
        vod_proxy_wipe(&o->proxy);
        vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "environment variable %s %s (pass "
                       "proxy = false to ignore it)", var, why);
        lua_pushliteral(L, "proxy");
        lua_setfield(L, -2, "option");
        lua_error(L);
    }
    snprintf(o->proxy.source, sizeof o->proxy.source, "%s", var);
}

void vod_options_read(lua_State *L, int idx, vod_options *o)
{
    int t = 0;
    size_t len;
    memset(o, 0, sizeof *o);
    if (!lua_isnoneornil(L, idx)) {
        vod_arg_check_type(L, idx, LUA_TTABLE);
        t = vod_absindex(L, idx);
        check_names(L, t);
    }
    o->endpoint = VOD_DEFAULT_ENDPOINT;
    o->scheme = VOD_DEFAULT_SCHEME;
    o->timeout = VOD_DEFAULT_TIMEOUT;
    o->connect_timeout = VOD_DEFAULT_CONNECT_TIMEOUT;
    o->max_response_size = VOD_DEFAULT_MAX_RESPONSE_SIZE;
    if (t) {
        const char *s;
        if ((s = vod_opt_string(L, t, "site", &len)) != NULL) {
            if (strcmp(s, "china") == 0 && len == 5)
                o->endpoint = VOD_CHINA_ENDPOINT;
            else if (strcmp(s, "intl") != 0 || len != 4)
                vod_opt_error(L, "site", "must be \"intl\" (vod.intl.tencentcloudapi.com) or "
                           "\"china\" (vod.tencentcloudapi.com)%s", "");
        }
        if ((s = vod_opt_string(L, t, "endpoint", &len)) != NULL) {   /* overrides site */
            check_endpoint(L, s, len);
            o->endpoint = s;
        }
        if ((s = vod_opt_string(L, t, "scheme", &len)) != NULL) {
            if (strcmp(s, "https") != 0 && strcmp(s, "http") != 0)
                vod_opt_error(L, "scheme", "must be \"https\" or \"http\", got '%.20s'",
                           vod_opt_printable(s, len, 1) ? s : "?");
            o->scheme = s;
        }
        if ((s = vod_opt_string(L, t, "region", &len)) != NULL) {
            for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                    vod_opt_error(L, "region", "may contain only a-z, 0-9 and '-' (e.g. "
                               "\"ap-guangzhou\")%s", "");
            if (len == 0 || len > 64)
                vod_opt_error(L, "region", "must be 1 to 64 characters%s", "");
            o->region = s;
        }
        if ((s = vod_opt_string(L, t, "language", &len)) != NULL) {
            if (strcmp(s, "zh-CN") != 0 || len != 5) {
                if (strcmp(s, "en-US") != 0 || len != 5)
                    vod_opt_error(L, "language", "must be \"zh-CN\" or \"en-US\"%s", "");
            }
            o->language = s;
        }
        if ((s = vod_opt_string(L, t, "ca_file", &len)) != NULL) {
            FILE *f;
            if (len == 0 || memchr(s, '\0', len) != NULL)
                vod_opt_error(L, "ca_file", "must be a file name%s", "");
            f = fopen(s, "rb");
            if (f == NULL) {
                char why[300];
                snprintf(why, sizeof why, "cannot be read: %s", strerror(errno));
                vod_opt_error(L, "ca_file", "%s", why);
            }
            fclose(f);
            o->ca_file = s;
        }
        o->timeout = get_seconds(L, t, "timeout", o->timeout);
        o->connect_timeout = get_seconds(L, t, "connect_timeout", o->connect_timeout);
        vod_opt_raw(L, t, "max_response_size");
        if (!lua_isnil(L, -1)) {
            long long v = 0;
            if (lua_type(L, -1) != LUA_TNUMBER || !vod_tointegral(L, -1, &v) ||
                v < 1024 || v > 1024LL * 1024 * 1024)
                vod_opt_error(L, "max_response_size", "must be an integer from 1024 to 2^30 bytes%s", "");
            o->max_response_size = (size_t)v;
        }
        lua_pop(L, 1);
    }
    read_retries(L, t, o);
    read_rate_limit(L, t, o);
    o->auto_session_id = VOD_DEFAULT_AUTO_SESSION_ID;
    if (t) {
        vod_opt_raw(L, t, "auto_session_id");
        if (lua_type(L, -1) == LUA_TBOOLEAN)
            o->auto_session_id = lua_toboolean(L, -1);
        else if (!lua_isnil(L, -1))
            vod_opt_error(L, "auto_session_id", "must be true or false, got %s", luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    if (t) {
        vod_opt_raw(L, t, "debug");
        if (lua_type(L, -1) == LUA_TFUNCTION)
            o->debug = 2;
        else if (lua_type(L, -1) == LUA_TBOOLEAN)
            o->debug = lua_toboolean(L, -1);
        else if (!lua_isnil(L, -1))
            vod_opt_error(L, "debug", "must be true, false or a function receiving each line, got %s",
                       luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    if (o->region == NULL) {
        const char *r = getenv("TENCENTCLOUD_REGION");
        if (r != NULL && *r != '\0') {
            for (const char *p = r; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                    vod_error_raise(L, VOD_E_INVALID_OPTION, NULL, "TENCENTCLOUD_REGION may "
                                    "contain only a-z, 0-9 and '-'");
            o->region = r;
        }
    }
}

void vod_options_read_proxy(lua_State *L, int idx, vod_options *o)
{
    read_proxy(L, lua_isnoneornil(L, idx) ? 0 : vod_absindex(L, idx), o);
}

/* ---- vod.defaults() ----------------------------------------------------------- */

/* A whole number as an integer (30, not 30.0, on Lua 5.4). */
static void set_number(lua_State *L, const char *name, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        vod_pushint(L, (long long)v);
    else
        lua_pushnumber(L, (lua_Number)v);
    lua_setfield(L, -2, name);
}

static void set_integer(lua_State *L, const char *name, long long v)
{
    vod_pushint(L, v);
    lua_setfield(L, -2, name);
}

static void set_string(lua_State *L, const char *name, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, name);
}

static void set_boolean(lua_State *L, const char *name, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, name);
}

void vod_options_push_defaults(lua_State *L)
{
    lua_createtable(L, 0, 18);
    set_string(L, "site", VOD_DEFAULT_SITE);
    set_string(L, "endpoint", VOD_DEFAULT_ENDPOINT);
    set_string(L, "scheme", VOD_DEFAULT_SCHEME);
    set_number(L, "timeout", VOD_DEFAULT_TIMEOUT);
    set_number(L, "connect_timeout", VOD_DEFAULT_CONNECT_TIMEOUT);
    set_integer(L, "max_response_size", VOD_DEFAULT_MAX_RESPONSE_SIZE);
    lua_createtable(L, 0, 4);
    set_integer(L, "max", VOD_DEFAULT_RETRY_MAX);
    set_number(L, "base_delay", VOD_DEFAULT_RETRY_BASE_DELAY);
    set_number(L, "max_delay", VOD_DEFAULT_RETRY_MAX_DELAY);
    set_number(L, "deadline", VOD_DEFAULT_RETRY_DEADLINE);
    lua_setfield(L, -2, "retries");
    lua_createtable(L, 0, 3);
    set_number(L, "rate", VOD_DEFAULT_RATE);
    set_number(L, "burst", VOD_DEFAULT_BURST);
    set_boolean(L, "adaptive", VOD_DEFAULT_ADAPTIVE);
    lua_setfield(L, -2, "rate_limit");
    set_boolean(L, "auto_session_id", VOD_DEFAULT_AUTO_SESSION_ID);
    set_boolean(L, "debug", 0);
    set_string(L, "profile", VOD_DEFAULT_PROFILE);
    set_boolean(L, "cvm_role", 1);
    set_string(L, "metadata_url", VOD_METADATA_URL);
    set_number(L, "metadata_timeout", VOD_DEFAULT_METADATA_TIMEOUT);
    lua_createtable(L, 0, 2);
    set_number(L, "interval", VOD_DEFAULT_WAIT_INTERVAL);
    set_number(L, "timeout", VOD_DEFAULT_WAIT_TIMEOUT);
    lua_setfield(L, -2, "wait_task");
}
