-- The nginx part of spec/fleet_spec.lua: each worker has its own client and,
-- once told to go, creates COUNT subjects in a timer (no SessionId of its
-- own), sharing the account's quota with the other workers and processes.
-- FLEET (set in init_by_lua) = { count = n, shared = true | false }.
local vod = require "tencentcloud.vod.safe"

local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"
local M = {}

-- Until the spec says go (GET /fleet?go=1), at most 60 s.
local function wait_go(dict)
  for _ = 1, 3000 do
    if dict:get("fleet:go") then return end
    ngx.sleep(0.02)
  end
end

-- A client of the fake endpoint's plain listener, with these rate_limit and debug options.
local function new_client(rate_limit, debug)
  return assert(vod.new {
    secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. FAKE.http, scheme = "http",
    timeout = 10, rate_limit = rate_limit, debug = debug,
  })
end

local function burst(premature)
  if premature then return end
  local dict = ngx.shared.vod_test
  wait_go(dict)
  local client = new_client(FLEET.shared and { rate = 20, shared_dict = "vod_rate" } or nil)
  local results = {}
  for i = 1, FLEET.count do
    local res, err = client:create_aigc_subject { SubAppId = 221073, SubjectName = "fleet-ngx-" .. i,
                                                  SubjectImages = { "https://example.com/a.png" } }
    if res then
      results[#results + 1] = { task_id = res.TaskId }
    else
      results[#results + 1] = { code = err.code, session_id = err.session_id, message = tostring(err) }
    end
    dict:set("fleet-progress:" .. ngx.worker.pid(), #results)     -- for a spec that waits too long
  end
  dict:set("fleet:" .. ngx.worker.pid(), vod.json_encode(results))
end

-- FLEET.hammer = { timers = t, calls = n, rate = r }: each worker runs t
-- timers of n creates each through one client of its own, all drawing on
-- the rate r of one lua_shared_dict. The limiter's every admission ("rate:
-- window W, slot S of N" in the debug sink) goes to the list hammer:lines
-- with this worker's pid; each call's outcome to hammer:ok or hammer:err.
local function hammer_timer(premature, client)
  if premature then return end
  local dict = ngx.shared.vod_test
  wait_go(dict)
  for i = 1, FLEET.hammer.calls do
    local res, err = client:create_aigc_subject { SubAppId = 221073, SubjectName = "hammer-" .. i,
                                                  SubjectImages = { "https://example.com/a.png" } }
    if res then dict:incr("hammer:ok", 1, 0) else dict:rpush("hammer:err", tostring(err)) end
  end
end

local function hammer()
  local dict, pid = ngx.shared.vod_test, ngx.worker.pid()
  local client = new_client({ rate = FLEET.hammer.rate, shared_dict = "vod_rate" }, function(line)
    if line:find("^rate: ") then dict:rpush("hammer:lines", pid .. " " .. line) end
  end)
  for _ = 1, FLEET.hammer.timers do assert(ngx.timer.at(0, hammer_timer, client)) end
end

function M.init_worker()
  if FLEET.hammer then return hammer() end
  assert(ngx.timer.at(0, burst))
end

-- GET /fleet/hammer: what the hammer did so far.
-- A list of the dict, read and left in place (its order may change).
local function items(dict, key)
  local out = {}
  for _ = 1, dict:llen(key) or 0 do out[#out + 1] = dict:lpop(key) end
  for _, v in ipairs(out) do dict:rpush(key, v) end
  return out
end

function M.hammer_state()
  local dict = ngx.shared.vod_test
  ngx.header["Content-Type"] = "application/json"
  ngx.say(vod.json_encode { ok = dict:get("hammer:ok") or 0, errors = items(dict, "hammer:err"),
                            lines = items(dict, "hammer:lines") })
end

-- GET /fleet?go=1 starts every worker; GET /fleet gives what they did so far.
function M.run()
  local dict = ngx.shared.vod_test
  if ngx.var.arg_go then dict:set("fleet:go", true) end
  if ngx.var.arg_hammer then return M.hammer_state() end
  local out, progress = {}, {}
  for _, k in ipairs(dict:get_keys(0)) do
    local pid = k:match("^fleet:(%d+)$")
    if pid then out[#out + 1] = { pid = tonumber(pid), results = vod.json_decode(dict:get(k)) } end
    pid = k:match("^fleet%-progress:(%d+)$")
    if pid then progress[#progress + 1] = pid .. ": " .. dict:get(k) end
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(vod.json_encode { workers = out, progress = table.concat(progress, ", ") })
end

return M
