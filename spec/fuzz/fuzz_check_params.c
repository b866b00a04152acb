/* libFuzzer harness for vod_check_params (src/binding/check/check.h) with the
 * CreateAigcSubject rules (src/core/config/rules.h), then vod_json_encode_object
 * (src/binding/json/json_encode.h) on the same table.
 *
 * The input is a tiny program that builds the parameter table. Byte 0 holds
 * flags: 0x01 check with the DescribeTaskDetail rules instead, 0x02 pass the
 * table by a negative stack index. The rest is read by build_table: a count
 * byte, then per entry a key and a value (see push_key and push_value; a byte
 * read past the end is 0, and reading stops there).
 *
 * Must never crash. Aborts on:
 *   - either function changing the Lua stack, or raising a Lua error;
 *   - a message or parameter name that is not NUL-terminated, or an empty
 *     message on failure;
 *   - a table the checker accepts that the encoder refuses, or that does not
 *     come back equal through the decoder;
 *   - encoder output that the decoder rejects. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "buf.h"
#include "check.h"
#include "json_decode.h"
#include "json_encode.h"
#include "rules.h"

#define FUZZ_NAME "fuzz_check_params"
#include "fuzz_prog.h"

#define MAX_NEST 6

static lua_State *L;
static vod_buf text;

/* The API's names, some near misses (for the suggestions) and odd cases. */
static const char *const names[] = {
    "SubAppId", "SubjectName", "SubjectImages", "SubjectVideos", "VoiceId", "SessionId",
    "SessionContext", "TasksPriority", "TaskId",
    "SubjectImage", "subappid", "SubjectVideo", "TaskID", "SessionID", "Voice", "",
    "SubjectImagesSubjectImagesSubjectImagesSubjectImagesSubjectImagesX",
};

static const double specials[] = {
    NAN, INFINITY, -INFINITY, -0.0, 0.5, -0.5, 1e300, -1e-300, 10.0, -10.0, 11.0, -11.0,
    9007199254740992.0, 9007199254740994.0, -9007199254740992.0, 9223372036854775808.0,
    -9223372036854775808.0, 1e19, 4.9e-324,
};

static const long long ints[] = {
    0, 1, -1, 10, -10, 11, -11, 9007199254740992LL, 9007199254740993LL, -9007199254740992LL,
    -9007199254740993LL, 9223372036854775807LL, -9223372036854775807LL - 1, 2147483648LL,
};

/* Pieces of valid UTF-8 of 1 to 4 bytes, for strings of an exact length. */
static const char *const chars[] = { "a", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80" };
static const size_t lengths[] = { 0, 1, 49, 50, 51, 999, 1000, 1001 };

static void build_table(prog *g, int depth);

static int probe_fn(lua_State *l) { (void)l; return 0; }

static void push_string_of(prog *g)
{
    unsigned sel = byte(g);
    size_t n = lengths[sel % (sizeof lengths / sizeof lengths[0])];
    const char *c = chars[(sel >> 3) % 4];
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n; i++)
        luaL_addstring(&b, c);
    if (sel & 0x80)
        luaL_addchar(&b, (char)byte(g));        /* one raw byte at the end */
    luaL_pushresult(&b);
}

static void push_value(prog *g, int depth)
{
    unsigned op = byte(g);
    luaL_checkstack(L, 8, "building");
    switch (op % 16) {
    case 0: { long long v; take(g, &v, sizeof v); lua_pushinteger(L, (lua_Integer)v); break; }
    case 1: lua_pushinteger(L, (lua_Integer)(int8_t)byte(g)); break;
    case 2: { double d; take(g, &d, sizeof d); lua_pushnumber(L, (lua_Number)d); break; }
    case 3: lua_pushnumber(L, specials[byte(g) % (sizeof specials / sizeof specials[0])]); break;
    case 4: lua_pushinteger(L, (lua_Integer)ints[byte(g) % (sizeof ints / sizeof ints[0])]); break;
    case 5: {                                   /* arbitrary bytes */
        char tmp[256];
        size_t n = byte(g);
        n = n < (size_t)(g->end - g->p) ? n : (size_t)(g->end - g->p);
        memcpy(tmp, g->p, n);
        g->p += n;
        lua_pushlstring(L, tmp, n);
        break;
    }
    case 6: push_string_of(g); break;
    case 7: {                                   /* a list of values */
        unsigned n = byte(g) % 6;
        lua_createtable(L, (int)n, 0);
        for (unsigned i = 1; i <= n && more(g); i++) {
            if (depth < MAX_NEST)
                push_value(g, depth + 1);
            else
                lua_pushliteral(L, "x");
            lua_rawseti(L, -2, (lua_Integer)i);
        }
        break;
    }
    case 8: {                                   /* a list of plausible URLs */
        unsigned n = byte(g) % 5;
        lua_createtable(L, (int)n, 0);
        for (unsigned i = 1; i <= n; i++) {
            lua_pushfstring(L, "https://example.com/%d.png", (int)i);
            lua_rawseti(L, -2, (lua_Integer)i);
        }
        break;
    }
    case 9:
        if (depth < MAX_NEST)
            build_table(g, depth + 1);
        else
            lua_newtable(L);
        break;
    case 10: lua_newtable(L); break;
    case 11: lua_pushboolean(L, (int)(byte(g) & 1)); break;
    case 12: lua_pushlightuserdata(L, NULL); break;         /* vod.null */
    case 13: lua_pushlightuserdata(L, (void *)&text); break;
    case 14: lua_pushcfunction(L, probe_fn); break;
    default: lua_pushliteral(L, "value"); break;
    }
}

