-- Test support: the fake CVM metadata service (spec/fake_vod/metadata.py),
-- started once per Lua state and stopped when it closes.
local process = require "support.process"

local M = {}
local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/metadata%.lua$")) or "spec"
local info

function M.start()
  if info then return info end
  info = process.helper(function(dir)
    return ("python3 '%s/fake_vod/metadata.py' --port-file '%s/port.json'"):format(spec_dir, dir)
  end, "port.json", "the fake metadata service")
  info.port = info.ports.port
  return info
end

-- The base URL to give as metadata_url.
function M.url()
  return ("http://127.0.0.1:%d/latest/meta-data/"):format(M.start().port)
end

local function control(method, path, body)
  return process.control(("http://127.0.0.1:%d/_control/%s"):format(M.start().port, path), method, body)
end

function M.reset() return control("POST", "reset", {}) end
function M.config(t) return control("POST", "config", t) end
function M.stats() return control("GET", "stats") end

-- A loopback port where nothing listens.
M.closed_port = process.free_port

return M
