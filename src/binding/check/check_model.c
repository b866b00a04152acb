/* The deep parameter check: a Lua table against a request structure of the
 * model. One pass over the table's own keys per object (a binary search per
 * key), a second look only for a required member that was not seen. The
 * messages follow check.c's, so users see one style. */
#include "check_model.h"

#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "json_encode.h"
#include "suggest.h"
#include "utf8.h"

#define MAX_SAFE_INT 9007199254740992LL /* 2^53: larger integers do not survive JSON */
#define PATH_CAP 256
#define KEY_CLIP 60                     /* an unknown key is shown up to this many bytes */
#define MAX_NAMES 128                   /* candidates offered to vod_suggest */
#define OBJECT_HINT 4                   /* members named in "must be a table (...)" */

/* One step of the path to the value being checked: a member name (from the
 * model's tables) or, when name is NULL, a 1-based list index. The path is
 * only formatted when a check fails. */
typedef struct seg {
    const char *name;
    size_t index;
} seg;

typedef struct walk {
    lua_State *L;
    vod_check_error *e;
    int depth;                          /* segments in use */
    seg segs[VOD_CHECK_MODEL_MAX_DEPTH];
    char path[PATH_CAP];                /* "SubjectInfos[1].Name", on failure */
    size_t len;
} walk;

/* dst = src, clipped to cap with "..." at the end when it does not fit. */
static void copy_clipped(char *dst, size_t cap, const char *src)
{
    int n = snprintf(dst, cap, "%s", src);
    if (n > 0 && (size_t)n >= cap)
        memcpy(dst + cap - 4, "...", 4);
}

/* Appends n bytes to w->path; a path that does not fit ends in "...". */
static void path_add(walk *w, const char *s, size_t n)
{
    size_t room = w->len < PATH_CAP - 1 ? PATH_CAP - 1 - w->len : 0;
    int full = n > room;
    if (full)
        n = room;
    memcpy(w->path + w->len, s, n);
    w->len += n;
    w->path[w->len] = '\0';
    if (full)
        memcpy(w->path + PATH_CAP - 4, "...", 4);
}

/* Formats the segments into w->path. */
static const char *path_format(walk *w)
{
    w->len = 0;
    w->path[0] = '\0';
    for (int i = 0; i < w->depth; i++) {
        char tmp[32];
        if (w->segs[i].name == NULL) {
            int n = snprintf(tmp, sizeof tmp, "[%zu]", w->segs[i].index);
            path_add(w, tmp, (size_t)n);
        } else {
            if (i > 0)
                path_add(w, ".", 1);
            path_add(w, w->segs[i].name, strlen(w->segs[i].name));
        }
    }
    return w->path;
}

/* Appends a key the model does not know, as the user wrote it: its first
 * KEY_CLIP bytes, control bytes (NUL included) shown as \xHH. */
static void path_add_user_key(walk *w, const char *k, size_t klen)
{
    static const char hex[] = "0123456789abcdef";
    if (w->len > 0)
        path_add(w, ".", 1);
    for (size_t i = 0; i < klen && i < KEY_CLIP; i++) {
        unsigned char c = (unsigned char)k[i];
        if (c < 0x20 || c == 0x7f) {
            char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            path_add(w, esc, 4);
        } else {
            path_add(w, (const char *)&c, 1);
        }
    }
}

