/* vod.new and the Client userdata's life: build (box before acquire),
 * tostring (never the key), close and __gc (wiping the secrets), stats and
 * settings. */
#include "client.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "client_type.h"
#include "clock.h"
#include "args.h"
#include "compat.h"
#include "cred_read.h"
#include "cred_refresh.h"
#include "errors.h"
#include "options.h"
#include "driver_curl.h"
#include "h1_writer.h"
#include "route.h"
#include "request.h"

static void release(lua_State *L, vod_client *c)
{
    c->ready = 0;
    if (c->debug_ref != LUA_NOREF && c->debug_ref != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, c->debug_ref);
        c->debug_ref = LUA_NOREF;
    }
    vod_curl_release(c);
    vod_creds_free(L, c);
    tc3_signer_free(&c->signer);
    vod_buf_free(&c->fixed, 1);     /* holds the token */
    vod_buf_free(&c->prefix, 1);    /* may hold the proxy's credentials */
    vod_route_free(&c->route);
    vod_buf_free(&c->ca_file, 0);
    vod_proxy_wipe(&c->proxy);      /* its password */
}

int vod_m_close(lua_State *L)
{
    release(L, vod_arg_check_udata(L, 1, VOD_CLIENT_MT));
    return 0;
}

int vod_m_tostring(lua_State *L)
{
    vod_client *c = vod_arg_check_udata(L, 1, VOD_CLIENT_MT);
    if (!c->ready)
        lua_pushfstring(L, VOD_CLIENT_MT " (closed): %p", (void *)c);
    else
        lua_pushfstring(L, VOD_CLIENT_MT " (%s @ %s://%s%s%s): %p", c->id_hint, c->scheme,
                        c->endpoint, c->proxy.kind ? " via " : "", c->proxy.kind ? c->proxy.shown : "",
                        (void *)c);
    return 1;
}

/* client:stats() -> { calls = n, connections = n, throttled = n, rate = r }:
 * what the transport did, and the client's rate as it stands (adapted). */
int vod_m_stats(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    lua_createtable(L, 0, 4);
    vod_pushint(L, c->calls);
    lua_setfield(L, -2, "calls");
    vod_pushint(L, c->connects);
    lua_setfield(L, -2, "connections");
    vod_pushint(L, c->limiter.throttles);
    lua_setfield(L, -2, "throttled");
    if (c->limiter.max_rate > 0) {
        lua_pushnumber(L, (lua_Number)(c->limiter.st.rate * VOD_RATE_MARGIN));
        lua_setfield(L, -2, "rate");
    }
    return 1;
}

/* Appends "Name: value" + NUL to c->fixed and remembers its offset. */
static int add_fixed(vod_client *c, size_t *offs, const char *name, const char *v, size_t vlen)
{
    offs[c->nfixed++] = c->fixed.len;
    return vod_buf_addstr(&c->fixed, name) || vod_buf_addstr(&c->fixed, ": ") ||
           vod_buf_add(&c->fixed, v, vlen) || vod_buf_addc(&c->fixed, '\0');
}

static int build_fixed_headers(vod_client *c, const vod_options *o)
{
    size_t offs[VOD_MAX_HEADERS];
    static const char ua[] = "tencentcloud-vod-lua/" VOD_VERSION;
    int rc = 0;
    c->nfixed = 0;
    rc |= add_fixed(c, offs, "Content-Type", "application/json", 16);
    rc |= add_fixed(c, offs, "X-TC-Version", VOD_API_VERSION, strlen(VOD_API_VERSION));
    rc |= add_fixed(c, offs, "X-TC-RequestClient", ua, sizeof ua - 1);
    if (o->region)
        rc |= add_fixed(c, offs, "X-TC-Region", o->region, strlen(o->region));
    if (o->language)
        rc |= add_fixed(c, offs, "X-TC-Language", o->language, strlen(o->language));
    if (o->cred.token)
        rc |= add_fixed(c, offs, "X-TC-Token", o->cred.token, o->cred.token_len);
    else if (o->cred.kind != VOD_CRED_STATIC)
        offs[c->cred.token_slot = c->nfixed++] = (size_t)-1;   /* fetched later (cred_refresh.c) */
    if (rc)
        return -1;
    for (size_t i = 0; i < c->nfixed; i++)       /* the buffer no longer moves */
        c->lines[i] = offs[i] == (size_t)-1 ? "X-TC-Token:" : c->fixed.data + offs[i];
    return 0;
}

/* How the endpoint is reached, once (route.c), and the request line and
 * Host every request starts with (and Proxy-Authorization, when the request
 * goes to an HTTP proxy in absolute form). */
static int build_route(vod_client *c)
{
    vod_route *r = &c->route;
    int rc = vod_route_init(r, &c->proxy, c->scheme, c->endpoint, c->connect_timeout_ms);
    vod_buf_reset(&c->prefix);
    rc |= vod_h1w_request_line(&c->prefix, "POST", r->absolute_form ? c->url : "/",
                               r->absolute_form ? strlen(c->url) : 1);
    rc |= vod_h1w_host(&c->prefix, c->endpoint, r->https);
    rc |= vod_buf_add(&c->prefix, r->proxy_auth.data, r->proxy_auth.len);
    return rc ? -1 : 0;
}

