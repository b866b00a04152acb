#include "json_encode.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "utf8.h"

const char vod_json_empty_object = 0;   /* its address is vod.empty_object */

#define MAX_SAFE_INT 9007199254740992.0 /* 2^53 */
#define MAX_SAFE_LL 9007199254740992LL
#define BEYOND "is an integer beyond +-2^53, which JSON cannot carry exactly"

typedef struct enc {
    lua_State *L;
    vod_buf *b;
    vod_json_error *err;
    size_t pathlen;
} enc;

static int fail(enc *e, const char *fmt, const char *detail)
{
    snprintf(e->err->message, sizeof e->err->message, fmt, detail);
    return -1;
}

static int oom(enc *e)
{
    e->err->oom = 1;
    return fail(e, "%s", "out of memory");
}

/* Path bookkeeping: append ".key" or "[i]" while descending, cut on return. */
static size_t path_push_key(enc *e, const char *k, size_t klen)
{
    size_t old = e->pathlen, cap = sizeof e->err->path;
    int n = snprintf(e->err->path + old, cap - old, "%s%.*s",
                     old ? "." : "", (int)(klen > 60 ? 60 : klen), k);
    if (n > 0)
        e->pathlen = old + (size_t)n < cap ? old + (size_t)n : cap - 1;
    return old;
}

static size_t path_push_index(enc *e, size_t i)
{
    size_t old = e->pathlen, cap = sizeof e->err->path;
    int n = snprintf(e->err->path + old, cap - old, "[%zu]", i);
    if (n > 0)
        e->pathlen = old + (size_t)n < cap ? old + (size_t)n : cap - 1;
    return old;
}

static void path_pop(enc *e, size_t old)
{
    e->pathlen = old;
    e->err->path[old] = '\0';
}

int vod_json_encode_string(vod_buf *b, const char *s, size_t len, vod_json_error *err)
{
    static const char hex[] = "0123456789abcdef";
    size_t bad, i, run = 0;
    if (vod_utf8_count(s, len, &bad) == (size_t)-1) {
        snprintf(err->message, sizeof err->message,
                 "must be valid UTF-8 (bad byte at offset %zu)", bad);
        return -1;
    }
    if (memchr(s, '\0', len) != NULL) {
        snprintf(err->message, sizeof err->message, "must not contain a NUL byte");
        return -1;
    }
    if (vod_buf_reserve(b, len + 2) != 0)
        goto nomem;
    b->data[b->len++] = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t elen = 2;
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        if (run && vod_buf_add(b, s + i - run, run) != 0)
            goto nomem;
        run = 0;
        esc[0] = '\\';
        switch (c) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            elen = 6;
        }
        if (vod_buf_add(b, esc, elen) != 0)
            goto nomem;
    }
    if ((run && vod_buf_add(b, s + len - run, run) != 0) || vod_buf_addc(b, '"') != 0)
        goto nomem;
    return 0;
nomem:
    err->oom = 1;
    snprintf(err->message, sizeof err->message, "out of memory");
    return -1;
}

/* Shortest "%.*g" that reads back as the same double, with '.' whatever the
 * locale: the round trip is checked on the locale's own text, then its
 * decimal point becomes '.'. */
