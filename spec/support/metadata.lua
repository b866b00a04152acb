-- Test support: the fake CVM metadata service (spec/fake_vod/metadata.py),
-- started once per Lua state and stopped when it closes.
local cjson = require "cjson"
local http = require "socket.http"
local ltn12 = require "ltn12"

local M = {}
local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/metadata%.lua$")) or "spec"
local info

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function M.start()
  if info then return info end
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  assert(os.execute(("python3 '%s/fake_vod/metadata.py' --port-file '%s/port.json' >'%s/log' 2>&1 &")
    :format(spec_dir, dir, dir)))
  local p
  for _ = 1, 200 do
    local s = read_file(dir .. "/port.json")
    if s and s ~= "" then p = cjson.decode(s) break end
    os.execute("sleep 0.05")
  end
  assert(p, "the fake metadata service did not start; see " .. dir .. "/log")
  info = { dir = dir, port = p.port, pid = p.pid }
  local stopper = function() os.execute("kill " .. p.pid .. " 2>/dev/null; rm -rf '" .. dir .. "'") end
  if newproxy then                                      -- LuaJIT: __gc on a proxy
    local g = newproxy(true)
    getmetatable(g).__gc = stopper
    info.stopper = g
  else
    info.stopper = setmetatable({}, { __gc = stopper })
  end
  return info
end

-- The base URL to give as metadata_url.
function M.url()
  return ("http://127.0.0.1:%d/latest/meta-data/"):format(M.start().port)
end

local function control(method, path, body)
  local out = {}
  local src = body and cjson.encode(body) or ""
  local ok, code = http.request {
    url = ("http://127.0.0.1:%d/_control/%s"):format(M.start().port, path),
    method = method,
    source = ltn12.source.string(src),
    headers = { ["content-type"] = "application/json", ["content-length"] = #src },
    sink = ltn12.sink.table(out),
  }
  assert(ok and code == 200, "metadata control " .. path .. " failed: " .. tostring(code))
  return cjson.decode(table.concat(out))
end

function M.reset() return control("POST", "reset", {}) end
function M.config(t) return control("POST", "config", t) end
function M.stats() return control("GET", "stats") end

-- A loopback port where nothing listens (bound, then closed).
function M.closed_port()
  local socket = require "socket"
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return port
end

return M
