/* libFuzzer harness for vod_check_model (src/binding/check/check_model.h) over
 * the generated model tables (src/model/vod_model.h).
 *
 * The input is a tiny program that builds a parameter table, guided by the
 * model so that the fuzzer reaches deep structures: bytes 0-1 choose the
 * action (an index into vod_model_actions, modulo their count), byte 2 holds
 * flags (0x01: pass the table by a negative stack index; 0x02: check a value
 * that is not a table). The rest is read by build_object: a count byte, then
 * per entry a key (mostly one of the structure's member names, sometimes a
 * near miss, raw bytes, a number or a boolean) and a value (mostly of the
 * member's type, lists and objects built recursively, sometimes anything
 * else: vod.null, NaN, bad UTF-8, a cycle, a function, ...). A byte read
 * past the end is 0, and reading stops there.
 *
 * Must never crash. Aborts on:
 *   - the check changing the Lua stack or raising a Lua error;
 *   - a result other than 0 or -1; a message or param that is not
 *     NUL-terminated; an empty message on failure; a failure at depth whose
 *     message does not contain its param (when the param is not clipped);
 *   - an accepted table lacking a required top-level member;
 *   - a second check of the same table giving another result. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "check_model.h"
#include "vod_model.h"

#define FUZZ_NAME "fuzz_check_model"
#include "fuzz_prog.h"

#define MAX_NEST 12

static lua_State *L;

static const double specials[] = {
    NAN, INFINITY, -INFINITY, -0.0, 0.5, -0.5, 1e300, -1e-300, 1.0, -1.0, 3.0,
    9007199254740992.0, 9007199254740994.0, -9007199254740992.0, -9007199254740994.0,
    9223372036854775808.0, -9223372036854775808.0, 1e19, 4.9e-324,
};

static const long long ints[] = {
    0, 1, -1, 10, 9007199254740992LL, 9007199254740993LL, -9007199254740992LL,
    -9007199254740993LL, 9223372036854775807LL, -9223372036854775807LL - 1, 2147483648LL,
};

static int probe_fn(lua_State *l) { (void)l; return 0; }

static void push_bytes(prog *g, size_t cap)
{
    char tmp[256];
    size_t n = byte(g) % (cap < sizeof tmp ? cap : sizeof tmp);
    n = n < (size_t)(g->end - g->p) ? n : (size_t)(g->end - g->p);
    memcpy(tmp, g->p, n);
    g->p += n;
    lua_pushlstring(L, tmp, n);
}

static void push_value(prog *g, const vod_mfield *f, int as_item, int depth);
static void build_object(prog *g, const vod_mstruct *s, int depth);

/* Any value at all, unrelated to the model. */
static void push_any(prog *g, int depth)
{
    unsigned op = byte(g);
    switch (op % 14) {
    case 0: { long long v; take(g, &v, sizeof v); lua_pushinteger(L, (lua_Integer)v); break; }
    case 1: { double d; take(g, &d, sizeof d); lua_pushnumber(L, (lua_Number)d); break; }
    case 2: lua_pushnumber(L, specials[byte(g) % (sizeof specials / sizeof specials[0])]); break;
    case 3: lua_pushinteger(L, (lua_Integer)ints[byte(g) % (sizeof ints / sizeof ints[0])]); break;
    case 4: push_bytes(g, 256); break;
    case 5: lua_pushboolean(L, (int)(byte(g) & 1)); break;
    case 6: lua_pushlightuserdata(L, NULL); break;                  /* vod.null */
    case 7: lua_pushlightuserdata(L, (void *)&specials); break;
    case 8: lua_pushcfunction(L, probe_fn); break;
    case 9: lua_newtable(L); break;
    case 10: {                                                      /* a list of anything */
        unsigned n = byte(g) % 5;
        lua_createtable(L, (int)n, 0);
        for (unsigned i = 1; i <= n && more(g); i++) {
            if (depth < MAX_NEST)
                push_any(g, depth + 1);
            else
                lua_pushliteral(L, "x");
            lua_rawseti(L, -2, (int)i);
        }
        break;
    }
    case 11: {                                                      /* a table of anything */
        unsigned n = byte(g) % 4;
        lua_newtable(L);
        for (unsigned i = 0; i < n && more(g); i++) {
            push_bytes(g, 16);
            if (depth < MAX_NEST)
                push_any(g, depth + 1);
            else
                lua_pushliteral(L, "x");
            lua_rawset(L, -3);
        }
        break;
    }
    default: lua_pushliteral(L, "value"); break;
    }
}

/* A value of the field's item type, now and then a wrong one. */
static void push_typed(prog *g, const vod_mfield *f, int depth)
{
    unsigned op = byte(g);
    if ((op & 0x0f) == 0x0f || depth >= MAX_NEST) {
        push_any(g, depth);
        return;
    }
    switch (f->type) {
    case VOD_MT_INT:
    case VOD_MT_UINT:
        if (op & 0x10)
            lua_pushinteger(L, (lua_Integer)ints[byte(g) % (sizeof ints / sizeof ints[0])]);
        else
            lua_pushinteger(L, (lua_Integer)(int8_t)byte(g));
        break;
    case VOD_MT_FLOAT:
        lua_pushnumber(L, (lua_Number)(int8_t)byte(g) / 4.0);
        break;
    case VOD_MT_STRING:
        if (op & 0x10)
            push_bytes(g, 64);                  /* maybe bad UTF-8, maybe a NUL */
        else
            lua_pushliteral(L, "https://example.com/\xe4\xb8\xbb.png");
        break;
    case VOD_MT_BOOL:
        lua_pushboolean(L, (int)(op & 0x10));
        break;
    case VOD_MT_OBJECT:
        build_object(g, vod_mfield_struct(f), depth + 1);
        break;
    default:
        lua_pushnil(L);
    }
}

