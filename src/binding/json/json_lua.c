/* The JSON codec exposed to Lua, with the same rules as request bodies and
 * responses (json_encode.h, json_decode.h): integers stay integers, numbers
 * JSON cannot carry exactly are refused (and, where numbers are doubles,
 * integers beyond 2^53 in the text), vod.null is null. */
#include "json_lua.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "args.h"
#include "compat.h"
#include "errors.h"
#include "json_decode.h"
#include "json_encode.h"
#include "options.h"

#define JSONBUF_MT "tencentcloud.vod.jsonbuf"

/* The output buffer lives in a userdata, so a Lua memory error raised while
 * encoding (the encoder grows the stack) cannot leak it. */
static int jsonbuf_gc(lua_State *L)
{
    vod_buf *b = (vod_buf *)luaL_checkudata(L, 1, JSONBUF_MT);
    vod_buf_free(b, 0);
    return 0;
}

void vod_json_lua_init(lua_State *L)
{
    if (luaL_newmetatable(L, JSONBUF_MT)) {
        lua_pushcfunction(L, jsonbuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
}

static int bad_json(lua_State *L, const char *param, const char *fmt, const char *a, const char *b)
{
    vod_error_push(L, VOD_E_INVALID_PARAMETER, NULL, fmt, a, b);
    if (param != NULL && param[0] != '\0') {
        lua_pushstring(L, param);
        lua_setfield(L, -2, "param");
    }
    return lua_error(L);
}

int vod_l_json_encode(lua_State *L)
{
    vod_json_error je;
    vod_buf *b;
    int rc;
    if (lua_type(L, 1) == LUA_TNONE)
        vod_arg_error(L, 1, "value expected");
    lua_settop(L, 1);
    b = (vod_buf *)vod_newuserdata(L, sizeof *b);
    memset(b, 0, sizeof *b);
    luaL_getmetatable(L, JSONBUF_MT);
    lua_setmetatable(L, -2);
    rc = vod_json_encode_value(L, 1, b, &je);
    if (rc != 0) {
        if (je.oom)
            return vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory encoding JSON");
        return bad_json(L, je.path, "cannot encode as JSON: %s %s",
                        je.path[0] ? je.path : "the value", je.message);
    }
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    vod_buf_free(b, 0);         /* now, rather than at the next collection */
    return 1;
}

/* vod.json_decode(text [, { empty_object = true }]) */
int vod_l_json_decode(lua_State *L)
{
    size_t len;
    const char *text = vod_arg_check_string(L, 1, &len);
    char err[160];
    int empty_object = 0, range;
    if (!lua_isnoneornil(L, 2)) {
        static const char *const known[] = { "empty_object" };
        vod_arg_check_type(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            size_t kl = 1;
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : "?";
            lua_pop(L, 1);
            if (strcmp(k, "empty_object") != 0)
                vod_opt_unknown(L, "json_decode", k, kl, known, 1);
        }
        lua_getfield(L, 2, "empty_object");
        empty_object = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    if (!vod_json_decode_ex(L, text, len, empty_object, err, sizeof err, &range))
        return bad_json(L, NULL, range ? "cannot decode JSON: %s%s" : "malformed JSON: %s%s", err, "");
    return 1;
}
