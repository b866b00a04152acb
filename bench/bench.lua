-- The client-side benchmark, run by bench/run.sh on Lua 5.4 and on LuaJIT
-- against a static nginx endpoint on loopback. Prints one JSON object.
-- CPU figures are user + sys of this process from getrusage(2).
local vod = require "tencentcloud.vod"
local rusage = require "rusage"
local socket = require "socket"

local HTTP, HTTPS = os.getenv("BENCH_HTTP"), os.getenv("BENCH_HTTPS")
local CA, BUNDLE = os.getenv("BENCH_CA"), os.getenv("BENCH_BUNDLE")
local SCALE = tonumber(os.getenv("BENCH_SCALE") or "1")
local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"
local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" },
                 SessionId = "hero-v1", TasksPriority = 10 }
local RESPONSE = '{"Response":{"TaskId":"221073-CreateAigcSubject-f9aa5a12bench","RequestId":"b1d2c3"}}'

local function cpu()
  local u, s = rusage.cpu()
  return u + s
end
local function sys()
  local _, s = rusage.cpu()
  return s
end

local function client(kind, extra)
  local o = { secret_id = ID, secret_key = KEY, rate_limit = false }
  if kind == "http" then o.endpoint, o.scheme = HTTP, "http" else o.endpoint, o.ca_file = HTTPS, CA end
  for k, v in pairs(extra or {}) do o[k] = v end
  return vod.new(o)
end

-- the JSON writer bench.lua and bench_events.lua share (numbers to 1 decimals)
local json_out = dofile((arg[0]:match("^(.*)/") or ".") .. "/json_out.lua")
local function json(v) return json_out(v, 1) end
local out = { interpreter = jit and jit.version or _VERSION }

-- 1. check + encode + sign + parse, no I/O
do
  local c = client("https")
  local n = math.floor(100000 * SCALE)
  for _ = 1, math.floor(n / 10) do
    c:build_request("CreateAigcSubject", PARAMS)
    c:parse_response("CreateAigcSubject", 200, RESPONSE)
  end
  local t0 = cpu()
  for _ = 1, n do
    c:build_request("CreateAigcSubject", PARAMS)
    c:parse_response("CreateAigcSubject", 200, RESPONSE)
  end
  out.no_io_ns = (cpu() - t0) / n * 1e9
end

-- 2. calls against the static endpoint, one kept-alive connection: the
-- median of three rounds (the scheduler makes single rounds vary)
local function keepalive(kind)
  local c = client(kind)
  local n = math.floor(20000 * SCALE)
  for _ = 1, 200 do c:create_aigc_subject(PARAMS) end
  local rounds = {}
  for r = 1, 3 do
    local t0, s0, w0 = cpu(), sys(), socket.gettime()
    for _ = 1, n do c:create_aigc_subject(PARAMS) end
    local cpu_s, sys_s, wall = cpu() - t0, sys() - s0, socket.gettime() - w0
    rounds[r] = { calls_per_s = n / wall, cpu_us = cpu_s / n * 1e6, sys_us = sys_s / n * 1e6 }
  end
  table.sort(rounds, function(a, b) return a.cpu_us < b.cpu_us end)
  local m = rounds[2]
  m.connections = c:stats().connections
  return m
end
out.http_keepalive = keepalive("http")
out.https_keepalive = keepalive("https")

-- BENCH_ONLY=keepalive: the kept-alive calls alone (run.sh runs them a second
-- time with the client on the endpoint's core)
if os.getenv("BENCH_ONLY") == "keepalive" then
  print(json(out))
  return
end

-- 3. a new connection for every call (a fresh client each time)
local function fresh(kind, ca)
  local n = math.floor(300 * SCALE)
  local t0, w0 = cpu(), socket.gettime()
  for _ = 1, n do
    local c = client(kind, ca and { ca_file = ca } or nil)
    c:create_aigc_subject(PARAMS)
    c:close()
  end
  return { calls_per_s = n / (socket.gettime() - w0), cpu_us = (cpu() - t0) / n * 1e6 }
end
out.http_new_connection = fresh("http")
out.https_new_connection = fresh("https")
-- a fresh client's first HTTPS call, trusting the whole system bundle (+ the test CA)
out.https_first_call_system_bundle = fresh("https", BUNDLE)

-- 4. memory: RSS after 1 call and after 100 000 (HTTPS, kept alive)
do
  collectgarbage("collect")
  local c = client("https")
  c:create_aigc_subject(PARAMS)
  collectgarbage("collect")
  local rss1 = rusage.rss_kb()
  local n = math.floor(100000 * SCALE)
  for _ = 1, n do c:create_aigc_subject(PARAMS) end
  collectgarbage("collect")
  out.rss_kb_after_1 = rss1
  out.rss_kb_after_n = rusage.rss_kb()
  out.rss_calls = n
end

print(json(out))