/* client:debug(line): a line to the debug sink, if one is configured */
int vod_m_debug(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    vod_debug(L, c, "%s", vod_arg_check_string(L, 2, NULL));
    return 0;
}

static void set_endpoint(vod_client *c, const vod_options *o)
{
    const char *ep = o->endpoint;
    size_t hl;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", ep);
    snprintf(c->scheme, sizeof c->scheme, "%s", o->scheme);
    /* the signature covers the host name alone, never the port */
    if (ep[0] == '[')
        hl = (size_t)(strchr(ep, ']') - ep) + 1;
    else
        hl = strcspn(ep, ":");
    snprintf(c->host, sizeof c->host, "%.*s", (int)hl, ep);
}

int vod_client_new(lua_State *L)
{
    vod_options o;
    vod_client *c;

    /* the options at index 1 (nil when none): what the readers push goes above,
     * so index 1 stays the options (vod_creds_read pushes its scratch box) */
    lua_settop(L, 1);
    /* raise on bad options: nothing acquired yet */
    vod_options_read(L, 1, &o);
    vod_creds_read(L, lua_isnoneornil(L, 1) ? 0 : 1, &o.cred);
    vod_options_read_proxy(L, 1, &o);

    c = vod_newuserdata(L, sizeof *c);  /* box first ... */
    memset(c, 0, sizeof *c);
    c->debug_ref = LUA_NOREF;
    luaL_getmetatable(L, VOD_CLIENT_MT);
    lua_setmetatable(L, -2);            /* ... with __gc before anything is acquired */
    c->proxy = o.proxy;                 /* the box holds the proxy's password now */
    vod_proxy_wipe(&o.proxy);

    set_endpoint(c, &o);
    if (build_fixed_headers(c, &o) != 0)
        return vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory building headers");
    /* the signer, or credentials fetched at the first call; wipes the profile text */
    vod_creds_init(L, c, &o.cred, 1);

    snprintf(c->url, sizeof c->url, "%s://%s/", o.scheme, o.endpoint);
    if (o.ca_file != NULL && vod_buf_addstr(&c->ca_file, o.ca_file) != 0)
        return vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory");
    c->timeout_ms = (long)ceil(o.timeout * 1000.0);
    c->connect_timeout_ms = (long)ceil(o.connect_timeout * 1000.0);
    if (build_route(c) != 0)
        return vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory");
    c->max_response = o.max_response_size;
    c->retry = o.retry;
    vod_limiter_init(&c->limiter, o.rate, o.burst, o.adaptive, vod_monotonic());
    c->auto_session_id = o.auto_session_id;
    if (o.rate_dict != NULL)
        snprintf(c->rate_dict, sizeof c->rate_dict, "%s", o.rate_dict);
    c->rng = (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)c << 16) ^ (uint64_t)getpid();
    c->debug = o.debug;
    if (o.debug == 2) {
        lua_pushliteral(L, "debug");
        lua_rawget(L, 1);
        c->debug_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    c->ready = 1;
    return 1;
}

/* client:settings() -> what a transport of its own needs to know. */
int vod_m_settings(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, c->scheme);
    lua_setfield(L, -2, "scheme");
    lua_pushstring(L, c->endpoint);
    lua_setfield(L, -2, "endpoint");
    vod_push_host_port(L, c);
    lua_pushnumber(L, (lua_Number)c->timeout_ms / 1000);
    lua_setfield(L, -2, "timeout");
    lua_pushnumber(L, (lua_Number)c->connect_timeout_ms / 1000);
    lua_setfield(L, -2, "connect_timeout");
    vod_pushint(L, (long long)c->max_response);
    lua_setfield(L, -2, "max_response_size");
    if (c->ca_file.len) {
        lua_pushlstring(L, c->ca_file.data, c->ca_file.len);
        lua_setfield(L, -2, "ca_file");
    }
    if (c->limiter.max_rate > 0) {
        lua_createtable(L, 0, 5);
        lua_pushnumber(L, (lua_Number)(c->limiter.max_rate * VOD_RATE_MARGIN));
        lua_setfield(L, -2, "rate");
        lua_pushnumber(L, (lua_Number)(1.0 / c->limiter.max_rate));
        lua_setfield(L, -2, "interval");   /* seconds between tokens, margin included */
        lua_pushnumber(L, (lua_Number)c->limiter.burst);
        lua_setfield(L, -2, "burst");
        lua_pushboolean(L, c->limiter.adaptive);
        lua_setfield(L, -2, "adaptive");
        if (c->rate_dict[0]) {
            lua_pushstring(L, c->rate_dict);
            lua_setfield(L, -2, "shared_dict");
        }
        lua_setfield(L, -2, "rate_limit");
    }
    lua_pushboolean(L, c->retry.enabled);
    lua_setfield(L, -2, "retries");
    if (c->proxy.kind != VOD_PROXY_NONE) {      /* the password shown as *** */
        lua_pushstring(L, c->proxy.shown);
        lua_setfield(L, -2, "proxy");
        lua_pushstring(L, c->proxy.source);
        lua_setfield(L, -2, "proxy_source");
    }
    lua_pushstring(L, c->cred.source);
    lua_setfield(L, -2, "credential_source");
    return 1;
}

