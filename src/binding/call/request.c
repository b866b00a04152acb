/* The halves of a call that do no I/O, shared by both transports: check and
 * encode the parameters, sign, parse a response into the Response table or
 * an error object, and the debug lines. Nothing here raises except for bad
 * input before sending (and Lua's own memory errors): a failed attempt is an
 * error object on the stack, so the caller can decide whether to retry. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>     /* curl_getdate */

#include "request.h"

#include "check.h"
#include "check_model.h"
#include "client_type.h"
#include "clock.h"
#include "args.h"
#include "compat.h"
#include "errors.h"
#include "h1_writer.h"
#include "json_decode.h"
#include "json_encode.h"
#include "session_id.h"

static int raise_param(lua_State *L, const char *action, const char *param, const char *msg)
{
    vod_error_push(L, VOD_E_INVALID_PARAMETER, action, "%s", msg);
    if (param && *param) {
        lua_pushstring(L, param);
        lua_setfield(L, -2, "param");
    }
    vod_pushint(L, 0);
    lua_setfield(L, -2, "attempts");    /* nothing was sent */
    return lua_error(L);
}

/* The hand-written rules (rules.h) where the API's documentation says more
 * than the model: ranges, lengths, one of two members. */
static const vod_action_rules *hand_rules(const char *action)
{
    if (strcmp(action, "CreateAigcSubject") == 0)
        return &vod_rules_create_aigc_subject;
    if (strcmp(action, "DescribeTaskDetail") == 0)
        return &vod_rules_describe_task_detail;
    return NULL;
}

void vod_request_free(vod_request *r)
{
    vod_buf_free(&r->body, 1);
    vod_buf_free(&r->wire, 1);
}

void vod_request_prepare(lua_State *L, vod_request *r, const char *action, int params,
                         const vod_maction *typed)
{
    vod_json_error je;
    if (typed != NULL) {
        vod_check_error ce;
        const vod_action_rules *rules = hand_rules(action);
        if ((rules != NULL && vod_check_params(L, params, rules, &ce) != 0) ||
            vod_check_model(L, params, vod_maction_input(typed), &ce) != 0)
            raise_param(L, action, ce.param, ce.message);
    }
    vod_buf_reset(&r->body);
    if (vod_json_encode_request(L, params, typed ? vod_maction_input(typed) : NULL, &r->body, &je) != 0) {
        char msg[400];
        if (je.oom)
            vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory encoding the body");
        snprintf(msg, sizeof msg, "%s %s", je.path[0] ? je.path : "parameters", je.message);
        raise_param(L, action, je.path, msg);
    }
    if (r->body.len > VOD_MAX_BODY) {
        char msg[160];
        snprintf(msg, sizeof msg, "the request body is %zu bytes; the API accepts at most %u",
                 r->body.len, VOD_MAX_BODY);
        raise_param(L, action, NULL, msg);
    }
}

void vod_debug(lua_State *L, vod_client *c, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if (!c->debug)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (c->debug == 1) {
        fprintf(stderr, "tencentcloud-vod: %s\n", line);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->debug_ref);
    lua_pushstring(L, line);
    lua_call(L, 1, 0);
}

/* The request as a log shows it: the signature and the token redacted. */
static void debug_request(lua_State *L, vod_client *c, const vod_request *r, const char *action)
{
    if (!c->debug)
        return;                 /* the hot path: nothing to format when nobody reads it */
    vod_debug(L, c, "> POST %s (%s)", c->url, action);
    if (c->proxy.kind != VOD_PROXY_NONE)
        vod_debug(L, c, "> via proxy %s (%s)", c->proxy.shown, c->proxy.source);
    for (size_t i = 0; i < c->nfixed; i++) {
        if (strncmp(c->lines[i], "X-TC-Token:", 11) == 0)
            vod_debug(L, c, "> X-TC-Token: <redacted>");
        else
            vod_debug(L, c, "> %s", c->lines[i]);
    }
    vod_debug(L, c, "> %s", r->hdr_action);
    vod_debug(L, c, "> %s", r->hdr_timestamp);
    {
        const char *sig = strstr(r->hdr_auth, "Signature=");
        int keep = sig ? (int)(sig - r->hdr_auth) + 10 : (int)strlen(r->hdr_auth);
        vod_debug(L, c, "> %.*s<redacted>", keep, r->hdr_auth);
    }
    vod_debug(L, c, "> %.*s", (int)(r->body.len > 900 ? 900 : r->body.len), r->body.data);
}

