/* Task events (events_lua.h). */
#include "events_lua.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "client_type.h"
#include "clock.h"
#include "compat.h"
#include "errors.h"
#include "event_sign.h"
#include "json_decode.h"
#include "options.h"
#include "private.h"

/* client:consume_events(handler, opts): the loop of src/lua/events.lua, with
 * this process's monotonic clock and a blocking sleep (nginx gives its own). */
int vod_m_consume_events(lua_State *L)
{
    (void)vod_client_check(L, 1);
    lua_settop(L, 3);
    vod_part_push(L, "events");
    lua_getfield(L, -1, "consume");
    lua_remove(L, -2);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    vod_push_plain_env(L);
    lua_call(L, 4, LUA_MULTRET);        /* consume(client, handler, opts, env) */
    return lua_gettop(L) - 3;
}

void vod_events_push_defaults(lua_State *L)
{
    vod_part_push(L, "events");
    lua_getfield(L, -1, "defaults");
    lua_remove(L, -2);
    lua_call(L, 0, 1);
}

/* The verdict's name in err.reason. */
static const char *reason_name(vod_esign v)
{
    switch (v) {
    case VOD_ESIGN_MISMATCH: return "mismatch";
    case VOD_ESIGN_EXPIRED: return "expired";
    case VOD_ESIGN_INTERNAL: return "internal";
    default: return "malformed";
    }
}

/* Pushes the ClientError.EventSignature for a verdict; `what` says which
 * field was missing (NULL: none was). */
static void push_sign_error(lua_State *L, vod_esign v, const char *missing, long long t)
{
    if (missing != NULL)
        vod_error_push(L, VOD_E_EVENT_SIGNATURE, NULL, "event notification refused: the message "
                       "has no %s (a SignKey was given, so every message must be signed)", missing);
    else if (v == VOD_ESIGN_EXPIRED)
        vod_error_push(L, VOD_E_EVENT_SIGNATURE, NULL, "event notification refused: %s (T = %lld)",
                       vod_event_sign_reason(v), t);
    else
        vod_error_push(L, VOD_E_EVENT_SIGNATURE, NULL, "event notification refused: %s",
                       vod_event_sign_reason(v));
    lua_pushstring(L, missing != NULL ? "missing" : reason_name(v));
    lua_setfield(L, -2, "reason");
}

/* Checks Sign (at sign) and T (at t) with the key; returns 1, or pushes the
 * error object and returns 0. */
static int check_sign(lua_State *L, int sign, int t, const char *key, size_t key_len, double now)
{
    char ttext[32];
    const char *s, *tt;
    size_t slen, tlen;
    long long tv = 0;
    vod_esign v;
    if (lua_isnoneornil(L, sign) || lua_isnoneornil(L, t)) {
        push_sign_error(L, VOD_ESIGN_BAD_SIGN, lua_isnoneornil(L, sign) ? "Sign" : "T", 0);
        return 0;
    }
    if (lua_type(L, sign) != LUA_TSTRING) {
        push_sign_error(L, VOD_ESIGN_BAD_SIGN, NULL, 0);
        return 0;
    }
    s = lua_tolstring(L, sign, &slen);
    if (lua_type(L, t) == LUA_TNUMBER) {
        /* a JSON integer: its decimal text is what was signed */
        if (!vod_tointegral(L, t, &tv) || tv < 0) {
            push_sign_error(L, VOD_ESIGN_BAD_T, NULL, 0);
            return 0;
        }
        snprintf(ttext, sizeof ttext, "%lld", tv);
        tt = ttext;
        tlen = strlen(ttext);
    } else if (lua_type(L, t) == LUA_TSTRING) {
        tt = lua_tolstring(L, t, &tlen);    /* digits as text: signed as sent */
        (void)vod_event_t_parse(tt, tlen, &tv);
    } else {
        push_sign_error(L, VOD_ESIGN_BAD_T, NULL, 0);
        return 0;
    }
    v = vod_event_sign_check(s, slen, tt, tlen, key, key_len, now);
    if (v == VOD_ESIGN_OK)
        return 1;
    push_sign_error(L, v, NULL, tv);
    return 0;
}

