#include "json_decode.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "json_encode.h"

/* The refusal of an integer beyond 2^53 fits in 127 bytes (the callers'
 * buffers are 128): "PATH: the integer NUM is beyond 2^53 (...)", with PATH
 * clipped to 42 bytes and NUM to 23. */
#define PATH_CAP 43

typedef struct dec {
    lua_State *L;
    const char *s, *p, *end;
    char *err;
    size_t errlen;
    /* an integer this Lua cannot hold (numbers are doubles): its text, and
     * its path, written from the end of path[] while the parse unwinds */
    int range;
    char num[24];
    char path[PATH_CAP];
    size_t pstart;
    int ptrunc;
    int empty_object;       /* {} -> vod.empty_object */
} dec;

static int fail(dec *d, const char *what)
{
    snprintf(d->err, d->errlen, "%s at byte %zu", what, (size_t)(d->p - d->s));
    return 0;
}

static void skip_ws(dec *d)
{
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r'))
        d->p++;
}

static int literal(dec *d, const char *word, size_t n)
{
    if ((size_t)(d->end - d->p) < n || memcmp(d->p, word, n) != 0)
        return fail(d, "invalid literal");
    d->p += n;
    return 1;
}

static int hex4(dec *d, const char *q, unsigned *out)
{
    unsigned v = 0;
    if (d->end - q < 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        char c = q[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static void add_utf8(luaL_Buffer *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    luaL_addlstring(b, u, n);
}

/* d->p is just past the opening quote. */
static int string_value(dec *d)
{
    const char *start = d->p, *q = d->p, *esc = d->p;
    luaL_Buffer b;
    while (q < d->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q < d->end && *q == '"') {          /* the common case: no escapes */
        lua_pushlstring(d->L, start, (size_t)(q - start));
        d->p = q + 1;
        return 1;
    }
    luaL_buffinit(d->L, &b);
    luaL_addlstring(&b, start, (size_t)(q - start));
    while (q < d->end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20) {
            d->p = q;
            luaL_pushresult(&b);
            lua_pop(d->L, 1);
            return fail(d, "control character in string");
        }
        if (c != '\\') {
            luaL_addchar(&b, (char)c);
            q++;
            continue;
        }
        esc = q;
        if (++q >= d->end)
            break;
        switch (*q) {
        case '"': luaL_addchar(&b, '"'); break;
        case '\\': luaL_addchar(&b, '\\'); break;
        case '/': luaL_addchar(&b, '/'); break;
        case 'b': luaL_addchar(&b, '\b'); break;
        case 'f': luaL_addchar(&b, '\f'); break;
        case 'n': luaL_addchar(&b, '\n'); break;
        case 'r': luaL_addchar(&b, '\r'); break;
        case 't': luaL_addchar(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (!hex4(d, q + 1, &cp))
                goto bad_escape;
            q += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {      /* a surrogate pair */
                if (d->end - q < 7 || q[1] != '\\' || q[2] != 'u' || !hex4(d, q + 3, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    goto bad_escape;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                q += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                goto bad_escape;
            }
            add_utf8(&b, cp);
            break;
        }
        default:
            goto bad_escape;
        }
        q++;
    }
    luaL_pushresult(&b);
    if (q >= d->end) {
        lua_pop(d->L, 1);
        d->p = q;
        return fail(d, "unterminated string");
    }
    d->p = q + 1;
    return 1;
bad_escape:
    luaL_pushresult(&b);
    lua_pop(d->L, 1);
    d->p = esc;
    return fail(d, "invalid escape in string");
}

/* Puts s[0..n) in front of the path built so far; "..." when full. */
static void path_prepend(dec *d, const char *s, size_t n)
{
    if (d->ptrunc)
        return;
    if (n > d->pstart) {
        d->ptrunc = 1;
        if (d->pstart >= 3) {
            d->pstart -= 3;
            memcpy(d->path + d->pstart, "...", 3);
        }
        return;
    }
    d->pstart -= n;
    memcpy(d->path + d->pstart, s, n);
}

/* ".key" (or "key" at the top), the key clipped and its unprintable bytes
 * shown as '?'; "[i]" for an array item. */
static void path_key(dec *d, const char *k, size_t klen, int top)
{
    char seg[28];
    size_t n = 0, i;
    if (!top)
        seg[n++] = '.';
    for (i = 0; i < klen && n < sizeof seg - 4; i++)
        seg[n++] = (k[i] >= 0x20 && k[i] < 0x7f) ? k[i] : '?';
    if (i < klen) {                     /* clipped */
        memcpy(seg + n, "...", 3);
        n += 3;
    }
    path_prepend(d, seg, n);
}

static void path_index(dec *d, int i)
{
    char seg[24];
    int n = snprintf(seg, sizeof seg, "[%d]", i);
    path_prepend(d, seg, (size_t)n);
}

/* tmp: an integer's text ("-"? digits, no leading zero). 1 when its
 * magnitude is above 2^53 = 9007199254740992, where doubles stop holding
 * every integer. */
static int beyond_2_53(const char *tmp)
{
    size_t n;
    if (*tmp == '-')
        tmp++;
    n = strlen(tmp);
    return n > 16 || (n == 16 && strcmp(tmp, "9007199254740992") > 0);
}

static int range_fail(dec *d, const char *tmp)
{
    size_t n = strlen(tmp);
    d->range = 1;
    if (n < sizeof d->num) {
        memcpy(d->num, tmp, n + 1);
    } else {
        memcpy(d->num, tmp, sizeof d->num - 4);
        memcpy(d->num + sizeof d->num - 4, "...", 4);
    }
    return 0;
}

static int number_value(dec *d)
{
    const char *q = d->p;
    char tmp[64];
    int integral = 1;
    size_t n;
    if (q < d->end && *q == '-') q++;
    if (q >= d->end || *q < '0' || *q > '9')
        return fail(d, "invalid number");
    if (*q == '0') q++;
    else while (q < d->end && *q >= '0' && *q <= '9') q++;
    if (q < d->end && *q == '.') {
        integral = 0;
        q++;
        if (q >= d->end || *q < '0' || *q > '9')
            return fail(d, "invalid number");
        while (q < d->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < d->end && (*q == 'e' || *q == 'E')) {
        integral = 0;
        q++;
        if (q < d->end && (*q == '+' || *q == '-')) q++;
        if (q >= d->end || *q < '0' || *q > '9')
            return fail(d, "invalid number");
        while (q < d->end && *q >= '0' && *q <= '9') q++;
    }
    n = (size_t)(q - d->p);
    if (n >= sizeof tmp)
        return fail(d, "number too long");
    memcpy(tmp, d->p, n);
    tmp[n] = '\0';
    if (integral) {
        if (VOD_LUA_INTEGERS) {
            long long v;
            errno = 0;
            v = strtoll(tmp, NULL, 10);
            if (errno == 0) {
                d->p = q;
                vod_pushint(d->L, v);
                return 1;
            }
            /* beyond 64 bits: a float, as Lua itself reads such a literal */
        } else if (beyond_2_53(tmp)) {
            /* a double would round it: refused rather than altered */
            return range_fail(d, tmp);
        }
    }
    d->p = q;
    {
        /* strtod reads the locale's decimal point: a program that set, say,
         * de_DE would otherwise read 0.5 as 0 */
        char dp = localeconv()->decimal_point[0];
        if (dp != '.') {
            char *p = memchr(tmp, '.', n);
            if (p)
                *p = dp;
        }
    }
    lua_pushnumber(d->L, (lua_Number)strtod(tmp, NULL));
    return 1;
}

static int value(dec *d, int depth);

static int array_value(dec *d, int depth)
{
    int i = 0;
    lua_newtable(d->L);
    skip_ws(d);
    if (d->p < d->end && *d->p == ']') { d->p++; return 1; }
    for (;;) {
        skip_ws(d);
        if (!value(d, depth + 1)) {
            if (d->range)
                path_index(d, i + 1);
            return 0;
        }
        lua_rawseti(d->L, -2, ++i);
        skip_ws(d);
        if (d->p < d->end && *d->p == ',') { d->p++; continue; }
        if (d->p < d->end && *d->p == ']') { d->p++; return 1; }
        return fail(d, "expected ',' or ']' in array");
    }
}

/* An object that kept no member, with the empty_object flag: the sentinel. */
static int object_end(dec *d, int kept)
{
    d->p++;
    if (d->empty_object && !kept) {
        lua_pop(d->L, 1);
        lua_pushlightuserdata(d->L, VOD_JSON_EMPTY_OBJECT);
    }
    return 1;
}

static int object_value(dec *d, int depth)
{
    int key, kept = 0;
    lua_newtable(d->L);
    skip_ws(d);
    if (d->p < d->end && *d->p == '}')
        return object_end(d, 0);
    for (;;) {
        skip_ws(d);
        if (d->p >= d->end || *d->p != '"')
            return fail(d, "expected a string key in object");
        d->p++;
        if (!string_value(d))
            return 0;
        key = lua_gettop(d->L);
        skip_ws(d);
        if (d->p >= d->end || *d->p != ':')
            return fail(d, "expected ':' in object");
        d->p++;
        skip_ws(d);
        if (!value(d, depth + 1)) {
            if (d->range) {
                size_t klen;
                const char *k = lua_tolstring(d->L, key, &klen);
                path_key(d, k, klen, depth == 0);
            }
            return 0;
        }
        if (lua_type(d->L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(d->L, -1) == NULL) {
            lua_pop(d->L, 2);                           /* null member: leave it out */
        } else {
            lua_rawset(d->L, -3);
            kept = 1;
        }
        skip_ws(d);
        if (d->p < d->end && *d->p == ',') { d->p++; continue; }
        if (d->p < d->end && *d->p == '}')
            return object_end(d, kept);
        return fail(d, "expected ',' or '}' in object");
    }
}

static int value(dec *d, int depth)
{
    if (depth > VOD_JSON_MAX_DECODE_DEPTH)
        return fail(d, "nesting too deep");
    if (!lua_checkstack(d->L, 4))
        return fail(d, "nesting too deep for the Lua stack");
    skip_ws(d);
    if (d->p >= d->end)
        return fail(d, "unexpected end of text");
    switch (*d->p) {
    case '{': d->p++; return object_value(d, depth);
    case '[': d->p++; return array_value(d, depth);
    case '"': d->p++; return string_value(d);
    case 't': if (!literal(d, "true", 4)) return 0; lua_pushboolean(d->L, 1); return 1;
    case 'f': if (!literal(d, "false", 5)) return 0; lua_pushboolean(d->L, 0); return 1;
    case 'n': if (!literal(d, "null", 4)) return 0; lua_pushlightuserdata(d->L, NULL); return 1;
    default: return number_value(d);
    }
}

int vod_json_decode(lua_State *L, const char *text, size_t len, char *err, size_t errlen)
{
    return vod_json_decode_ex(L, text, len, 0, err, errlen, NULL);
}

int vod_json_decode_ex(lua_State *L, const char *text, size_t len, int empty_object, char *err,
                       size_t errlen, int *range)
{
    dec d;
    int top = lua_gettop(L);
    d.L = L;
    d.s = d.p = text;
    d.end = text + len;
    d.err = err;
    d.errlen = errlen;
    d.range = 0;
    d.pstart = PATH_CAP - 1;
    d.path[d.pstart] = '\0';
    d.ptrunc = 0;
    if (range != NULL)
        *range = 0;
    d.empty_object = empty_object;
    if (value(&d, 0)) {
        skip_ws(&d);
        if (d.p == d.end)
            return 1;
        fail(&d, "trailing characters after the JSON value");
    }
    if (d.range) {
        snprintf(err, errlen, "%s: the integer %s is beyond 2^53 (this Lua's numbers are doubles)",
                 d.path[d.pstart] ? d.path + d.pstart : "the value", d.num);
        if (range != NULL)
            *range = 1;
    }
    lua_settop(L, top);
    return 0;
}