static void push_value(prog *g, const vod_mfield *f, int as_item, int depth)
{
    if (!as_item && (f->flags & VOD_MF_LIST)) {
        unsigned op = byte(g), n = op % 5;
        if ((op & 0xe0) == 0xe0 || depth >= MAX_NEST) {
            push_any(g, depth);
            return;
        }
        lua_createtable(L, (int)n, 0);
        for (unsigned i = 1; i <= n && more(g); i++) {
            push_value(g, f, 1, depth + 1);
            lua_rawseti(L, -2, (int)(op & 0x80 ? i * 2 : i));  /* 0x80: with holes */
        }
        return;
    }
    push_typed(g, f, depth);
}

/* Pushes a key for structure s; *f receives its field, or NULL. Never nil or NaN. */
static void push_key(prog *g, const vod_mstruct *s, const vod_mfield **f)
{
    unsigned op = byte(g);
    *f = NULL;
    switch (op % 8) {
    case 0: case 1: case 2: case 3: case 4:
        if (s->count) {
            *f = &vod_model_fields[s->first + byte(g) % s->count];
            lua_pushstring(L, vod_mfield_name(*f));
        } else {
            lua_pushliteral(L, "Nothing");
        }
        break;
    case 5:                                     /* a near miss: one byte changed or cut */
        if (s->count) {
            const char *n = vod_mfield_name(&vod_model_fields[s->first + byte(g) % s->count]);
            char tmp[80];
            size_t len = strlen(n) < sizeof tmp ? strlen(n) : sizeof tmp - 1;
            unsigned at = byte(g), c = byte(g);
            memcpy(tmp, n, len);
            if (len && (c & 1))
                len--;
            else if (len)
                tmp[at % len] = (char)c;
            lua_pushlstring(L, tmp, len);
        } else {
            lua_pushliteral(L, "x");
        }
        break;
    case 6: push_bytes(g, 96); break;
    default: {
        static const double k[] = { 1.0, 2.0, 0.5, -1.0, 1e300, INFINITY };
        if (op & 8)
            lua_pushboolean(L, 1);
        else
            lua_pushnumber(L, k[byte(g) % 6]);
        break;
    }
    }
}

static void build_object(prog *g, const vod_mstruct *s, int depth)
{
    unsigned n = byte(g) % 10;
    luaL_checkstack(L, 8, "building");
    lua_newtable(L);
    for (unsigned i = 0; i < n && more(g); i++) {
        const vod_mfield *f;
        unsigned how;
        push_key(g, s, &f);
        how = byte(g);
        if ((how & 0x3f) == 0x3f)
            lua_pushvalue(L, -2);               /* the table itself: a cycle */
        else if (f != NULL && (how & 0x30) != 0x30)
            push_value(g, f, 0, depth);
        else
            push_any(g, depth);
        lua_rawset(L, -3);
    }
}

static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

static int run(lua_State *l)
{
    prog *g = (prog *)lua_touserdata(l, 1);
    unsigned which = byte(g) | byte(g) << 8, flags = byte(g);
    const vod_maction *a = &vod_model_actions[which % vod_model_nactions];
    const vod_mstruct *s = vod_maction_input(a);
    vod_check_error e, e2;
    int t, idx, top, rc, rc2;

    lua_settop(l, 0);
    if (flags & 2)
        push_any(g, 0);
    else
        build_object(g, s, 0);
    t = lua_gettop(l);
    lua_pushinteger(l, 42);                     /* something above the table */
    idx = (flags & 1) ? -2 : t;
    top = lua_gettop(l);

    memset(&e, 0x5a, sizeof e);
    rc = vod_check_model(l, idx, s, &e);
    if (lua_gettop(l) != top)
        die("vod_check_model changed the stack", vod_maction_name(a));
    if (rc != 0 && rc != -1)
        die("vod_check_model returned neither 0 nor -1", NULL);
    if (rc != 0) {
        if (!terminated(e.message, sizeof e.message) || !terminated(e.param, sizeof e.param))
            die("check error not NUL-terminated", NULL);
        if (e.message[0] == '\0')
            die("check failed with an empty message", NULL);
        if (e.param[0] != '\0' && strlen(e.param) < sizeof e.param - 1 &&
            strstr(e.message, e.param) == NULL) {
            fprintf(stderr, "[%s] %s\n", e.param, e.message);
            die("the message does not name the param", NULL);
        }
    } else {
        for (size_t i = 0; i < s->count; i++) {
            const vod_mfield *f = &vod_model_fields[s->first + i];
            if (!(f->flags & VOD_MF_REQUIRED))
                continue;
            lua_pushstring(l, vod_mfield_name(f));
            lua_rawget(l, t);
            if (lua_isnil(l, -1))
                die("accepted without a required member", vod_mfield_name(f));
            lua_pop(l, 1);
        }
    }

    memset(&e2, 0x5a, sizeof e2);
    rc2 = vod_check_model(l, idx, s, &e2);
    if (rc2 != rc || (rc != 0 && (strcmp(e.message, e2.message) != 0 || strcmp(e.param, e2.param) != 0)))
        die("a second check differs", NULL);
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
