-- Retries, clock skew, the client-side rate limit, and debug output.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }
local function with(extra)
  local p = {}
  for k, v in pairs(PARAMS) do p[k] = v end
  for k, v in pairs(extra) do p[k] = v end
  return p
end
local FAST = { max = 2, base_delay = 0.01, max_delay = 0.05 }

describe("retries", function()
  setup(function() fake.start() end)
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
  end)

  it("retry throttling, with a fresh signature each time, and succeed", function()
    fake.fault { mode = "throttle", count = 2 }
    local client = fake.client { retries = FAST }
    assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    local s = fake.stats()
    assert.equal(3, s.actions.CreateAigcSubject)
    assert.equal(1, s.tasks_created)
  end)

  it("give up after max retries and say how many attempts were made", function()
    fake.fault { mode = "http502" }
    local client = fake.client { retries = FAST }
    local err = fake.raises(client.create_aigc_subject, client, PARAMS)
    assert.equal("ClientError.HTTPStatus", err.code)
    assert.equal(3, err.attempts)
    assert.equal(3, fake.stats().requests)
    assert.truthy(tostring(err):find("[attempts: 3]", 1, true))
  end)

  it("are off with retries = false", function()
    fake.fault { mode = "throttle" }
    local client = fake.client { retries = false }
    assert.equal(1, fake.raises(client.create_aigc_subject, client, PARAMS).attempts)
  end)

  it("repeat what never reached the server: connection refused", function()
    local c = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY,
                        endpoint = "127.0.0.1:1", scheme = "http", retries = FAST }
    local err = fake.raises(c.create_aigc_subject, c, PARAMS)
    assert.equal("ClientError.Connect", err.code)
    assert.equal(3, err.attempts)
    assert.is_false(err.ambiguous)
    assert.is_true(err.retryable)
  end)

  it("repeat what never reached the server: a failed TLS handshake", function()
    -- TLS spoken to the plain-HTTP listener: it answers with no handshake at all
    local client = fake.client({ retries = FAST, scheme = "https", ca_file = fake.start().ca }, "http")
    local err = fake.raises(client.create_aigc_subject, client, PARAMS)
    assert.equal("ClientError.TLS", err.code)
    assert.equal(3, err.attempts)
    assert.is_false(err.ambiguous)
    assert.equal(0, fake.stats().requests)
  end)

  it("never repeat a certificate that failed verification (no retry changes it)", function()
    local client = fake.client({ retries = FAST }, "https_untrusted")
    local err = fake.raises(client.create_aigc_subject, client, PARAMS)
    assert.equal("ClientError.TLSVerify", err.code)
    assert.equal(1, err.attempts)
    assert.is_false(err.retryable)
  end)

  it("stop at the deadline", function()
    fake.fault { mode = "throttle" }
    -- any wait (up to 10 s) would end past a 1 ms deadline
    local client = fake.client { retries = { max = 5, base_delay = 10, max_delay = 10, deadline = 0.001 } }
    assert.equal(1, fake.raises(client.create_aigc_subject, client, PARAMS).attempts)
  end)

  describe("of a create that may have reached the server", function()
    it("never happen without a SessionId (HTTP 502)", function()
      fake.fault { mode = "http502", count = 1 }
      local client = fake.client { retries = FAST, auto_session_id = false }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(1, err.attempts)
      assert.is_true(err.ambiguous)
      assert.is_false(err.retryable)
      assert.equal(1, fake.stats().actions.CreateAigcSubject)
    end)

    it("never happen without a SessionId (timeout after sending)", function()
      fake.fault { mode = "delay", seconds = 1, count = 1 }
      local client = fake.client { retries = FAST, timeout = 0.3, auto_session_id = false }
      local err = fake.raises(client.create_aigc_subject, client, PARAMS)
      assert.equal("ClientError.Timeout", err.code)
      assert.equal(1, err.attempts)
      assert.is_true(err.ambiguous)
      os.execute("sleep 1")         -- let the late create land before the next test
    end)

    it("happen with a SessionId, and create exactly once", function()
      fake.fault { mode = "http502", count = 1 }
      local client = fake.client { retries = FAST }
      assert.is_string(client:create_aigc_subject(with { SessionId = "s-502" }).TaskId)
      local s = fake.stats()
      assert.equal(2, s.actions.CreateAigcSubject)
      assert.equal(1, s.tasks_created)
    end)

    it("raise ClientError.MaybeCreated when the retry is refused as a duplicate", function()
      fake.fault { mode = "close_mid", count = 1 }      -- processed, answer cut off
      local client = fake.client { retries = FAST }
      local err = fake.raises(client.create_aigc_subject, client, with { SessionId = "s-mid" })
      assert.equal("ClientError.MaybeCreated", err.code)
      assert.equal("s-mid", err.session_id)
      assert.equal("ClientError.Network", err.first_error)
      assert.equal(2, err.attempts)
      assert.is_true(err.ambiguous)
      assert.is_string(err.request_id)
      assert.truthy(err.message:find("the first attempt may have succeeded", 1, true))
      assert.equal(1, fake.stats().tasks_created)
    end)
  end)

  it("repeat a read-only query after a timeout", function()
    fake.fault { mode = "delay", seconds = 1, count = 1 }
    local client = fake.client { retries = FAST, timeout = 0.3 }
    local err = fake.raises(client.describe_task_detail, client, { TaskId = "nope" })
    assert.equal("InvalidParameterValue.TaskId", err.code)   -- the second attempt's answer
    assert.equal(2, err.attempts)
    assert.equal("ClientError.Timeout", err.first_error)
  end)

  it("never repeat a bad request or an auth failure", function()
    local client = fake.client { retries = FAST, secret_key = "wrong" }
    assert.equal(1, fake.raises(client.create_aigc_subject, client, PARAMS).attempts)
    assert.equal(1, fake.stats().requests)
  end)

  it("check their option", function()
    for _, bad in ipairs { "yes", 3, { max = -1 }, { max = 1.5 }, { base_delay = 0 }, { maxx = 1 } } do
      local err = fake.raises(vod.new, { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, retries = bad })
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal("retries", err.option)
    end
  end)
