-- Handlers of the nginx used by spec/nginx_spec.lua: each answers JSON.
local cjson = require "cjson"
local safe = require "tencentcloud.vod.safe"
local vod = require "tencentcloud.vod"

local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"
local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

local M = {}
local clients = {}     -- one per listener and timeout, kept for the worker's life (keep-alive)

local FAST = { max = 2, base_delay = 0.01, max_delay = 0.05 }

local function client(kind, args)
  args = args or {}
  local k = table.concat({ kind, args.timeout or "", args.key or "", args.retries or "",
                           args.rate or "", args.proxy or "", args.host or "", args.nosid or "" }, "/")
  if not clients[k] then
    local retries = FAST
    if args.retries == "off" then retries = false end
    -- "https_on_http": TLS spoken to the plain listener, a failed handshake
    local port = kind == "https_on_http" and FAKE.http or FAKE[kind]
    clients[k] = assert(safe.new {
      secret_id = ID, secret_key = args.key or KEY,
      endpoint = (args.host or "127.0.0.1") .. ":" .. port, scheme = kind == "http" and "http" or "https",
      proxy = args.proxy,                 -- a URL; none: the environment's (see nginx.conf.in)
      timeout = tonumber(args.timeout) or 10, connect_timeout = 5,
      retries = retries,
      auto_session_id = args.nosid ~= "1",    -- nosid=1: a create that cannot be repeated
      -- shared2's admissions go to the list rate:lines (GET /vod?op=rate_lines), and
      -- every client's retries to retry:lines (op=retry_lines)
      debug = function(line)
        if line:find("^rate: ") and args.rate == "shared2" then ngx.shared.vod_test:rpush("rate:lines", line)
        elseif line:find("^retry ") then ngx.shared.vod_test:rpush("retry:lines", line) end
      end,
      rate_limit = args.rate == "shared" and { rate = 10, shared_dict = "vod_rate" }
                   or args.rate == "shared2" and { rate = 2, shared_dict = "vod_rate" }
                   or args.rate == "missing" and { rate = 10, shared_dict = "no_such_dict" }
                   or false,
    })
  end
  return clients[k]
end

local function describe_err(err)
  return { ok = false, code = err.code, message = err.message, request_id = err.request_id,
           http_status = err.http_status, retryable = err.retryable, action = err.action,
           phase = err.phase, text = tostring(err), is_error = vod.is_error(err),
           attempts = err.attempts, ambiguous = err.ambiguous, session_id = err.session_id,
           first_error = err.first_error, option = err.option, proxy = err.proxy }
end

local function reply(t)
  ngx.status = t.ok and 200 or 500
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(t))
end

local ops = {}

function ops.create(c, args)
  local p = PARAMS
  if args.sid then
    p = {}
    for k, v in pairs(PARAMS) do p[k] = v end
    p.SessionId = args.sid
  end
  local res, err = c:create_aigc_subject(p)
  if not res then return describe_err(err) end
  return { ok = true, task_id = res.TaskId, request_id = res.RequestId }
end

-- read-only: a timed-out call leaves nothing behind to land in a later test
function ops.describe(c)
  local res, err = c:describe_task_detail { TaskId = "221073-CreateAigcSubject-0" }
  if not res then return describe_err(err) end
  return { ok = true }
end

function ops.create_wait(c)
  local res, err = c:create_aigc_subject(PARAMS)
  if not res then return describe_err(err) end
  local polls = 0
  local task, werr = c:wait_task(res.TaskId, { SubAppId = 221073, interval = 0.05,
                                               progress = function() polls = polls + 1 end })
  if not task then return describe_err(werr) end
  return { ok = true, task_id = res.TaskId, polls = polls,
           subject_id = task.CreateAigcSubjectTask.Output.SubjectId }
end

function ops.failed_task(c)
  local p = {}
  for k, v in pairs(PARAMS) do p[k] = v end
  p.SubjectName = "fail-hero"
  local res, err = c:create_aigc_subject(p)
  if not res then return describe_err(err) end
  local task, werr = c:wait_task(res.TaskId, { interval = 0.05 })
  return task and { ok = true } or describe_err(werr)
end

-- any typed method, its parameters as JSON in the query (the library's codec)
function ops.typed(c, args)
  local res, err = c[args.method](c, vod.json_decode(args.params))
  if not res then return describe_err(err) end
  return { ok = true, request_id = res.RequestId, task_id = res.TaskId }
end

function ops.bad_param(c)
  local _, err = c:create_aigc_subject { SubAppId = 1, SubjectImage = { "x" } }
  return describe_err(err)
end

-- the raising form, inside nginx: the same error object
function ops.raising()
  local ok, err = pcall(function()
    local c = vod.new { secret_id = ID, secret_key = "wrong", endpoint = "127.0.0.1:" .. FAKE.https }
    return c:create_aigc_subject(PARAMS)
  end)
  if ok then return { ok = true } end
  return describe_err(err)
end

-- the module-level functions, with credentials from nginx's environment
function ops.module_level()
  vod.default_client()   -- raises if the environment has no credentials
  local res, err = safe.call("DescribeTaskDetail", { TaskId = "no-such-task" })
  if res then return { ok = true } end
  return describe_err(err)
end

-- The debug lines of a list (rate:lines, retry:lines) so far, emptied.
local function drain(key)
  local dict, lines = ngx.shared.vod_test, {}
  for _ = 1, dict:llen(key) or 0 do lines[#lines + 1] = dict:lpop(key) end
  return { ok = true, lines = lines }
end
function ops.rate_lines() return drain("rate:lines") end
function ops.retry_lines() return drain("retry:lines") end

function M.run()
  local args = ngx.req.get_uri_args()
  local op = ops[args.op]
  if not op then return reply { ok = false, message = "unknown op " .. tostring(args.op) } end
  reply(op(client(args.kind or "https", args), args))
end

-- A call from a phase without cosockets: returns what the safe form gave.
function M.phase_call()
  local c = safe.new { secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. FAKE.http, scheme = "http" }
  local res, err = c:describe_task_detail { TaskId = "t" }
  if res then return "unexpected success" end
  return err.code .. " | " .. err.message
end

function M.start_timer()
  ngx.shared.vod_test:delete("timer")
  assert(ngx.timer.at(0, function()
    local res, err = client("https", { retries = "off" }):create_aigc_subject(PARAMS)
    ngx.shared.vod_test:set("timer", res and ("ok " .. res.TaskId) or ("error " .. tostring(err)))
  end))
  ngx.say("started")
end

return M
