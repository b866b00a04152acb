-- Every action of the model as a typed method, against the fake endpoint,
-- whose own validator (spec/fake_vod/model.py, sharing nothing with the
-- client) checks each request: a minimal well-formed request for each of the
-- 237 actions (the union of the API's two editions: the Chinese site's 231,
-- the international site's 223) goes through, and malformed ones are refused
-- before sending.
local fake = require "support.fake"
local minimal = require "support.minimal"
local vod = require "tencentcloud.vod"

-- the fake's answers when its validator refuses a request
local VALIDATOR = { UnknownParameter = true, MissingParameter = true, InvalidParameter = true,
                    InvalidAction = true }

local function integers_exact(t)
  for k, v in pairs(t) do
    if type(v) == "table" then integers_exact(v)
    elseif type(v) == "number" and v == 7 and math.type then
      assert.equal("integer", math.type(v), "an integer decoded as a float at " .. tostring(k))
    end
  end
end

describe("typed methods", function()
  local client
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0, pull_wait = 0.1 }
    client = fake.client { rate_limit = false }
  end)

  it("exist for every action, named by the snake_case rule, on the client and the module", function()
    local actions = vod.actions()
    assert.equal(237, #actions)
    for _, action in ipairs(actions) do
      local d = vod.describe_action(action)
      assert.equal(action, d.action)
      assert.equal("function", type(client[d.method]), d.method)
      assert.equal("function", type(vod[d.method]), d.method)
      assert.equal(d.action, vod.describe_action(d.method).action)
    end
    assert.equal("create_aigc_video_task", vod.describe_action("CreateAigcVideoTask").method)
    assert.equal("describe_cdn_usage_data", vod.describe_action("DescribeCDNUsageData").method)
    assert.equal("process_media_by_mps", vod.describe_action("ProcessMediaByMPS").method)
    assert.is_nil(vod.describe_action("NoSuchAction"))
  end)

  it("send a minimal request of every action, which the fake's validator accepts", function()
    local refused, sent = {}, 0
    for _, action in ipairs(vod.actions()) do
      local params, d = minimal.request(action)
      if action == "CreateAigcSubject" then params.SubjectImages = { "https://example.com/a.png" } end
      local ok, res = pcall(client[d.method], client, params)
      sent = sent + 1
      local last = fake.last()
      assert.equal(action, last.action)
      if not ok then
        assert.is_true(vod.is_error(res), tostring(res))
        assert.equal(1, res.attempts, action)
        if VALIDATOR[res.code] then refused[#refused + 1] = action .. ": " .. tostring(res) end
      end
      -- the body is the table, every type encoded as the model says
      local body = vod.json_decode(last.body)
      if d.kind == "create" then
        assert.truthy(body.SessionId:match("^auto%-%x+$"), action)   -- a generated SessionId
        body.SessionId = nil
      end
      assert.same(params, body, action)
      integers_exact(body)
    end
    assert.same({}, refused)
    assert.equal(237, sent)
    assert.equal(237, fake.stats().requests)
  end)

  describe("know the editions of the API", function()
    local CHINA = "https://console.cloud.tencent.com/api/explorer?Product=vod&Version=2018-07-17&Action="
    local INTL = "https://console.tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17&Action="

    it("each action's editions, in the site option's words, and its API Explorer pages", function()
      local d = vod.describe_action("CreateAigcSubject")
      assert.same({ "china", "intl" }, d.editions)
      assert.same({ intl = INTL .. "CreateAigcSubject", china = CHINA .. "CreateAigcSubject" }, d.links)
      d = vod.describe_action("process_image")                   -- by its method too
      assert.equal("ProcessImage", d.action)
      assert.same({ "china" }, d.editions)
      assert.same({ china = CHINA .. "ProcessImage" }, d.links)
      d = vod.describe_action("CreateCDNDomain")
      assert.same({ "intl" }, d.editions)
      assert.same({ intl = INTL .. "CreateCDNDomain" }, d.links)
      assert.equal("create_cdn_domain", d.method)
      -- every action: 231 in the Chinese edition, 223 in the international one
      local n = { china = 0, intl = 0, both = 0 }
      for _, a in ipairs(vod.actions()) do
        local e = vod.describe_action(a).editions
        assert.truthy(#e == 1 or #e == 2, a)
        for _, name in ipairs(e) do n[name] = n[name] + 1 end
        if #e == 2 then
          assert.same({ "china", "intl" }, e)
          n.both = n.both + 1
        end
      end
      assert.same({ china = 231, intl = 223, both = 217 }, n)
    end)

    it("each member's editions: a shared structure has the members of both", function()
      local function member(d, name)
        for _, p in ipairs(d.params or d.members) do if p.name == name then return p end end
      end
      local d = vod.describe_action("SearchMedia")
      assert.same({ "china" }, member(d, "KnowledgeBases").editions)
      assert.is_false(member(d, "KnowledgeBases").required)
      assert.same({ "china", "intl" }, member(d, "Text").editions)
      local s = vod.describe_struct("RefererRule")
      assert.same({ "intl" }, member(s, "AllowEmpty").editions)
      assert.equal("bool", member(s, "AllowEmpty").type)
      assert.is_true(member(s, "AllowEmpty").required)
    end)

    it("a client of either site calls an action only the other edition has", function()
      -- the server answers (the fake: UnsupportedOperation once the request is
      -- well-formed); nothing on this side refuses it, whatever the site (the
      -- endpoint given here overrides the site's host)
      for _, site in ipairs { "intl", "china" } do
        for _, call in ipairs {
          { "process_image", { FileId = "f", Operation = "x" }, "ProcessImage" },
          { "describe_cdn_domains", { Limit = 1 }, "DescribeCDNDomains" },
          { "search_media", { KnowledgeBases = { "kb" } }, "SearchMedia" },
        } do
          local c = fake.client { rate_limit = false, site = site }
          local err = fake.raises(c[call[1]], c, call[2])
          assert.equal("UnsupportedOperation", err.code)
          assert.equal(call[3], err.action)
          assert.equal(1, err.attempts)
          assert.same(call[2], vod.json_decode(fake.last().body))
          c:close()
        end
      end
    end)
  end)

  it("answer through the implemented actions", function()
    fake.config { subject_seconds = 0, video_seconds = 0.2 }
    local s = client:create_aigc_subject { SubAppId = 221073, SubjectName = "hero",
                                           SubjectImages = { "https://example.com/a.png" } }
    local subject = client:wait_task(s.TaskId, { SubAppId = 221073, interval = 0.05 })
    local id = client:task_of(subject).Output.SubjectId
    local v = client:create_aigc_video_task { SubAppId = 221073, ModelName = "Vidu", ModelVersion = "q2",
      Prompt = "[@hero] waves", SubjectInfos = { { Id = id, Name = "hero" } } }
    local progress = {}
    local video = client:wait_task(v.TaskId, { SubAppId = 221073, interval = 0.05,
      progress = function(t, part, pct)
        assert.equal("AigcVideoTask", t.TaskType)
        assert.equal(t.AigcVideoTask, part)
        progress[#progress + 1] = pct
      end })
    assert.equal("FINISH", video.Status)
    assert.equal(100, progress[#progress])
    assert.truthy(video.AigcVideoTask.Output.FileInfos[1].FileUrl:match("^https://"))
  end)

  describe("refuse a malformed request before sending it", function()
    local function refused(method, params, param, message_part)
      local before = fake.stats().requests
      local err = fake.raises(client[method], client, params)
      assert.equal("ClientError.InvalidParameter", err.code)
      assert.equal(0, err.attempts)
      assert.equal(param, err.param)
      if message_part then assert.truthy(err.message:find(message_part, 1, true), err.message) end
      assert.equal(before, fake.stats().requests)       -- nothing was sent
      return err
    end

    it("an unknown member at depth, with did-you-mean", function()
      refused("create_aigc_video_task", { SubAppId = 1, ModelName = "Vidu", ModelVersion = "q2",
        SubjectInfos = { { Id = "s", Nmae = "hero" } } }, "SubjectInfos[1].Nmae",
        "unknown parameter 'SubjectInfos[1].Nmae' (did you mean 'Name'?)")
      local params = minimal.request("ComposeMedia")
      params.Tracks[1].TrackItems[1].Tpye = "Video"
      refused("compose_media", params, "Tracks[1].TrackItems[1].Tpye", "did you mean 'Type'?")
      refused("describe_media_infos", { FileIdz = { "a" } }, "FileIdz", "did you mean 'FileIds'?")
    end)

    it("a missing required member at depth", function()
      local params = minimal.request("ComposeMedia")
      params.Tracks[1].TrackItems[1].Type = nil
      refused("compose_media", params, "Tracks[1].TrackItems[1].Type", "is required")
      refused("create_aigc_video_task", { SubAppId = 1, ModelName = "Vidu" }, "ModelVersion", "is required")
      refused("confirm_events", {}, "EventHandles", "is required")
    end)

    it("a wrong type at depth", function()
      local params = minimal.request("ComposeMedia")
      params.Tracks[1].TrackItems = "x"
      refused("compose_media", params, "Tracks[1].TrackItems", "must be a list")
      refused("create_aigc_video_task", { SubAppId = 1, ModelName = "Vidu", ModelVersion = "q2",
        SubjectInfos = { { Id = 5 } } }, "SubjectInfos[1].Id", "must be a string, got 5")
      refused("create_aigc_video_task", { SubAppId = -1, ModelName = "Vidu", ModelVersion = "q2" },
        "SubAppId", "must be between 0 and 2^53")
      refused("create_aigc_video_task", { SubAppId = 1.5, ModelName = "Vidu", ModelVersion = "q2" },
        "SubAppId", "must be an integer")
      refused("create_aigc_video_task", { SubAppId = 1, ModelName = "Vidu", ModelVersion = "q2",
        OutputConfig = "16:9" }, "OutputConfig", "must be a table")
      refused("describe_media_infos", { FileIds = { "a", "b\0c" } }, "FileIds[2]", "NUL")
    end)

    it("while the hand-written rules still apply on top of the model", function()
      refused("create_aigc_subject", { SubjectName = "x" }, nil,
        "SubjectImages or SubjectVideos is required")
      refused("create_aigc_subject", { SubjectImages = { "a" }, TasksPriority = 11 }, "TasksPriority",
        "between -10 and 10")
    end)

    it("and call() stays unchecked: the fake's validator answers", function()
      local err = fake.raises(client.call, client, "DescribeMediaInfos", { FileIdz = { "a" } })
      assert.equal("UnknownParameter", err.code)
      assert.equal(1, err.attempts)
      err = fake.raises(client.call, client, "DescribeMediaInfos", { FileIds = "a" })
      assert.equal("InvalidParameter", err.code)
    end)
  end)

  it("write an empty table as {} where the model has an object, [] where a list", function()
    client:create_aigc_video_task { SubAppId = 1, ModelName = "x", ModelVersion = "y", OutputConfig = {},
                                    FileInfos = {} }
    local body = fake.last().body
    assert.truthy(body:find('"OutputConfig":{}', 1, true), body)
    assert.truthy(body:find('"FileInfos":[]', 1, true), body)
  end)

  it("accept vod.null, empty tables and deprecated members as the codec does", function()
    local err = fake.raises(client.describe_media_infos, client, { FileIds = vod.null })
    assert.equal("InvalidParameter", err.code)       -- sent as null; the fake refuses null
    assert.equal(1, err.attempts)
    err = fake.raises(client.describe_media_infos, client, { FileIds = {} })
    assert.equal("UnsupportedOperation", err.code)    -- [] is well-formed
    -- a member the model marks disabled is still accepted
    local found
    for _, action in ipairs(vod.actions()) do
      local d = vod.describe_action(action)
      for _, p in ipairs(d.params) do
        if p.disabled and not p.object and not p.list and p.type == "string" then found = { d, p } break end
      end
      if found then break end
    end
    assert.truthy(found, "the model has a deprecated string member")
    local params = minimal.request(found[1].action)
    params[found[2].name] = "x"
    local ok, e = pcall(client[found[1].method], client, params)
    assert.truthy(ok or not VALIDATOR[e.code], tostring(e))
    assert.equal(found[1].action, fake.last().action)
  end)
end)