static int add_double(enc *e, double d)
{
    char tmp[40];
    char dp = localeconv()->decimal_point[0];
    int prec, n = 0;
    for (prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    if (dp != '.')
        for (int i = 0; i < n; i++)
            if (tmp[i] == dp)
                tmp[i] = '.';
    return vod_buf_add(e->b, tmp, (size_t)n) == 0 ? 0 : oom(e);
}

/* Every number beyond +-2^53 is refused, integer or float: a double that
 * large is always a whole number, and where numbers are doubles (Lua 5.1,
 * 5.2, LuaJIT) it may be the rounded form of the integer the caller wrote;
 * a 64-bit integer (5.3, 5.4) is compared exactly. */
static int add_number(enc *e, int idx)
{
    char tmp[32];
    long long iv;
    lua_State *L = e->L;
    double d;
    if (vod_isinteger(L, idx) && vod_tointegral(L, idx, &iv)) {
        if (iv > MAX_SAFE_LL || iv < -MAX_SAFE_LL)
            return fail(e, "%s", BEYOND);
        snprintf(tmp, sizeof tmp, "%lld", iv);
        return vod_buf_addstr(e->b, tmp) == 0 ? 0 : oom(e);
    }
    d = (double)lua_tonumber(L, idx);
    if (isnan(d) || isinf(d))
        return fail(e, "%s", "must not be NaN or infinity");
    if (d > MAX_SAFE_INT || d < -MAX_SAFE_INT)
        return fail(e, "%s", BEYOND);
    if (vod_tointegral(L, idx, &iv)) {          /* 3.0 goes out as 3 */
        snprintf(tmp, sizeof tmp, "%lld", iv);
        return vod_buf_addstr(e->b, tmp) == 0 ? 0 : oom(e);
    }
    return add_double(e, d);
}

/* What the model says a value is, when the request is typed: a structure
 * (s, not list), a list of one (s, list), or nothing known (s NULL). Only an
 * empty table needs it: {} where the model has an object, [] elsewhere. */
typedef struct shape {
    const vod_mstruct *s;
    int list;
} shape;

static const shape UNKNOWN = { NULL, 0 };

static int encode_value(enc *e, int idx, int depth, shape sh);

/* Classifies the table at idx: returns the array length n (>0) when its keys
 * are exactly 1..n, 0 when it is empty, -1 when it has only string keys, and
 * -2 (error set) when it mixes or has keys JSON cannot name. */
static long long classify(enc *e, int idx)
{
    lua_State *L = e->L;
    long long count = 0, max = 0, strings = 0, iv;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            strings++;
        } else if (lua_type(L, -1) == LUA_TNUMBER && vod_tointegral(L, -1, &iv) && iv >= 1) {
            count++;
            if (iv > max)
                max = iv;
        } else {
            const char *tn = lua_type(L, -1) == LUA_TNUMBER ? "number (not 1..n)"
                                                            : luaL_typename(L, -1);
            lua_pop(L, 1);
            return fail(e, "has a %s key; JSON objects take string keys", tn), -2;
        }
    }
    if (strings && count)
        return fail(e, "%s", "mixes array items (keys 1..n) with named fields"), -2;
    if (strings)
        return -1;
    if (count != max)
        return fail(e, "%s", "is a sparse array (keys must be exactly 1..n)"), -2;
    return count;
}

static int encode_array(enc *e, int idx, long long n, int depth, shape sh)
{
    shape item = { sh.list ? sh.s : NULL, 0 };
    if (vod_buf_addc(e->b, '[') != 0)
        return oom(e);
    for (long long i = 1; i <= n; i++) {
        size_t mark;
        int rc;
        if (i > 1 && vod_buf_addc(e->b, ',') != 0)
            return oom(e);
        lua_rawgeti(e->L, idx, (int)i);
        mark = path_push_index(e, (size_t)i);
        rc = encode_value(e, lua_gettop(e->L), depth + 1, item);
        lua_pop(e->L, 1);
        if (rc != 0)
            return rc;
        path_pop(e, mark);
    }
    return vod_buf_addc(e->b, ']') == 0 ? 0 : oom(e);
}

/* The shape of member k of structure s (only looked up for a table). */
static shape member_shape(lua_State *L, const vod_mstruct *s, const char *k, size_t klen)
{
    shape sh = UNKNOWN;
    const vod_mfield *f;
    if (s == NULL || lua_type(L, -1) != LUA_TTABLE)
        return sh;
    f = vod_model_field(s, k, klen);
    if (f != NULL && f->type == VOD_MT_OBJECT) {
        sh.s = vod_mfield_struct(f);
        sh.list = (f->flags & VOD_MF_LIST) != 0;
    }
    return sh;
}

