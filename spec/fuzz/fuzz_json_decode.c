/* libFuzzer harness for vod_json_decode (src/binding/json/json_decode.h), with a round
 * trip through vod_json_encode_object (src/binding/json/json_encode.h).
 *
 * The input bytes are decoded. When they decode to a table, it is encoded
 * again; the encoder may refuse (a top-level array, a string with a NUL or bad
 * UTF-8, a number beyond 2^53 or infinite, nesting past its limit), but what
 * it writes must decode, and to a value equal to the first one. Aborts on:
 *   - the decoder pushing other than exactly one value on success, or
 *     anything on failure, or leaving its message unterminated;
 *   - the encoder changing the stack, or leaving its message unterminated;
 *   - encoder output the decoder rejects, or that decodes to another value;
 *   - a Lua error raised by either (only memory errors are allowed, and the
 *     inputs are too small for those).
 * One lua_State serves every run; the work runs under lua_pcall. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "buf.h"
#include "json_decode.h"
#include "json_encode.h"

static lua_State *L;
static vod_buf text;        /* the encoder's output, reused between runs */

typedef struct input {
    const char *p;
    size_t n;
} input;

static void die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_json_decode: ");
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fputc('\n', stderr);
    abort();
}

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* Deep equality of two decoded values (numbers by value: the encoder writes
 * an integral float as an integer). */
static int same(lua_State *l, int a, int b, int depth)
{
    size_t na = 0, nb = 0;
    int t = lua_type(l, a);
    if (t != lua_type(l, b))
        return 0;
    switch (t) {
    case LUA_TSTRING: case LUA_TNUMBER: case LUA_TBOOLEAN:
        return lua_rawequal(l, a, b);
    case LUA_TLIGHTUSERDATA:
        return lua_touserdata(l, a) == lua_touserdata(l, b);
    case LUA_TTABLE:
        break;
    default:
        return 0;
    }
    if (depth > VOD_JSON_MAX_DECODE_DEPTH + 2)
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
    const input *in = (const input *)lua_touserdata(l, 1);
    char err[200];
    vod_json_error jerr;
    int top = lua_gettop(l), ok;

    memset(err, 'x', sizeof err);
    ok = vod_json_decode(l, in->p, in->n, err, sizeof err);
    if (!ok) {
        if (lua_gettop(l) != top)
            die("decoder failed but changed the stack%s%s", NULL, NULL);
        if (!terminated(err, sizeof err))
            die("decoder message not NUL-terminated%s%s", NULL, NULL);
        return 0;
    }
    if (lua_gettop(l) != top + 1)
        die("decoder succeeded but did not push exactly one value%s%s", NULL, NULL);
    if (!lua_istable(l, -1))
        return 0;

    vod_buf_reset(&text);
    memset(&jerr, 'x', sizeof jerr);
    ok = vod_json_encode_object(l, -1, &text, &jerr);
    if (lua_gettop(l) != top + 1)
        die("encoder changed the stack%s%s", NULL, NULL);
    if (!terminated(jerr.message, sizeof jerr.message) || !terminated(jerr.path, sizeof jerr.path))
        die("encoder message or path not NUL-terminated%s%s", NULL, NULL);
    if (ok != 0) {
        if (jerr.message[0] == '\0')
            die("encoder failed with an empty message%s%s", NULL, NULL);
        return 0;
    }
    vod_buf_cstr(&text);
    memset(err, 'x', sizeof err);
    if (!vod_json_decode(l, text.data, text.len, err, sizeof err))
        die("the decoder rejects the encoder's output: %s\ntext: %s", err, text.data);
    if (!same(l, top + 1, top + 2, 0))
        die("the round trip changed the value%s\ntext: %s", "", text.data);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in;
    if (L == NULL) {
        L = luaL_newstate();
        if (L == NULL)
            abort();
    }
    lua_settop(L, 0);
    in.p = (const char *)data;
    in.n = size;
    lua_pushcfunction(L, run);
    lua_pushlightuserdata(L, &in);
    if (lua_pcall(L, 1, 0, 0) != 0)
        die("Lua error raised: %s%s", lua_tostring(L, -1), NULL);
    lua_settop(L, 0);
    return 0;
}
