-- Test support shared by the helpers that run loopback processes (the fake
-- endpoint, the fake metadata service, the test proxy, nginx): reading a
-- file, a free port, starting a helper and waiting for the JSON file it
-- writes when it listens, stopping it with the Lua state, its control API.
local cjson = require "cjson"
local http = require "socket.http"
local ltn12 = require "ltn12"
local socket = require "socket"

local M = {}

-- The file's contents, or nil when it cannot be read.
function M.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- A loopback port where nothing listens (bound, then closed).
function M.free_port()
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, p = s:getsockname()
  s:close()
  return tonumber(p)
end

-- package.searchpath(name, path), which plain Lua 5.1 lacks: the first file
-- of the path's templates that opens, or nil.
function M.searchpath(name, path)
  local file = name:gsub("%.", "/")
  for template in path:gmatch("[^;]+") do
    local candidate = template:gsub("%?", file)
    local f = io.open(candidate, "rb")
    if f then
      f:close()
      return candidate
    end
  end
  return nil
end

-- A new empty directory.
function M.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  return dir
end

-- Waits up to 10 s for the helper's JSON file and returns it decoded; what
-- names the helper in the failure, log is where its output went.
function M.wait_json(path, what, log)
  for _ = 1, 200 do
    local s = M.read_file(path)
    if s and s ~= "" then return cjson.decode(s) end
    socket.sleep(0.05)
  end
  error(what .. " did not start; see " .. log)
end

-- This Lua process's pid (the process that reads /proc/self is this one).
function M.pid()
  local stat = M.read_file("/proc/self/stat")
  return assert(tonumber(stat and stat:match("^(%d+)")), "no /proc/self/stat")
end

-- Runs cmd in the background (its output to log), stopped when this Lua
-- process ends however it ends: busted exits without closing the Lua state,
-- so a __gc guard alone would leave helpers running.
function M.background(cmd, log)
  local watched = ("%s >'%s' 2>&1 & child=$!; trap 'kill $child 2>/dev/null' EXIT; "
    .. "while kill -0 %d 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done")
    :format(cmd, log, M.pid())
  assert(os.execute(("sh -c '%s' >/dev/null 2>&1 &"):format(watched:gsub("'", "'\\''"))))
end

-- Starts a background command (its output to log) and waits for its JSON file.
function M.spawn(cmd, json_path, what, log)
  M.background(cmd, log)
  return M.wait_json(json_path, what, log)
end

-- Runs shell command stop when this Lua state closes (info keeps the guard).
function M.stop_at_exit(info, stop)
  local stopper = function() os.execute(stop) end
  if newproxy then                                      -- LuaJIT: __gc on a proxy
    local g = newproxy(true)
    getmetatable(g).__gc = stopper
    info.stopper = g
  else
    info.stopper = setmetatable({}, { __gc = stopper })
  end
end

-- Starts a loopback helper in a new directory: command(dir) gives its shell
-- command, which writes dir/json_name once it listens (with its "pid").
-- Returns { dir = dir, ports = that JSON }; the helper is killed and the
-- directory removed when this Lua state closes.
function M.helper(command, json_name, what)
  local dir = M.tmpdir()
  local ports = M.spawn(command(dir), dir .. "/" .. json_name, what, dir .. "/log")
  local info = { dir = dir, ports = ports }
  M.stop_at_exit(info, ("kill %d 2>/dev/null; rm -rf '%s'"):format(ports.pid, dir))
  return info
end

-- A JSON request to a helper's control API; asserts a 200, returns the decoded body.
function M.control(url, method, body)
  local out = {}
  local src = body and cjson.encode(body) or ""
  local ok, code = http.request {
    url = url, method = method,
    source = ltn12.source.string(src),
    headers = { ["content-type"] = "application/json", ["content-length"] = #src },
    sink = ltn12.sink.table(out),
  }
  assert(ok and code == 200, "control " .. url .. " failed: " .. tostring(code))
  return cjson.decode(table.concat(out))
end

return M
