/* Lua value -> JSON text, exact or not at all.
 *
 * Tables with keys 1..n are arrays, tables with string keys are objects, a
 * nested empty table is [] (the top level is always an object). Integers go
 * out as integers; a number JSON cannot carry exactly (NaN, infinity, any
 * number beyond +-2^53, integer or float) is refused rather than sent altered.
 * Strings must be UTF-8 without NUL bytes. vod.null (a NULL light userdata)
 * encodes as null, vod.empty_object (the light userdata VOD_JSON_EMPTY_OBJECT)
 * as {}: an empty object where a bare {} would be written [] (an unchecked
 * call, tcvod). */
#ifndef VOD_JSON_ENCODE_H
#define VOD_JSON_ENCODE_H

#include <lua.h>
#include "buf.h"
#include "vod_model.h"

#define VOD_JSON_MAX_DEPTH 64

extern const char vod_json_empty_object;
#define VOD_JSON_EMPTY_OBJECT ((void *)&vod_json_empty_object)
#define VOD_JSON_ERR_LEN 256

typedef struct vod_json_error {
    char path[128];                 /* e.g. Filters[2].Name */
    char message[VOD_JSON_ERR_LEN]; /* e.g. must not be NaN or infinity */
    int oom;                        /* out of memory, not bad input */
} vod_json_error;

/* Appends the JSON text of the table at idx to b. Returns 0, or -1 with err
 * filled in. Raises only Lua's own memory errors (b belongs to the caller's
 * userdata, so nothing leaks). */
int vod_json_encode_object(lua_State *L, int idx, vod_buf *b, vod_json_error *err);

/* The same for a request of the model's structure s (NULL: none known): an
 * empty table where the model has an object (not a list) is written {}. */
int vod_json_encode_request(lua_State *L, int idx, const vod_mstruct *s, vod_buf *b,
                            vod_json_error *err);

/* The same for any value: a table with keys 1..n becomes an array here too,
 * an empty table {}, and a string, number, boolean or vod.null stands alone. */
int vod_json_encode_value(lua_State *L, int idx, vod_buf *b, vod_json_error *err);

/* Appends a JSON string literal. -1 with err filled in when s is not UTF-8
 * or holds a NUL byte. */
int vod_json_encode_string(vod_buf *b, const char *s, size_t len, vod_json_error *err);

#endif
