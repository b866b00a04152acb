-- Test support: the test nginx (spec/nginx/nginx.conf.in, one worker) on a
-- free loopback port, pointed at the fake endpoint and the LuaJIT tree in
-- VOD_JIT_TREE (default build/treejit).
local fake = require "support.fake"
local process = require "support.process"
local http = require "socket.http"
local socket = require "socket"

local M = {}

-- Runs a shell command; its output and error output.
function M.sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("*a")
  p:close()
  return out
end

M.root = M.sh("pwd"):gsub("%s+$", "")
M.tree = os.getenv("VOD_JIT_TREE") or (M.root .. "/build/treejit")

-- start { prefix = dir, env = "env ...", strip_env = true, values = {...},
--         template = "nginx.conf.in" (a file of spec/nginx) }
-- renders the template into prefix (strip_env drops its `env` directives,
-- values adds placeholders), starts nginx with the env command in front,
-- waits for /plain. Returns { port, h2_port (HTTP/2 without TLS, where the
-- template listens on it), prefix, get(path), stop() }.
function M.start(o)
  local info = fake.start()
  local prefix = o.prefix
  local s = { port = process.free_port(), h2_port = process.free_port(), prefix = prefix }
  function s.get(path) return http.request("http://127.0.0.1:" .. s.port .. path) end
  function s.stop() M.sh("nginx -p '" .. prefix .. "' -c '" .. prefix .. "/nginx.conf' -s stop") end
  M.sh("rm -rf '" .. prefix .. "' && mkdir -p '" .. prefix .. "/tmp'")
  local conf = assert(process.read_file(M.root .. "/spec/nginx/" .. (o.template or "nginx.conf.in")))
  if o.strip_env then conf = conf:gsub("\nenv [^\n]*;", "") end
  local values = {
    USER = M.sh("id -u"):match("^0") and "user root;" or "",
    PREFIX = prefix, SPEC = M.root .. "/spec", PORT = tostring(s.port), H2_PORT = tostring(s.h2_port),
    CA = info.ca,
    LUA_PATH = M.tree .. "/share/lua/5.1/?.lua", LUA_CPATH = M.tree .. "/lib/lua/5.1/?.so",
    HTTP = ("%d"):format(info.ports.http), HTTPS = ("%d"):format(info.ports.https),
    WRONG = ("%d"):format(info.ports.https_wrong_host),
    UNTRUSTED = ("%d"):format(info.ports.https_untrusted),
    COS_HTTP = ("%d"):format(info.ports.cos_http),
    WORKERS = "1", FLEET = "nil",
  }
  for k, v in pairs(o.values or {}) do values[k] = v end
  conf = conf:gsub("@([A-Z0-9_]+)@", function(k) return assert(values[k], k) end)
  local f = assert(io.open(prefix .. "/nginx.conf", "w"))
  f:write(conf)
  f:close()
  local out = M.sh(("%s nginx -p '%s' -c '%s/nginx.conf' -e '%s/error.log'")
    :format(o.env or "", prefix, prefix, prefix))
  for _ = 1, 100 do
    if s.get("/plain") == "ok\n" then break end
    socket.sleep(0.05)
  end
  assert(s.get("/plain") == "ok\n", "nginx did not start: " .. out .. M.sh("cat '" .. prefix .. "/error.log'"))
  return s
end

return M
