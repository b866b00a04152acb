-- Test support: the loopback forward proxy (spec/support/proxy.py), started
-- once per Lua state with a certificate from the fake endpoint's CA, and its
-- control listener (what it saw: connections, CONNECT targets, SOCKS
-- targets, whether credentials were presented).
local fake = require "support.fake"
local process = require "support.process"

local M = {}

M.USER = "proxyuser"
M.PASSWORD = "pr0xy:p@ss w0rd"                 -- what the proxy expects
M.PASSWORD_URL = "pr0xy%3Ap%40ss%20w0rd"       -- the same, percent-encoded for a URL

local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/proxy%.lua$")) or "spec"
local info

function M.start()
  if info then return info end
  local f = fake.start()
  info = process.helper(function(dir)
    return ("python3 '%s/support/proxy.py' --dir '%s' --cert '%s/server.pem' --key '%s/server.key'")
      :format(spec_dir, dir, f.dir, f.dir)
  end, "proxy.json", "the test proxy")
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
  return process.control("http://127.0.0.1:" .. M.port("control") .. "/" .. path, method)
end

function M.reset() return control("POST", "reset") end
-- { kind = { connections = n, requests = { { method, target, auth, atyp }... } } }
function M.stats() return control("GET", "stats") end

-- A closed port on loopback: a proxy that cannot be reached.
M.dead_port = process.free_port

return M
