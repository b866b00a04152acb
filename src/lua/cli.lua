-- tencentcloud.vod.cli: the `tcvod` command. main(argv) runs one command and
-- returns the exit status (0 ok, 1 API error, 2 usage, 3 no usable answer).
-- stdout carries the Response (JSON, or one Key=Value line with --plain);
-- stderr carries progress lines and errors.
local vod = require "tencentcloud.vod"
local args = require "tencentcloud.vod.cli_args"

local M = {}

local stdout, stderr = io.stdout, io.stderr

-- Exit statuses by error code. API codes (no "ClientError." prefix) are 1.
local USAGE_CODES = {
  ["ClientError.InvalidParameter"] = true, ["ClientError.InvalidOption"] = true,
  ["ClientError.Credentials"] = true,
}
local API_CODES = {
  ["ClientError.TaskFailed"] = true, ["ClientError.TaskAborted"] = true,
  ["ClientError.MaybeCreated"] = true,
}

function M.exit_code(err)
  local code = type(err) == "table" and err.code
  if type(code) ~= "string" then return 3 end
  if USAGE_CODES[code] then return 2 end
  if API_CODES[code] or not code:find("^ClientError%.") then return 1 end
  return 3    -- DNS, Connect, TLS, TLSVerify, Timeout, Network, HTTPStatus, ... WaitTimeout
end

