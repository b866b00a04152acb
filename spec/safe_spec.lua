-- tencentcloud.vod.safe in plain Lua: nil, err instead of raising; and the
-- no-I/O helpers the cosocket transport is built from.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"
local safe = require "tencentcloud.vod.safe"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

describe("tencentcloud.vod.safe", function()
  setup(function() fake.start() end)
  before_each(function() fake.reset() end)

  local function client(opts)
    local o = { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                endpoint = fake.endpoint("http"), scheme = "http" }
    for k, v in pairs(opts or {}) do o[k] = v end
    return safe.new(o)
  end

  it("returns results as the raising form does", function()
    local c = client()
    local res, err = c:create_aigc_subject(PARAMS)
    assert.is_nil(err)
    assert.is_string(res.TaskId)
    local task = c:wait_task(res.TaskId, { interval = 0.02 })
    assert.truthy(task.CreateAigcSubjectTask.Output.SubjectId:match("^subj%-"))
  end)

  it("returns nil and the same error object instead of raising", function()
    local c = client { secret_key = "wrong" }
    local res, err = c:create_aigc_subject(PARAMS)
    assert.is_nil(res)
    assert.is_true(vod.is_error(err))
    assert.is_true(safe.is_error(err))
    assert.equal("AuthFailure.SignatureFailure", err.code)
    assert.truthy(tostring(err):find("^CreateAigcSubject: AuthFailure.SignatureFailure: "))
    local _, perr = c:create_aigc_subject { SubjectImage = {} }
    assert.equal("ClientError.InvalidParameter", perr.code)
    local _, terr = c:wait_task("t", { bogus = 1 })
    assert.equal("ClientError.InvalidOption", terr.code)
  end)

  it("safe.new returns nil, err for bad options", function()
    local c, err = safe.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, timout = 1 }
    assert.is_nil(c)
    assert.equal("ClientError.InvalidOption", err.code)
  end)

  it("still raises a programming mistake (a wrong argument type)", function()
    local c = client()
    local ok, err = pcall(c.create_aigc_subject, c, "not a table")
    assert.is_false(ok)
    assert.is_string(err)
    assert.truthy(err:find("table expected", 1, true))
  end)

  it("has the module-level functions", function()
    for _, name in ipairs { "create_aigc_subject", "describe_task_detail", "call", "wait_task" } do
      assert.is_function(safe[name])
    end
    assert.equal(vod.null, safe.null)
  end)
end)

describe("the no-I/O pieces of a call", function()
  -- wait_task's own checks are the module's, given to its Lua loop only
  local private = debug.getregistry()["tencentcloud.vod.private"]
  local c = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                      endpoint = "example.com:8443", timeout = 1.5, connect_timeout = 0.25,
                      max_response_size = 4096 }

  it("plain Lua uses libcurl", function() assert.equal("libcurl", vod.transport) end)

  it("are the user's: build_request and parse_response, not the engine's building blocks", function()
    assert.is_function(c.build_request)
    assert.is_function(c.parse_response)
    for _, name in ipairs { "retry_plan", "finish_error", "request_policy", "rate_limit_wait",
                            "adapt_rate", "learn_clock", "wait_plan", "check_task", "credentials_due",
                            "credentials_from_function", "metadata_request", "metadata_response" } do
      assert.is_nil(c[name], name)
    end
    assert.is_nil(vod._error)
  end)

  it("settings() tells a transport what it needs", function()
    local got = c:settings()
    assert.truthy(math.abs(got.rate_limit.interval - 1.05 / 20) < 1e-12)
    got.rate_limit.interval = nil
    assert.same({ scheme = "https", endpoint = "example.com:8443", host = "example.com", port = 8443,
                  timeout = 1.5, connect_timeout = 0.25, max_response_size = 4096,
                  rate_limit = { rate = 20, burst = 1, adaptive = true }, retries = true, credential_source = "options" }, got)
  end)

  it("wait_task's plan checks its options and builds the poll's parameters", function()
    local params, interval, timeout, progress = private.wait_plan(c, "t-1", { SubAppId = 7, interval = 0.5 })
    assert.same({ TaskId = "t-1", SubAppId = 7 }, params)
    assert.equal(0.5, interval)
    assert.equal(600, timeout)
    assert.is_nil(progress)
    local err = fake.raises(private.wait_plan, c, "t", { timeout = -1 })
    assert.equal("ClientError.InvalidOption", err.code)
    assert.equal("timeout", err.option)
  end)

  it("wait_task's check passes a finished task and raises for a failed one", function()
    local ok = { Status = "FINISH", TaskType = "CreateAigcSubject",
                 CreateAigcSubjectTask = { ErrCode = 0, ErrCodeExt = "" } }
    assert.equal(ok, private.check_task(c, "t", ok))
    local bad = { Status = "FINISH", TaskType = "CreateAigcSubject", RequestId = "r",
                  CreateAigcSubjectTask = { ErrCode = 5, ErrCodeExt = "", Message = "boom" } }
    local err = fake.raises(private.check_task, c, "t", bad)
    assert.equal("ClientError.TaskFailed", err.code)
    assert.equal("task t failed: boom", err.message)
    assert.equal(5, err.err_code)
    local aborted = { Status = "ABORTED", TaskType = "CreateAigcSubject" }
    assert.equal("ClientError.TaskAborted", fake.raises(private.check_task, c, "t", aborted).code)
  end)

  it("parse_response() reports a non-200 with the endpoint and the start of the body", function()
    local err = fake.raises(c.parse_response, c, "CreateAigcSubject", 503, "<html>\nbusy</html>")
    assert.equal("HTTP 503 from https://example.com:8443: <html> busy</html>", err.message)
    assert.equal(503, err.http_status)
  end)
end)
