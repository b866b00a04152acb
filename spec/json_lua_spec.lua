-- vod.json_encode / vod.json_decode: the module's codec exposed to Lua (the
-- command-line tool prints responses and reads `call` parameters with it).
local vod = require "tencentcloud.vod"
local safe = require "tencentcloud.vod.safe"
local fake = require "support.fake"

local function invalid(f, ...)
  local err = fake.raises(f, ...)
  assert.is_true(vod.is_error(err))
  assert.equal("ClientError.InvalidParameter", err.code)
  return err
end

describe("vod.json_encode", function()
  it("writes objects, arrays, nested empty tables, booleans and vod.null", function()
    assert.equal('{"A":[1,2,[]]}', vod.json_encode { A = { 1, 2, {} } })
    local text = vod.json_encode { B = true, N = vod.null }
    assert.truthy(text == '{"B":true,"N":null}' or text == '{"N":null,"B":true}', text)
  end)
  it("takes any top-level value: an array, a scalar, an empty table as {}", function()
    assert.equal("[1,2,3]", vod.json_encode { 1, 2, 3 })
    assert.equal("{}", vod.json_encode {})
    assert.equal('"x\\n\\""', vod.json_encode 'x\n"')
    assert.equal("42", vod.json_encode(42))
    assert.equal("false", vod.json_encode(false))
    assert.equal("null", vod.json_encode(vod.null))
  end)
  it("keeps integers exact up to 2^53", function()
    assert.equal('{"A":9007199254740992}', vod.json_encode { A = 2 ^ 53 })
    assert.equal('{"B":3}', vod.json_encode { B = 3.0 })
    assert.equal("0.1", vod.json_encode(0.1))
  end)
  it("refuses what JSON cannot carry, naming the path", function()
    local err = invalid(vod.json_encode, { A = { { B = 0 / 0 } } })
    assert.equal("cannot encode as JSON: A[1].B must not be NaN or infinity", err.message)
    assert.equal("A[1].B", err.param)
    err = invalid(vod.json_encode, 2 ^ 60)
    assert.equal("cannot encode as JSON: the value is an integer beyond +-2^53, which JSON cannot carry exactly",
      err.message)
    assert.is_nil(err.param)
    invalid(vod.json_encode, { 1, 2, x = 3 })
    invalid(vod.json_encode, "a\0b")
    invalid(vod.json_encode, print)
    local cycle = {}
    cycle.self = cycle
    invalid(vod.json_encode, cycle)
  end)
  it("is a plain argument error without a value", function()
    local ok, err = pcall(vod.json_encode)
    assert.is_false(ok)
    assert.is_string(err)
    assert.truthy(err:find("bad argument #1", 1, true), err)
  end)
end)

describe("vod.json_decode", function()
  it("reads objects, arrays, integers and null items", function()
    local v = vod.json_decode('{"A":[1,2.5,null,{"B":9007199254740992}],"C":null,"D":"\\u00e9"}')
    assert.equal(1, v.A[1])
    if math.type then assert.equal("integer", math.type(v.A[1])) end
    assert.equal(2.5, v.A[2])
    assert.equal(vod.null, v.A[3])
    assert.equal(2 ^ 53, v.A[4].B)
    assert.is_nil(v.C)
    assert.equal("é", v.D)
  end)
  it("round-trips through json_encode", function()
    local text = '{"TaskId":"1-x","N":[1,-2,0.5]}'
    local v = vod.json_decode(text)
    assert.same(v, vod.json_decode(vod.json_encode(v)))
  end)
  it("raises ClientError.InvalidParameter on malformed text, with the byte offset", function()
    assert.equal("malformed JSON: expected a string key in object at byte 1",
      invalid(vod.json_decode, "{x").message)
    invalid(vod.json_decode, "")
    invalid(vod.json_decode, '{"a":1} trailing')
    invalid(vod.json_decode, string.rep("[", 200) .. string.rep("]", 200))
  end)
  it("is a plain argument error for a non-string", function()
    local ok, err = pcall(vod.json_decode, {})
    assert.is_false(ok)
    assert.is_string(err)
  end)
end)

describe("the safe form", function()
  it("returns nil, err instead of raising", function()
    local v, err = safe.json_decode("{")
    assert.is_nil(v)
    assert.equal("ClientError.InvalidParameter", err.code)
    assert.equal('{"a":1}', safe.json_encode { a = 1 })
    v, err = safe.json_encode { a = 0 / 0 }
    assert.is_nil(v)
    assert.equal("a", err.param)
  end)
end)
