-- The JSON codec, through build_request (encode) and parse_response (decode):
-- no I/O, exact values.
local vod = require "tencentcloud.vod"
local fake = require "support.fake"

local client = vod.new { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY }

local function body(params) return client:build_request("AnyAction", params).body end
local function parse(text) return client:parse_response("AnyAction", 200, text) end
local function encode_err(params)
  local err = fake.raises(client.build_request, client, "AnyAction", params)
  assert.equal("ClientError.InvalidParameter", err.code)
  return err
end

describe("encoding", function()
  it("writes integers exactly, up to 2^53", function()
    assert.equal('{"A":9007199254740992}', body { A = 2 ^ 53 })
    assert.equal('{"A":-9007199254740992}', body { A = -2 ^ 53 })
    assert.equal('{"A":123456789012345}', body { A = 123456789012345 })
    assert.equal('{"A":3}', body { A = 3.0 })
  end)
  it("writes fractions so they read back exactly", function()
    assert.equal('{"A":0.1}', body { A = 0.1 })
    assert.equal('{"A":1.5}', body { A = 1.5 })
    assert.equal(1 / 3, fake.decode(body { A = 1 / 3 }).A)
  end)
  it("refuses what JSON cannot carry exactly", function()
    assert.equal("A must not be NaN or infinity", encode_err({ A = 0 / 0 }).message)
    assert.equal("A must not be NaN or infinity", encode_err({ A = -math.huge }).message)
    assert.equal("A is an integer beyond +-2^53, which JSON cannot carry exactly",
      encode_err({ A = 2 ^ 53 + 2 }).message)
    assert.equal("A", encode_err({ A = 2 ^ 60 }).param)
  end)
  it("names the path of a nested fault", function()
    local err = encode_err { Filters = { { Name = "n", Values = { "a", 0 / 0 } } } }
    assert.equal("Filters[1].Values[2] must not be NaN or infinity", err.message)
    assert.equal("Filters[1].Values[2]", err.param)
  end)
  it("writes arrays, nested objects, booleans and vod.null", function()
    local t = fake.decode(body { L = { 1, "two", true, false }, O = { K = { "v" } }, N = vod.null })
    assert.same({ 1, "two", true, false }, t.L)
    assert.same({ K = { "v" } }, t.O)
    assert.truthy(body { N = vod.null }:find('"N":null', 1, true))
  end)
  it("writes a nested empty table as [] and a top-level one as {}", function()
    assert.equal('{"L":[]}', body { L = {} })
    assert.equal("{}", body {})
  end)
  it("escapes strings and keeps UTF-8", function()
    assert.equal('{"S":"q\\"b\\\\n\\nt\\tc\\u0001\\u001f\228\184\187/"}', body { S = 'q"b\\n\nt\tc\1\31\228\184\187/' })
  end)
  it("refuses invalid UTF-8, NUL bytes, sparse and mixed tables, cycles, functions", function()
    assert.equal("S must be valid UTF-8 (bad byte at offset 1)", encode_err({ S = "a\192\175" }).message)
    assert.equal("S must not contain a NUL byte", encode_err({ S = "a\0" }).message)
    assert.equal("L is a sparse array (keys must be exactly 1..n)", encode_err({ L = { [1] = 1, [3] = 3 } }).message)
    assert.equal("M mixes array items (keys 1..n) with named fields", encode_err({ M = { 1, k = 2 } }).message)
    local cyc = {}
    cyc.self = cyc
    assert.truthy(encode_err({ C = cyc }).message:find("nests deeper than 64 levels", 1, true))
    assert.equal("F is a function, which JSON cannot carry", encode_err({ F = print }).message)
    assert.equal("K has a boolean key; JSON objects take string keys", encode_err({ K = { [true] = 1 } }).message)
  end)
  it("refuses a body over the API's 10 MB", function()
    local big = string.rep("x", 10 * 1024 * 1024)
    local err = encode_err { S = big }
    assert.truthy(err.message:find("the API accepts at most 10485760", 1, true))
  end)
end)

