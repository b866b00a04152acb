-- End to end against the fake endpoint (a separate Python process that
-- verifies TC3 signatures on its own), over HTTP and HTTPS.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

local function copy(t, extra)
  local r = {}
  for k, v in pairs(t) do r[k] = v end
  for k, v in pairs(extra or {}) do r[k] = v end
  return r
end

describe("end to end", function()
  setup(function() fake.start() end)
  before_each(function() fake.reset() end)

  for _, kind in ipairs { "http", "https" } do
    describe("over " .. kind, function()
      it("creates a subject and waits for its SubjectId", function()
        local client = fake.client(nil, kind)
        local res = client:create_aigc_subject(PARAMS)
        assert.truthy(res.TaskId:match("^221073%-CreateAigcSubject%-%x+$"), res.TaskId)
        assert.is_string(res.RequestId)
        local seen = {}
        local task = client:wait_task(res.TaskId, {
          SubAppId = 221073, interval = 0.05, timeout = 10,
          progress = function(t) seen[#seen + 1] = t.Status end,
        })
        assert.equal("FINISH", task.Status)
        assert.equal("CreateAigcSubject", task.TaskType)
        assert.truthy(task.CreateAigcSubjectTask.Output.SubjectId:match("^subj%-%x+$"))
        assert.equal(0, task.CreateAigcSubjectTask.ErrCode)
        assert.same({ "PROCESSING", "PROCESSING", "FINISH" }, seen)
        local s = fake.stats()
        assert.equal(1, s.actions.CreateAigcSubject)
        assert.equal(3, s.actions.DescribeTaskDetail)
      end)
    end)
  end

  it("sends exactly the headers the reference lists", function()
    local client = fake.client { region = "ap-guangzhou", language = "en-US" }
    client:create_aigc_subject(PARAMS)
    local h = fake.last().headers
    local function get(name)
      for k, v in pairs(h) do if k:lower() == name:lower() then return v end end
    end
    assert.equal("CreateAigcSubject", get("X-TC-Action"))
    assert.equal("2018-07-17", get("X-TC-Version"))
    assert.equal("ap-guangzhou", get("X-TC-Region"))
    assert.equal("en-US", get("X-TC-Language"))
    assert.equal("tencentcloud-vod-lua/" .. vod.VERSION, get("X-TC-RequestClient"))
    assert.equal("application/json", get("Content-Type"))
    assert.is_nil(get("X-TC-Token"))
    assert.is_nil(get("Expect"))
    assert.truthy(math.abs(tonumber(get("X-TC-Timestamp")) - os.time()) < 60)
    local body = fake.decode(fake.last().body)
    -- a create without a SessionId of its own carries a generated one
    assert.truthy(body.SessionId:match("^auto%-%x+$") and #body.SessionId == 37, body.SessionId)
    body.SessionId = nil
    assert.same(PARAMS, body)
  end)

  it("sends X-TC-Token with temporary credentials", function()
    local client = fake.client { secret_id = fake.TMP_SECRET_ID, secret_key = fake.TMP_SECRET_KEY,
                                 token = fake.TOKEN }
    assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    local bad = fake.client { secret_id = fake.TMP_SECRET_ID, secret_key = fake.TMP_SECRET_KEY,
                              token = "wrong" }
    assert.equal("AuthFailure.TokenFailure", fake.raises(bad.create_aigc_subject, bad, PARAMS).code)
  end)

  it("wait_task raises the failed task's code and message", function()
    local client = fake.client()
    local res = client:create_aigc_subject(copy(PARAMS, { SubjectName = "fail-hero" }))
    local err = fake.raises(client.wait_task, client, res.TaskId, { SubAppId = 221073, interval = 0.02 })
    assert.is_true(vod.is_error(err))
    assert.equal("FailedOperation.SubjectImageInvalid", err.code)
    assert.equal("task " .. res.TaskId .. " failed: reference image could not be processed", err.message)
    assert.equal(res.TaskId, err.task_id)
    assert.equal(30010, err.err_code)
    assert.equal("FINISH", err.task.Status)
    assert.is_string(err.request_id)
  end)

  it("wait_task raises for an aborted task", function()
    local client = fake.client()
    local res = client:create_aigc_subject(copy(PARAMS, { SubjectName = "abort-hero" }))
    local err = fake.raises(client.wait_task, client, res.TaskId, { interval = 0.02 })
    assert.equal("FailedOperation.TaskAborted", err.code)
    assert.equal("ABORTED", err.task.Status)
  end)

  it("wait_task gives up after its timeout with ClientError.WaitTimeout", function()
    fake.config { processing_polls = 1000 }
    local client = fake.client()
    local res = client:create_aigc_subject(PARAMS)
    local err = fake.raises(client.wait_task, client, res.TaskId, { interval = 0.05, timeout = 0.3 })
    assert.equal("ClientError.WaitTimeout", err.code)
    assert.equal(res.TaskId, err.task_id)
    assert.equal("PROCESSING", err.task.Status)
  end)

  it("wait_task rejects unknown options before polling", function()
    local client = fake.client()
    local err = fake.raises(client.wait_task, client, "t", { intervall = 1 })
    assert.equal("ClientError.InvalidOption", err.code)
    assert.equal(0, fake.stats().requests)
  end)

  describe("server errors", function()
    it("surface with code, message and RequestId", function()
      local client = fake.client { secret_key = "wrong-key" }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("AuthFailure.SignatureFailure", err.code)
      assert.is_string(err.request_id)
      assert.equal(200, err.http_status)
      assert.is_false(err.retryable)
      assert.equal(1, err.attempts)
      assert.equal("CreateAigcSubject: AuthFailure.SignatureFailure: " .. err.message
        .. " (RequestId " .. err.request_id .. ") [attempts: 1]", tostring(err))
    end)
    it("unknown secret id", function()
      local client = fake.client { secret_id = "AKIDEXAMPLEUNKNOWN" }
      assert.equal("AuthFailure.SecretIdNotFound", fake.raises(client.create_aigc_subject, client, PARAMS).code)
    end)
    it("clock skew beyond 5 minutes, with retries off", function()
      fake.config { clock_offset = 400 }
      local client = fake.client { retries = false }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("AuthFailure.SignatureExpire", err.code)
      assert.equal(1, err.attempts)
    end)
    it("duplicate SessionId", function()
      local client = fake.client()
      client:create_aigc_subject(copy(PARAMS, { SessionId = "hero-v1" }))
      local err = fake.raises(client.create_aigc_subject, client, copy(PARAMS, { SessionId = "hero-v1" }))
      assert.equal("InvalidParameterValue.SessionId", err.code)
      assert.equal(1, fake.stats().tasks_created)
    end)
    it("throttling is RequestLimitExceeded, marked retryable", function()
      fake.fault { mode = "throttle" }
      local client = fake.client { retries = false }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("RequestLimitExceeded", err.code)
      assert.is_true(err.retryable)
      assert.equal(0, fake.stats().tasks_created)
    end)
    it("an unknown action through call()", function()
      local client = fake.client()
      local err = fake.raises(client.call, client, "NoSuchAction", {})
      assert.equal("InvalidAction", err.code)
      assert.equal("NoSuchAction", err.action)
    end)
  end)

  it("call() sends any action with the table as given", function()
    local client = fake.client()
    local res = client:call("CreateAigcSubject", { SubjectName = "x", SubjectImages = { "u" }, SubAppId = 5 })
    assert.truthy(res.TaskId:match("^5%-CreateAigcSubject"))
    local task = client:call("DescribeTaskDetail", { TaskId = res.TaskId })
    assert.equal("PROCESSING", task.Status)
    local d = client:describe_task_detail { TaskId = res.TaskId, SubAppId = 5 }
    assert.equal(res.TaskId, d.CreateAigcSubjectTask.TaskId)
  end)

  describe("TLS", function()
    it("fails with an untrusted certificate", function()
      local client = fake.client(nil, "https_untrusted")
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.TLSVerify", err.code)
      assert.equal(0, fake.stats().requests)
    end)
    it("fails with a certificate for another host name", function()
      local client = fake.client(nil, "https_wrong_host")
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.TLSVerify", err.code)
      assert.truthy(err.message:lower():find("certificate", 1, true) or err.message:find("SSL", 1, true), err.message)
      assert.equal(0, fake.stats().requests)
    end)
    it("fails against the real server's port without ca_file (system trust does not know the test CA)", function()
      local client = fake.client({ ca_file = fake.NONE }, "https")
      assert.equal("ClientError.TLSVerify", fake.raises(client.create_aigc_subject, client, PARAMS).code)
    end)
  end)

  describe("network failures", function()
    it("times out against a slow endpoint", function()
      fake.fault { mode = "delay", seconds = 2, count = 1 }
      local client = fake.client { timeout = 0.3, retries = false }
      -- read-only, so the late request creates nothing that a later test could count
      local err = fake.raises(client.describe_task_detail, client, { TaskId = "t" })
      assert.equal("ClientError.Timeout", err.code)
      assert.is_true(err.ambiguous)    -- the request may have reached the server
      assert.is_true(err.retryable)    -- which is harmless for a read-only query
    end)
    it("enforces connect_timeout on a TLS handshake that never answers", function()
      local socket = require "socket"
      local server = assert(socket.bind("127.0.0.1", 0))   -- accepts TCP, says nothing
      local _, port = server:getsockname()
      local c = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                          endpoint = "127.0.0.1:" .. port, connect_timeout = 0.2, timeout = 30 }
      local err = fake.raises(c.create_aigc_subject, c, PARAMS)
      server:close()
      assert.equal("ClientError.Timeout", err.code)
      assert.truthy(err.message:find("timed out", 1, true) or err.message:find("timeout", 1, true), err.message)
    end)
    it("reports a refused connection as retryable ClientError.Connect", function()
      local vodc = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                             endpoint = "127.0.0.1:1", scheme = "http" }
      local err = fake.raises(vodc.create_aigc_subject, vodc, PARAMS)
      assert.equal("ClientError.Connect", err.code)
      assert.is_true(err.retryable)
    end)
    it("reports an unresolvable host as ClientError.DNS", function()
      local vodc = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                             endpoint = "no-such-host.invalid", scheme = "http", connect_timeout = 2 }
      assert.equal("ClientError.DNS", fake.raises(vodc.create_aigc_subject, vodc, PARAMS).code)
    end)
  end)

  describe("fault switches", function()
    it("HTTP 502 with an HTML body", function()
      fake.fault { mode = "http502" }
      local client = fake.client()
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(502, err.http_status)
      assert.truthy(err.message:find("HTTP 502", 1, true))
      assert.truthy(err.message:find("Bad Gateway", 1, true))
      assert.equal(0, fake.stats().tasks_created)
    end)
    it("a body that is not JSON", function()
      fake.fault { mode = "notjson" }
      local client = fake.client()
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.MalformedResponse", err.code)
      assert.equal(200, err.http_status)
    end)
    it("the connection closed mid-response", function()
      fake.fault { mode = "close_mid" }
      local client = fake.client { auto_session_id = false }   -- a create that cannot be repeated
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.Network", err.code)
      assert.is_false(err.retryable)
    end)
    it("the connection closed before any answer", function()
      fake.fault { mode = "close_before" }
      local client = fake.client()
      assert.equal("ClientError.Network", fake.raises(client.create_aigc_subject, client, PARAMS).code)
    end)
    it("a response over max_response_size", function()
      fake.fault { mode = "bigbody", size = 100000 }
      local client = fake.client { max_response_size = 65536 }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.ResponseTooLarge", err.code)
    end)
    it("a chunked response is read whole", function()
      fake.config { chunked = true }
      local client = fake.client()
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    end)
    it("a count-limited fault clears itself and the client recovers", function()
      fake.fault { mode = "http502", count = 1 }
      local client = fake.client { auto_session_id = false }   -- a create that cannot be repeated
      fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    end)
  end)

  describe("keep-alive", function()
    for _, kind in ipairs { "http", "https" } do
      it("10 calls over " .. kind .. " use one connection", function()
        local client = fake.client(nil, kind)
        for _ = 1, 10 do client:create_aigc_subject(PARAMS) end
        assert.equal(1, fake.stats().connections)
        local s = client:stats()
        assert.same({ calls = 10, connections = 1 }, { calls = s.calls, connections = s.connections })
      end)
    end
    it("never sends a create twice when a kept-alive connection dies unanswered", function()
      local client = fake.client { auto_session_id = false }   -- a create that cannot be repeated
      client:create_aigc_subject(PARAMS)
      fake.fault { mode = "close_before", count = 1 }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.Network", err.code)
      assert.truthy(err.message:find("it was not sent again", 1, true), err.message)
      assert.equal(2, fake.stats().actions.CreateAigcSubject)   -- it was not sent again
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId) -- and the client recovers
    end)
    it("re-sends a read-only query on a fresh connection", function()
      local client = fake.client()
      local res = client:create_aigc_subject(PARAMS)
      fake.fault { mode = "close_before", count = 1 }
      local task = client:describe_task_detail { TaskId = res.TaskId }
      assert.equal("PROCESSING", task.Status)
      assert.equal(2, fake.stats().actions.DescribeTaskDetail)
    end)
  end)
end)
