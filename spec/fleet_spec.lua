-- A shared quota loses nothing: several OS processes (Lua 5.4 and LuaJIT)
-- and an nginx with two workers draw on one account's quota of 20
-- CreateAigcSubject a second at the fake endpoint, each creating subjects in
-- a loop with the defaults (no SessionId of its own). Runs with the nginx
-- specs (`busted --run=nginx`): it needs both interpreters' trees and nginx.
local fake = require "support.fake"
local nginx = require "support.nginx"
local process = require "support.process"
local cjson = require "cjson"
local socket = require "socket"

local root = nginx.root
local PROCESSES, PER_PROCESS, PER_WORKER = 4, 20, 20

local function lines(path)
  local out, done = {}, nil
  for line in (process.read_file(path) or ""):gmatch("[^\n]+") do
    local t = cjson.decode(line)
    if t.done then done = t else out[#out + 1] = t end
  end
  return out, done
end

-- Starts the processes (half on each interpreter) waiting for a start file.
local function spawn_processes(dir, count)
  local endpoint = fake.endpoint("http")
  for i = 1, PROCESSES do
    local lua, tree, ver = "lua5.4", "tree54", "5.4"
    if i % 2 == 0 then lua, tree, ver = "luajit", "treejit", "5.1" end
    local env = ("LUA_CPATH='%s/build/%s/lib/lua/%s/?.so;;' LUA_PATH='%s/build/%s/share/lua/%s/?.lua;;'")
      :format(root, tree, ver, root, tree, ver)
    process.background(("%s %s '%s/spec/support/fleet_worker.lua' %s %d '%s/p%d' '%s/go'")
      :format(env, lua, root, endpoint, count, dir, i, dir), dir .. "/p" .. i .. ".log")
  end
end

-- Runs one fleet; returns every create's outcome { task_id } or { code, session_id }.
local function run_fleet(shared_dict, fault)
  fake.reset()
  fake.config { rate_limit = 20 }                  -- fixed one-second windows, per account and action
  if fault then fake.fault(fault) end
  local dir = process.tmpdir()
  local server = nginx.start {
    prefix = root .. "/build/nginx-fleet", strip_env = true,
    values = { WORKERS = "2",
               FLEET = ("{ count = %d, shared = %s }"):format(PER_WORKER, tostring(shared_dict)) },
  }
  local ok, outcomes = pcall(function()
    spawn_processes(dir, PER_PROCESS)
    socket.sleep(0.3)
    assert(io.open(dir .. "/go", "w")):close()
    server.get("/fleet?go=1")
    local all, workers, progress = {}, {}, nil
    -- about 10 s on a quiet machine; a loaded one (the whole suite on 2 cores) may take
    -- several times that
    for _ = 1, 1800 do                             -- at most 180 s
      local finished = 0
      for i = 1, PROCESSES do
        local _, done = lines(dir .. "/p" .. i)
        if done then finished = finished + 1 end
      end
      local state = cjson.decode((server.get("/fleet")))
      workers, progress = state.workers, state.progress
      if finished == PROCESSES and #workers == 2 then break end
      socket.sleep(0.1)
    end
    assert.equal(2, #workers, "both nginx workers finished (creates done so far, by pid: "
      .. tostring(progress) .. ")")
    for i = 1, PROCESSES do
      local out, done = lines(dir .. "/p" .. i)
      assert.truthy(done, "process " .. i .. " finished: " .. (process.read_file(dir .. "/p" .. i .. ".log") or ""))
      assert.equal(PER_PROCESS, #out)
      for _, o in ipairs(out) do all[#all + 1] = o end
    end
    for _, w in ipairs(workers) do
      assert.equal(PER_WORKER, #w.results)
      for _, o in ipairs(w.results) do all[#all + 1] = o end
    end
    return all
  end)
  server.stop()
  os.execute("pkill -f '" .. dir .. "/go' 2>/dev/null")    -- a failed run leaves no process behind
  assert(ok, outcomes)
  return outcomes
end

-- What the fake created, and the SessionId of every create request it received.
local function ledger()
  local tasks, by_session = fake.control_get("tasks"), {}
  for _, t in ipairs(tasks) do
    assert.is_string(t.session_id, "a task created without a SessionId")
    assert.is_nil(by_session[t.session_id], "two tasks for one SessionId " .. t.session_id)
    by_session[t.session_id] = t
  end
  local creates = 0
  for _, r in ipairs(fake.requests()) do
    if r.action == "CreateAigcSubject" then
      creates = creates + 1
      assert.truthy(type(r.session_id) == "string" and r.session_id:match("^auto%-%x+$"),
        "a create request without a generated SessionId")
    end
  end
  return tasks, by_session, creates
end

describe("a fleet on one quota #nginx", function()
  local TOTAL = PROCESSES * PER_PROCESS + 2 * PER_WORKER

  for _, shared in ipairs { true, false } do
    it("creates every subject exactly once, nginx workers " .. (shared and "sharing a dict" or "each on its own"), function()
      local outcomes = run_fleet(shared)
      local tasks, by_session, creates = ledger()
      local ids = {}
      for _, o in ipairs(outcomes) do
        assert.is_string(o.task_id, cjson.encode(o))          -- every create succeeded
        ids[o.task_id] = true
      end
      assert.equal(TOTAL, #outcomes)
      assert.equal(TOTAL, #tasks)                              -- the ledger is the successes
      for _, t in ipairs(tasks) do assert.is_true(ids[t.task_id], t.task_id) end
      assert.truthy(creates >= TOTAL)                          -- throttled ones were sent again
      assert.truthy(next(by_session))
      local s = fake.stats()
      assert.truthy((s.throttled.CreateAigcSubject or 0) >= 0)
    end)
  end

  it("with answers lost: every subject once, MaybeCreated exactly where the retry was refused", function()
    local outcomes = run_fleet(true, { mode = "lose_answer", action = "CreateAigcSubject", probability = 0.1 })
    local tasks, by_session = ledger()
    -- per SessionId: whether the create's own answer was lost, and when its
    -- last request arrived and its last answer was lost
    local created_lost, last_request, last_lost = {}, {}, {}
    local lost = fake.control_get("lost")
    assert.truthy(#lost > 0, "the fault lost some answers")
    for _, l in ipairs(lost) do
      if type(l.task_id) == "string" then created_lost[l.session_id] = true end   -- null: cjson.null
      last_lost[l.session_id] = math.max(last_lost[l.session_id] or 0, l.time)
    end
    for _, r in ipairs(fake.requests()) do
      if r.action == "CreateAigcSubject" then
        last_request[r.session_id] = math.max(last_request[r.session_id] or 0, r.time)
      end
    end
    local task_ids, seen, maybe = {}, {}, 0
    for _, t in ipairs(tasks) do task_ids[t.task_id] = t end
    for _, o in ipairs(outcomes) do
      if o.task_id then
        -- its answer came: a task of the ledger, whose create was answered
        local t = assert(task_ids[o.task_id], o.task_id)
        assert.is_nil(created_lost[t.session_id], t.session_id)
        seen[t.session_id] = true
      else
        local sid = o.session_id
        assert.is_table(by_session[sid], "created exactly once: " .. cjson.encode(o))
        assert.is_true(created_lost[sid], "its create's answer was lost: " .. sid)
        seen[sid] = true
        local last_answer_lost = (last_lost[sid] or 0) >= last_request[sid]
        if o.code == "ClientError.MaybeCreated" then
          -- the retry was answered, refused as a duplicate
          assert.is_false(last_answer_lost, sid)
          maybe = maybe + 1
        else
          -- every retry's answer was lost too: still ambiguous, never a second create
          assert.is_true(last_answer_lost, cjson.encode(o))
          assert.truthy(o.code == "ClientError.Network" or o.code == "ClientError.Timeout", o.code)
        end
      end
    end
    assert.equal(TOTAL, #outcomes)
    assert.equal(TOTAL, #tasks)                      -- every subject, exactly once
    for sid in pairs(by_session) do assert.is_true(seen[sid], sid) end
    assert.truthy(maybe > 0, "some retries were refused as duplicates")
  end)

  it("many timers in 2 workers hammering one dict: no window admits more than the rate", function()
    local TIMERS, CALLS, RATE = 8, 5, 10
    local total = 2 * TIMERS * CALLS
    fake.reset()
    fake.config { rate_limit = RATE }             -- the quota the limiter keeps: fixed one-second windows
    local server = nginx.start {
      prefix = root .. "/build/nginx-hammer", strip_env = true,
      values = { WORKERS = "2",
                 FLEET = ("{ hammer = { timers = %d, calls = %d, rate = %d } }"):format(TIMERS, CALLS, RATE) },
    }
    local ok, state = pcall(function()
      socket.sleep(0.3)
      server.get("/fleet?go=1")
      local t
      for _ = 1, 600 do                            -- at most 60 s
        t = cjson.decode((server.get("/fleet?hammer=1")))
        if t.ok + #t.errors >= total then break end
        socket.sleep(0.1)
      end
      return t
    end)
    server.stop()
    assert(ok, state)
    assert.same({}, state.errors)
    assert.equal(total, state.ok)
    -- the limiter's admissions: one slot each, never two calls in one, never more than the
    -- rate in a window, from both workers
    local per_window, slots, pids = {}, {}, {}
    for _, l in ipairs(state.lines) do
      local pid, w, slot, n = l:match("^(%d+) rate: window (%d+), slot (%d+) of (%d+) ")
      assert.truthy(pid, l)
      assert.equal(RATE, tonumber(n))
      assert.is_nil(slots[w .. ":" .. slot], "one slot taken twice: " .. l)
      slots[w .. ":" .. slot] = true
      per_window[w] = (per_window[w] or 0) + 1
      pids[pid] = true
    end
    assert.truthy(#state.lines >= total)          -- every call admitted (a throttled one again)
    local windows = 0
    for w, count in pairs(per_window) do
      windows = windows + 1
      assert.truthy(count <= RATE, ("%d admitted in window %s"):format(count, w))
    end
    assert.truthy(windows >= total / RATE, windows)
    local npids = 0
    for _ in pairs(pids) do npids = npids + 1 end
    assert.equal(2, npids)                        -- both workers drew on the dict
    -- what the endpoint saw (its own clock; loopback's latency and this machine's load move
    -- a call across a second's edge now and then: reported, not asserted)
    local per_second, peak = {}, 0
    for _, r in ipairs(fake.requests()) do
      local sec = math.floor(r.time)
      per_second[sec] = (per_second[sec] or 0) + 1
      peak = math.max(peak, per_second[sec])
    end
    print(("\n  %d calls from 2 workers x %d timers at %d/s: %d windows, the busiest second at the endpoint %d, "
      .. "%d throttled"):format(total, TIMERS, RATE, windows, peak, fake.stats().throttled.CreateAigcSubject or 0))
  end)

  it("a burst of 12 against 5 a second: all 12 created", function()
    fake.reset()
    fake.config { rate_limit = 5 }
    local client = fake.client()
    for i = 1, 12 do
      assert.is_string(client:create_aigc_subject { SubAppId = 221073, SubjectImages = { "https://x/" .. i } }.TaskId)
    end
    assert.equal(12, #fake.control_get("tasks"))
    assert.truthy(fake.stats().throttled.CreateAigcSubject > 0)
  end)
end)