static int encode_object(enc *e, int idx, int depth, const vod_mstruct *s)
{
    lua_State *L = e->L;
    int first = 1;
    if (vod_buf_addc(e->b, '{') != 0)
        return oom(e);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t klen, mark;
        const char *k = lua_tolstring(L, -2, &klen); /* a string: classify checked */
        int rc;
        if (!first && vod_buf_addc(e->b, ',') != 0) {
            lua_pop(L, 2);
            return oom(e);
        }
        first = 0;
        mark = path_push_key(e, k, klen);
        rc = vod_json_encode_string(e->b, k, klen, e->err);
        if (rc == 0 && vod_buf_addc(e->b, ':') != 0)
            rc = oom(e);
        if (rc == 0)
            rc = encode_value(e, lua_gettop(L), depth + 1, member_shape(L, s, k, klen));
        lua_pop(L, 1);
        if (rc != 0) {
            lua_pop(L, 1);
            return rc;
        }
        path_pop(e, mark);
    }
    return vod_buf_addc(e->b, '}') == 0 ? 0 : oom(e);
}

/* top: 0 nested, 1 a request body (an object), 2 any top-level value (an empty table is {}) */
static int encode_table(enc *e, int idx, int depth, int top, shape sh)
{
    long long n;
    if (depth > VOD_JSON_MAX_DEPTH)
        return fail(e, "nests deeper than %s levels (a table that contains itself?)", "64");
    luaL_checkstack(e->L, 8, "JSON nesting");
    n = classify(e, idx);
    if (n == -2)
        return -1;
    if (n == -1 || (n == 0 && (top || (sh.s != NULL && !sh.list))))
        return encode_object(e, idx, depth, sh.list ? NULL : sh.s);
    if (top == 1)
        return fail(e, "%s", "must be a table with named fields, not an array");
    return encode_array(e, idx, n, depth, sh);
}

static int encode_value(enc *e, int idx, int depth, shape sh)
{
    lua_State *L = e->L;
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return vod_json_encode_string(e->b, s, len, e->err);
    }
    case LUA_TNUMBER:
        return add_number(e, idx);
    case LUA_TBOOLEAN:
        return vod_buf_addstr(e->b, lua_toboolean(L, idx) ? "true" : "false") == 0 ? 0 : oom(e);
    case LUA_TTABLE:
        return encode_table(e, idx, depth, 0, sh);
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return vod_buf_addstr(e->b, "null") == 0 ? 0 : oom(e);
        if (lua_touserdata(L, idx) == VOD_JSON_EMPTY_OBJECT)
            return vod_buf_add(e->b, "{}", 2) == 0 ? 0 : oom(e);
        /* fall through */
    default:
        return fail(e, "is a %s, which JSON cannot carry", luaL_typename(L, idx));
    }
}

static void enc_init(enc *e, lua_State *L, vod_buf *b, vod_json_error *err)
{
    e->L = L;
    e->b = b;
    e->err = err;
    e->pathlen = 0;
    err->path[0] = '\0';
    err->message[0] = '\0';
    err->oom = 0;
}

int vod_json_encode_object(lua_State *L, int idx, vod_buf *b, vod_json_error *err)
{
    return vod_json_encode_request(L, idx, NULL, b, err);
}

int vod_json_encode_request(lua_State *L, int idx, const vod_mstruct *s, vod_buf *b,
                            vod_json_error *err)
{
    enc e;
    shape sh = { s, 0 };
    enc_init(&e, L, b, err);
    return encode_table(&e, vod_absindex(L, idx), 0, 1, sh);
}

int vod_json_encode_value(lua_State *L, int idx, vod_buf *b, vod_json_error *err)
{
    enc e;
    enc_init(&e, L, b, err);
    idx = vod_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TTABLE)
        return encode_table(&e, idx, 0, 2, UNKNOWN);
    return encode_value(&e, idx, 0, UNKNOWN);
}
