-- Every CreateAigcSubject rule, on both sides of each bound, checked before
-- anything is sent: the fake endpoint's request count proves nothing went out.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local function valid(extra)
  local p = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/a.png" } }
  for k, v in pairs(extra or {}) do
    if v == fake.NONE then p[k] = nil else p[k] = v end
  end
  return p
end

describe("create_aigc_subject parameter rules", function()
  local client

  setup(function() fake.start() end)
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
    client = fake.client()
  end)

  -- Asserts the call is rejected locally with the exact message, naming param.
  local function rejected(params, message, param)
    local err = fake.raises(client.create_aigc_subject, client, params)
    assert.is_true(vod.is_error(err))
    assert.equal("ClientError.InvalidParameter", err.code)
    assert.equal(message, err.message)
    assert.equal("CreateAigcSubject", err.action)
    assert.equal(param, err.param)
    assert.is_false(err.retryable)
    assert.equal(0, fake.stats().requests, "nothing may be sent for bad input")
  end

  local function accepted(params)
    local res = client:create_aigc_subject(params)
    assert.is_string(res.TaskId)
    return res
  end

  it("accepts a valid request", function()
    accepted(valid())
    assert.equal(1, fake.stats().tasks_created)
  end)

  describe("SubAppId", function()
    it("takes 0 and 2^53, an integral float as an integer", function()
      accepted(valid { SubAppId = 0 })
      accepted(valid { SubAppId = 3.0 })
      local body = fake.decode(fake.last().body)
      assert.equal(3, body.SubAppId)
      assert.truthy(fake.last().body:find('"SubAppId":3[,}]'))
      accepted(valid { SubAppId = 2 ^ 53 })
    end)
    it("rejects 1.5", function()
      rejected(valid { SubAppId = 1.5 }, "SubAppId must be an integer, got 1.5", "SubAppId")
    end)
    it("rejects a string", function()
      rejected(valid { SubAppId = "221073" }, "SubAppId must be an integer, got string", "SubAppId")
    end)
    it("rejects -1", function()
      rejected(valid { SubAppId = -1 },
        "SubAppId must be between 0 and 2^53 (larger integers do not survive JSON exactly), got -1",
        "SubAppId")
    end)
    it("rejects 2^53 + 2 (JSON cannot carry it exactly)", function()
      local err = fake.raises(client.create_aigc_subject, client, valid { SubAppId = 2 ^ 53 + 2 })
      assert.equal("ClientError.InvalidParameter", err.code)
      assert.equal("SubAppId", err.param)
      assert.truthy(err.message:find("2^53", 1, true))
    end)
    it("rejects NaN and infinity", function()
      rejected(valid { SubAppId = 0 / 0 }, "SubAppId must be an integer, got NaN", "SubAppId")
      rejected(valid { SubAppId = math.huge }, "SubAppId must be an integer, got inf", "SubAppId")
    end)
  end)

  describe("SubjectImages", function()
    it("takes 1 and 3 items", function()
      accepted(valid { SubjectImages = { "a" } })
      accepted(valid { SubjectImages = { "a", "b", "c" } })
    end)
    it("rejects 0 and 4 items", function()
      rejected(valid { SubjectImages = {} }, "SubjectImages must have 1 to 3 items, got 0", "SubjectImages")
      rejected(valid { SubjectImages = { "a", "b", "c", "d" } },
        "SubjectImages must have 1 to 3 items, got 4", "SubjectImages")
    end)
    it("rejects a non-string item, naming its index", function()
      rejected(valid { SubjectImages = { "a", 42 } }, "SubjectImages[2] must be a string, got 42",
        "SubjectImages[2]")
      rejected(valid { SubjectImages = { {} } }, "SubjectImages[1] must be a string, got table",
        "SubjectImages[1]")
    end)
    it("rejects an empty URL", function()
      rejected(valid { SubjectImages = { "" } }, "SubjectImages[1] must not be empty", "SubjectImages[1]")
    end)
    it("rejects a string where a list is expected", function()
      rejected(valid { SubjectImages = "https://example.com/a.png" },
        "SubjectImages must be a list of strings, got string", "SubjectImages")
    end)
    it("rejects a table with named keys", function()
      rejected(valid { SubjectImages = { url = "x" } },
        "SubjectImages must be a list (keys 1..n only), got a table with other keys", "SubjectImages")
    end)
  end)

  describe("SubjectVideos", function()
    it("takes 1 video alone", function()
      accepted(valid { SubjectImages = fake.NONE, SubjectVideos = { "https://example.com/v.mp4" } })
    end)
    it("takes 0 videos beside images", function()
      accepted(valid { SubjectVideos = {} })
    end)
    it("rejects 2 videos", function()
      rejected(valid { SubjectVideos = { "a", "b" } }, "SubjectVideos must have at most 1 item, got 2",
        "SubjectVideos")
    end)
    it("rejects a number item", function()
      rejected(valid { SubjectVideos = { 7 } }, "SubjectVideos[1] must be a string, got 7", "SubjectVideos[1]")
    end)
  end)

  it("requires SubjectImages or SubjectVideos", function()
    rejected(valid { SubjectImages = fake.NONE },
      "SubjectImages or SubjectVideos is required: give at least one", nil)
    rejected(valid { SubjectImages = fake.NONE, SubjectVideos = {} },
      "SubjectImages or SubjectVideos is required: give at least one", nil)
  end)

  describe("SessionId", function()
    it("takes 50 characters, counted as characters not bytes", function()
      accepted(valid { SessionId = string.rep("s", 50) })
      accepted(valid { SessionId = string.rep("\228\184\187", 50) })   -- 150 bytes, 50 characters
    end)
    it("rejects 51 characters", function()
      rejected(valid { SessionId = string.rep("s", 51) },
        "SessionId must be at most 50 characters, got 51", "SessionId")
      rejected(valid { SessionId = string.rep("\228\184\187", 51) },
        "SessionId must be at most 50 characters, got 51", "SessionId")
    end)
    it("rejects a number", function()
      rejected(valid { SessionId = 12 }, "SessionId must be a string, got 12", "SessionId")
    end)
  end)

  describe("SessionContext", function()
    it("takes 1000 characters", function()
      accepted(valid { SessionContext = string.rep("c", 1000) })
    end)
    it("rejects 1001 characters", function()
      rejected(valid { SessionContext = string.rep("c", 1001) },
        "SessionContext must be at most 1000 characters, got 1001", "SessionContext")
    end)
  end)

  describe("TasksPriority", function()
    it("takes -10, 0 and 10", function()
      accepted(valid { TasksPriority = -10 })
      accepted(valid { TasksPriority = 0 })
      accepted(valid { TasksPriority = 10 })
    end)
    it("rejects -11 and 11", function()
      rejected(valid { TasksPriority = -11 }, "TasksPriority must be between -10 and 10, got -11", "TasksPriority")
      rejected(valid { TasksPriority = 11 }, "TasksPriority must be between -10 and 10, got 11", "TasksPriority")
    end)
    it("rejects 2.5 and a boolean", function()
      rejected(valid { TasksPriority = 2.5 }, "TasksPriority must be an integer, got 2.5", "TasksPriority")
      rejected(valid { TasksPriority = true }, "TasksPriority must be an integer, got boolean", "TasksPriority")
    end)
  end)

  describe("strings", function()
    it("reject numbers and tables for SubjectName and VoiceId", function()
      rejected(valid { SubjectName = 5 }, "SubjectName must be a string, got 5", "SubjectName")
      rejected(valid { VoiceId = {} }, "VoiceId must be a string, got table", "VoiceId")
    end)
    it("reject invalid UTF-8, naming the parameter", function()
      rejected(valid { SubjectName = "he\255ro" },
        "SubjectName must be valid UTF-8 (bad byte at offset 2)", "SubjectName")
    end)
    it("reject a NUL byte", function()
      rejected(valid { SubjectName = "he\0ro" }, "SubjectName must not contain a NUL byte", "SubjectName")
    end)
    it("carry quotes, backslashes, newlines and non-ASCII exactly", function()
      local name = "a\"b\\c\nd\te\228\184\187\240\159\152\128\1"
      accepted(valid { SubjectName = name })
      assert.equal(name, fake.decode(fake.last().body).SubjectName)
    end)
  end)

  describe("names", function()
    it("rejects an unknown name with the closest known one", function()
      rejected(valid { SubjectImages = fake.NONE, SubjectImage = { "a" } },
        "unknown parameter 'SubjectImage' (did you mean 'SubjectImages'?)", "SubjectImage")
      rejected(valid { subappid = 1 }, "unknown parameter 'subappid' (did you mean 'SubAppId'?)", "subappid")
    end)
    it("rejects an unknown name with nothing close", function()
      rejected(valid { Colour = "red" }, "unknown parameter 'Colour' for CreateAigcSubject", "Colour")
    end)
    it("rejects an array where named parameters are expected", function()
      local err = fake.raises(client.create_aigc_subject, client, { "x" })
      assert.equal("ClientError.InvalidParameter", err.code)
      assert.truthy(err.message:find("parameter names must be strings", 1, true))
      assert.equal(0, fake.stats().requests)
    end)
  end)

  it("raises a plain argument error when params is not a table", function()
    local ok, err = pcall(client.create_aigc_subject, client, "hero")
    assert.is_false(ok)
    assert.is_string(err)
    assert.truthy(err:find("table expected", 1, true))
  end)

  describe("describe_task_detail", function()
    it("requires TaskId", function()
      local err = fake.raises(client.describe_task_detail, client, { SubAppId = 1 })
      assert.equal("TaskId is required", err.message)
      assert.equal("TaskId", err.param)
    end)
    it("rejects a fractional SubAppId", function()
      local err = fake.raises(client.describe_task_detail, client, { TaskId = "t", SubAppId = 0.5 })
      assert.equal("SubAppId must be an integer, got 0.5", err.message)
      assert.equal(0, fake.stats().requests)
    end)
  end)
end)