/* Pushes a key: never nil or NaN (which a table cannot hold). */
static void push_key(prog *g)
{
    unsigned op = byte(g);
    switch (op % 8) {
    case 0: case 1: case 2: case 3:
        lua_pushstring(L, names[byte(g) % (sizeof names / sizeof names[0])]);
        break;
    case 4: {
        char tmp[80];
        size_t n = byte(g) % sizeof tmp;
        n = n < (size_t)(g->end - g->p) ? n : (size_t)(g->end - g->p);
        memcpy(tmp, g->p, n);
        g->p += n;
        lua_pushlstring(L, tmp, n);
        break;
    }
    case 5: lua_pushinteger(L, (lua_Integer)(byte(g) % 5)); break;
    case 6: {
        static const double k[] = { 0.5, -1.0, 2.0, 1e300, INFINITY, 9007199254740992.0 };
        lua_pushnumber(L, k[byte(g) % 6]);
        break;
    }
    default: lua_pushboolean(L, 1); break;
    }
}

static void build_table(prog *g, int depth)
{
    unsigned n = byte(g) % 12;
    luaL_checkstack(L, 8, "building");
    lua_newtable(L);
    for (unsigned i = 0; i < n && more(g); i++) {
        push_key(g);
        if ((byte(g) & 0x3f) == 0x3f)
            lua_pushvalue(L, -2);               /* the table itself: a cycle */
        else
            push_value(g, depth);
        lua_rawset(L, -3);
    }
}

static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

/* Deep equality of the checked table and its decoded encoding. */
static int same(lua_State *l, int a, int b, int depth)
{
    size_t na = 0, nb = 0;
    int t = lua_type(l, a);
    if (t != lua_type(l, b))
        return 0;
    if (t != LUA_TTABLE)
        return lua_rawequal(l, a, b);
    if (depth > 8)
        return 0;
    luaL_checkstack(l, 6, "comparing");
    lua_pushnil(l);
    while (lua_next(l, a) != 0) {
        int top = lua_gettop(l);
        na++;
        lua_pushvalue(l, top - 1);
        lua_rawget(l, b);
        if (!same(l, top, top + 1, depth + 1)) {
            lua_pop(l, 3);
            return 0;
        }
        lua_pop(l, 2);
    }
    lua_pushnil(l);
    while (lua_next(l, b) != 0) {
        nb++;
        lua_pop(l, 1);
    }
    return na == nb;
}

static int run(lua_State *l)
{
    prog *g = (prog *)lua_touserdata(l, 1);
    unsigned flags = byte(g);
    const vod_action_rules *rules = (flags & 1) ? &vod_rules_describe_task_detail
                                                : &vod_rules_create_aigc_subject;
    vod_check_error e;
    vod_json_error je;
    int t, top, idx, crc, erc;
    char err[200];

    lua_settop(l, 0);
    build_table(g, 0);
    t = lua_gettop(l);
    lua_pushinteger(l, 42);                     /* something above the table */
    idx = (flags & 2) ? -2 : t;
    top = lua_gettop(l);

    memset(&e, 0x5a, sizeof e);
    crc = vod_check_params(l, idx, rules, &e);
    if (lua_gettop(l) != top)
        die("vod_check_params changed the stack", NULL);
    if (crc != 0 && crc != -1)
        die("vod_check_params returned neither 0 nor -1", NULL);
    if (crc != 0) {
        if (!terminated(e.message, sizeof e.message) || !terminated(e.param, sizeof e.param))
            die("check error not NUL-terminated", NULL);
        if (e.message[0] == '\0')
            die("check failed with an empty message", NULL);
    }

    vod_buf_reset(&text);
    memset(&je, 0x5a, sizeof je);
    erc = vod_json_encode_object(l, idx, &text, &je);
    if (lua_gettop(l) != top)
        die("vod_json_encode_object changed the stack", NULL);
    if (!terminated(je.message, sizeof je.message) || !terminated(je.path, sizeof je.path))
        die("encode error not NUL-terminated", NULL);
    if (erc != 0) {
        if (je.message[0] == '\0')
            die("encode failed with an empty message", NULL);
        if (crc == 0) {
            fprintf(stderr, "encoder: %s %s\n", je.path, je.message);
            die("the checker accepts a table the encoder refuses", NULL);
        }
        return 0;
    }
    vod_buf_cstr(&text);
    if (!vod_json_decode(l, text.data, text.len, err, sizeof err)) {
        fprintf(stderr, "text: %s\n", text.data);
        die("the decoder rejects the encoder's output", err);
    }
    if (crc == 0 && !same(l, t, lua_gettop(l), 0)) {
        fprintf(stderr, "text: %s\n", text.data);
        die("checked parameters do not survive encoding", NULL);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prog g;
    if (L == NULL) {
        L = luaL_newstate();
        if (L == NULL)
            abort();
    }
    lua_settop(L, 0);
    g.p = data;
    g.end = data + size;
    lua_pushcfunction(L, run);
    lua_pushlightuserdata(L, &g);
    if (lua_pcall(L, 1, 0, 0) != 0)
        die("Lua error raised", lua_tostring(L, -1));
    lua_settop(L, 0);
    return 0;
}
