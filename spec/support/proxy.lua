-- Test support: the loopback forward proxy (spec/support/proxy.py), started
-- once per Lua state with a certificate from the fake endpoint's CA, and its
-- control listener (what it saw: connections, CONNECT targets, SOCKS
-- targets, whether credentials were presented).
local cjson = require "cjson"
local http = require "socket.http"
local ltn12 = require "ltn12"
local fake = require "support.fake"

local M = {}

M.USER = "proxyuser"
M.PASSWORD = "pr0xy:p@ss w0rd"                 -- what the proxy expects
M.PASSWORD_URL = "pr0xy%3Ap%40ss%20w0rd"       -- the same, percent-encoded for a URL

local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/proxy%.lua$")) or "spec"
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
  local f = fake.start()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  assert(os.execute(("python3 '%s/support/proxy.py' --dir '%s' --cert '%s/server.pem' --key '%s/server.key' "
    .. ">'%s/proxy.log' 2>&1 &"):format(spec_dir, dir, f.dir, f.dir, dir)))
  local ports
  for _ = 1, 200 do
    local s = read_file(dir .. "/proxy.json")
    if s and s ~= "" then ports = cjson.decode(s) break end
    os.execute("sleep 0.05")
  end
  assert(ports, "the test proxy did not start; see " .. dir .. "/proxy.log")
  local stopper = function() os.execute("kill " .. ports.pid .. " 2>/dev/null") end
  info = { dir = dir, ports = ports }
  if newproxy then                                    -- LuaJIT: __gc on a proxy
    local p = newproxy(true)
    getmetatable(p).__gc = stopper
    info.stopper = p
  else
    info.stopper = setmetatable({}, { __gc = stopper })
  end
  return info
end

function M.port(kind) return ("%d"):format(M.start().ports[kind]) end

-- The proxy URL of one listener: "http", "http_auth", "https", "https_auth",
-- "socks5", "socks5_auth", "refuse", "gateway". creds: true for the right
-- ones, a "user:password" string for others.
function M.url(kind, creds)
  local scheme = kind:match("^socks5") and "socks5" or kind:match("^https") and "https" or "http"
  local userinfo = ""
  if creds == true then userinfo = M.USER .. ":" .. M.PASSWORD_URL .. "@"
  elseif creds then userinfo = creds .. "@" end
  return ("%s://%s127.0.0.1:%s"):format(scheme, userinfo, M.port(kind))
end

local function control(method, path)
  local out = {}
  local ok, code = http.request {
    url = "http://127.0.0.1:" .. M.port("control") .. "/" .. path, method = method,
    source = ltn12.source.string(""), headers = { ["content-length"] = 0 },
    sink = ltn12.sink.table(out),
  }
  assert(ok and code == 200, "proxy control " .. path .. " failed: " .. tostring(code))
  return cjson.decode(table.concat(out))
end

function M.reset() return control("POST", "reset") end
-- { kind = { connections = n, requests = { { method, target, auth, atyp }... } } }
function M.stats() return control("GET", "stats") end

-- A closed port on loopback: a proxy that cannot be reached.
function M.dead_port()
  local socket = require "socket"
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, p = s:getsockname()
  s:close()
  return p
end

return M
