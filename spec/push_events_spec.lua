-- Pushed event notifications: vod.parse_event and vod.verify_event_sign,
-- against good, tampered, expired and malformed input. Sign = MD5(SignKey +
-- T), SignKey being the application's (ModifyEventConfig,
-- https://www.tencentcloud.com/document/api/266/57589); the vectors were computed with
-- Python's hashlib, and one more is computed by it at run time.
local vod = require "tencentcloud.vod"
local safe = require "tencentcloud.vod.safe"

local KEY, T, SIGN = "abc123", 1700000000, "c7f13d9712607facf2852c93b90a15b5"
local BEFORE, AFTER = 1600000000, 1700000001

-- a pushed AigcVideoTaskComplete, as the API sends it (EventContent without EventHandle)
local function body(extra)
  local fields = {
    '"EventType":"AigcVideoTaskComplete"',
    '"AigcVideoCompleteEvent":{"TaskId":"221073-AigcVideoTask-0a1b","Status":"FINISH","ErrCode":0,'
      .. '"ErrCodeExt":"","Progress":100,"Output":{"FileInfos":[{"FileId":"5285890780000000001",'
      .. '"FileUrl":"https://example.com/v.mp4"}]}}',
  }
  for _, f in ipairs(extra or {}) do fields[#fields + 1] = f end
  return "{" .. table.concat(fields, ",") .. "}"
end

local function signed(sign, t)
  local extra = {}
  if sign ~= nil then extra[#extra + 1] = '"Sign":' .. sign end
  if t ~= nil then extra[#extra + 1] = '"T":' .. t end
  return body(extra)
end

local function raises(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  assert.is_true(vod.is_error(err), tostring(err))
  return err
end

describe("vod.verify_event_sign", function()
  it("accepts a good signature until T", function()
    assert.is_true(vod.verify_event_sign(SIGN, T, KEY, BEFORE))
    assert.is_true(vod.verify_event_sign(SIGN, T, KEY, T))                -- at T itself
    assert.is_true(vod.verify_event_sign(SIGN:upper(), T, KEY, BEFORE))
    assert.is_true(vod.verify_event_sign(SIGN, tostring(T), KEY, BEFORE))  -- T as text
    assert.is_true(vod.verify_event_sign("d02a1b47d87ac25b858c666dbf7408e0", 4102444800, "TestSignKey2024"))
  end)

  it("agrees with an independent MD5 (Python's hashlib)", function()
    local key, t = "Zx9" .. tostring(os.time()), 4102444800 + os.time() % 1000
    local p = io.popen(("python3 -c 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())' %s")
      :format(key .. t))
    local sign = p:read("*l")
    p:close()
    assert.is_true(vod.verify_event_sign(sign, t, key))
  end)

  local function refused(reason, ...)
    local ok, err = vod.verify_event_sign(...)
    assert.is_false(ok)
    assert.is_true(vod.is_error(err))
    assert.equal("ClientError.EventSignature", err.code)
    assert.equal(reason, err.reason)
    assert.is_nil(err.message:find(KEY, 1, true))
    assert.is_nil(tostring(err):find(KEY, 1, true))
    return err
  end

  it("refuses an expired message, a tampered one, one for another key", function()
    local err = refused("expired", SIGN, T, KEY, AFTER)
    assert.equal("event notification refused: the message has expired (the time is past its T) "
      .. "(T = 1700000000)", err.message)
    err = refused("mismatch", "c7f13d9712607facf2852c93b90a15b6", T, KEY, BEFORE)
    assert.equal("event notification refused: Sign does not match MD5(SignKey + T): the message was "
      .. "not signed with this key, or was altered", err.message)
    refused("mismatch", SIGN, T + 600, KEY, BEFORE)          -- T pushed later: the Sign no longer fits
    refused("mismatch", SIGN, T, "abc124", BEFORE)
    refused("mismatch", SIGN, "0" .. T, KEY, BEFORE)         -- T's text is what was signed
    refused("mismatch", "c7f13d9712607facf2852c93b90a15b6", T, KEY, AFTER)   -- wrong before expired
    -- the real clock is long past 2023
    refused("expired", SIGN, T, KEY)
  end)

  it("refuses a missing or malformed Sign or T", function()
    assert.equal("event notification refused: the message has no Sign (a SignKey was given, so every "
      .. "message must be signed)", refused("missing", nil, T, KEY, BEFORE).message)
    refused("missing", SIGN, nil, KEY, BEFORE)
    refused("malformed", SIGN:sub(2), T, KEY, BEFORE)
    refused("malformed", SIGN .. "0", T, KEY, BEFORE)
    refused("malformed", ("g"):rep(32), T, KEY, BEFORE)
    refused("malformed", 12345, T, KEY, BEFORE)
    refused("malformed", SIGN, T + 0.5, KEY, BEFORE)
    refused("malformed", SIGN, -T, KEY, BEFORE)
    refused("malformed", SIGN, "17e8", KEY, BEFORE)
    refused("malformed", SIGN, "", KEY, BEFORE)
    refused("malformed", SIGN, { T }, KEY, BEFORE)
    assert.equal("event notification refused: T is not a non-negative integer of at most 18 digits",
      refused("malformed", SIGN, ("1"):rep(19), KEY, BEFORE).message)
  end)

  it("a missing key or a bad time is the caller's mistake", function()
    local ok, msg = pcall(vod.verify_event_sign, SIGN, T, nil)
    assert.is_false(ok)
    assert.equal("bad argument #3 to 'verify_event_sign' (string expected, got nil)", msg)
    ok, msg = pcall(vod.verify_event_sign, SIGN, T, "")
    assert.equal("bad argument #3 to 'verify_event_sign' (sign_key must not be empty)", msg)
    ok, msg = pcall(vod.verify_event_sign, SIGN, T, KEY, "now")
    assert.equal("bad argument #4 to 'verify_event_sign' (number expected, got string)", msg)
  end)
end)

describe("vod.parse_event", function()
  it("returns the event with its typed shape; signed, without Sign and T", function()
    local e = vod.parse_event(signed('"' .. SIGN .. '"', T), { sign_key = KEY, now = BEFORE })
    assert.equal("AigcVideoTaskComplete", e.EventType)
    assert.is_nil(e.Sign)
    assert.is_nil(e.T)
    local done = e.AigcVideoCompleteEvent
    assert.equal("221073-AigcVideoTask-0a1b", done.TaskId)
    assert.equal(100, done.Progress)
    if math.type then assert.equal("integer", math.type(done.ErrCode)) end
    assert.equal("5285890780000000001", done.Output.FileInfos[1].FileId)
    assert.equal("https://example.com/v.mp4", done.Output.FileInfos[1].FileUrl)
    -- T as a JSON string of digits is taken too
    assert.equal("AigcVideoTaskComplete",
      vod.parse_event(signed('"' .. SIGN .. '"', '"' .. T .. '"'), { sign_key = KEY, now = BEFORE }).EventType)
  end)

  it("without sign_key, takes the body as it is (Sign and T kept, unchecked)", function()
    local e = vod.parse_event(signed('"bogus"', T))
    assert.equal("bogus", e.Sign)
    assert.equal(T, e.T)
    assert.equal("AigcVideoTaskComplete", vod.parse_event(body()).EventType)
  end)

  it("with sign_key, a missing, wrong or expired signature is an error, and no event", function()
    local function sig_error(reason, text, now)
      local err = raises(vod.parse_event, text, { sign_key = KEY, now = now or BEFORE })
      assert.equal("ClientError.EventSignature", err.code)
      assert.equal(reason, err.reason)
      assert.is_nil(tostring(err):find(KEY, 1, true))
      return err
    end
    sig_error("missing", body())
    sig_error("missing", signed('"' .. SIGN .. '"', nil))
    sig_error("missing", signed(nil, T))
    sig_error("mismatch", signed('"c7f13d9712607facf2852c93b90a15b6"', T))
    sig_error("mismatch", signed('"' .. SIGN .. '"', T + 1))
    sig_error("expired", signed('"' .. SIGN .. '"', T), AFTER)
    sig_error("expired", signed('"' .. SIGN .. '"', T), os.time())
    sig_error("malformed", signed('"' .. SIGN .. '"', T .. ".5"))
    sig_error("missing", signed("null", T))           -- a null member is no member
    sig_error("malformed", signed('"' .. SIGN .. '"', "true"))
    -- the safe form returns it
    local none, err = safe.parse_event(body(), { sign_key = KEY })
    assert.is_nil(none)
    assert.equal("ClientError.EventSignature", err.code)
  end)

  it("a body that is not an event is ClientError.InvalidEvent", function()
    local function invalid(text, message)
      local err = raises(vod.parse_event, text)
      assert.equal("ClientError.InvalidEvent", err.code)
      if message then assert.equal(message, err.message) end
    end
    invalid("", nil)
    invalid("{\"EventType\":", nil)
    invalid("<html>", nil)
    invalid('"AigcVideoTaskComplete"', "the event notification is not a JSON object")
    invalid("[]", "the event notification has no EventType (a non-empty string)")
    invalid("{}", "the event notification has no EventType (a non-empty string)")
    invalid('{"EventType":""}', nil)
    invalid('{"EventType":5}', nil)
    invalid('{"EventType":"X","Deep":' .. ("["):rep(200) .. ("]"):rep(200) .. "}", nil)
    -- checked before the signature: a broken body never reaches the key
    local err = raises(vod.parse_event, "nope", { sign_key = KEY })
    assert.equal("ClientError.InvalidEvent", err.code)
  end)

  it("options are checked", function()
    local err = raises(vod.parse_event, body(), { signkey = KEY })
    assert.equal("ClientError.InvalidOption", err.code)
    assert.equal("signkey", err.option)
    assert.equal("unknown parse_event option 'signkey' (did you mean 'sign_key'?)", err.message)
    err = raises(vod.parse_event, body(), { zzz = KEY })
    assert.equal("zzz", err.option)
    assert.equal("unknown parse_event option 'zzz' (known: sign_key, now)", err.message)
    err = raises(vod.parse_event, body(), { sign_key = "" })
    assert.equal("sign_key", err.option)
    err = raises(vod.parse_event, body(), { sign_key = 5 })
    assert.equal("sign_key", err.option)
    err = raises(vod.parse_event, body(), { now = "later" })
    assert.equal("now", err.option)
    local ok, msg = pcall(vod.parse_event, nil)
    assert.is_false(ok)
    assert.equal("bad argument #1 to 'parse_event' (string expected, got nil)", msg)
    ok, msg = pcall(vod.parse_event, body(), "key")
    assert.equal("bad argument #2 to 'parse_event' (table expected, got string)", msg)
  end)
end)
