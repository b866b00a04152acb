-- `luarocks test`: the rockspec's test section (type "command") runs this
-- script, from the top of the checkout, with the tree's interpreter (lua5.4;
-- luajit when luarocks is configured with lua_interpreter = "luajit").
--
-- It runs the busted specs (`.busted`: everything but the real-nginx specs)
-- against the rock installed in a tree, with Debian's busted (lua-busted), so
-- no rock server is needed. luarocks tells a test command nothing about
-- `--tree`, so the tree is named by VOD_TREE; without it, the module is taken
-- from the usual paths (LUA_PATH/LUA_CPATH, e.g. after
-- `eval "$(luarocks --tree DIR path)"`, or an install into /usr/local).
-- One fake endpoint serves the run, unless FAKE_VOD_DIR names a running one.
-- Arguments go to busted (`luarocks test ROCKSPEC -- spec/json_spec.lua`).
--
--   VOD_TREE=build/tree54 luarocks --lua-version 5.4 test rockspec/tencentcloud-vod-*.rockspec

local function die(...)
  io.stderr:write("luarocks test: ", ...)
  io.stderr:write("\n")
  os.exit(2)
end

-- the second stage: busted itself, in a fresh interpreter with the paths set
if arg[1] == "--busted" then
  table.remove(arg, 1)
  require("busted.runner")({ standalone = false })
  return
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function shell_line(cmd)
  local f = io.popen(cmd)
  local out = f:read("*l")
  f:close()
  return out
end

-- the interpreter running this script (luarocks gives its full path)
local lo = 0
while arg[lo - 1] do lo = lo - 1 end
local interp = arg[lo]
local ver = _VERSION:match("%d+%.%d+")      -- "5.1" on LuaJIT

-- package.searchpath, which plain Lua 5.1 lacks
local searchpath = package.searchpath or function(name, templates)
  local file = name:gsub("%.", "/")
  for t in templates:gmatch("[^;]+") do
    local f = io.open((t:gsub("%?", file)), "r")
    if f then
      f:close()
      return (t:gsub("%?", file))
    end
  end
end

local path, cpath = package.path, package.cpath
local tree = os.getenv("VOD_TREE")
if tree and tree ~= "" then
  tree = shell_line("cd " .. q(tree) .. " 2>/dev/null && pwd")
    or die("VOD_TREE: no such directory: ", os.getenv("VOD_TREE"))
  path = ("%s/share/lua/%s/?.lua;%s/share/lua/%s/?/init.lua;"):format(tree, ver, tree, ver) .. path
  cpath = ("%s/lib/lua/%s/?.so;"):format(tree, ver) .. cpath
end

local so = searchpath("tencentcloud.vod", cpath)
if not so then
  die("tencentcloud.vod is not installed ", tree and ("in " .. tree) or "on the module paths",
      ": install the rock first (luarocks make), and name its tree with VOD_TREE=DIR")
end
if tree and so:sub(1, #tree + 1) ~= tree .. "/" then
  die("tencentcloud.vod is found at ", so, ", not in ", tree)
end
local lua_file = searchpath("tencentcloud.vod.safe", path)
if not lua_file then die("the rock's Lua files (tencentcloud/vod/*.lua) are not on the paths") end
io.stderr:write(("luarocks test: %s, tencentcloud.vod from %s\n"):format(jit and jit.version or _VERSION, so))

local env = "LUA_PATH=" .. q(path) .. " LUA_CPATH=" .. q(cpath)
if ver ~= "5.1" then
  -- Lua 5.2+ reads LUA_PATH_5_x first: set it too, or a value from the
  -- environment would hide this one
  local v = ver:gsub("%.", "_")
  env = env .. (" LUA_PATH_%s=%s LUA_CPATH_%s=%s"):format(v, q(path), v, q(cpath))
end
local cmd = { env, q(interp), q(arg[0]), "--busted" }
for i = 1, #arg do cmd[#cmd + 1] = q(arg[i]) end
cmd = table.concat(cmd, " ")

-- One fake endpoint for the whole run, as spec/run.sh does, stopped when the
-- run ends (spec/tools/fake.sh). Left to the specs, each busted process would
-- start its own and leave it running: busted exits without closing the Lua
-- state, so the specs' stop-at-exit finalizers never run.
local fake = os.getenv("FAKE_VOD_DIR")
if not fake or fake == "" then
  local root = arg[0]:match("^(.*)/spec/tools/[^/]+$") or "."
  local dir = shell_line("mktemp -d") or die("mktemp failed")
  cmd = ("cd %s && . spec/tools/fake.sh && start_fake %s && export FAKE_VOD_DIR=%s && %s; "
         .. "rc=$?; kill $FAKE_PID 2>/dev/null; wait $FAKE_PID 2>/dev/null; rm -rf %s; exit $rc")
        :format(q(root), q(dir), q(dir), cmd, q(dir))
end

local a, b, c = os.execute(cmd)
local code
if type(a) == "number" then code = a >= 256 and a / 256 or a      -- Lua 5.1
else code = (b == "exit" and c) or (a and 0 or 1) end
os.exit(code == 0 and 0 or 1)
