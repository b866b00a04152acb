/* JSON text -> Lua value, for API responses.
 *
 * Objects become tables (members whose value is null are left out, as Lua
 * tables cannot hold nil), arrays become sequences (a null item becomes
 * vod.null, a NULL light userdata, so positions are kept), integers become Lua
 * integers where the language has them (5.3, 5.4; beyond 64 bits, floats).
 * Where every number is a double (5.1, 5.2, LuaJIT), an integer beyond 2^53
 * is refused, never rounded: the message names its path ("Response.A[2].B").
 * Nesting is limited, so a hostile body cannot exhaust the C stack. */
#ifndef VOD_JSON_DECODE_H
#define VOD_JSON_DECODE_H

#include <stddef.h>
#include <lua.h>

#define VOD_JSON_MAX_DECODE_DEPTH 128

/* Pushes the decoded value and returns 1; on malformed text pushes nothing,
 * returns 0 and writes a message (with the byte offset) to err. */
int vod_json_decode(lua_State *L, const char *text, size_t len, char *err, size_t errlen);

/* The same; with empty_object set, an object left with no member (`{}`)
 * becomes vod.empty_object, so that it is written {} again (json_encode.h).
 * *range (may be NULL) is set to 1 when the text is JSON but holds an integer
 * this Lua cannot hold exactly, 0 otherwise. */
int vod_json_decode_ex(lua_State *L, const char *text, size_t len, int empty_object, char *err,
                       size_t errlen, int *range);

#endif
