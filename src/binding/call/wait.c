/* client:wait_task(task_id, opts): polls DescribeTaskDetail until the task
 * is FINISH or ABORTED, and turns a failed task into an error object. The
 * loop is src/lua/wait.lua, one for both transports; here are its checks,
 * which do no I/O: the options, the task's own part, a failed task. */
#include "wait.h"

#include <string.h>

#include "args.h"
#include "client_type.h"
#include "compat.h"
#include "defaults.h"
#include "errors.h"
#include "options.h"
#include "private.h"
#include "vod_model.h"

#define WAIT_ACTION "DescribeTaskDetail"

typedef struct wait_opts {
    double interval, timeout;
    int progress;       /* stack index of the progress function, or 0 */
} wait_opts;

static double opt_seconds(lua_State *L, int t, const char *name, double def, double max)
{
    double v;
    lua_getfield(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return def;
    }
    v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
    lua_pop(L, 1);
    if (!(v > 0 && v <= max)) {
        vod_error_push(L, VOD_E_INVALID_OPTION, "wait_task", "wait_task option '%s' must be a "
                       "number of seconds, more than 0 and at most %g", name, max);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "option");
        lua_error(L);
    }
    return v;
}

/* Reads opts (index 3) and builds the request's parameter table; returns its index. */
static int read_opts(lua_State *L, wait_opts *w)
{
    static const char *const known[] = { "interval", "timeout", "SubAppId", "progress" };
    size_t klen;
    int params;
    w->interval = VOD_DEFAULT_WAIT_INTERVAL;
    w->timeout = VOD_DEFAULT_WAIT_TIMEOUT;
    w->progress = 0;
    lua_createtable(L, 0, 2);
    params = lua_gettop(L);
    lua_pushvalue(L, 2);
    lua_setfield(L, params, "TaskId");
    if (lua_isnoneornil(L, 3))
        return params;
    vod_arg_check_type(L, 3, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 3) != 0) {
        size_t i;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            vod_error_raise(L, VOD_E_INVALID_OPTION, "wait_task",
                            "wait_task option names must be strings, got a %s key",
                            luaL_typename(L, -1));
        for (i = 0; i < 4; i++)
            if (strcmp(lua_tostring(L, -1), known[i]) == 0)
                break;
        if (i == 4) {
            const char *k = lua_tolstring(L, -1, &klen);
            vod_opt_unknown(L, "wait_task", k, klen, known, 4);
        }
    }
    w->interval = opt_seconds(L, 3, "interval", w->interval, 3600);
    w->timeout = opt_seconds(L, 3, "timeout", w->timeout, 7 * 86400);
    lua_getfield(L, 3, "SubAppId");
    lua_setfield(L, params, "SubAppId");    /* checked by DescribeTaskDetail's rules */
    lua_getfield(L, 3, "progress");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
    } else {
        if (lua_type(L, -1) != LUA_TFUNCTION) {
            vod_error_push(L, VOD_E_INVALID_OPTION, "wait_task",
                           "wait_task option 'progress' must be a function");
            lua_pushliteral(L, "progress");
            lua_setfield(L, -2, "option");
            lua_error(L);
        }
        w->progress = lua_gettop(L);
    }
    return params;
}

void vod_task_part(lua_State *L, int task)
{
    task = vod_absindex(L, task);
    /* TaskType names the field: AigcVideoTask -> AigcVideoTask, CreateAigcSubject
     * -> CreateAigcSubjectTask, Procedure -> ProcedureTask, ... */
    lua_getfield(L, task, "TaskType");
    if (lua_type(L, -1) == LUA_TSTRING) {
        lua_pushvalue(L, -1);
        lua_rawget(L, task);
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "Task");
        lua_concat(L, 2);
        lua_rawget(L, task);
        if (lua_type(L, -1) == LUA_TTABLE)
            return;
    }
    lua_pop(L, 1);
    /* else the one task field the answer holds (the others are null, left out) */
    for (size_t i = 0; vod_model_task_fields[i] != NULL; i++) {
        lua_getfield(L, task, vod_model_task_fields[i]);
        if (lua_type(L, -1) == LUA_TTABLE)
            return;
        lua_pop(L, 1);
    }
    lua_pushnil(L);
}

