/* Checks a Lua parameter table against a request structure of the API model
 * (vod_model.h), at every depth: member names (with a suggestion for a near
 * miss), required members, and each value's JSON type. */
#ifndef VOD_CHECK_MODEL_H
#define VOD_CHECK_MODEL_H

#include <lua.h>
#include "check.h"
#include "vod_model.h"

/* A value more steps deep than this (each member and each list item is a
 * step) is refused; the model's own depth is far less (9 steps at most), so
 * the limit only bounds the recursion. */
#define VOD_CHECK_MODEL_MAX_DEPTH 128

/* 0 when the table at idx obeys the structure s, else -1 with e filled in:
 * e->param is the full path of the value at fault in the API's names with
 * 1-based list indices, as the JSON encoder writes it (SubjectInfos[1].Name),
 * and e->message names that path and the rule. Leaves the stack as it was.
 * Never raises, apart from Lua's own memory and stack errors. Allocates
 * nothing when the table is valid (a failure may intern a member name).
 *
 * What it leaves to the JSON encoder, which refuses them with its own path:
 * sparse lists and numeric keys beyond a list's length, cycles, NaN and
 * infinity where a float goes. vod.null (a NULL light userdata) is accepted
 * as any member's value and counts as given; an empty table is accepted
 * where a list or an object goes. */
int vod_check_model(lua_State *L, int idx, const vod_mstruct *s, vod_check_error *e);

#endif
