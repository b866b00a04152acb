-- tencentcloud.vod.wait: client:wait_task(task_id, opts), one loop for both
-- transports. It polls DescribeTaskDetail through the client's typed method
-- (libcurl in plain Lua, cosockets inside nginx) until the task is FINISH or
-- ABORTED, and turns a failed task into an error object. The transport gives
-- the clock and the sleep (env): the C module's monotonic clock and a blocking
-- sleep in plain Lua (src/binding/call/wait.c), ngx.now and ngx.sleep in nginx
-- (src/lua/ngx.lua). The options' checks and the failed task's error are the
-- C module's (private.wait_plan, private.check_task).
local type, error = type, error

local M = {}

local wait_plan, check_task, new_error
function M.init(private)
  wait_plan, check_task, new_error = private.wait_plan, private.check_task, private.new_error
end

function M.wait(client, task_id, opts, env)
  local params, interval, timeout, progress = wait_plan(client, task_id, opts)
  local start = env.now()
  while true do
    local task = client:describe_task_detail(params)
    if progress then progress(task, client:task_of(task)) end
    local status = type(task.Status) == "string" and task.Status or ""
    if status == "FINISH" or status == "ABORTED" then
      return check_task(client, task_id, task)
    end
    if env.now() - start + interval > timeout then
      error(new_error("ClientError.WaitTimeout", "DescribeTaskDetail",
        ("task %s still %s after %gs"):format(task_id, status ~= "" and status or "(no status)", timeout),
        { task_id = task_id, task = task }), 0)
    end
    env.sleep(interval)
  end
end

return M
