-- client:consume_events, the at-least-once PULL loop, against the fake
-- endpoint's event queue (spec/fake_vod/events.py): every assertion is on
-- counts and on the fake's ledger (visible / in_flight / confirmed /
-- redelivered), never on how long something took.
local fake = require "support.fake"
local process = require "support.process"
local socket = require "socket"
local vod = require "tencentcloud.vod"

local SUB = 221073

local function control(method, path, body)
  return process.control("http://" .. fake.endpoint("http") .. "/_control/" .. path, method, body)
end

-- synthetic events on the queue: { ids }, each an AigcVideoTaskComplete of a made-up task
local function add_events(n, extra)
  local t = { count = n, SubAppId = SUB }
  for k, v in pairs(extra or {}) do t[k] = v end
  return control("POST", "events", t).ids
end

local function ledger() return control("GET", "events") end
local function ledger_empty()
  local l = ledger()
  return l.visible == 0 and l.in_flight == 0
end

local function task_of(event) return event.AigcVideoCompleteEvent.TaskId end

-- a client whose failed calls are retried quickly
local function client(opts)
  local o = { rate_limit = false, retries = { max = 2, base_delay = 0.01, max_delay = 0.05 } }
  for k, v in pairs(opts or {}) do o[k] = v end
  return fake.client(o)
end

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