void vod_request_sign(lua_State *L, vod_client *c, vod_request *r, const char *action,
                      long long timestamp)
{
    tc3_request rq;
    tc3_result rs;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.query = "";
    rq.content_type = "application/json";
    rq.host = c->host;
    rq.payload = (const unsigned char *)r->body.data;
    rq.payload_len = r->body.len;
    rq.timestamp = timestamp;
    if (tc3_sign(&c->signer, &rq, &rs) != 0)
        vod_error_raise(L, VOD_E_INTERNAL, action, "signing failed");
    snprintf(r->hdr_action, sizeof r->hdr_action, "X-TC-Action: %s", action);
    snprintf(r->hdr_timestamp, sizeof r->hdr_timestamp, "X-TC-Timestamp: %lld", timestamp);
    snprintf(r->hdr_auth, sizeof r->hdr_auth, "Authorization: %s", rs.authorization);
    debug_request(L, c, r, action);
}

int vod_request_write(const vod_client *c, vod_request *r)
{
    vod_buf *w = &r->wire;
    w->len = 0;
    if (vod_buf_add(w, c->prefix.data, c->prefix.len) != 0)
        return -1;
    for (size_t i = 0; i < c->nfixed; i++)
        if (vod_h1w_line(w, c->lines[i]) != 0)
            return -1;
    return vod_h1w_line(w, r->hdr_action) || vod_h1w_line(w, r->hdr_timestamp) ||
           vod_h1w_line(w, r->hdr_auth) || vod_h1w_end(w, r->body.len) ||
           vod_buf_add(w, r->body.data, r->body.len) ? -1 : 0;
}

long long vod_client_now(const vod_client *c)
{
    return (long long)time(NULL) + c->clock_offset;
}

double vod_client_wallnow(const vod_client *c)
{
    return vod_wallclock() + (double)c->clock_offset;
}

int vod_learn_clock(vod_client *c, const char *http_date)
{
    time_t server = curl_getdate(http_date, NULL);
    if (server == (time_t)-1)
        return 0;
    c->clock_offset = (long long)server - (long long)time(NULL);
    return 1;
}

static void set_int_field(lua_State *L, const char *name, long v)
{
    vod_pushint(L, v);
    lua_setfield(L, -2, name);
}

static void set_bool_field(lua_State *L, const char *name, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, name);
}

/* A status other than 200: a proxy or gateway answered, not the API. The
 * start of the body (printable bytes only) goes into the message. */
static int http_status_error(lua_State *L, vod_client *c, const char *action, long status,
                             const char *body, size_t blen)
{
    char snippet[121];
    size_t k, len = blen < 120 ? blen : 120;
    for (k = 0; k < len; k++) {
        unsigned char ch = (unsigned char)body[k];
        snippet[k] = (ch < 0x20 || ch >= 0x7f) ? ' ' : (char)ch;
    }
    snippet[k] = '\0';
    vod_error_push(L, VOD_E_HTTP_STATUS, action, "HTTP %ld from %s://%s%s%s", status, c->scheme,
                   c->endpoint, len ? ": " : "", snippet);
    set_int_field(L, "http_status", status);
    set_bool_field(L, "ambiguous", status >= 500);  /* a 5xx may come after processing */
    return 0;
}

static int malformed(lua_State *L, int base, const char *action, const char *why)
{
    lua_settop(L, base);
    vod_error_push(L, VOD_E_MALFORMED, action, "malformed response: %s", why);
    set_int_field(L, "http_status", 200);
    set_bool_field(L, "ambiguous", 1);          /* something answered after receiving it */
    return 0;
}

int vod_response_parse(lua_State *L, vod_client *c, const char *action, long status,
                       const char *body, size_t len)
{
    char err[128];
    int resp, base = lua_gettop(L);
    if (c->debug)
        vod_debug(L, c, "< HTTP %ld, %zu bytes: %.*s", status, len, (int)(len > 900 ? 900 : len), body);
    if (status != 200)
        return http_status_error(L, c, action, status, body, len);
    if (!vod_json_decode(L, body, len, err, sizeof err))
        return malformed(L, base, action, err);
    if (lua_type(L, -1) != LUA_TTABLE)
        return malformed(L, base, action, "the body is not a JSON object");
    lua_getfield(L, -1, "Response");
    if (lua_type(L, -1) != LUA_TTABLE)
        return malformed(L, base, action, "no \"Response\" object in the body");
    lua_remove(L, -2);
    resp = lua_gettop(L);
    lua_getfield(L, resp, "RequestId");
    if (lua_type(L, -1) != LUA_TSTRING)
        return malformed(L, base, action, "the Response has no RequestId");
    lua_getfield(L, resp, "Error");
    if (lua_type(L, -1) == LUA_TTABLE) {
        const char *code, *msg;
        lua_getfield(L, -1, "Code");
        lua_getfield(L, -2, "Message");
        code = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (code == NULL)
            return malformed(L, base, action, "Response.Error has no Code");
        vod_error_push(L, code, action, "%s", msg);
        lua_pushvalue(L, resp + 1);
        lua_setfield(L, -2, "request_id");
        set_int_field(L, "http_status", 200);
        set_bool_field(L, "ambiguous", 0);      /* the API answered: it did not do it */
        lua_replace(L, base + 1);
        lua_settop(L, base + 1);
        return 0;
    }
    lua_settop(L, resp);
    return 1;
}

