-- The same fault gives the same error on every transport: one matrix of
-- faults (spec/nginx/faults.lua) from a scripted server on loopback, met by
-- plain Lua on every interpreter built (Lua 5.4 and LuaJIT at least, each in
-- its own process, through libcurl's connections) and by nginx's cosockets;
-- the error objects are compared field by field (code, retryable, ambiguous,
-- attempts, http_status) with what the error table of
-- docs/errors-and-retries.md says, and the answers where the call succeeds. The engine
-- that decides is one (src/binding/call/engine.c): this is how we know the
-- two drivers only move bytes.
local cjson = require "cjson"
local socket = require "socket"
local rawhttp = require "support.rawhttp"
local process = require "support.process"
local nginx = require "support.nginx"
local faults = require "nginx.faults"

local root = nginx.root

-- the plain-Lua interpreters with a tree built by spec/tools/build.sh
local function interpreters()
  local out = {}
  for _, it in ipairs {
    { "lua5.4", "build/tree54", "5.4" }, { "luajit", "build/treejit", "5.1" },
    { "lua5.3", "build/tree53", "5.3" }, { "lua5.2", "build/tree52", "5.2" },
    { "lua5.1", "build/tree51", "5.1" },
  } do
    local so = root .. "/" .. it[2] .. "/lib/lua/" .. it[3] .. "/tencentcloud/vod.so"
    if process.read_file(so) ~= nil then out[#out + 1] = it end
  end
  return out
end

local function plain(it, port, i)
  local cmd = ("cd '%s' && LUA_CPATH='%s/%s/lib/lua/%s/?.so;;' LUA_PATH='%s/%s/share/lua/%s/?.lua;;' "
    .. "%s spec/support/fault_call.lua %s %d 2>&1"):format(root, root, it[2], it[3], root, it[2], it[3],
    it[1], port, i)
  local out = nginx.sh(cmd)
  local ok, t = pcall(cjson.decode, out)
  assert(ok and type(t) == "table", it[1] .. ": " .. out)
  return t
end

local function fields(t)
  local out = {}
  for _, f in ipairs(faults.FIELDS) do out[f] = t[f] end
  return out
end

describe("one fault, one error, on every transport #nginx", function()
  local server, port

  setup(function()
    rawhttp.start()
    port = rawhttp.port()
    server = nginx.start { prefix = root .. "/build/nginx-faults", values = { PROXY_ENV = "http://127.0.0.1:9" } }
  end)

  teardown(function() server.stop() end)

  local its = interpreters()

  it("runs on Lua 5.4, LuaJIT and nginx at least", function()
    local names = {}
    for _, it in ipairs(its) do names[it[1]] = true end
    assert.is_true(names["lua5.4"] and names["luajit"])
  end)

  for i, f in ipairs(faults.FAULTS) do
    it(f[1], function()
      local got = {}
      local function one(name, t)
        rawhttp.reset()
        got[#got + 1] = { name, fields(t) }
      end
      for _, it in ipairs(its) do
        rawhttp.reset()
        assert(process.control(("http://127.0.0.1:%d/mode"):format(rawhttp.start().ports.control), "POST",
          { mode = f[2] }))
        one(it[1], plain(it, port, i))
      end
      rawhttp.reset()
      -- nginx keeps connections of earlier calls in its pool: closed, and noticed
      process.control(("http://127.0.0.1:%d/drop"):format(rawhttp.start().ports.control), "POST", {})
      socket.sleep(0.2)
      process.control(("http://127.0.0.1:%d/mode"):format(rawhttp.start().ports.control), "POST", { mode = f[2] })
      local body = server.get(("/faults?port=%s&i=%d"):format(port, i))
      local ok, t = pcall(cjson.decode, body or "")
      assert(ok and type(t) == "table", "nginx: " .. tostring(body))
      one("nginx", t)
      for k = 1, #got do
        assert.same(f[5], got[k][2], got[k][1] .. " on " .. f[1])
      end
    end)
  end
end)
