-- Test support: the scripted HTTP/1.1 server (spec/support/rawhttp.py),
-- started once per Lua state, and a plain-HTTP client of it.
local fake = require "support.fake"
local process = require "support.process"
local vod = require "tencentcloud.vod"

local M = {}

local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/rawhttp%.lua$")) or "spec"
local info

function M.start()
  if info then return info end
  info = process.helper(function(dir)
    return ("python3 '%s/support/rawhttp.py' --dir '%s'"):format(spec_dir, dir)
  end, "rawhttp.json", "the scripted HTTP server")
  return info
end

local function control(method, path, body)
  return process.control(("http://127.0.0.1:%d/%s"):format(M.start().ports.control, path), method, body)
end

function M.reset() return control("POST", "reset", {}) end
-- the next answers' modes, in order (see rawhttp.py), then "normal"
function M.script(modes) return control("POST", "script", { modes = modes }) end
-- { connections = n, requests = { { conn = i, head = "...", body = n }... } }
function M.stats() return control("GET", "stats") end
function M.port() return ("%d"):format(M.start().ports.port) end

function M.client(opts)
  local o = { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, endpoint = "127.0.0.1:" .. M.port(),
              scheme = "http", retries = false, rate_limit = false, cvm_role = false, timeout = 5 }
  for k, v in pairs(opts or {}) do o[k] = v end
  return vod.new(o)
end

return M