/* Copies an error object's code, status and ambiguity into f (the strings
 * stay valid while the object is on the stack). */
void vod_failure_of(lua_State *L, int idx, vod_failure *f)
{
    idx = vod_absindex(L, idx);
    lua_getfield(L, idx, "code");
    f->code = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);              /* the object still holds the string */
    lua_getfield(L, idx, "http_status");
    f->http_status = lua_type(L, -1) == LUA_TNUMBER ? (long)lua_tonumber(L, -1) : 0;
    lua_getfield(L, idx, "ambiguous");
    f->ambiguous = lua_toboolean(L, -1);
    lua_pop(L, 2);
}

int vod_is_read_only(const char *action)
{
    const vod_maction *a = vod_model_action(action, strlen(action));
    if (a != NULL)
        return a->kind == VOD_MA_QUERY;
    /* an action newer than the model (through call): by its name */
    return strncmp(action, "Describe", 8) == 0 || strncmp(action, "Search", 6) == 0 ||
           strcmp(action, "PullEvents") == 0;
}

int vod_skips_limiter(const char *action)
{
    return strcmp(action, "PullEvents") == 0;
}

int vod_action_is_create(const char *action)
{
    const vod_maction *a = vod_model_action(action, strlen(action));
    return a != NULL && a->kind == VOD_MA_CREATE;
}

int vod_body_add_session_id(vod_buf *body, const char *sid)
{
    size_t n = body->len;
    /* the encoder wrote an object: "{}" or "{...}" */
    if (n < 2 || body->data[n - 1] != '}')
        return -1;
    body->len = n - 1;
    if ((n > 2 && vod_buf_addc(body, ',') != 0) ||
        vod_buf_addstr(body, "\"SessionId\":\"") != 0 || vod_buf_addstr(body, sid) != 0 ||
        vod_buf_add(body, "\"}", 2) != 0)
        return -1;
    return 0;
}

const char *vod_request_session_id(lua_State *L, vod_client *c, const char *action, int params,
                                   int *generated)
{
    char sid[VOD_SESSION_ID_LEN + 1];
    *generated = 0;
    lua_pushliteral(L, "SessionId");
    lua_rawget(L, params);
    if (lua_type(L, -1) == LUA_TSTRING)
        return vod_rawlen(L, -1) > 0 ? lua_tostring(L, -1) : NULL;   /* the caller's, even "" */
    if (!lua_isnil(L, -1) || !c->auto_session_id || !vod_action_is_create(action))
        return NULL;
    lua_pop(L, 1);
    if (vod_session_id_new(sid) != 0)
        vod_error_raise(L, VOD_E_INTERNAL, action, "no randomness for a SessionId (getrandom failed)");
    lua_pushstring(L, sid);
    *generated = 1;
    vod_debug(L, c, "SessionId %s generated for %s (every attempt of this call carries it)", sid,
              action);
    return lua_tostring(L, -1);
}


/* An action name goes into a header: letters and digits only. Takes the
 * action from the stack, so a NUL byte cannot cut it short unseen. */
const char *vod_check_action(lua_State *L, int idx)
{
    size_t len;
    const char *action = vod_arg_check_string(L, idx, &len);
    if (len == 0 || len > 64)
        vod_error_raise(L, VOD_E_INVALID_PARAMETER, NULL,
                        "action must be 1 to 64 letters and digits, got %zu bytes", len);
    for (size_t i = 0; i < len; i++) {
        char ch = action[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            vod_error_raise(L, VOD_E_INVALID_PARAMETER, NULL,
                            "action must contain only letters and digits (e.g. "
                            "\"DescribeTaskDetail\")");
    }
    return action;
}
