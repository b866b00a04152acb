/* Waiting for a task (wait.c): wait_task, whose loop is src/lua/wait.lua,
 * and the checks that loop runs. */
#ifndef VOD_WAIT_H
#define VOD_WAIT_H

#include <lua.h>

/* client:wait_task(task_id, opts) */
int vod_m_wait_task(lua_State *L);
/* private.wait_plan(client, task_id, opts) -> params, interval, timeout, progress */
int vod_l_wait_plan(lua_State *L);
/* private.check_task(client, task_id, task) -> task, or raises as wait_task does */
int vod_l_check_task(lua_State *L);

/* client:task_of(task) -> the task's own part (its TaskType's field), Progress */
int vod_m_task_of(lua_State *L);

/* Pushes the part of the DescribeTaskDetail answer at idx that holds the
 * task (the field its TaskType names), or nil. */
void vod_task_part(lua_State *L, int idx);

/* With a DescribeTaskDetail result on top: raises when the task finished
 * badly (failed or aborted), else leaves it there. */
void vod_check_task(lua_State *L, const char *task_id, int aborted);

#endif
