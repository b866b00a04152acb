-- Integers beyond 2^53, both directions, on every interpreter. Where every
-- Lua number is a double (Lua 5.1, 5.2, LuaJIT) integers are exact up to
-- 2^53 only; on 5.3 and 5.4 they are 64-bit. Going out, a number beyond
-- +-2^53 is refused everywhere (JSON readers commonly hold doubles); coming
-- in, an integer beyond 2^53 is refused where it would be rounded, and kept
-- exact where Lua has 64-bit integers.
local vod = require "tencentcloud.vod"
local fake = require "support.fake"
local raw = require "support.rawhttp"

-- math.type exists exactly where numbers can be 64-bit integers
local INTEGERS = math.type ~= nil
local BEYOND = " is an integer beyond +-2^53, which JSON cannot carry exactly"
local RANGE = " must be between 0 and 2^53 (larger integers do not survive JSON exactly), got "
-- the refusal where numbers are doubles: PATH: the integer N is beyond 2^53 (...)
local function doubles(path, n)
  return path .. ": the integer " .. n .. " is beyond 2^53 (this Lua's numbers are doubles)"
end

-- 2^53 + 1 as a Lua integer, where there are integers (a literal would be
-- rounded to 2^53 by Lua itself where there are none)
local TWO53_PLUS_1 = math.tointeger and math.tointeger(2 ^ 53) + 1
local function two53_plus_1() return TWO53_PLUS_1 end
local MAXINT = 9223372036854775807            -- only read where it is an integer

local client = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, endpoint = "127.0.0.1:9",
                         scheme = "http", cvm_role = false }

local function invalid(f, ...)
  local err = fake.raises(f, ...)
  assert.is_true(vod.is_error(err))
  assert.equal("ClientError.InvalidParameter", err.code)
  return err
end

describe("integers going out", function()
  local function body(params) return client:build_request("AnyAction", params).body end

  it("2^53 and -2^53 go out exactly, on every interpreter", function()
    assert.equal('{"A":9007199254740992}', body { A = 2 ^ 53 })
    assert.equal('{"A":-9007199254740992}', body { A = -2 ^ 53 })
    assert.equal('{"A":9007199254740991}', body { A = 2 ^ 53 - 1 })
    assert.equal("9007199254740992", vod.json_encode(2 ^ 53))
  end)

  it("a number beyond +-2^53 is refused, integer or float, whatever its size", function()
    for _, v in ipairs { 2 ^ 53 + 2, -2 ^ 53 - 2, 2 ^ 60, 2 ^ 63, -2 ^ 63, 2 ^ 64, 1e300, -1e300 } do
      local err = invalid(client.build_request, client, "AnyAction", { A = { v } })
      assert.equal("A[1]" .. BEYOND, err.message)
      assert.equal("A[1]", err.param)
      err = invalid(vod.json_encode, v)
      assert.equal("cannot encode as JSON: the value" .. BEYOND, err.message)
    end
  end)

  it("2^53 + 1 as a 64-bit integer is refused too (Lua 5.3, 5.4)", function()
    if not INTEGERS then
      -- where numbers are doubles, 2^53 + 1 cannot even be written: Lua reads
      -- the literal as 2^53, before this library sees it
      assert.equal(2 ^ 53, 9007199254740993)
      return
    end
    assert.equal("integer", math.type(two53_plus_1()))
    assert.equal("A" .. BEYOND, invalid(client.build_request, client, "AnyAction", { A = two53_plus_1() }).message)
    assert.equal("A" .. BEYOND, invalid(client.build_request, client, "AnyAction", { A = -two53_plus_1() }).message)
    assert.equal("A" .. BEYOND, invalid(client.build_request, client, "AnyAction", { A = MAXINT }).message)
  end)

  describe("through the parameter checks, before anything is sent", function()
    setup(function() fake.start() end)
    local checked
    before_each(function()
      fake.reset()
      fake.config { rate_limit = 0 }
      checked = fake.client()
    end)

    local function refused(method, params, param, message)
      local err = invalid(checked[method], checked, params)
      assert.equal(param, err.param)
      assert.equal(message, err.message)
      assert.equal(0, fake.stats().requests, "nothing may be sent for bad input")
    end
    local SUBJECT = { SubjectName = "hero", SubjectImages = { "https://example.com/a.png" } }
    local function subject(id)
      return { SubAppId = id, SubjectName = SUBJECT.SubjectName, SubjectImages = SUBJECT.SubjectImages }
    end
    local function video(id) return { SubAppId = id, ModelName = "Vidu", ModelVersion = "q2" } end

    it("the hand-written rules (create_aigc_subject): 2^53 passes, beyond is refused by its range", function()
      assert.is_string(checked:create_aigc_subject(subject(2 ^ 53)).TaskId)
      fake.reset()
      fake.config { rate_limit = 0 }
      refused("create_aigc_subject", subject(2 ^ 53 + 2), "SubAppId", "SubAppId" .. RANGE .. "9007199254740994")
      refused("create_aigc_subject", subject(2 ^ 63), "SubAppId", "SubAppId" .. RANGE .. "9.2233720368547758e+18")
      refused("create_aigc_subject", subject(1e300), "SubAppId", "SubAppId" .. RANGE .. "1.0000000000000001e+300")
      if INTEGERS then
        refused("create_aigc_subject", subject(two53_plus_1()), "SubAppId", "SubAppId" .. RANGE .. "9007199254740993")
      end
    end)

    it("the model's integer members (create_aigc_video_task): the same", function()
      refused("create_aigc_video_task", video(2 ^ 53 + 2), "SubAppId", "SubAppId" .. RANGE .. "9007199254740994")
      refused("create_aigc_video_task", video(2 ^ 64), "SubAppId", "SubAppId" .. RANGE .. "1.8446744073709552e+19")
      refused("create_aigc_video_task", video(-1e300), "SubAppId", "SubAppId" .. RANGE .. "-1.0000000000000001e+300")
      if INTEGERS then
        refused("create_aigc_video_task", video(two53_plus_1()), "SubAppId", "SubAppId" .. RANGE .. "9007199254740993")
      end
    end)
  end)
end)

