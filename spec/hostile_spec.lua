-- Hostile input, tried exhaustively: every case gets a clear error, nothing
-- is sent (the fake endpoint's request count proves it), and the process
-- keeps working (a valid call succeeds afterwards).
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }
local function with(k, v)
  local p = {}
  for pk, pv in pairs(PARAMS) do p[pk] = pv end
  p[k] = v
  return p
end

local WRONG = {                                  -- a value of every type but the right one
  number = { 1.5, 0 / 0, math.huge, -math.huge, 2 ^ 63 },
  string = { "x" },
  table = { {}, { 1 } },
  other = { true, print, io.stdout, coroutine.create(function() end) },
}
local function wrong_values(right)
  local out = {}
  for kind, values in pairs(WRONG) do
    if kind ~= right then for _, v in ipairs(values) do out[#out + 1] = v end end
  end
  return out
end

local RULES = {   -- parameter -> its type in Lua terms
  SubAppId = "number", TasksPriority = "number", SubjectName = "string", VoiceId = "string",
  SessionId = "string", SessionContext = "string", SubjectImages = "table", SubjectVideos = "table",
}

describe("hostile input", function()
  local client

  setup(function() fake.start() end)
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
    client = fake.client { rate_limit = false }
  end)

  local function nothing_sent_and_still_working()
    assert.equal(0, fake.stats().requests, "nothing may be sent for bad input")
    assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
  end

  local function rejected(params, param_pattern)
    local err = fake.raises(client.create_aigc_subject, client, params)
    assert.is_true(vod.is_error(err), tostring(err))
    assert.equal("ClientError.InvalidParameter", err.code)
    assert.equal(0, err.attempts)
    if param_pattern then assert.truthy(err.message:find(param_pattern, 1, true), err.message) end
    return err
  end

  it("wrong types for every parameter", function()
    for name, right in pairs(RULES) do
      for _, v in ipairs(wrong_values(right)) do
        rejected(with(name, v), name)
      end
    end
    -- numbers of the right type but not integers, or not exact in JSON
    for _, v in ipairs { 1.5, 0 / 0, math.huge, -math.huge, 2 ^ 53 + 2, 2 ^ 63, -2 ^ 63 } do
      rejected(with("SubAppId", v), "SubAppId")
      rejected(with("TasksPriority", v), "TasksPriority")
    end
    -- list items of every wrong type
    for _, v in ipairs(wrong_values("string")) do
      rejected(with("SubjectImages", { "ok", v }), "SubjectImages[2]")
    end
    nothing_sent_and_still_working()
  end)

  it("NUL bytes and invalid UTF-8 in every string, named", function()
    for _, name in ipairs { "SubjectName", "VoiceId", "SessionId", "SessionContext" } do
      rejected(with(name, "a\0b"), name .. " must not contain a NUL byte")
      for _, bad in ipairs { "\255", "\192\175", "\237\160\128", "\244\144\128\128", "abc\226\130" } do
        rejected(with(name, bad), name .. " must be valid UTF-8")
      end
    end
    rejected(with("SubjectImages", { "ok", "x\0y" }), "SubjectImages[2] must not contain a NUL byte")
    rejected(with("SubjectVideos", { "\255" }), "SubjectVideos[1] must be valid UTF-8")
    nothing_sent_and_still_working()
  end)

  it("the same through call(), which checks no rules but still encodes exactly", function()
    for _, v in ipairs { 0 / 0, math.huge, 2 ^ 53 + 2, "a\0b", "\255", print, io.stdout } do
      local err = fake.raises(client.call, client, "CreateAigcSubject", { X = v })
      assert.equal("ClientError.InvalidParameter", err.code)
      assert.equal("X", err.param)
    end
    nothing_sent_and_still_working()
  end)

  it("CR, LF and other control characters in anything that becomes a header", function()
    local base = { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, endpoint = fake.endpoint(), scheme = "http" }
    for _, bad in ipairs { "a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "a\1b", "a\127b", "a b" } do
      for _, opt in ipairs { "region", "token", "language", "endpoint", "secret_id", "secret_key" } do
        local o = {}
        for k, v in pairs(base) do o[k] = v end
        o[opt] = bad
        local err = fake.raises(vod.new, o)
        assert.is_true(vod.is_error(err))
        assert.truthy(err.code == "ClientError.InvalidOption" or err.code == "ClientError.Credentials", err.code)
      end
      local err = fake.raises(client.call, client, "Describe" .. bad, {})
      assert.equal("ClientError.InvalidParameter", err.code)
    end
    nothing_sent_and_still_working()
  end)

  it("wrong types for every option", function()
    local values = { 42, true, {}, print, "x" }
    local wants = {
      secret_id = "string", secret_key = "string", token = "string", region = "string",
      endpoint = "string", scheme = "string", ca_file = "string", language = "string", site = "string",
      timeout = "number", connect_timeout = "number", max_response_size = "number",
    }
    for opt, want in pairs(wants) do
      for _, v in ipairs(values) do
        if type(v) ~= want then
          local o = { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY }
          o[opt] = v
          local err = fake.raises(vod.new, o)
          assert.is_true(vod.is_error(err), opt .. " " .. tostring(err))
        end
      end
    end
    local bad = { retries = { "x", 3, io.stdout }, rate_limit = { "x", true, io.stdout },
                  debug = { "x", 3, io.stdout } }
    for opt, vs in pairs(bad) do
      for _, v in ipairs(vs) do
        local o = { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY }
        o[opt] = v
        assert.is_true(vod.is_error(fake.raises(vod.new, o)), opt)
      end
    end
    local ok, err = pcall(vod.new, "not a table")
    assert.is_false(ok)
    assert.truthy(tostring(err):find("table expected", 1, true))
    nothing_sent_and_still_working()
  end)

  it("absurd sizes: a 20 MB string", function()
    local err = rejected(with("SubjectName", string.rep("x", 20 * 1024 * 1024)))
    assert.truthy(err.message:find("the API accepts at most 10485760", 1, true))
    nothing_sent_and_still_working()
  end)

  describe("hostile responses", function()
    it("a 50 MB response is capped with a clear error", function()
      fake.fault { mode = "bigbody", size = 50 * 1024 * 1024, count = 1 }
      local err = fake.raises(client.describe_task_detail, client, { TaskId = "t" })
      assert.equal("ClientError.ResponseTooLarge", err.code)
      assert.truthy(err.message:find("larger than the cap", 1, true))
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    end)
    it("deeply nested JSON", function()
      fake.fault { mode = "nested", depth = 100000, count = 1 }
      local err = fake.raises(client.create_aigc_subject, client, with("SessionId", "deep"))
      -- the create was processed; its retry is refused as a duplicate
      assert.equal("ClientError.MaybeCreated", err.code)
      assert.equal("ClientError.MalformedResponse", err.first_error)
      fake.fault { mode = "nested", depth = 100000, count = 1 }
      local once = fake.client { rate_limit = false, auto_session_id = false }   -- not repeated
      err = fake.raises(once.create_aigc_subject, once, PARAMS)
      assert.equal("ClientError.MalformedResponse", err.code)
      assert.truthy(err.message:find("nesting too deep", 1, true))
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    end)
    it("a response without RequestId", function()
      fake.fault { mode = "norequestid", count = 1 }
      local once = fake.client { rate_limit = false, auto_session_id = false }   -- not repeated
      local err = fake.raises(once.create_aigc_subject, once, PARAMS)
      assert.equal("ClientError.MalformedResponse", err.code)
      assert.equal("malformed response: the Response has no RequestId", err.message)
      assert.is_true(err.ambiguous)        -- the create did happen
      assert.is_string(client:create_aigc_subject(PARAMS).TaskId)
    end)
  end)

  it("secrets never appear in errors or tostring", function()
    local key, token = "topSecretKeyEXAMPLE", "topSecretTokenEXAMPLE"
    local c = vod.new { secret_id = fake.SECRET_ID, secret_key = key, token = token,
                        endpoint = fake.endpoint(), scheme = "http", retries = false }
    local seen = { tostring(c) }
    for _, mode in ipairs { "http502", "notjson", "close_mid", "norequestid" } do
      fake.fault { mode = mode, count = 1 }
      local _, err = pcall(c.create_aigc_subject, c, PARAMS)
      seen[#seen + 1] = tostring(err)
      for _, v in pairs(err) do seen[#seen + 1] = tostring(v) end
    end
    local _, err = pcall(c.create_aigc_subject, c, PARAMS)     -- AuthFailure (unknown key)
    seen[#seen + 1] = tostring(err)
    local all = table.concat(seen, "\n")
    assert.is_nil(all:find(key, 1, true))
    assert.is_nil(all:find(token, 1, true))
  end)
end)
