-- One process of a fleet sharing an account's quota (spec/fleet_spec.lua,
-- bench/run.sh): waits for a start file, then creates COUNT subjects in a
-- loop with the library's defaults (no SessionId of its own) and writes one
-- JSON line per create, then "done", to OUT.
--   lua fleet_worker.lua ENDPOINT COUNT OUT GO_FILE [SECRET_ID SECRET_KEY]
local vod = require "tencentcloud.vod"

local endpoint, count, out_path, go = arg[1], tonumber(arg[2]), arg[3], arg[4]
local id = arg[5] or "AKIDEXAMPLEFAKEVOD0000000000000000"
local key = arg[6] or "fakeVodSecretKeyEXAMPLE0000000000"

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local client = vod.new { secret_id = id, secret_key = key, endpoint = endpoint, scheme = "http",
                         timeout = 10 }
local clock = require("socket").gettime
for _ = 1, 6000 do                        -- at most 60 s
  if exists(go) then break end
  os.execute("sleep 0.01")
end

local out = assert(io.open(out_path, "w"))
local start = clock()
for i = 1, count do
  local t = clock()
  local ok, res = pcall(client.create_aigc_subject, client, {
    SubAppId = 221073, SubjectName = "fleet-" .. i, SubjectImages = { "https://example.com/a.png" } })
  local line = { i = i, wait = clock() - t, at = clock() }
  if ok then
    line.task_id = res.TaskId
  else
    line.code, line.session_id, line.attempts = res.code, res.session_id, res.attempts
    line.message = tostring(res)
  end
  out:write(vod.json_encode(line), "\n")
  out:flush()
end
local s = client:stats()
out:write(vod.json_encode { done = true, calls = s.calls, throttled = s.throttled,
                            seconds = clock() - start }, "\n")
out:close()