void vod_check_task(lua_State *L, const char *task_id, int aborted)
{
    int task = lua_gettop(L), sub, failed = 0;
    long long errcode = 0;
    const char *ext = "";
    vod_task_part(L, task);
    sub = lua_gettop(L);
    if (lua_type(L, sub) == LUA_TTABLE) {
        lua_getfield(L, sub, "ErrCode");
        if (lua_type(L, -1) == LUA_TNUMBER && !vod_tointegral(L, -1, &errcode))
            errcode = -1;
        lua_getfield(L, sub, "ErrCodeExt");
        if (lua_type(L, -1) == LUA_TSTRING)
            ext = lua_tostring(L, -1);
        failed = errcode != 0 || ext[0] != '\0';
    }
    if (!failed && !aborted) {
        lua_settop(L, task);
        return;
    }
    if (lua_type(L, sub) == LUA_TTABLE)
        lua_getfield(L, sub, "Message");
    else
        lua_pushnil(L);
    vod_error_push(L, ext[0] ? ext : (failed ? VOD_E_TASK_FAILED : VOD_E_TASK_ABORTED), WAIT_ACTION,
                   "task %s %s: %s", task_id, aborted ? "was aborted" : "failed",
                   lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no message");
    lua_pushstring(L, task_id);
    lua_setfield(L, -2, "task_id");
    vod_pushint(L, errcode);
    lua_setfield(L, -2, "err_code");
    lua_getfield(L, task, "RequestId");
    lua_setfield(L, -2, "request_id");
    lua_pushvalue(L, task);
    lua_setfield(L, -2, "task");
    lua_error(L);
}

/* private.wait_plan(client, task_id, opts) -> params, interval, timeout,
 * progress: wait_task's checks, before the loop (src/lua/wait.lua). */
int vod_l_wait_plan(lua_State *L)
{
    wait_opts w;
    int params;
    lua_settop(L, 3);
    (void)vod_client_check(L, 1);
    vod_arg_check_string(L, 2, NULL);
    params = read_opts(L, &w);
    lua_pushvalue(L, params);
    lua_pushnumber(L, (lua_Number)w.interval);
    lua_pushnumber(L, (lua_Number)w.timeout);
    if (w.progress)
        lua_pushvalue(L, w.progress);
    else
        lua_pushnil(L);
    return 4;
}

/* client:wait_task(task_id, opts): the loop of src/lua/wait.lua, with this
 * process's monotonic clock and a blocking sleep (nginx gives its own). */
int vod_m_wait_task(lua_State *L)
{
    (void)vod_client_check(L, 1);
    vod_arg_check_string(L, 2, NULL);
    lua_settop(L, 3);
    vod_part_push(L, "wait");
    lua_getfield(L, -1, "wait");
    lua_remove(L, -2);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    vod_push_plain_env(L);
    lua_call(L, 4, 1);                  /* wait(client, task_id, opts, env) */
    return 1;
}

/* private.check_task(client, task_id, task) -> task, or raises as wait_task does. */
int vod_l_check_task(lua_State *L)
{
    const char *task_id;
    const char *status;
    (void)vod_client_check(L, 1);
    task_id = vod_arg_check_string(L, 2, NULL);
    vod_arg_check_type(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    lua_getfield(L, 3, "Status");
    status = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pushvalue(L, 3);
    vod_check_task(L, task_id, strcmp(status, "ABORTED") == 0);
    return 1;
}

/* client:task_of(task) -> the part of a DescribeTaskDetail answer that holds
 * the task (its TaskType's field), and its Progress; nil when there is none. */
int vod_m_task_of(lua_State *L)
{
    (void)vod_client_check(L, 1);
    vod_arg_check_type(L, 2, LUA_TTABLE);
    vod_task_part(L, 2);
    if (lua_type(L, -1) != LUA_TTABLE)
        return 1;
    lua_getfield(L, -1, "Progress");
    return 2;
}
