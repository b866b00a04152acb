#include "check.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "json_encode.h"
#include "suggest.h"
#include "utf8.h"

static int bad(vod_check_error *e, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(vod_check_error *e, const char *param, const char *fmt, ...)
{
    va_list ap;
    int n;
    snprintf(e->param, sizeof e->param, "%s", param);
    n = snprintf(e->message, sizeof e->message, "%s ", param);
    if (n < 0 || (size_t)n >= sizeof e->message)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* What a value is, for messages: "string", "1.5", "table", "vod.null", ... */
const char *vod_check_describe(lua_State *L, int idx, char *tmp, size_t n)
{
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
        double d = (double)lua_tonumber(L, idx);
        char dp;
        if (d != d)
            return "NaN";               /* the C library may print "-nan" */
        dp = localeconv()->decimal_point[0];
        snprintf(tmp, n, "%.17g", d);
        for (char *q = tmp; *q && dp != '.'; q++)
            if (*q == dp)
                *q = '.';
        return tmp;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return "vod.null";
        if (lua_touserdata(L, idx) == VOD_JSON_EMPTY_OBJECT)
            return "vod.empty_object";
        /* fall through */
    default:
        return luaL_typename(L, idx);
    }
}

int vod_check_huge(lua_State *L, int idx)
{
    double d;
    if (lua_type(L, idx) != LUA_TNUMBER)
        return 0;
    d = (double)lua_tonumber(L, idx);
    return (d >= 9223372036854775808.0 || d < -9223372036854775808.0) && d - d == 0;
}

static int check_string(lua_State *L, int idx, const vod_param_rule *p, const char *label,
                        vod_check_error *e)
{
    size_t len, chars, off;
    const char *s;
    char tmp[40];
    if (lua_type(L, idx) != LUA_TSTRING)
        return bad(e, label, "must be a string, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
    s = lua_tolstring(L, idx, &len);
    chars = vod_utf8_count(s, len, &off);
    if (chars == (size_t)-1)
        return bad(e, label, "must be valid UTF-8 (bad byte at offset %zu)", off);
    if (memchr(s, '\0', len) != NULL)
        return bad(e, label, "must not contain a NUL byte");
    if (p->nonempty && len == 0)
        return bad(e, label, "must not be empty");
    if (p->max_chars && chars > p->max_chars)
        return bad(e, label, "must be at most %zu characters, got %zu", p->max_chars, chars);
    return 0;
}

static int check_integer(lua_State *L, int idx, const vod_param_rule *p, vod_check_error *e)
{
    long long v;
    char tmp[40];
    if (vod_check_huge(L, idx)) {
        if (p->max == 9007199254740992LL)
            return bad(e, p->name, "must be between %lld and 2^53 (larger integers do not "
                       "survive JSON exactly), got %s", p->min, vod_check_describe(L, idx, tmp, sizeof tmp));
        return bad(e, p->name, "must be between %lld and %lld, got %s", p->min, p->max,
                   vod_check_describe(L, idx, tmp, sizeof tmp));
    }
    if (lua_type(L, idx) != LUA_TNUMBER || !vod_tointegral(L, idx, &v))
        return bad(e, p->name, "must be an integer, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
    if (v < p->min || v > p->max) {
        if (p->max == 9007199254740992LL)
            return bad(e, p->name, "must be between %lld and 2^53 (larger integers do not "
                       "survive JSON exactly), got %lld", p->min, v);
        return bad(e, p->name, "must be between %lld and %lld, got %lld", p->min, p->max, v);
    }
    return 0;
}

static int check_list(lua_State *L, int idx, const vod_param_rule *p, vod_check_error *e)
{
    size_t n, keys = 0;
    char label[96];
    if (lua_type(L, idx) != LUA_TTABLE) {
        char tmp[40];
        return bad(e, p->name, "must be a list of strings, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
    }
    n = vod_rawlen(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        keys++;
    }
    if (keys != n)
        return bad(e, p->name, "must be a list (keys 1..n only), got a table with other keys");
    if (n < p->min_items || n > p->max_items) {
        if (p->min_items == 0)
            return bad(e, p->name, "must have at most %zu item%s, got %zu", p->max_items,
                       p->max_items == 1 ? "" : "s", n);
        return bad(e, p->name, "must have %zu to %zu items, got %zu", p->min_items, p->max_items, n);
    }
    for (size_t i = 1; i <= n; i++) {
        int rc;
        lua_rawgeti(L, idx, (int)i);
        snprintf(label, sizeof label, "%s[%zu]", p->name, i);
        rc = check_string(L, lua_gettop(L), p, label, e);
        lua_pop(L, 1);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static const vod_param_rule *find(const vod_action_rules *r, const char *k, size_t len)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (strlen(r->params[i].name) == len && memcmp(r->params[i].name, k, len) == 0)
            return &r->params[i];
    return NULL;
}

static int unknown(const vod_action_rules *r, const char *k, size_t len, vod_check_error *e)
{
    const char *names[32];
    const char *hint;
    size_t n = r->nparams < 32 ? r->nparams : 32;
    for (size_t i = 0; i < n; i++)
        names[i] = r->params[i].name;
    hint = vod_suggest(k, len, names, n);
    snprintf(e->param, sizeof e->param, "%.*s", (int)(len > 60 ? 60 : len), k);
    if (hint)
        snprintf(e->message, sizeof e->message, "unknown parameter '%s' (did you mean '%s'?)",
                 e->param, hint);
    else
        snprintf(e->message, sizeof e->message, "unknown parameter '%s' for %s", e->param, r->action);
    return -1;
}

int vod_check_params(lua_State *L, int idx, const vod_action_rules *r, vod_check_error *e)
{
    idx = vod_absindex(L, idx);
    luaL_checkstack(L, 6, "checking parameters");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t klen;
        const char *k;
        const vod_param_rule *p;
        int rc = 0, vi = lua_gettop(L);
        if (lua_type(L, -2) != LUA_TSTRING) {
            char tmp[40];
            const char *what = vod_check_describe(L, -2, tmp, sizeof tmp);
            lua_pop(L, 2);
            snprintf(e->param, sizeof e->param, "%s", what);
            snprintf(e->message, sizeof e->message,
                     "parameter names must be strings, got key %s (an array was given "
                     "where a table of named parameters is expected?)", what);
            return -1;
        }
        k = lua_tolstring(L, -2, &klen);
        p = find(r, k, klen);
        if (p == NULL) {
            unknown(r, k, klen, e);
            lua_pop(L, 2);
            return -1;
        }
        switch (p->type) {
        case VOD_P_INTEGER: rc = check_integer(L, vi, p, e); break;
        case VOD_P_STRING: rc = check_string(L, vi, p, p->name, e); break;
        case VOD_P_STRING_LIST: rc = check_list(L, vi, p, e); break;
        }
        lua_pop(L, 1);
        if (rc != 0) {
            lua_pop(L, 1);
            return rc;
        }
    }
    for (size_t i = 0; i < r->nparams; i++) {
        if (!r->params[i].required)
            continue;
        lua_getfield(L, idx, r->params[i].name);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return bad(e, r->params[i].name, "is required");
        }
        lua_pop(L, 1);
    }
    if (r->one_of[0] != NULL) {
        int found = 0;
        for (size_t i = 0; r->one_of[i] != NULL && i < 3; i++) {
            lua_getfield(L, idx, r->one_of[i]);
            /* an empty list does not count as given */
            found |= !lua_isnil(L, -1) &&
                     !(lua_type(L, -1) == LUA_TTABLE && vod_rawlen(L, -1) == 0);
            lua_pop(L, 1);
        }
        if (!found) {
            e->param[0] = '\0';
            snprintf(e->message, sizeof e->message, "%s or %s is required: give at least one",
                     r->one_of[0], r->one_of[1]);
            return -1;
        }
    }
    return 0;
}
