/* Applies an action's rules (rules.h) to a Lua parameter table. */
#ifndef VOD_CHECK_H
#define VOD_CHECK_H

#include <lua.h>
#include "rules.h"

typedef struct vod_check_error {
    char param[256];    /* the parameter at fault, with its path ("" for a cross-field rule) */
    char message[512];  /* names the parameter and the rule */
} vod_check_error;

/* What a value is, for messages: "string", "1.5", "table", "vod.null", ... */
const char *vod_check_describe(lua_State *L, int idx, char *tmp, size_t n);

/* 1 when the value at idx is a finite number outside -2^63..2^63: a whole
 * number (every double that large is), which an integer parameter refuses
 * for its range, not as a fraction. */
int vod_check_huge(lua_State *L, int idx);

/* 0 when the table at idx obeys every rule, else -1 with e filled in.
 * Does not raise (apart from Lua's own memory errors). */
int vod_check_params(lua_State *L, int idx, const vod_action_rules *r, vod_check_error *e);

#endif