describe("decoding", function()
  it("returns the Response table", function()
    local r = parse '{"Response":{"TaskId":"t-1","RequestId":"r-1"}}'
    assert.same({ TaskId = "t-1", RequestId = "r-1" }, r)
  end)
  it("gives integers as integers where Lua has them", function()
    local r = parse '{"Response":{"I":1234567890123,"F":2.5,"E":1e3,"N":-7,"RequestId":"r"}}'
    assert.equal(1234567890123, r.I)
    assert.equal(2.5, r.F)
    assert.equal(1000, r.E)
    assert.equal(-7, r.N)
    if math.type then
      assert.equal("integer", math.type(r.I))
      assert.equal("integer", math.type(r.N))
      assert.equal("float", math.type(r.E))
    end
  end)
  it("decodes escapes, including surrogate pairs", function()
    local r = parse '{"Response":{"RequestId":"r","S":"a\\"b\\\\c\\/d\\n\\u00e9\\u4e3b\\ud83d\\ude00"}}'
    assert.equal('a"b\\c/d\n\195\169\228\184\187\240\159\152\128', r.S)
  end)
  it("leaves out null members and keeps null array items as vod.null", function()
    local r = parse '{"Response":{"A":null,"L":[1,null,3],"RequestId":"r"}}'
    assert.is_nil(r.A)
    assert.equal(vod.null, r.L[2])
    assert.equal(3, r.L[3])
  end)
  local function malformed(text, msg)
    local err = fake.raises(client.parse_response, client, "AnyAction", 200, text)
    assert.equal("ClientError.MalformedResponse", err.code)
    assert.equal(200, err.http_status)
    if msg then assert.equal("malformed response: " .. msg, err.message) end
  end
  it("rejects what is not JSON or not the API's shape", function()
    malformed("this is not json", "invalid literal at byte 0")
    malformed("<html>", "invalid number at byte 0")
    malformed('{"Response":{}} x', "trailing characters after the JSON value at byte 16")
    malformed('{"a":1', "expected ',' or '}' in object at byte 6")
    malformed('"\\ud800"', "invalid escape in string at byte 1")
    malformed("[1,2]", "no \"Response\" object in the body")
    malformed('{"Response":"x"}', "no \"Response\" object in the body")
    malformed("", "unexpected end of text at byte 0")
    malformed('{"Response":{"Error":{"Message":"m"},"RequestId":"r"}}', "Response.Error has no Code")
    malformed('{"Response":{"TaskId":"t"}}', "the Response has no RequestId")
  end)
  it("refuses nesting deeper than 128 levels without crashing", function()
    malformed('{"Response":{"D":' .. string.rep("[", 100000) .. string.rep("]", 100000) .. "}}",
      "nesting too deep at byte 144")
    local ok = parse('{"Response":{"RequestId":"r","D":' .. string.rep("[", 120) .. string.rep("]", 120) .. "}}")
    assert.is_table(ok.D)
  end)
  it("turns Response.Error into an API error object", function()
    local err = fake.raises(client.parse_response, client, "CreateAigcSubject", 200,
      '{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r-9"}}')
    assert.is_true(vod.is_error(err))
    assert.equal("RequestLimitExceeded", err.code)
    assert.equal("slow down", err.message)
    assert.equal("r-9", err.request_id)
    assert.equal("CreateAigcSubject", err.action)
    assert.equal(200, err.http_status)
    assert.is_true(err.retryable)
    assert.equal("CreateAigcSubject: RequestLimitExceeded: slow down (RequestId r-9)", tostring(err))
  end)
  it("turns a non-200 status into ClientError.HTTPStatus", function()
    local err = fake.raises(client.parse_response, client, "CreateAigcSubject", 502, "<html>")
    assert.equal("ClientError.HTTPStatus", err.code)
    assert.equal(502, err.http_status)
  end)
end)

describe("under a comma-decimal locale", function()
  it("still reads and writes JSON numbers with '.'", function()
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p '" .. dir .. "'")
    -- a de_DE locale made on the spot (the machine need not have it installed)
    os.execute("env -u LD_PRELOAD localedef -i de_DE -f UTF-8 '" .. dir .. "/de_DE.UTF-8' >/dev/null 2>&1")
    local code = [[
      assert(os.setlocale("de_DE.UTF-8", "numeric"), "no de_DE locale")
      -- Lua 5.4 formats numbers with the C library, so the locale shows there;
      -- LuaJIT formats its own, but strtod inside the module sees it all the same
      if not jit then assert(tostring(0.5) == "0,5", "the locale is not in force") end
      local vod = require "tencentcloud.vod"
      local c = vod.new { secret_id = "AKIDX", secret_key = "k" }
      local r = c:parse_response("A", 200, '{"Response":{"A":0.5,"B":-3.75,"C":1.25e2,"RequestId":"r"}}')
      local ok, err = pcall(c.create_aigc_subject, c, { SubAppId = 1.5 })
      io.write(tostring(r.A == 0.5), " ", tostring(r.B == -3.75), " ", tostring(r.C == 125), " ",
               c:build_request("A", { X = 0.1 }).body, c:build_request("A", { Y = -2.5e-8 }).body,
               " ", err.message)
    ]]
    local f = assert(io.open(dir .. "/t.lua", "w"))
    f:write(code)
    f:close()
    -- in the sanitizer run, glibc's setlocale allocations (not ours) must not
    -- be reported into the output
    local asan = os.getenv("ASAN_OPTIONS")
    local p = io.popen(("%sLOCPATH='%s' LUA_CPATH='%s' '%s' '%s/t.lua' 2>&1")
      :format(asan and ("ASAN_OPTIONS='" .. asan .. ":detect_leaks=0' ") or "", dir, package.cpath,
              fake.interpreter(), dir))
    local out = p:read("*a")
    p:close()
    os.execute("rm -rf '" .. dir .. "'")
    assert.equal('true true true {"X":0.1}{"Y":-2.5e-08} SubAppId must be an integer, got 1.5', out)
  end)
end)
