-- Handlers of the nginx used by spec/nginx_events_spec.lua (events.conf.in):
-- consume_events in a timer started by init_worker and in request handlers,
-- parse_event for pushed notifications. Each answers JSON.
local cjson = require "cjson"
local safe = require "tencentcloud.vod.safe"

local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"
local SIGN_KEY = "abc123"
local SUB = 221073                  -- the timer's SubAppId; the request handlers use others

local M = {}
local clients = {}

local function client(kind, extra)
  kind = kind or "https"
  local k = kind .. (extra and cjson.encode(extra) or "")
  if not clients[k] then
    local o = {
      secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. FAKE[kind],
      scheme = kind == "http" and "http" or "https", timeout = 10, rate_limit = false,
      retries = { max = 2, base_delay = 0.01, max_delay = 0.05 },
    }
    for name, v in pairs(extra or {}) do o[name] = v end
    clients[k] = assert(safe.new(o))
  end
  return clients[k]
end

local function dict() return ngx.shared.vod_events end

local function describe_err(err)
  return { ok = false, code = err.code, message = err.message, text = tostring(err),
           option = err.option, reason = err.reason, action = err.action }
end

-- The consumer as docs/openresty.md shows it: a timer that runs consume_events for
-- a while, then arms itself again (a new coroutine each round), until the
-- worker exits.
function M.start_consumer()
  local function record(event)
    local done = event.AigcVideoCompleteEvent
    local file = done.Output and done.Output.FileInfos and done.Output.FileInfos[1]
    -- keyed by TaskId: a second delivery writes the same record again
    dict():set("video:" .. done.TaskId, cjson.encode { status = done.Status, err = done.ErrCodeExt,
                                                       url = file and file.FileUrl })
    dict():incr("recorded", 1, 0)
    return true
  end
  local loop
  loop = function(premature)
    if premature or ngx.worker.exiting() then return end
    local n, stats = client():consume_events(record, {
      SubAppId = SUB, types = { AigcVideoTaskComplete = true }, timeout = 30,
    })
    if n then
      ngx.log(ngx.NOTICE, "consume_events returned ", n, " (", stats.reason, ")")
    else
      ngx.log(ngx.ERR, "consume_events: ", tostring(stats))
    end
    if not ngx.worker.exiting() then ngx.timer.at(n and 0 or 1, loop) end
  end
  assert(ngx.timer.at(0, loop))
end

local ops = {}

-- a subject, then a video task from it; answers with the TaskId at once
function ops.video()
  local c = client()
  local s, err = c:create_aigc_subject { SubAppId = SUB, SubjectName = "hero",
                                         SubjectImages = { "https://example.com/hero.png" } }
  if not s then return describe_err(err) end
  local task, werr = c:wait_task(s.TaskId, { SubAppId = SUB, interval = 0.05 })
  if not task then return describe_err(werr) end
  local sid = task.CreateAigcSubjectTask.Output.SubjectId
  local v, verr = c:create_aigc_video_task { SubAppId = SUB, ModelName = "Vidu", ModelVersion = "q2",
    Prompt = "[@hero] waves at the camera", SubjectInfos = { { Id = sid, Name = "hero" } } }
  if not v then return describe_err(verr) end
  return { ok = true, task_id = v.TaskId, subject_id = sid }
end

function ops.video_status(args)
  local rec = dict():get("video:" .. tostring(args.task_id))
  return { ok = true, record = rec and cjson.decode(rec), recorded = dict():get("recorded") or 0 }
end

-- consume_events in a request handler, with what the spec asks for
function ops.consume(args)
  local sub = tonumber(args.sub)
  local calls, seen, distinct, errors = 0, {}, 0, {}
  local opts = {
    SubAppId = sub, max_events = tonumber(args.max), timeout = tonumber(args.timeout),
    on_error = function(err, event)
      errors[#errors + 1] = { code = type(err) == "table" and err.code or cjson.null, text = tostring(err),
                              action = type(err) == "table" and err.action or cjson.null,
                              with_event = event ~= nil }
    end,
  }
  local until_distinct = tonumber(args.until_distinct)
  if until_distinct then opts.stop = function() return distinct >= until_distinct end end
  dict():set("consume:" .. tostring(sub), "running")
  local n, stats = client():consume_events(function(event)
    calls = calls + 1
    local id = event.AigcVideoCompleteEvent.TaskId
    if not seen[id] then
      seen[id] = 0
      distinct = distinct + 1
    end
    seen[id] = seen[id] + 1
    if args.fail_first and calls == 1 then error("the database is down") end
    return true
  end, opts)
  dict():set("consume:" .. tostring(sub), "done")
  if not n then return describe_err(stats) end
  local twice = 0
  for _, times in pairs(seen) do if times == 2 then twice = twice + 1 end end
  return { ok = true, count = n, calls = calls, distinct = distinct, twice = twice, stats = stats,
           errors = errors }
end

function ops.consume_state(args)
  return { ok = true, state = dict():get("consume:" .. tostring(args.sub)) or "none" }
end

-- PullEvents and the client's bucket (one call per 100 s)
-- three pulls, then a query, on a bucket of one call per 100 s: the query
-- goes at once when the pulls took no token (the debug sink says when a call
-- waits for the rate)
function ops.pull_bucket()
  local lines = {}
  local c = assert(safe.new {
    secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. FAKE.http, scheme = "http",
    timeout = 10, rate_limit = { rate = 0.01, adaptive = false },
    debug = function(l) lines[#lines + 1] = l end,
  })
  for _ = 1, 3 do
    local res, err = c:pull_events { SubAppId = 300077 }   -- an app of its own: the spec counts its calls
    if not res then return describe_err(err) end
  end
  c:describe_task_detail { TaskId = "300077-AigcVideoTask-0", SubAppId = 300077 }
  local waits = 0
  for _, l in ipairs(lines) do
    if l:find("^rate: ") then waits = waits + 1 end
  end
  return { ok = true, waits = waits }
end

-- a pushed notification: 200 with the event, 403 for a bad signature, 400 otherwise
function ops.push()
  ngx.req.read_body()
  local event, err = safe.parse_event(ngx.req.get_body_data() or "", { sign_key = SIGN_KEY })
  if not event then
    local t = describe_err(err)
    t.status = err.code == "ClientError.EventSignature" and 403 or 400
    return t
  end
  return { ok = true, event_type = event.EventType, task_id = event.AigcVideoCompleteEvent.TaskId,
           has_sign = event.Sign ~= nil, has_t = event.T ~= nil }
end

function M.run()
  local args = ngx.req.get_uri_args()
  local t = ops[args.op](args)
  ngx.status = t.status or (t.ok and 200 or 500)
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(t))
end

return M
