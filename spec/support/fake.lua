-- Test support: the fake VOD endpoint (spec/fake_vod/server.py), its control
-- API, and clients pointed at it. The runner (spec/run.sh) starts one server
-- for the whole run and exports FAKE_VOD_DIR; run alone, busted starts its own.
local cjson = require "cjson"
local process = require "support.process"

local M = {}

M.SECRET_ID = "AKIDEXAMPLEFAKEVOD0000000000000000"
M.SECRET_KEY = "fakeVodSecretKeyEXAMPLE0000000000"
M.TMP_SECRET_ID = "AKIDEXAMPLETMPVOD0000000000000000"
M.TMP_SECRET_KEY = "fakeVodTmpKeyEXAMPLE000000000000"
M.TOKEN = "fakeVodTokenEXAMPLE"

local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/support/fake%.lua$")) or "spec"

local info

function M.start()
  if info then return info end
  local dir = os.getenv("FAKE_VOD_DIR")
  local own = not dir or dir == ""
  if own then
    dir = process.tmpdir()
    process.background(("python3 '%s/fake_vod/server.py' --dir '%s'"):format(spec_dir, dir),
      dir .. "/server.log")
  end
  local ports = process.wait_json(dir .. "/ports.json", "the fake endpoint", dir .. "/server.log")
  info = { dir = dir, ports = ports, ca = dir .. "/ca.pem", own = own }
  if own then process.stop_at_exit(info, "kill " .. ports.pid .. " 2>/dev/null") end
  return info
end

-- The endpoint ("127.0.0.1:port") of one of the fake's listeners:
-- "http", "https", "https_wrong_host" or "https_untrusted".
function M.endpoint(kind)
  return ("127.0.0.1:%d"):format(M.start().ports[kind or "http"])
end

local function control(method, path, body)
  return process.control("http://" .. M.endpoint("http") .. "/_control/" .. path, method, body)
end

-- The same through a curl process: for measurements (the soak's memory) that
-- must not count this harness's own allocations (LuaSocket's POST path grows
-- LuaJIT's heap by about 1 KB a call).
function M.control_external(path, body)
  local json = cjson.encode(body)
  assert(not json:find("'", 1, true))
  -- env -u LD_PRELOAD: under the sanitizer run, curl must not load its runtime
  local ok = os.execute(("env -u LD_PRELOAD curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "
    .. "--data-binary '%s' http://%s/_control/%s"):format(json, M.endpoint("http"), path))
  assert(ok == true or ok == 0, "control " .. path .. " failed")
end

function M.reset() return control("POST", "reset", {}) end
function M.config(t) return control("POST", "config", t) end
function M.fault(t) return control("POST", "fault", t) end
-- The fake COS (spec/fake_vod/README.md): its fault, and its ledger
-- ("requests", "uploads", "objects", "sessions").
function M.cos_fault(t) return control("POST", "cos/fault", t) end
function M.cos_get(what) return control("GET", "cos/" .. what) end
function M.stats() return control("GET", "stats") end
function M.last() return control("GET", "last") end
function M.requests() return control("GET", "requests") end
function M.control_get(path) return control("GET", path) end

-- A client for the fake endpoint: kind "http" (default) or an https listener.
function M.client(opts, kind)
  local vod = require "tencentcloud.vod"
  kind = kind or "http"
  local o = {
    secret_id = M.SECRET_ID, secret_key = M.SECRET_KEY,
    endpoint = M.endpoint(kind), timeout = 10, connect_timeout = 5,
  }
  if kind == "http" then o.scheme = "http" else o.ca_file = M.start().ca end
  for k, v in pairs(opts or {}) do
    if v == M.NONE then o[k] = nil else o[k] = v end
  end
  return vod.new(o)
end

M.NONE = setmetatable({}, { __tostring = function() return "NONE" end })

-- Runs f and returns the error object it raised (fails if it did not raise).
function M.raises(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error, got success")
  return err
end

M.decode = cjson.decode

-- The interpreter running the specs (lua5.4 or luajit), for child processes.
function M.interpreter()
  local exe = "lua"
  for i = -1, -10, -1 do
    if arg[i] == nil then break end
    exe = arg[i]
  end
  return exe
end

return M