-- JSON: indented with sorted keys (the default), or the codec's own compact
-- line. Every scalar is written by vod.json_encode, so integers stay exact.
local function pretty(v, indent, out)
  if type(v) ~= "table" then
    out[#out + 1] = vod.json_encode(v)
    return
  end
  local inner = indent .. "  "
  if next(v) == nil then
    out[#out + 1] = "[]"                -- as the codec writes a nested empty table
  elseif v[1] ~= nil then
    out[#out + 1] = "["
    for i = 1, #v do
      out[#out + 1] = (i > 1 and ",\n" or "\n") .. inner
      pretty(v[i], inner, out)
    end
    out[#out + 1] = "\n" .. indent .. "]"
  else
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      out[#out + 1] = (i > 1 and ",\n" or "\n") .. inner .. vod.json_encode(k) .. ": "
      pretty(v[k], inner, out)
    end
    out[#out + 1] = "\n" .. indent .. "}"
  end
end

local function to_json(v, compact)
  vod.json_encode(v)                    -- the codec's verdict first: it raises on what it refuses
  if compact then return vod.json_encode(v) end
  local out = {}
  if type(v) == "table" and next(v) == nil then return "{}" end
  pretty(v, "", out)
  return table.concat(out)
end

-- --plain: Key=Value pairs; a value with spaces, quotes or '=' is JSON-quoted.
local function plain_value(v)
  v = type(v) == "string" and v or vod.json_encode(v)
  if v == "" or v:find('[%s"=\\]') or v:find("[%z\1-\31]") then return vod.json_encode(v) end
  return v
end

local function plain_line(pairs_list)
  local out = {}
  for _, kv in ipairs(pairs_list) do
    if kv[2] ~= nil and kv[2] ~= "" then out[#out + 1] = kv[1] .. "=" .. plain_value(kv[2]) end
  end
  return table.concat(out, " ")
end

-- A generic response: its top-level scalars, sorted, RequestId last.
local function plain_response(res)
  local keys, list = {}, {}
  for k, v in pairs(res) do
    if k ~= "RequestId" and type(v) ~= "table" and v ~= vod.null then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do list[#list + 1] = { k, res[k] } end
  list[#list + 1] = { "RequestId", res.RequestId }
  return plain_line(list)
end

-- The task view: its id, state, subject (when made), first output file (when
-- made), error code (when failed). The task's own part is the field its
-- TaskType names (client:task_of knows which, for every task type).
local function task_sub(client, task)
  local sub = client:task_of(task)
  return type(sub) == "table" and sub or {}
end

local function plain_task(client, task, task_id)
  local sub = task_sub(client, task)
  local output = type(sub.Output) == "table" and sub.Output or {}
  local file = type(output.FileInfos) == "table" and output.FileInfos[1]
  local errext = sub.ErrCodeExt
  return plain_line {
    { "TaskId", sub.TaskId or task_id }, { "Status", task.Status },
    { "SubjectId", output.SubjectId }, { "FileUrl", type(file) == "table" and file.FileUrl or nil },
    { "ErrCodeExt", errext }, { "RequestId", task.RequestId },
  }
end

local function progress_printer(task_id)
  local polls, started = 0, os.time()
  return function(t, _, progress)
    polls = polls + 1
    local pct = t.Progress or progress
    stderr:write(("task %s: %s%s (poll %d, %ds)\n"):format(task_id, tostring(t.Status or "?"),
      type(pct) == "number" and (" %d%%"):format(pct) or "", polls, os.time() - started))
    stderr:flush()
  end
end

local function wait_opts(values, sub_app_id, task_id)
  return {
    SubAppId = sub_app_id, interval = values.interval, timeout = values["wait-timeout"],
    progress = progress_printer(task_id),
  }
end

local function print_result(values, res, plain_text)
  if values.plain then
    stdout:write(plain_text, "\n")
  else
    stdout:write(to_json(res, values.compact), "\n")
  end
end

local COMMANDS = {}

COMMANDS.task = function(client, r)
  local v, task_id = r.values, r.args[1]
  M.task_id = task_id
  local task
  if v.wait then
    task = client:wait_task(task_id, wait_opts(v, v["sub-app-id"], task_id))
  else
    task = client:describe_task_detail { TaskId = task_id, SubAppId = v["sub-app-id"] }
  end
  return print_result(v, task, plain_task(client, task, task_id))
end

-- Task events, one line each, through consume_events: confirmed with
-- --confirm, else left for the API to deliver again.
COMMANDS.events = function(client, r)
  local v = r.values
  local printed, max = 0, v.max
  if max ~= nil and max < 1 then args.usage(r.command, "--max must be 1 or more, got %d", max) end
  local run_timeout = v["run-timeout"]
  if run_timeout ~= nil and not (run_timeout > 0 and run_timeout < math.huge) then
    args.usage(r.command, "--run-timeout must be a number of seconds, more than 0, got %s", tostring(run_timeout))
  end
  local _, stats = client:consume_events(function(event)
    if v.plain then
      local task = event.AigcVideoCompleteEvent or event.AigcImageCompleteEvent or {}
      local file = task.Output and task.Output.FileInfos and task.Output.FileInfos[1]
      stdout:write(plain_line { { "EventType", event.EventType }, { "EventHandle", event.EventHandle },
                                { "TaskId", task.TaskId }, { "FileUrl", file and file.FileUrl } }, "\n")
    else
      stdout:write(vod.json_encode(event), "\n")
    end
    stdout:flush()
    printed = printed + 1
    return v.confirm == true
  end, {
    SubAppId = v["sub-app-id"], timeout = v["run-timeout"], types = v.type,
    others = "leave", stop = function() return max ~= nil and printed >= max end,
  })
  stderr:write(("tcvod: %d event%s, %d confirmed (%s)\n"):format(printed, printed == 1 and "" or "s",
    stats.confirmed, stats.reason))
end

-- call's parameters are parsed before the client is made: a bad JSON text is
-- a usage error even without credentials.
local function call_params(r)
  local text = r.args[2] or "{}"
  if text == "-" then text = io.stdin:read("*a") or "" end
  if not text:find("^%s*{") then
    args.usage(r.command, "the parameters must be a JSON object ({...}), got '%s'",
      #text > 40 and text:sub(1, 40) .. "..." or text)
  end
  local ok, params = pcall(vod.json_decode, text)
  if not ok then
    args.usage(r.command, "the parameters are not valid JSON: %s",
      vod.is_error(params) and params.message or tostring(params))
  end
  return params
end

COMMANDS.call = function(client, r, params)
  local res = client:call(r.args[1], params)
  return print_result(r.values, res, plain_response(res))
end

-- Any action of the model, through its typed method: the model checks every
-- parameter at every depth before anything is sent. A create may --wait for
-- the task it started. create-aigc-subject is CreateAigcSubject this way.
local function run_action(client, r)
  local v, d = r.values, r.action
  local res = client[d.method](client, r.params)
  if not v.wait then return print_result(v, res, plain_response(res)) end
  if type(res.TaskId) ~= "string" then
    print_result(v, res, plain_response(res))
    stderr:write(("tcvod: %s's Response has no TaskId: nothing to wait for\n"):format(d.action))
    return
  end
  stderr:write(("task %s created (RequestId %s)\n"):format(res.TaskId, res.RequestId))
  M.task_id = res.TaskId
  local task = client:wait_task(res.TaskId, wait_opts(v, r.params.SubAppId, res.TaskId))
  return print_result(v, task, plain_task(client, task, res.TaskId))
end

-- The error as JSON on stdout: {"Error": {the error object's scalar fields}}.
local ERROR_FIELDS = { "code", "message", "request_id", "action", "http_status", "retryable",
  "attempts", "ambiguous", "first_error", "session_id", "param", "option", "task_id", "err_code" }

local function error_json(err, compact)
  local e = {}
  for _, k in ipairs(ERROR_FIELDS) do
    local v = rawget(err, k)
    if v ~= nil and type(v) ~= "table" and type(v) ~= "function" and type(v) ~= "userdata" then
      e[k] = v
    end
  end
  if e.task_id == nil then e.task_id = M.task_id end
  local ok, text = pcall(to_json, { Error = e }, compact)
  return ok and text or nil
end

local function report_usage(command, msg)
  stderr:write("tcvod: ", msg, "\n")
  stderr:write(command and ("Try 'tcvod %s --help'.\n"):format(command) or "Try 'tcvod --help'.\n")
  return 2
end

local function report_error(r, err)
  local status = M.exit_code(err)
  if type(err) == "string" and err:find("interrupted!$") then    -- Ctrl-C (lua.c's hook)
    stderr:write("tcvod: interrupted", M.task_id and (" (task " .. M.task_id .. ")") or "", "\n")
    return 130
  end
  if not vod.is_error(err) then
    stderr:write("tcvod: internal error: ", tostring(err), "\n")
    return status
  end
  local line = tostring(err)
  if not r.values.plain then
    local text = error_json(err, r.values.compact)
    if text then stdout:write(text, "\n") end
  end
  stderr:write("tcvod: ", line, "\n")
  if status == 2 then
    local hint = args.flag_for(r, err.param)
    if hint then stderr:write(("(%s is given by %s)\n"):format(err.param, hint)) end
    stderr:write(("Try 'tcvod %s --help'.\n"):format(r.command))
  end
  return status
end

local function version()
  local lua = jit and jit.version or _VERSION
  return ("tcvod %s (tencentcloud-vod %s, %s, %s transport)\n"):format(vod.VERSION, vod.VERSION,
    lua, vod.transport or "libcurl")
end

function M.main(argv)
  M.task_id = nil
  local ok, r = pcall(args.parse, argv or {})
  if not ok then
    if type(r) == "table" and r.usage then return report_usage(r.command, r.usage) end
    stderr:write("tcvod: internal error: ", tostring(r), "\n")
    return 3
  end
  if r.values.version then
    stdout:write(version())
    return 0
  end
  if r.values.help or r.command == "help" then
    local which = r.command
    if which == "help" then which = r.args[1] end
    if which and not args.COMMANDS[which] and not args.action_of(which) then
      return report_usage(nil, ("unknown command '%s'%s"):format(which, args.suggest_command(which)))
    end
    stdout:write(args.help(which))
    return 0
  end
  local run = COMMANDS[r.command] or run_action
  local done, err = pcall(function()
    -- what the command line alone can tell is checked before the client exists
    local params = r.command == "call" and call_params(r) or nil
    local client = vod.new(args.client_options(r.values))
    run(client, r, params)
    client:close()
  end)
  stdout:flush()
  if done then return 0 end
  if type(err) == "table" and err.usage then return report_usage(err.command, err.usage) end
  return report_error(r, err)
end

return M