/* snprintf for messages, which may be clipped: a long path is not an error. */
static void say(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

/* e->param = the path; e->message = the path, a space, the rule. */
static int bad(walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(walk *w, const char *fmt, ...)
{
    vod_check_error *e = w->e;
    va_list ap;
    int n;
    path_format(w);
    copy_clipped(e->param, sizeof e->param, w->path);
    n = snprintf(e->message, sizeof e->message, "%s ", w->path);
    if (n < 0 || (size_t)n >= sizeof e->message)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_null(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL;
}

static int check_object(walk *w, int idx, const vod_mstruct *s);

static int check_integer(walk *w, int idx, int type)
{
    long long v;
    char tmp[40];
    if (vod_check_huge(w->L, idx))
        return bad(w, "must be between %s and 2^53 (larger integers do not survive JSON exactly), "
                   "got %s", type == VOD_MT_UINT ? "0" : "-2^53",
                   vod_check_describe(w->L, idx, tmp, sizeof tmp));
    if (lua_type(w->L, idx) != LUA_TNUMBER || !vod_tointegral(w->L, idx, &v))
        return bad(w, "must be an integer, got %s", vod_check_describe(w->L, idx, tmp, sizeof tmp));
    if (type == VOD_MT_UINT && (v < 0 || v > MAX_SAFE_INT))
        return bad(w, "must be between 0 and 2^53 (larger integers do not survive JSON "
                   "exactly), got %lld", v);
    if (v < -MAX_SAFE_INT || v > MAX_SAFE_INT)
        return bad(w, "must be between -2^53 and 2^53 (larger integers do not survive JSON "
                   "exactly), got %lld", v);
    return 0;
}

/* 1 when s[0..len) is ASCII without NUL bytes, which is valid UTF-8: the
 * common case, eight bytes a step. */
static int plain_ascii(const char *s, size_t len)
{
    const uint64_t high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if ((v & high) != 0 || ((v - ones) & ~v & high) != 0)
            return 0;                   /* a byte >= 0x80, or a zero byte */
    }
    for (; i < len; i++)
        if ((unsigned char)s[i] - 1u >= 0x7fu)
            return 0;
    return 1;
}

static int check_string(walk *w, int idx)
{
    size_t len, off;
    const char *s;
    char tmp[40];
    if (lua_type(w->L, idx) != LUA_TSTRING)
        return bad(w, "must be a string, got %s", vod_check_describe(w->L, idx, tmp, sizeof tmp));
    s = lua_tolstring(w->L, idx, &len);
    if (plain_ascii(s, len))
        return 0;
    if (vod_utf8_count(s, len, &off) == (size_t)-1)
        return bad(w, "must be valid UTF-8 (bad byte at offset %zu)", off);
    if (memchr(s, '\0', len) != NULL)
        return bad(w, "must not contain a NUL byte");
    return 0;
}

/* "must be a table (an object with members A, B, C, D, ...), got string":
 * the first members in the model's order. */
static int not_an_object(walk *w, int idx, const vod_mstruct *s)
{
    char names[200], tmp[40];
    size_t used = 0, shown = 0;
    names[0] = '\0';
    for (unsigned order = 0; order < s->count && shown < OBJECT_HINT; order++) {
        for (size_t j = 0; j < s->count; j++) {
            const vod_mfield *f = &vod_model_fields[s->first + j];
            int n;
            if (f->order != order)
                continue;
            n = snprintf(names + used, sizeof names - used, "%s%s", shown ? ", " : "",
                         vod_mfield_name(f));
            if (n > 0 && used + (size_t)n < sizeof names)
                used += (size_t)n;
            shown++;
            break;
        }
    }
    if (s->count == 0)
        return bad(w, "must be a table (an object with no members), got %s",
                   vod_check_describe(w->L, idx, tmp, sizeof tmp));
    return bad(w, "must be a table (an object with members %s%s), got %s", names,
               s->count > shown ? ", ..." : "", vod_check_describe(w->L, idx, tmp, sizeof tmp));
}

/* Steps into a member or an item; -1 (e filled in) past the depth limit. */
static int step(walk *w, const char *name, size_t index)
{
    if (w->depth >= VOD_CHECK_MODEL_MAX_DEPTH)
        return bad(w, "nests deeper than %d levels", VOD_CHECK_MODEL_MAX_DEPTH);
    w->segs[w->depth].name = name;
    w->segs[w->depth].index = index;
    w->depth++;
    return 0;
}

/* One value of a member's type: the member itself, or an item of its list. */
static int check_value(walk *w, int idx, const vod_mfield *f)
{
    lua_State *L = w->L;
    char tmp[40];
    switch (f->type) {
    case VOD_MT_INT:
    case VOD_MT_UINT:
        return check_integer(w, idx, f->type);
    case VOD_MT_FLOAT:
        if (lua_type(L, idx) != LUA_TNUMBER)
            return bad(w, "must be a number, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
        return 0;
    case VOD_MT_STRING:
        return check_string(w, idx);
    case VOD_MT_BOOL:
        if (lua_type(L, idx) != LUA_TBOOLEAN)
            return bad(w, "must be a boolean, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
        return 0;
    case VOD_MT_OBJECT:
        if (lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == VOD_JSON_EMPTY_OBJECT) {
            int rc;                     /* vod.empty_object: an object with no member */
            lua_newtable(L);
            rc = check_object(w, lua_gettop(L), vod_mfield_struct(f));
            lua_pop(L, 1);
            return rc;
        }
        if (lua_type(L, idx) != LUA_TTABLE)
            return not_an_object(w, idx, vod_mfield_struct(f));
        return check_object(w, idx, vod_mfield_struct(f));
    default:
        return bad(w, "has a type the model does not know (%u)", (unsigned)f->type);
    }
}

/* Items 1..n, holes skipped: a sparse list is the encoder's to refuse. */
static int check_list(walk *w, int idx, const vod_mfield *f)
{
    lua_State *L = w->L;
    size_t n;
    if (lua_type(L, idx) != LUA_TTABLE) {
        char tmp[40];
        return bad(w, "must be a list, got %s", vod_check_describe(L, idx, tmp, sizeof tmp));
    }
    luaL_checkstack(L, 4, "checking parameters");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TNUMBER) {
            lua_pop(L, 1);
            return bad(w, "must be a list (keys 1..n only), got a table with other keys");
        }
    }
    n = vod_rawlen(L, idx);
    for (size_t i = 1; i <= n; i++) {
        int rc;
        lua_rawgeti(L, idx, (int)i);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        rc = step(w, NULL, i);
        if (rc == 0)
            rc = check_value(w, lua_gettop(L), f);
        lua_pop(L, 1);
        if (rc != 0)
            return rc;
        w->depth--;
    }
    return 0;
}

static int check_member(walk *w, int idx, const vod_mfield *f)
{
    if (is_null(w->L, idx))
        return 0;                       /* vod.null: sent as JSON null */
    if (f->flags & VOD_MF_LIST)
        return check_list(w, idx, f);
    return check_value(w, idx, f);
}

static int unknown(walk *w, const vod_mstruct *s, const char *k, size_t klen)
{
    const char *names[MAX_NAMES];
    size_t n = s->count < MAX_NAMES ? s->count : MAX_NAMES;
    const char *hint, *sname = vod_mstruct_name(s);
    vod_check_error *e = w->e;
    for (size_t i = 0; i < n; i++)
        names[i] = vod_mfield_name(&vod_model_fields[s->first + i]);
    hint = vod_suggest(k, klen, names, n);
    path_format(w);
    path_add_user_key(w, k, klen);
    copy_clipped(e->param, sizeof e->param, w->path);
    if (hint) {
        say(e->message, sizeof e->message, "unknown parameter '%s' (did you mean '%s'?)", w->path,
            hint);
    } else if (w->depth == 0) {
        size_t sl = strlen(sname);      /* CreateAigcVideoTaskRequest -> CreateAigcVideoTask */
        if (sl > 7 && strcmp(sname + sl - 7, "Request") == 0)
            sl -= 7;
        say(e->message, sizeof e->message, "unknown parameter '%s' for %.*s", w->path, (int)sl,
            sname);
    } else {
        say(e->message, sizeof e->message, "unknown parameter '%s' (%s has no such member)",
            w->path, sname);
    }
    return -1;
}

/* The first required member (in the model's order) that the table lacks. */
static int missing(walk *w, int idx, const vod_mstruct *s)
{
    lua_State *L = w->L;
    const vod_mfield *first = NULL;
    for (size_t i = 0; i < s->count; i++) {
        const vod_mfield *f = &vod_model_fields[s->first + i];
        if (!(f->flags & VOD_MF_REQUIRED) || (first && first->order < f->order))
            continue;
        lua_pushstring(L, vod_mfield_name(f));
        lua_rawget(L, idx);
        if (lua_isnil(L, -1))
            first = f;
        lua_pop(L, 1);
    }
    if (first == NULL)
        return 0;                       /* not reached: the caller counted one missing */
    if (step(w, vod_mfield_name(first), 0) != 0)
        return -1;
    return bad(w, "is required");
}

/* The key at -2 is not a string. */
static int non_string_key(walk *w)
{
    vod_check_error *e = w->e;
    char tmp[40];
    const char *what = vod_check_describe(w->L, -2, tmp, sizeof tmp);
    if (w->depth == 0) {
        say(e->param, sizeof e->param, "%s", what);
        say(e->message, sizeof e->message,
            "parameter names must be strings, got key %s (an array was given "
            "where a table of named parameters is expected?)", what);
    } else {
        path_format(w);
        copy_clipped(e->param, sizeof e->param, w->path);
        say(e->message, sizeof e->message,
            "parameter names must be strings, got key %s in %s (an array was given "
            "where a table of named members is expected?)", what, w->path);
    }
    return -1;
}

static int check_object(walk *w, int idx, const vod_mstruct *s)
{
    lua_State *L = w->L;
    unsigned seen = 0;
    luaL_checkstack(L, 4, "checking parameters");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t klen;
        const char *k;
        const vod_mfield *f;
        int rc;
        if (lua_type(L, -2) != LUA_TSTRING) {
            non_string_key(w);
            lua_pop(L, 2);
            return -1;
        }
        k = lua_tolstring(L, -2, &klen);
        f = vod_model_field(s, k, klen);
        if (f == NULL) {
            unknown(w, s, k, klen);
            lua_pop(L, 2);
            return -1;
        }
        seen += (f->flags & VOD_MF_REQUIRED) != 0;
        rc = step(w, vod_mfield_name(f), 0);
        if (rc == 0)
            rc = check_member(w, lua_gettop(L), f);
        lua_pop(L, 1);
        if (rc != 0) {
            lua_pop(L, 1);
            return rc;
        }
        w->depth--;
    }
    if (seen < s->nrequired)
        return missing(w, idx, s);
    return 0;
}

int vod_check_model(lua_State *L, int idx, const vod_mstruct *s, vod_check_error *e)
{
    walk w;
    w.L = L;
    w.e = e;
    w.depth = 0;
    idx = vod_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        char tmp[40];
        e->param[0] = '\0';
        say(e->message, sizeof e->message, "parameters must be a table of named parameters, got %s",
            vod_check_describe(L, idx, tmp, sizeof tmp));
        return -1;
    }
    return check_object(&w, idx, s);
}
