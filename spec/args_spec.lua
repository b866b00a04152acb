-- A wrong argument type names the method or function, on every interpreter:
-- LuaJIT cannot name a C function by itself ("bad argument #1 to '?'").
local vod = require "tencentcloud.vod"

local function message(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.equal("string", type(err))
  return (err:gsub("^[^:]*:%d+: ", ""))       -- Lua 5.4 may prefix the caller's position
end

describe("argument errors", function()
  local client
  setup(function()
    client = vod.new { secret_id = "AKIDargs", secret_key = "args", endpoint = "127.0.0.1:9",
                       scheme = "http", cvm_role = false }
  end)
  teardown(function() client:close() end)

  it("name every method when self is not a client", function()
    local names = {}
    for name in pairs(getmetatable(client).__index) do names[#names + 1] = name end
    table.sort(names)
    assert.is_true(#names >= 20)
    for _, name in ipairs(names) do
      local method = client[name]
      assert.equal(("calling '%s' on bad self (tencentcloud.vod.client expected, got number)")
        :format(name), message(method, 5))
    end
  end)

  it("name the method and count its arguments after the client", function()
    local cases = {
      { "create_aigc_subject", "bad argument #1 to 'create_aigc_subject' (table expected, got string)", "x" },
      { "describe_task_detail", "bad argument #1 to 'describe_task_detail' (table expected, got number)", 5 },
      { "call", "bad argument #1 to 'call' (string expected, got table)", {} },
      { "call", "bad argument #2 to 'call' (table expected, got string)", "DescribeTaskDetail", "x" },
      { "wait_task", "bad argument #1 to 'wait_task' (string expected, got table)", {} },
      { "wait_task", "bad argument #2 to 'wait_task' (table expected, got string)", "t", "x" },
      { "build_request", "bad argument #2 to 'build_request' (table expected, got number)", "A", 5 },
      { "parse_response", "bad argument #2 to 'parse_response' (number expected, got string)", "A", "x", "" },
      { "debug", "bad argument #1 to 'debug' (string expected, got boolean)", true },
    }
    for _, c in ipairs(cases) do
      local method = client[c[1]]
      local ok, err = pcall(method, client, (table.unpack or unpack)(c, 3))
      assert.is_false(ok, c[1])
      assert.equal(c[2], type(err) == "string" and err:gsub("^[^:]*:%d+: ", "") or tostring(err))
    end
  end)

  it("name the module-level functions", function()
    assert.equal("bad argument #1 to 'new' (table expected, got number)", message(vod.new, 5))
    assert.equal("bad argument #1 to 'json_decode' (string expected, got table)",
      message(vod.json_decode, {}))
    assert.equal("bad argument #1 to 'json_encode' (value expected)", message(vod.json_encode))
    -- through the default client: the arguments count as the method's
    assert.equal("bad argument #1 to 'create_aigc_subject' (table expected, got string)",
      message(vod.create_aigc_subject, "x"))
    assert.equal("bad argument #1 to 'describe_task_detail' (table expected, got boolean)",
      message(vod.describe_task_detail, true))
    assert.equal("bad argument #1 to 'call' (string expected, got table)", message(vod.call, {}))
    assert.equal("bad argument #1 to 'wait_task' (string expected, got no value)", message(vod.wait_task))
  end)

  it("name the method in the safe form too", function()
    local safe = require "tencentcloud.vod.safe"
    local c = assert(safe.new { secret_id = "AKIDargs", secret_key = "args", endpoint = "127.0.0.1:9",
                                cvm_role = false })
    assert.equal("bad argument #1 to 'create_aigc_subject' (table expected, got string)",
      message(c.create_aigc_subject, c, "x"))
    assert.equal("bad argument #1 to 'json_decode' (string expected, got boolean)",
      message(safe.json_decode, true))
    c:close()
  end)
end)