describe("integers coming in", function()
  local function parse(text) return client:parse_response("AnyAction", 200, text) end
  local function malformed(text)
    local err = fake.raises(client.parse_response, client, "AnyAction", 200, text)
    assert.equal("ClientError.MalformedResponse", err.code)
    return err.message
  end

  it("up to 2^53 they are exact everywhere", function()
    local r = parse '{"Response":{"RequestId":"r","A":9007199254740992,"B":-9007199254740992,"C":[9007199254740991]}}'
    assert.equal(2 ^ 53, r.A)
    assert.equal(-2 ^ 53, r.B)
    assert.equal(2 ^ 53 - 1, r.C[1])
  end)

  it("beyond 2^53: exact 64-bit integers on 5.3/5.4, refused where numbers are doubles", function()
    local text = '{"Response":{"RequestId":"r","Media":{"Size":9007199254740993}}}'
    if INTEGERS then
      local r = parse(text)
      assert.equal("integer", math.type(r.Media.Size))
      assert.equal(two53_plus_1(), r.Media.Size)
      assert.equal("9007199254740993", tostring(r.Media.Size))
      assert.equal(-MAXINT - 1, parse('{"Response":{"RequestId":"r","N":-9223372036854775808}}').N)
    else
      assert.equal(doubles("malformed response: Response.Media.Size", "9007199254740993"), malformed(text))
      assert.equal(doubles("malformed response: Response.L[3]", "-9007199254740993"),
        malformed '{"Response":{"RequestId":"r","L":[1,2,-9007199254740993]}}')
      assert.equal(doubles("malformed response: Response.L[2].A.B[1]", "9223372036854775807"),
        malformed '{"Response":{"RequestId":"r","L":[{},{"A":{"B":[9223372036854775807]}}]}}')
    end
  end)

  it("beyond 64 bits: a float on 5.3/5.4 (as Lua reads such a literal), refused where numbers are doubles", function()
    local text = '{"Response":{"RequestId":"r","N":123456789012345678901234567890}}'
    if INTEGERS then
      local n = parse(text).N
      assert.equal("float", math.type(n))
      assert.equal(1.2345678901234568e+29, n)
    else
      assert.equal(doubles("malformed response: Response.N", "12345678901234567890..."), malformed(text))
    end
  end)

  it("a long path and a long number are clipped, so the whole message fits", function()
    local k = string.rep("abcdefghij", 5)
    local text = ('{"Response":{"RequestId":"r","%s":{"%s":[0,{"B":123456789012345678901234567890}]}}}')
      :format(k, k)
    if INTEGERS then
      assert.equal(1.2345678901234568e+29, parse(text)[k][k][2].B)
    else
      local msg = malformed(text)
      assert.equal(doubles("malformed response: ....abcdefghijabcdefghijabc...[2].B", "12345678901234567890..."),
        msg)
      assert.is_true(#msg < 128 + #"malformed response: ")
    end
  end)

  it("a number with a fraction or an exponent is a float everywhere, never refused", function()
    local r = parse '{"Response":{"RequestId":"r","F":9007199254740993.0,"E":1e300}}'
    assert.equal(2 ^ 53, r.F)                  -- the double nearest to it
    assert.equal(1e300, r.E)
    if INTEGERS then assert.equal("float", math.type(r.F)) end
  end)

  it("vod.json_decode: the same rule, as an argument error naming the path", function()
    local text = '{"A":[{"B":9007199254740993}]}'
    if INTEGERS then
      assert.equal(two53_plus_1(), vod.json_decode(text).A[1].B)
      assert.equal(two53_plus_1(), vod.json_decode("9007199254740993"))
    else
      assert.equal(doubles("cannot decode JSON: A[1].B", "9007199254740993"), invalid(vod.json_decode, text).message)
      assert.equal(doubles("cannot decode JSON: the value", "9007199254740993"),
        invalid(vod.json_decode, "9007199254740993").message)
      assert.equal(doubles("cannot decode JSON: [2]", "-18446744073709551616"),
        invalid(vod.json_decode, "[1, -18446744073709551616]").message)
    end
    -- a syntax error stays a syntax error
    assert.equal("malformed JSON: invalid number at byte 5", invalid(vod.json_decode, '{"A":-}').message)
  end)

  describe("over the wire (libcurl, a loopback server answering with exact big integers)", function()
    setup(function() raw.start() end)
    before_each(function() raw.reset() end)

    it("a call's answer with 2^53 + 1 in it", function()
      local c = raw.client()
      raw.script { "bigint" }
      if INTEGERS then
        local r = c:call("DescribeMediaInfos", {})
        assert.equal(two53_plus_1(), r.MediaInfo.Size)
        assert.same({ 1, 2 ^ 53, -two53_plus_1() }, r.Sizes)
      else
        local err = fake.raises(c.call, c, "DescribeMediaInfos", {})
        assert.equal("ClientError.MalformedResponse", err.code)
        assert.equal(doubles("malformed response: Response.MediaInfo.Size", "9007199254740993"), err.message)
        assert.equal("DescribeMediaInfos", err.action)
        assert.equal(200, err.http_status)
      end
      assert.equal(1, #raw.stats().requests)
      c:close()
    end)

    it("where numbers are doubles it is retried like any malformed answer, and fails the same", function()
      local c = raw.client { retries = { max = 2, base_delay = 0.01, max_delay = 0.01 } }
      raw.script { "bigint", "bigint", "bigint" }
      if INTEGERS then
        assert.equal(two53_plus_1(), c:call("DescribeMediaInfos", {}).MediaInfo.Size)
        assert.equal(1, #raw.stats().requests)
      else
        local err = fake.raises(c.call, c, "DescribeMediaInfos", {})
        assert.equal("ClientError.MalformedResponse", err.code)
        assert.is_true(err.ambiguous)            -- the server did process the request
        assert.equal(3, err.attempts)
        assert.equal(3, #raw.stats().requests)
      end
      c:close()
    end)
  end)
end)