describe("client:consume_events", function()
  setup(function() fake.start() end)
  before_each(function()
    fake.reset()
    fake.config { pull_wait = 0.5, confirm_window = 1, rate_limit = 0 }
  end)

  it("handles every event of a full queue, confirms each once, in one ConfirmEvents a batch", function()
    add_events(40)
    local seen, c = {}, client()
    local n, stats = c:consume_events(function(event)
      assert.equal("AigcVideoTaskComplete", event.EventType)
      assert.is_string(event.EventHandle)
      seen[task_of(event)] = (seen[task_of(event)] or 0) + 1
      return true
    end, { SubAppId = SUB, max_events = 40 })
    assert.equal(40, n)
    assert.equal(40, count_keys(seen))
    for _, times in pairs(seen) do assert.equal(1, times) end
    local l = ledger()
    assert.same({ 0, 0, 40, 0 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
    local s = fake.stats()
    assert.equal(3, s.actions.PullEvents)             -- 16 + 16 + 8
    assert.equal(3, s.actions.ConfirmEvents)
    assert.same({ pulls = 3, received = 40, handled = 40, declined = 0, failed = 0, skipped = 0,
                  left = 0, confirmed = 40, pull_errors = 0, confirm_errors = 0,
                  reason = "max_events" }, stats)
  end)

  it("from a subject to a video: the completion arrives as an event with the video's URL", function()
    fake.config { video_seconds = 0.3 }
    local c = client()
    local s = c:create_aigc_subject { SubAppId = SUB, SubjectName = "hero",
                                      SubjectImages = { "https://example.com/hero.png" } }
    local subject = c:wait_task(s.TaskId, { SubAppId = SUB, interval = 0.05 })
    local subject_id = subject.CreateAigcSubjectTask.Output.SubjectId
    local v = c:create_aigc_video_task {
      SubAppId = SUB, ModelName = "Vidu", ModelVersion = "q2", Prompt = "[@hero] waves at the camera",
      SubjectInfos = { { Id = subject_id, Name = "hero" } },
    }
    local got
    local n = c:consume_events(function(event)
      got = event
      return true
    end, { SubAppId = SUB, max_events = 1, types = { "AigcVideoTaskComplete" } })
    assert.equal(1, n)
    local done = got.AigcVideoCompleteEvent
    assert.equal(v.TaskId, done.TaskId)
    assert.equal("FINISH", done.Status)
    assert.equal(0, done.ErrCode)
    if math.type then assert.equal("integer", math.type(done.ErrCode)) end   -- the codec's integers
    assert.equal("https://fake-vod.example/aigc/" .. v.TaskId .. ".mp4", done.Output.FileInfos[1].FileUrl)
    assert.same({ { Id = subject_id, Name = "hero" } }, done.Input.SubjectInfos)
    assert.equal("[@hero] waves at the camera", done.Input.Prompt)
    assert.equal(1, ledger().confirmed)
  end)

  it("a handler that fails once gets the event again, and it is confirmed once", function()
    local id = add_events(1)[1]
    local calls, errors, c = 0, {}, client()
    local n, stats = c:consume_events(function()
      calls = calls + 1
      if calls == 1 then error("the database is down") end
      return true
    end, { SubAppId = SUB, max_events = 1, on_error = function(err, event)
      errors[#errors + 1] = { err = err, task = task_of(event) }
    end })
    assert.equal(1, n)
    assert.equal(2, calls)
    assert.equal(1, #errors)
    assert.truthy(tostring(errors[1].err):find("the database is down", 1, true))
    local l = ledger()
    assert.same({ 0, 0, 1, 1 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
    assert.equal(id, l.events[1].id)
    assert.equal(2, l.events[1].deliveries)
    assert.equal(1, fake.stats().actions.ConfirmEvents)
    assert.equal(1, stats.failed)
    assert.equal(1, stats.handled)
  end)

  it("false leaves the event without a report; any other value is reported", function()
    add_events(2)
    local answers, reports, c = { false, "yes" }, {}, client()
    local n, stats = c:consume_events(function() return table.remove(answers, 1) end, {
      SubAppId = SUB, stop = function() return #answers == 0 end,
      on_error = function(err) reports[#reports + 1] = err end,
    })
    assert.equal(0, n)
    assert.same({ "the handler returned yes, not true (confirm) or false (leave)" }, reports)
    assert.equal(1, stats.declined)
    assert.equal(1, stats.failed)
    assert.equal("stopped", stats.reason)
    local l = ledger()
    assert.same({ 0, 2 }, { l.confirmed, l.in_flight })
    assert.is_nil(fake.stats().actions.ConfirmEvents)
  end)

  it("without on_error, a failed handler's error goes to the debug sink", function()
    add_events(1)
    local lines, calls = {}, 0
    local c = client { debug = function(line) lines[#lines + 1] = line end }
    c:consume_events(function(event)
      calls = calls + 1
      if calls == 1 then error({ reason = "a table" }) end
      return true
    end, { SubAppId = SUB, max_events = 1 })
    local found
    for _, line in ipairs(lines) do
      if line:find("^consume_events: the handler failed on AigcVideoTaskComplete event %x+: table") then
        found = true
      end
    end
    assert.is_true(found, table.concat(lines, "\n"))
  end)

  it("stops after max_events in the middle of a batch: the rest is left, not confirmed", function()
    add_events(10)
    local calls, c = 0, client()
    local n, stats = c:consume_events(function()
      calls = calls + 1
      return true
    end, { SubAppId = SUB, max_events = 4 })
    assert.equal(4, n)
    assert.equal(4, calls)
    assert.equal(6, stats.left)
    local l = ledger()
    assert.same({ 0, 6, 4 }, { l.visible, l.in_flight, l.confirmed })
    assert.equal(1, fake.stats().actions.ConfirmEvents)
  end)

  describe("types", function()
    before_each(function()
      add_events(2, { EventType = "NewFileUpload", event = { FileUploadEvent = { FileId = "5285890780000000001" } } })
      add_events(3)
    end)

    it("the other types are confirmed untouched by default", function()
      local types, c = {}, client()
      local n, stats = c:consume_events(function(event)
        types[#types + 1] = event.EventType
        return true
      end, { SubAppId = SUB, types = { AigcVideoTaskComplete = true },
             stop = function() return ledger_empty() end })
      assert.same({ "AigcVideoTaskComplete", "AigcVideoTaskComplete", "AigcVideoTaskComplete" }, types)
      assert.equal(3, n)
      assert.equal(2, stats.skipped)
      assert.equal(5, stats.confirmed)
      assert.equal(5, ledger().confirmed)
      assert.equal(1, fake.stats().actions.ConfirmEvents)
    end)

    it("or left for another consumer with others = \"leave\"", function()
      local c = client()
      local n, stats = c:consume_events(function() return true end,
        { SubAppId = SUB, types = { "AigcVideoTaskComplete" }, others = "leave", max_events = 3 })
      assert.equal(3, n)
      assert.equal(2, stats.skipped)
      local l = ledger()
      assert.same({ 3, 2 }, { l.confirmed, l.in_flight })
      for _, e in ipairs(l.events) do
        assert.equal(e.event_type == "NewFileUpload" and "in_flight" or "confirmed", e.state)
      end
    end)
  end)

  describe("failures on the way", function()
    it("a pull cut off mid-wait is retried by the client's policy", function()
      add_events(3)
      fake.fault { mode = "close_mid_wait", seconds = 0.2, action = "PullEvents", count = 1 }
      local reports, c = {}, client()
      local n = c:consume_events(function() return true end,
        { SubAppId = SUB, max_events = 3, on_error = function(err) reports[#reports + 1] = err end })
      assert.equal(3, n)
      assert.same({}, reports)
      assert.equal(2, fake.stats().actions.PullEvents)
      local l = ledger()
      assert.same({ 3, 0 }, { l.confirmed, l.redelivered })
    end)

    it("with retries off, by the loop itself after reporting it", function()
      add_events(3)
      fake.fault { mode = "close_mid_wait", seconds = 0.2, action = "PullEvents", count = 1 }
      local reports, c = {}, client { retries = false }
      local n, stats = c:consume_events(function() return true end,
        { SubAppId = SUB, max_events = 3, on_error = function(err, event)
          assert.is_nil(event)
          reports[#reports + 1] = err
        end })
      assert.equal(3, n)
      assert.equal(1, #reports)
      assert.equal("ClientError.Network", reports[1].code)
      assert.equal("PullEvents", reports[1].action)
      assert.equal(1, stats.pull_errors)
      assert.equal(2, stats.pulls)
      assert.equal(3, ledger().confirmed)
    end)

    it("a lost confirm answer: the confirmation went through, nothing is lost or handled twice", function()
      add_events(20)
      fake.fault { mode = "lose_answer", action = "ConfirmEvents", count = 1 }
      local seen, reports, c = {}, {}, client()
      local n, stats = c:consume_events(function(event)
        seen[task_of(event)] = (seen[task_of(event)] or 0) + 1
        return true
      end, { SubAppId = SUB, stop = ledger_empty, on_error = function(err) reports[#reports + 1] = err end })
      assert.equal(1, #reports)
      assert.equal("ClientError.Network", reports[1].code)
      assert.equal("ConfirmEvents", reports[1].action)
      assert.is_true(reports[1].ambiguous)
      assert.equal(1, reports[1].attempts)            -- not repeated: its fate is unknown
      assert.equal(4, n)                               -- the 16 of the lost answer are not counted
      assert.equal(1, stats.confirm_errors)
      assert.equal(20, count_keys(seen))
      for _, times in pairs(seen) do assert.equal(1, times) end
      local l = ledger()
      assert.same({ 0, 0, 20, 0 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
      assert.equal(1, #control("GET", "lost"))
    end)

    it("a confirm that never arrived: one redelivery of its events, each confirmed once", function()
      add_events(20)
      fake.fault { mode = "close_before", action = "ConfirmEvents", count = 1 }
      local seen, reports, c = {}, {}, client()
      local n = c:consume_events(function(event)
        seen[task_of(event)] = (seen[task_of(event)] or 0) + 1
        return true
      end, { SubAppId = SUB, stop = ledger_empty, on_error = function(err) reports[#reports + 1] = err end })
      assert.equal(1, #reports)
      assert.equal("ClientError.Network", reports[1].code)
      assert.equal(20, n)
      local twice = 0
      for _, times in pairs(seen) do
        assert.truthy(times == 1 or times == 2)
        if times == 2 then twice = twice + 1 end
      end
      assert.equal(20, count_keys(seen))
      assert.equal(16, twice)
      local l = ledger()
      assert.same({ 0, 0, 20, 16 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
      for _, e in ipairs(l.events) do assert.truthy(e.deliveries <= 2) end
    end)

    it("a batch refused as a whole (its handles expired) is confirmed handle by handle", function()
      add_events(2)
      local calls, reports, c = 0, {}, client()
      local n, stats = c:consume_events(function()
        calls = calls + 1
        if calls == 1 then socket.sleep(1.3) end      -- past the fake's 1 s confirm window
        return true
      end, { SubAppId = SUB, stop = ledger_empty, on_error = function(err) reports[#reports + 1] = err end })
      -- the batch, then each of its two handles alone: all refused as expired
      assert.equal(3, #reports)
      for _, err in ipairs(reports) do
        assert.equal("InvalidParameterValue", err.code)
        assert.truthy(err.message:find("has expired", 1, true), err.message)
      end
      assert.equal(3, stats.confirm_errors)
      assert.equal(2, n)                               -- delivered again, then confirmed
      assert.equal(4, calls)
      local l = ledger()
      assert.same({ 0, 0, 2, 2 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
    end)

    it("a slow batch is confirmed in parts, within confirm_within of its pull", function()
      add_events(3)
      local c = client()
      local n = c:consume_events(function()
        socket.sleep(0.01)
        return true
      end, { SubAppId = SUB, max_events = 3, confirm_within = 0.001 })
      assert.equal(3, n)
      assert.equal(3, fake.stats().actions.ConfirmEvents)   -- each confirmed as soon as handled
      assert.equal(3, ledger().confirmed)
    end)

    it("a failure the policy would not repeat ends the loop with that error", function()
      add_events(1)
      local c = client { secret_key = "wrong" }
      local err = fake.raises(c.consume_events, c, function() return true end, { SubAppId = SUB })
      assert.equal("AuthFailure.SignatureFailure", err.code)
      assert.equal("PullEvents", err.action)
      local bad = fake.raises(client().consume_events, client(), function() return true end,
        { SubAppId = "221073" })
      assert.equal("ClientError.InvalidParameter", bad.code)
      assert.equal(0, bad.attempts)
      assert.equal(1, fake.stats().requests)           -- the refused one only
    end)
  end)

  describe("an idle consumer", function()
    it("makes one long poll at a time and returns at its timeout", function()
      local c = client()
      local n, stats = c:consume_events(function() return true end, { SubAppId = SUB, timeout = 1.2 })
      assert.equal(0, n)
      assert.equal("timeout", stats.reason)
      assert.truthy(stats.pulls >= 1 and stats.pulls <= 3, stats.pulls)
      assert.equal(stats.pulls, fake.stats().actions.PullEvents)
    end)

    it("does not spin when empty pulls are answered at once", function()
      fake.config { pull_wait = 0 }
      local c = client()
      local _, stats = c:consume_events(function() return true end, { SubAppId = SUB, timeout = 2.5 })
      -- without a hold, pulls that bring nothing start at most once a second
      assert.truthy(stats.pulls >= 1 and stats.pulls <= 4, stats.pulls)
    end)

    it("PullEvents takes no token from the client's rate limit, nor adapts its rate", function()
      fake.config { pull_wait = 0 }
      local lines = {}
      local c = fake.client { rate_limit = { rate = 0.01, adaptive = false },   -- one call per 100 s
                              debug = function(l) lines[#lines + 1] = l end }
      for _ = 1, 3 do assert.same({}, c:pull_events { SubAppId = SUB }.EventSet) end
      -- the bucket's one token is still there: the next call goes at once
      pcall(c.describe_task_detail, c, { TaskId = "221073-AigcVideoTask-0", SubAppId = SUB })
      for _, l in ipairs(lines) do assert.is_nil(l:find("^rate: "), l) end
      assert.equal(3, fake.stats().actions.PullEvents)
      assert.equal(1, fake.stats().actions.DescribeTaskDetail)
    end)

    it("a throttled PullEvents is waited out without slowing the client's rate", function()
      fake.config { pull_wait = 0 }
      local c = client { rate_limit = 5 }              -- adaptive
      fake.fault { mode = "throttle", action = "PullEvents", count = 1 }
      assert.same({}, c:pull_events { SubAppId = SUB }.EventSet)
      assert.equal(2, fake.stats().actions.PullEvents)
      assert.equal(5, c:stats().rate)
      assert.equal(0, c:stats().throttled)            -- the bucket never heard of it
      -- another action's throttle is taken into account
      fake.fault { mode = "throttle", action = "DescribeTaskDetail", count = 1 }
      pcall(c.describe_task_detail, c, { TaskId = "221073-AigcVideoTask-0", SubAppId = SUB })
      assert.equal(1, c:stats().throttled)
    end)
  end)

  describe("options", function()
    local function option_error(opts, option, message)
      local c = client()
      local err = fake.raises(c.consume_events, c, function() return true end, opts)
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal(option, err.option)
      if message then assert.equal(message, err.message) end
      assert.equal(0, fake.stats().requests)
    end

    it("are checked before anything is sent", function()
      option_error({ max_event = 1 }, "max_event",
        "unknown consume_events option 'max_event' (did you mean 'max_events'?)")
      option_error({ zzz = 1 }, "zzz", "unknown consume_events option 'zzz' (known: "
        .. "SubAppId, max_events, timeout, types, others, on_error, stop, confirm_within)")
      option_error({ max_events = 0 }, "max_events",
        "consume_events option 'max_events' must be a whole number, 1 or more")
      option_error({ max_events = 1.5 }, "max_events")
      option_error({ timeout = 0 }, "timeout", "consume_events option 'timeout' must be a number of seconds, "
        .. "more than 0")
      option_error({ types = {} }, "types", "consume_events option 'types' must name at least one EventType")
      option_error({ types = "AigcVideoTaskComplete" }, "types")
      option_error({ types = { AigcVideoTaskComplete = 1 } }, "types")
      option_error({ others = "drop" }, "others", "consume_events option 'others' must be \"confirm\" or \"leave\"")
      option_error({ on_error = true }, "on_error", "consume_events option 'on_error' must be a function")
      option_error({ stop = 1 }, "stop")
      option_error({ confirm_within = -1 }, "confirm_within")
    end)

    it("the handler must be a function, the options a table", function()
      local c = client()
      local ok, msg = pcall(c.consume_events, c, nil, {})
      assert.is_false(ok)
      assert.equal("bad argument #1 to 'consume_events' (function expected, got nil)", msg)
      ok, msg = pcall(c.consume_events, c, function() end, 5)
      assert.equal("bad argument #2 to 'consume_events' (table expected, got number)", msg)
    end)

    it("a client whose timeout is shorter than 10 s cannot hold a pull", function()
      local c = fake.client { timeout = 5 }
      local err = fake.raises(c.consume_events, c, function() return true end, { SubAppId = SUB })
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal("timeout", err.option)
      assert.equal("consume_events needs a client whose timeout is at least 10 s: the API holds a pull up "
        .. "to 5 s while no event is ready, and this client's timeout is 5 s (make a client for events "
        .. "with vod.new { timeout = 30, ... })", err.message)
      assert.equal(0, fake.stats().requests)
    end)
  end)

  describe("other forms", function()
    it("the safe form returns nil, err, or the count and the stats", function()
      add_events(2)
      local safe = require "tencentcloud.vod.safe"
      local c = assert(safe.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                                  endpoint = fake.endpoint("http"), scheme = "http" })
      local n, stats = c:consume_events(function() return true end, { SubAppId = SUB, max_events = 2 })
      assert.equal(2, n)
      assert.equal("max_events", stats.reason)
      local none, err = c:consume_events(function() return true end, { bogus = true })
      assert.is_nil(none)
      assert.equal("ClientError.InvalidOption", err.code)
    end)

    it("the module-level function goes through the default client", function()
      assert.is_function(vod.consume_events)
      -- the default client has no credentials here: the error says so, nothing is sent
      local ok, err = pcall(vod.consume_events, function() return true end, { max_event = 1 })
      assert.is_false(ok)
      assert.truthy(vod.is_error(err))
    end)
  end)

  it("two consumer processes on one queue handle every event at least once; the ledger ends empty", function()
    local ids = add_events(120)
    local dir = process.tmpdir()
    local script = dir .. "/consumer.lua"
    local f = assert(io.open(script, "w"))
    f:write([=[
local vod = require "tencentcloud.vod"
local http = require "socket.http"
local socket = require "socket"
local endpoint, control, me, dir = arg[1], arg[2], arg[3], arg[4]
-- both start consuming together
assert(io.open(dir .. "/ready-" .. me, "w")):close()
for _ = 1, 1000 do
  local a, b = io.open(dir .. "/ready-a"), io.open(dir .. "/ready-b")
  if a then a:close() end
  if b then b:close() end
  if a and b then break end
  socket.sleep(0.01)
end
local client = vod.new { secret_id = "AKIDEXAMPLEFAKEVOD0000000000000000",
  secret_key = "fakeVodSecretKeyEXAMPLE0000000000", endpoint = endpoint, scheme = "http",
  rate_limit = false }
local out = assert(io.open(dir .. "/handled-" .. me, "w"))
local failed_once = {}
local function empty()
  local body = assert(http.request(control))
  return body:find('"visible": 0,', 1, true) and body:find('"in_flight": 0,', 1, true)
end
local n = client:consume_events(function(event)
  local id = event.AigcVideoCompleteEvent.TaskId
  -- every fifth event fails the first time this process sees it
  if not failed_once[id] and id:byte(-1) % 5 == 0 then
    failed_once[id] = true
    error("flaky")
  end
  out:write(id, "\n")
  return true
end, { SubAppId = 221073, stop = empty, timeout = 120, on_error = function() end })
out:write("confirmed ", n, "\n")
out:close()
]=])
    f:close()
    local function run(me)
      return ("env LUA_PATH=%q LUA_CPATH=%q %s %s %s %s %s %s > %s/log-%s 2>&1")
        :format(package.path, package.cpath, fake.interpreter(), script, fake.endpoint("http"),
          "http://" .. fake.endpoint("http") .. "/_control/events", me, dir, dir, me)
    end
    local ok = os.execute(run("a") .. " & " .. run("b") .. " & wait")
    assert.truthy(ok == true or ok == 0)
    local handled, confirmed, per = {}, 0, {}
    for _, me in ipairs { "a", "b" } do
      local text = assert(process.read_file(dir .. "/handled-" .. me), process.read_file(dir .. "/log-" .. me))
      per[me] = 0
      for line in text:gmatch("[^\n]+") do
        local c = line:match("^confirmed (%d+)")
        if c then confirmed = confirmed + tonumber(c)
        else
          handled[line] = true
          per[me] = per[me] + 1
        end
      end
    end
    os.execute("rm -rf '" .. dir .. "'")
    assert.equal(#ids, count_keys(handled))            -- every event, at least once
    assert.truthy(per.a > 0 and per.b > 0, per.a .. " / " .. per.b)
    assert.equal(#ids, confirmed)                      -- each counted by the one that confirmed it
    local l = ledger()
    assert.same({ 0, 0, #ids }, { l.visible, l.in_flight, l.confirmed })
    assert.truthy(l.redelivered > 0)                   -- the failed ones came back
  end)
end)