/* The key at idx: a non-empty string, or an argument error (never showing it). */
static const char *sign_key_arg(lua_State *L, int idx, size_t *len)
{
    const char *key;
    if (lua_type(L, idx) != LUA_TSTRING)
        vod_arg_type_error(L, idx, "string");
    key = lua_tolstring(L, idx, len);
    if (*len == 0)
        vod_arg_error(L, idx, "sign_key must not be empty");
    return key;
}

/* vod.verify_event_sign(sign, t, sign_key [, now]) -> true, or false, err:
 * a missing or malformed Sign or T is a verdict, not an argument error (they
 * come from the message); a bad key or `now` is the caller's mistake. */
int vod_l_verify_event_sign(lua_State *L)
{
    size_t klen;
    const char *key = sign_key_arg(L, 3, &klen);
    double now = lua_isnoneornil(L, 4) ? vod_wallclock() : vod_arg_check_number(L, 4);
    if (check_sign(L, 1, 2, key, klen, now)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

static int invalid_event(lua_State *L, const char *fmt, const char *detail)
{
    return vod_error_raise(L, VOD_E_INVALID_EVENT, NULL, fmt, detail);
}

static int invalid_option(lua_State *L, const char *option, const char *msg)
{
    vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "parse_event option '%s' %s", option, msg);
    lua_pushstring(L, option);
    lua_setfield(L, -2, "option");
    return lua_error(L);
}

/* vod.parse_event(body [, opts]) -> the event: the body decoded by the
 * module's codec, a JSON object with a string EventType. With opts.sign_key,
 * its Sign and T are checked first and taken out of the table. */
int vod_l_parse_event(lua_State *L)
{
    size_t len, klen = 0;
    const char *body = vod_arg_check_string(L, 1, &len), *key = NULL;
    double now;
    char err[160];
    int event;
    lua_settop(L, 2);
    if (!lua_isnil(L, 2)) {
        vod_arg_check_type(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            static const char *const known[] = { "sign_key", "now" };
            size_t kl = 1;
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : "?";
            lua_pop(L, 1);
            if (strcmp(k, "sign_key") != 0 && strcmp(k, "now") != 0)
                vod_opt_unknown(L, "parse_event", k, kl, known, 2);
        }
        lua_getfield(L, 2, "sign_key");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING || vod_rawlen(L, -1) == 0)
                return invalid_option(L, "sign_key", "must be a non-empty string");
            key = lua_tolstring(L, -1, &klen);      /* held by the options table */
        }
        lua_getfield(L, 2, "now");
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TNUMBER)
            return invalid_option(L, "now", "must be a number of UNIX seconds");
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    now = lua_isnil(L, 4) ? vod_wallclock() : (double)lua_tonumber(L, 4);
    if (!vod_json_decode(L, body, len, err, sizeof err))
        return invalid_event(L, "the event notification is not JSON: %s", err);
    event = lua_gettop(L);
    if (lua_type(L, event) != LUA_TTABLE)
        return invalid_event(L, "the event notification is not a JSON object%s", "");
    lua_getfield(L, event, "EventType");
    if (lua_type(L, -1) != LUA_TSTRING || vod_rawlen(L, -1) == 0)
        return invalid_event(L, "the event notification has no EventType (a non-empty string)%s",
                             "");
    lua_pop(L, 1);
    if (key != NULL) {
        lua_getfield(L, event, "Sign");
        lua_getfield(L, event, "T");
        if (!check_sign(L, event + 1, event + 2, key, klen, now))
            return lua_error(L);
        lua_settop(L, event);
        /* the pair is a pass until T: it does not travel on with the event */
        lua_pushnil(L);
        lua_setfield(L, event, "Sign");
        lua_pushnil(L);
        lua_setfield(L, event, "T");
    }
    return 1;
}
