-- The events benchmark, run by bench/run.sh on Lua 5.4 and on LuaJIT against
-- the fake endpoint (spec/fake_vod, plain HTTP on loopback, BENCH_FAKE_HTTP):
-- events handled per second through client:consume_events with a full queue,
-- and the client's CPU per event, against the same pull/confirm loop written
-- by hand with client:call; then what an idle consumer costs. Prints one
-- JSON object. CPU figures are user + sys of this process from getrusage(2);
-- the fake (Python) answers on another core and sets the pace.
local vod = require "tencentcloud.vod"
local rusage = require "rusage"
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"

local FAKE = assert(os.getenv("BENCH_FAKE_HTTP"), "BENCH_FAKE_HTTP")
local SCALE = tonumber(os.getenv("BENCH_SCALE") or "1")
local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"
local SUB = 990001
local N = math.max(500, math.floor(8000 * SCALE))

local function cpu()
  local u, s = rusage.cpu()
  return u + s
end

local function control(path, body)
  local out = {}
  local ok, code = http.request {
    url = "http://" .. FAKE .. "/_control/" .. path, method = body and "POST" or "GET",
    source = body and ltn12.source.string(body) or nil, sink = ltn12.sink.table(out),
    headers = body and { ["content-type"] = "application/json", ["content-length"] = #body } or nil,
  }
  assert(ok and code == 200, "control " .. path .. ": " .. tostring(code))
  return table.concat(out)
end

-- an empty ledger, then a full queue of n events
local function fill(n, pull_wait)
  control("reset", "{}")
  control("config", ('{"rate_limit": 0, "pull_wait": %s}'):format(pull_wait or 5))
  if n > 0 then control("events", ('{"count": %d, "SubAppId": %d}'):format(n, SUB)) end
end

local function confirmed()
  return tonumber(control("events"):match('"confirmed": (%d+)'))
end

local function client()
  return vod.new { secret_id = ID, secret_key = KEY, endpoint = FAKE, scheme = "http", rate_limit = false }
end

local handled = 0
local function handler(event)
  if event.EventHandle then handled = handled + 1 end
  return true
end

-- One round: n events through run(client); the client's CPU and the wall time.
local function round(run)
  fill(N)
  collectgarbage("collect")
  local c = client()
  handled = 0
  local t0, w0 = cpu(), socket.gettime()
  run(c)
  local cpu_s, wall = cpu() - t0, socket.gettime() - w0
  assert(handled == N and confirmed() == N, "not every event was handled and confirmed")
  local r = { events_per_s = N / wall, cpu_us = cpu_s / N * 1e6, calls = c:stats().calls }
  c:close()
  return r
end

local variants = {
  -- 1. consume_events with a full queue
  consume_events = function(c)
    local n = c:consume_events(handler, { SubAppId = SUB, max_events = N })
    assert(n == N)
  end,
  -- 2. the same loop by hand: PullEvents, the handler, one ConfirmEvents a batch
  by_hand_call = function(c)
    local done = 0
    while done < N do
      local res = c:call("PullEvents", { SubAppId = SUB })
      local handles = {}
      for _, event in ipairs(res.EventSet) do
        if handler(event) then handles[#handles + 1] = event.EventHandle end
      end
      if #handles > 0 then
        c:call("ConfirmEvents", { EventHandles = handles, SubAppId = SUB })
        done = done + #handles
      end
    end
  end,
}
local order = { "consume_events", "by_hand_call" }

local out = { interpreter = jit and jit.version or _VERSION, events = N }

-- a round of each unmeasured (the heap, the connection, the JIT), then three
-- rounds of each, alternating; the median round of each
for _, name in ipairs(order) do round(variants[name]) end
local rounds = { consume_events = {}, by_hand_call = {} }
for _ = 1, 3 do
  for _, name in ipairs(order) do table.insert(rounds[name], round(variants[name])) end
end
for _, name in ipairs(order) do
  table.sort(rounds[name], function(a, b) return a.cpu_us < b.cpu_us end)
  out[name] = rounds[name][2]
end
out.overhead_us = out.consume_events.cpu_us - out.by_hand_call.cpu_us

-- 3. an idle consumer: the API's 5 s hold, an empty queue, 10 s (after a
-- first pull on the same client: its connection and libcurl's set-up)
do
  fill(0, 0)
  local c = client()
  c:consume_events(handler, { SubAppId = SUB, timeout = 0.2 })
  control("config", '{"pull_wait": 5}')
  -- the scheduler's own count of this thread's time on a CPU, in ns: getrusage's
  -- figures move in whole clock ticks, too coarse for a few milliseconds
  local function oncpu()
    local f = io.open("/proc/self/schedstat")
    if not f then return cpu() end
    local ns = tonumber(f:read("*l"):match("^(%d+)"))
    f:close()
    return ns / 1e9
  end
  local t0, w0 = oncpu(), socket.gettime()
  local _, stats = c:consume_events(handler, { SubAppId = SUB, timeout = 10 })
  local cpu_s, wall = oncpu() - t0, socket.gettime() - w0
  -- for scale: what the same clock charges a process that only sleeps as long
  local s0 = oncpu()
  socket.sleep(wall)
  local sleep_s = oncpu() - s0
  out.idle = { seconds = wall, pulls = stats.pulls, cpu_ms = cpu_s * 1e3,
               cpu_ms_per_minute = cpu_s * 1e3 / wall * 60,
               sleeping_process_cpu_ms_per_minute = sleep_s * 1e3 / wall * 60 }
  c:close()
end

-- the JSON writer bench.lua and bench_events.lua share (numbers to 2 decimals)
local json_out = dofile((arg[0]:match("^(.*)/") or ".") .. "/json_out.lua")
local function json(v) return json_out(v, 2) end
print(json(out))