end)

describe("clock skew", function()
  before_each(function() fake.reset() end)

  it("is corrected from the server's Date, retried once, and kept", function()
    fake.config { clock_offset = 400 }
    local client = fake.client()
    assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    local reqs = fake.requests()
    assert.equal(2, #reqs)
    local function ts(r)
      for k, v in pairs(r.headers) do if k:lower() == "x-tc-timestamp" then return tonumber(v) end end
    end
    local function auth(r)
      for k, v in pairs(r.headers) do if k:lower() == "authorization" then return v end end
    end
    assert.truthy(math.abs(ts(reqs[2]) - (os.time() + 400)) < 30)
    assert.are_not.equal(auth(reqs[1]), auth(reqs[2]))   -- signed afresh
    client:create_aigc_subject(PARAMS)                    -- the offset is kept: one request
    assert.equal(3, fake.stats().requests)
  end)
end)

describe("the client-side rate limit", function()
  before_each(function() fake.reset() end)

  it("makes a burst wait instead of failing (default 20/s)", function()
    fake.config { rate_limit = 20 }
    local client = fake.client { retries = false }
    for _ = 1, 30 do client:create_aigc_subject(PARAMS) end
    assert.equal(30, fake.stats().tasks_created)
  end)

  it("can be turned off (and then the server throttles)", function()
    -- sliding windows: 30 quick calls always have more than 20 in some second
    fake.config { rate_limit = 20, rate_mode = "sliding" }
    local client = fake.client { retries = false, rate_limit = false }
    local failed = 0
    for _ = 1, 30 do
      if not pcall(client.create_aigc_subject, client, PARAMS) then failed = failed + 1 end
    end
    assert.truthy(failed > 0)
  end)

  it("spaces calls at the configured rate", function()
    fake.config { rate_limit = 0 }
    local client = fake.client { rate_limit = 10 }
    for _ = 1, 6 do pcall(client.describe_task_detail, client, { TaskId = "x" }) end
    local reqs = fake.requests()
    assert.equal(6, #reqs)
    -- six calls at 10/s are five intervals of at least 0.1 s apart (0.105 with the margin)
    assert.truthy(reqs[6].time - reqs[1].time >= 0.5, reqs[6].time - reqs[1].time)
  end)

  it("checks its option", function()
    for _, bad in ipairs { true, 0, -5, "20", { rate = 0 }, { burst = 0.5 }, { ratee = 2 }, { shared_dict = 7 } } do
      local err = fake.raises(vod.new, { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, rate_limit = bad })
      assert.equal("rate_limit", err.option)
    end
  end)
end)

describe("debug output", function()
  before_each(function() fake.reset() end)

  it("logs each request and response with the signature and token redacted", function()
    local lines = {}
    local client = fake.client { secret_id = fake.TMP_SECRET_ID, secret_key = fake.TMP_SECRET_KEY,
                                 token = fake.TOKEN, debug = function(l) lines[#lines + 1] = l end }
    client:create_aigc_subject(PARAMS)
    local all = table.concat(lines, "\n")
    assert.truthy(all:find("> POST http://", 1, true))
    assert.truthy(all:find("> X-TC-Action: CreateAigcSubject", 1, true))
    assert.truthy(all:find("> X-TC-Token: <redacted>", 1, true))
    assert.truthy(all:find("Signature=<redacted>", 1, true))
    assert.truthy(all:find('"SubjectName":"hero"', 1, true))
    assert.truthy(all:find("< HTTP 200", 1, true))
    assert.is_nil(all:find(fake.TOKEN, 1, true))
    assert.is_nil(all:find(fake.TMP_SECRET_KEY, 1, true))
    local sig = fake.last().headers.Authorization:match("Signature=(%x+)")
    assert.is_nil(all:find(sig, 1, true))
  end)

  it("with debug = true goes to stderr", function()
    local cmd = ("'%s' -e \"package.cpath=[[%s]] local vod=require[[tencentcloud.vod]] "
      .. "vod.new{secret_id=[[AKIDX]],secret_key=[[supersecret]],token=[[tok123]],debug=true}"
      .. ":build_request([[DescribeTaskDetail]],{TaskId=[[t]]})\" 2>&1 >/dev/null")
      :format(fake.interpreter(), package.cpath)
    local p = io.popen(cmd)
    local out = p:read("*a")
    p:close()
    assert.truthy(out:find("tencentcloud-vod: > POST https://vod.intl.tencentcloudapi.com/", 1, true), out)
    assert.is_nil(out:find("supersecret", 1, true))
    assert.is_nil(out:find("tok123", 1, true))
  end)
end)
