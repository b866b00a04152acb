-- A shared quota, seen by one client: throttling waited out past `max`,
-- creates given a SessionId of their own, the rate adapting (the fleet of
-- processes is spec/fleet_spec.lua).
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/a.png" } }
local FAST = { max = 2, base_delay = 0.01, max_delay = 0.05 }

local function with(k, v)
  local t = {}
  for a, b in pairs(PARAMS) do t[a] = b end
  t[k] = v
  return t
end

describe("a shared quota", function()
  before_each(function() fake.reset() end)

  it("waits out throttling past max, until it succeeds, counting every attempt", function()
    fake.fault { mode = "throttle", count = 4 }            -- more throttles than max = 2
    local lines = {}
    local client = fake.client { retries = FAST, debug = function(l) lines[#lines + 1] = l end }
    local res = client:create_aigc_subject(PARAMS)
    assert.is_string(res.TaskId)
    assert.equal(5, fake.stats().actions.CreateAigcSubject)
    local waits = 0
    for _, l in ipairs(lines) do
      if l:find("^throttled %(RequestLimitExceeded%) on attempt %d: waiting [%d.]+s for the quota's next window")
      then waits = waits + 1 end
    end
    assert.equal(4, waits)                                  -- each throttled wait in the debug sink
    assert.equal(4, client:stats().throttled)
  end)

  it("gives up on throttling at the deadline, with every attempt counted", function()
    fake.fault { mode = "throttle" }
    local client = fake.client { retries = { max = 2, deadline = 2.5 } }
    local err = fake.raises(client.create_aigc_subject, client, PARAMS)
    assert.equal("RequestLimitExceeded", err.code)
    assert.truthy(err.attempts >= 2 and err.attempts <= 4, err.attempts)
    assert.equal(err.attempts, fake.stats().actions.CreateAigcSubject)
    assert.truthy(tostring(err):find("[attempts: " .. err.attempts .. "]", 1, true))
  end)

  it("lowers the client's rate on throttling, unless adaptive = false", function()
    fake.fault { mode = "throttle", count = 1 }
    local client = fake.client { retries = FAST }
    assert.equal(20, client:stats().rate)
    client:create_aigc_subject(PARAMS)
    assert.truthy(client:stats().rate < 20, client:stats().rate)
    fake.fault { mode = "throttle", count = 1 }
    local fixed = fake.client { retries = FAST, rate_limit = { rate = 20, adaptive = false } }
    fixed:create_aigc_subject(PARAMS)
    assert.equal(20, fixed:stats().rate)
    assert.equal(1, fixed:stats().throttled)
    assert.is_false(fixed:settings().rate_limit.adaptive)
  end)

  describe("a create without a SessionId of its own", function()
    it("carries a generated one, the same on every attempt, so an ambiguous failure is retried", function()
      fake.fault { mode = "http502", count = 1 }
      local lines = {}
      local client = fake.client { retries = FAST, debug = function(l) lines[#lines + 1] = l end }
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
      local reqs = fake.requests()
      assert.equal(2, #reqs)
      assert.truthy(reqs[1].session_id:match("^auto%-%x+$") and #reqs[1].session_id == 37)
      assert.equal(reqs[1].session_id, reqs[2].session_id)
      assert.equal(1, fake.stats().tasks_created)
      local shown
      for _, l in ipairs(lines) do
        if l:find("SessionId " .. reqs[1].session_id .. " generated for CreateAigcSubject", 1, true) then shown = true end
      end
      assert.is_true(shown, "the generated id in the debug output")
    end)

    it("names it on every error of the call", function()
      fake.fault { mode = "http502" }
      local client = fake.client { retries = FAST }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(3, err.attempts)
      assert.equal(fake.requests()[1].session_id, err.session_id)
      fake.fault { mode = "none" }
      err = fake.raises(client.create_aigc_subject, client, with("TasksPriority", 3.5))
      assert.is_nil(err.session_id)            -- refused before anything was sent
    end)

    it("reports MaybeCreated when the answer was lost and the retry is refused as a duplicate", function()
      fake.fault { mode = "lose_answer", action = "CreateAigcSubject", count = 1 }
      local client = fake.client { retries = FAST }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.MaybeCreated", err.code)
      assert.equal("ClientError.Network", err.first_error)
      local tasks = fake.control_get("tasks")
      assert.equal(1, #tasks)
      assert.equal(tasks[1].session_id, err.session_id)
    end)

    it("keeps a caller's own SessionId, and \"\" as given (then it is not repeated)", function()
      local client = fake.client { retries = FAST }
      client:create_aigc_subject(with("SessionId", "mine-1"))
      assert.equal("mine-1", fake.last().session_id)
      fake.fault { mode = "http502", count = 1 }
      local err = fake.raises(client.create_aigc_subject, client, with("SessionId", ""))
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(1, err.attempts)
      assert.is_false(err.retryable)
      assert.equal("", vod.json_decode(fake.last().body).SessionId)
    end)

    it("sends none with auto_session_id = false", function()
      local client = fake.client { auto_session_id = false }
      client:create_aigc_subject(PARAMS)
      assert.is_nil(vod.json_decode(fake.last().body).SessionId)
      client:describe_task_detail { TaskId = fake.control_get("tasks")[1].task_id, SubAppId = 221073 }
      assert.is_not.string(fake.last().session_id)   -- a query never gets one (JSON null)
    end)

    it("is refused by the option reader when it is not a boolean", function()
      local err = fake.raises(vod.new, { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                                         auto_session_id = "no" })
      assert.equal("auto_session_id", err.option)
    end)
  end)

  it("a burst of 12 against 5 a second: all 12 created, in one process", function()
    fake.config { rate_limit = 5 }
    local client = fake.client()
    for i = 1, 12 do
      assert.is_string(client:create_aigc_subject(with("SubjectName", "b" .. i)).TaskId)
    end
    assert.equal(12, #fake.control_get("tasks"))
    assert.truthy(fake.stats().throttled.CreateAigcSubject > 0)
  end)
end)
