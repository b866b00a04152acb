-- consume_events and parse_event in a real nginx (one worker, cosockets):
-- a consumer started by init_worker in a timer, consumers in request
-- handlers, a push endpoint. Runs with `busted --run=nginx`; needs the
-- LuaJIT build in VOD_JIT_TREE (default build/treejit).
local fake = require "support.fake"
local process = require "support.process"
local socket = require "socket"
local cjson = require "cjson"
local http = require "socket.http"
local ltn12 = require "ltn12"

local nginx = require "support.nginx"

local prefix = nginx.root .. "/build/nginx-events-test"
local server

local function control(method, path, body)
  return process.control("http://" .. fake.endpoint("http") .. "/_control/" .. path, method, body)
end

local function ledger() return control("GET", "events") end

local function events(query)
  local body, code = server.get("/events?" .. query)
  local ok, t = pcall(cjson.decode, body or "")
  assert(ok, "not JSON from /events?" .. query .. ": " .. tostring(body))
  return t, code
end

local function post(path, text)
  local out = {}
  local _, code = http.request {
    url = "http://127.0.0.1:" .. server.port .. path, method = "POST",
    source = ltn12.source.string(text), sink = ltn12.sink.table(out),
    headers = { ["content-type"] = "application/json", ["content-length"] = #text },
  }
  return cjson.decode(table.concat(out)), code
end

describe("task events in nginx #nginx", function()
  setup(function()
    server = nginx.start { prefix = prefix, template = "events.conf.in" }
  end)

  teardown(function() server.stop() end)

  before_each(function()
    fake.reset()
    fake.config { pull_wait = 0.5, confirm_window = 1, rate_limit = 0, video_seconds = 0.3 }
  end)

  it("subject -> video -> event -> URL: the handler answers at once, the timer records the completion", function()
    local t, code = events("op=video")
    assert.equal(200, code, cjson.encode(t))
    assert.truthy(t.task_id:match("^221073%-AigcVideoTask%-%x+$"), t.task_id)
    local status
    for _ = 1, 200 do                                  -- the consumer's long poll brings it
      status = events("op=video_status&task_id=" .. t.task_id)
      if status.record ~= nil then break end
      socket.sleep(0.05)
    end
    assert.same({ status = "FINISH", err = "", url = "https://fake-vod.example/aigc/" .. t.task_id .. ".mp4" },
      status.record)
    local l = ledger()
    assert.same({ 0, 0, 1, 0 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
  end)

  it("a handler that fails once gets the event again, and it is confirmed once", function()
    control("POST", "events", { count = 1, SubAppId = 300001 })
    local t = events("op=consume&sub=300001&max=1&fail_first=1")
    assert.is_true(t.ok, cjson.encode(t))
    assert.equal(1, t.count)
    assert.equal(2, t.calls)
    assert.equal(1, #t.errors)
    assert.truthy(t.errors[1].text:find("the database is down", 1, true))
    assert.is_true(t.errors[1].with_event)
    local l = ledger()
    assert.same({ 0, 0, 1, 1 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
    assert.equal(1, fake.stats().actions.ConfirmEvents)
  end)

  it("a full queue: every event once, one ConfirmEvents a batch", function()
    control("POST", "events", { count = 40, SubAppId = 300002 })
    local t = events("op=consume&sub=300002&max=40")
    assert.equal(40, t.count)
    assert.equal(40, t.distinct)
    assert.equal(40, t.calls)
    assert.equal(3, t.stats.pulls)
    local s = fake.stats()
    assert.equal(3, s.actions.ConfirmEvents)
    assert.equal(40, ledger().confirmed)
  end)

  it("a pull cut off mid-wait is retried", function()
    control("POST", "events", { count = 3, SubAppId = 300003 })
    fake.fault { mode = "close_mid_wait", seconds = 0.2, action = "PullEvents", count = 1 }
    local t = events("op=consume&sub=300003&max=3")
    assert.equal(3, t.count)
    assert.same({}, t.errors)
    local l = ledger()
    assert.same({ 3, 0 }, { l.confirmed, l.redelivered })
  end)

  it("a lost confirm answer: nothing lost, nothing handled twice", function()
    control("POST", "events", { count = 20, SubAppId = 300004 })
    fake.fault { mode = "lose_answer", action = "ConfirmEvents", count = 1 }
    local t = events("op=consume&sub=300004&until_distinct=20")
    assert.equal(1, #t.errors)
    assert.equal("ClientError.Network", t.errors[1].code)
    assert.equal("ConfirmEvents", t.errors[1].action)
    assert.equal(4, t.count)
    assert.equal(20, t.calls)
    local l = ledger()
    assert.same({ 0, 0, 20, 0 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
  end)

  it("a confirm that never arrived: one redelivery, each event confirmed once", function()
    control("POST", "events", { count = 20, SubAppId = 300005 })
    fake.fault { mode = "close_before", action = "ConfirmEvents", count = 1 }
    local t = events("op=consume&sub=300005&max=20")
    assert.equal(20, t.count)
    assert.equal(20, t.distinct)
    assert.equal(16, t.twice)
    assert.equal(36, t.calls)
    local l = ledger()
    assert.same({ 0, 0, 20, 16 }, { l.visible, l.in_flight, l.confirmed, l.redelivered })
  end)

  it("an idle consumer holds one long poll at a time and never blocks the worker", function()
    fake.config { pull_wait = 1 }
    local out = os.tmpname()
    -- a consumer in a request handler, for 2 s, in the background
    os.execute(("curl -s 'http://127.0.0.1:%d/events?op=consume&sub=300006&timeout=2' > %s &")
      :format(server.port, out))
    -- the same worker answers meanwhile: "running" can only be read while it consumes
    local states = {}
    for _ = 1, 400 do
      local state = events("op=consume_state&sub=300006").state
      if states[#states] ~= state then states[#states + 1] = state end
      if state == "done" then break end
      socket.sleep(0.01)
    end
    assert.same({ "running", "done" }, { states[#states - 1], states[#states] })
    local t
    for _ = 1, 100 do
      -- empty (or, in between, partial) until curl has written the answer
      local ok, v = pcall(cjson.decode, process.read_file(out) or "")
      if ok and type(v) == "table" then t = v break end
      socket.sleep(0.05)
    end
    os.remove(out)
    assert(t, "the consumer's answer did not come in 5 s")
    assert.equal(0, t.count)
    assert.equal("timeout", t.stats.reason)
    assert.truthy(t.stats.pulls >= 1 and t.stats.pulls <= 3, t.stats.pulls)
  end)

  it("PullEvents takes no token from the client's bucket", function()
    fake.config { pull_wait = 0 }
    local t = events("op=pull_bucket")
    assert.is_true(t.ok, cjson.encode(t))
    assert.equal(0, t.waits)
    -- its own app's calls (a consumer of an earlier spec may still be ending its long poll)
    local n = { PullEvents = 0, DescribeTaskDetail = 0 }
    for _, r in ipairs(fake.requests()) do
      if n[r.action] and r.body:find('"SubAppId":300077', 1, true) then n[r.action] = n[r.action] + 1 end
    end
    assert.same({ PullEvents = 3, DescribeTaskDetail = 1 }, n)
  end)

  describe("a push endpoint with parse_event", function()
    local function md5(text)
      local p = io.popen(("python3 -c 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())' %s")
        :format(text))
      local s = p:read("*l")
      p:close()
      return s
    end
    local function body(sign, t)
      return ('{"EventType":"AigcVideoTaskComplete","AigcVideoCompleteEvent":{"TaskId":"221073-AigcVideoTask-77",'
        .. '"Status":"FINISH"},"Sign":"%s","T":%d}'):format(sign, t)
    end

    it("takes a signed one, refuses a tampered, an expired and a malformed one", function()
      local t = os.time() + 600
      local good, code = post("/events?op=push", body(md5("abc123" .. t), t))
      assert.equal(200, code)
      assert.same({ ok = true, event_type = "AigcVideoTaskComplete", task_id = "221073-AigcVideoTask-77",
                    has_sign = false, has_t = false }, good)
      local bad
      bad, code = post("/events?op=push", body(md5("abc123" .. t), t + 1))
      assert.equal(403, code)
      assert.equal("mismatch", bad.reason)
      bad, code = post("/events?op=push", body(md5("abc123" .. (t - 1200)), t - 1200))
      assert.equal(403, code)
      assert.equal("expired", bad.reason)
      bad, code = post("/events?op=push", '{"EventType":')
      assert.equal(400, code)
      assert.equal("ClientError.InvalidEvent", bad.code)
    end)
  end)

  it("examples/openresty/run.sh: a video's completion by the timer, a pushed one, a refused one", function()
    local out = nginx.sh("VOD_SKIP_BUILD=1 sh '" .. nginx.root .. "/examples/openresty/run.sh' 2>&1")
    local task_id = out:match('\n{"task_id":"(221073%-AigcVideoTask%-%x+)"}\n')
    assert.truthy(task_id, out)
    local rec = out:match("\n({[^\n]*fake%-vod%.example[^\n]*})\n")
    assert.truthy(rec, out)
    assert.same({ status = "FINISH", error = "", url = "https://fake-vod.example/aigc/" .. task_id .. ".mp4" },
      cjson.decode(rec))
    local pushed = out:match("%(a pushed notification, signed%)\nok\n({[^\n]*})\n")
    assert.truthy(pushed, out)
    assert.same({ status = "FINISH", error = "", url = "https://example.com/pushed.mp4" }, cjson.decode(pushed))
    assert.truthy(out:find("(signed with another key: refused)\n403\n", 1, true), out)
  end)

  it("the timer's consumer stops when the worker exits (nginx -s quit)", function()
    nginx.sh("nginx -p '" .. prefix .. "' -c '" .. prefix .. "/nginx.conf' -s quit")
    local gone
    for _ = 1, 300 do                                 -- a held pull ends within pull_wait
      if not process.read_file(prefix .. "/nginx.pid") then gone = true break end
      socket.sleep(0.05)
    end
    assert.is_true(gone, "nginx did not exit")
    local log = process.read_file(prefix .. "/error.log")
    assert.truthy(log:find("consume_events returned %d+ %(exiting%)"), log:sub(-2000))
  end)
end)
