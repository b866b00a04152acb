-- The project's Lua files are one source for Lua 5.1, 5.2, 5.3, 5.4 and
-- LuaJIT 2.1. This spec runs on each of them (spec/run.sh), so each one
-- compiles every file itself; it also refuses what compiles everywhere but
-- means something else on one of them, or is missing there:
--   * string escapes \x, \z and \u{...}: Lua 5.1 reads "\x41" as "x41"
--   * names that only some versions have (table.unpack, math.type, utf8,
--     package.searchpath, bit32, ..., and 5.1's unpack, setfenv, loadstring)
--     unless the file tests the name before relying on it ("math.type and",
--     "if math.type then", "table.unpack or unpack").
-- Busted's own penlight adds table.unpack, table.pack and package.searchpath
-- to plain Lua 5.1, so a spec passing there proves nothing about them: this
-- check does. src/lua/ngx.lua runs in OpenResty's LuaJIT only: not here.
local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/spec/portable_spec%.lua$")) or "."

local function ls(pattern)
  local out = {}
  local p = io.popen("cd '" .. ROOT .. "' && ls " .. pattern .. " 2>/dev/null")
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

local FILES = {}
for _, pattern in ipairs { "src/lua/*.lua", "bin/tcvod", "examples/*.lua", "spec/*.lua", "spec/support/*.lua",
                           "spec/tools/*.lua" } do
  for _, f in ipairs(ls(pattern)) do
    if f ~= "src/lua/ngx.lua" then FILES[#FILES + 1] = f end
  end
end

local function read(f)
  local h = assert(io.open(ROOT .. "/" .. f, "rb"))
  local s = h:read("*a")
  h:close()
  return s
end

-- names some versions lack: the Lua pattern that finds a use, and the name a
-- guard tests
local PARTIAL = {
  { "table%.unpack", "table.unpack" }, { "table%.pack", "table.pack" }, { "table%.move", "table.move" },
  { "math%.type", "math.type" }, { "math%.tointeger", "math.tointeger" }, { "math%.ult", "math.ult" },
  { "math%.maxinteger", "math.maxinteger" }, { "math%.mininteger", "math.mininteger" },
  { "utf8%.", "utf8" }, { "string%.pack", "string.pack" }, { "string%.unpack", "string.unpack" },
  { "package%.searchpath", "package.searchpath" }, { "bit32%.", "bit32" }, { "bit%.", "bit" },
  { "coroutine%.isyieldable", "coroutine.isyieldable" }, { "coroutine%.close", "coroutine.close" },
  { "rawlen%(", "rawlen" }, { "warn%(", "warn" },
  -- Lua 5.1's (and LuaJIT's), gone from 5.2 or 5.3
  { "unpack%(", "unpack" }, { "setfenv%(", "setfenv" }, { "getfenv%(", "getfenv" },
  { "loadstring%(", "loadstring" }, { "math%.pow%(", "math.pow" }, { "table%.getn%(", "table.getn" },
  { "table%.maxn%(", "table.maxn" }, { "module%(", "module" },
}

local function escaped(s) return (s:gsub("%p", "%%%0")) end

-- the file tests `name` somewhere: "name and", "name or", "name then", "not name", "name ~= nil"
local function guarded(text, name)
  local n = escaped(name)
  for _, g in ipairs { n .. "%s+and%f[%W]", n .. "%s+or%f[%W]", n .. "%s+then%f[%W]", "not%s+" .. n .. "%f[^%w_.]",
                       n .. "%s*[~=]=%s*nil" } do
    if text:find(g) then return true end
  end
  return false
end

-- uses of a name outside comments, not as a field of something else
-- ("x.unpack(" is not unpack; "table.unpack(" is not a bare unpack)
local function uses(text, pattern)
  local found = {}
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local code = line:gsub("%-%-.*$", "")
    local at = 1
    while true do
      local s, e = code:find(pattern, at)
      if not s then break end
      local before = s > 1 and code:sub(s - 1, s - 1) or ""
      if not before:find("[%w_.:]") then found[#found + 1] = n end
      at = e + 1
    end
  end
  return found
end

describe("the Lua files run on every interpreter (" .. (jit and jit.version or _VERSION) .. ")", function()
  it("there are files to check", function()
    assert.is_true(#FILES >= 40, "found " .. #FILES)
  end)

  it("every file compiles here", function()
    for _, f in ipairs(FILES) do
      local fn, err = loadfile(ROOT .. "/" .. f)
      assert(fn, err)
    end
  end)

  it("no \\x, \\z or \\u escapes (Lua 5.1 reads \"\\x41\" as \"x41\")", function()
    for _, f in ipairs(FILES) do
      local text, n = read(f), 0
      for line in (text .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        for run, c in line:gsub("%-%-.*$", ""):gmatch("(\\+)([xzu])") do
          assert(#run % 2 == 0, ("%s:%d: the escape \\%s does not mean the same on Lua 5.1"):format(f, n, c))
        end
      end
    end
  end)

  it("names only some versions have are tested before use", function()
    for _, f in ipairs(FILES) do
      -- this file names them all as data
      local text = f == "spec/portable_spec.lua" and "" or read(f)
      for _, p in ipairs(PARTIAL) do
        local lines = uses(text, p[1])
        if #lines > 0 and not guarded(text, p[2]) then
          error(("%s:%d: %s is not on every interpreter: test it first (e.g. '%s or ...')")
            :format(f, lines[1], p[2], p[2]), 0)
        end
      end
    end
  end)

  it("the check finds what it is for", function()
    assert.same({ 1 }, uses("local t = table.unpack(x)", "table%.unpack"))
    assert.same({}, uses("-- table.unpack(x)", "table%.unpack"))
    assert.same({}, uses("local u = table.unpack(x)", "unpack%("))
    assert.same({ 2 }, uses("local a\nlocal u = unpack(x)", "unpack%("))
    assert.is_false(guarded("local t = table.unpack(x)", "table.unpack"))
    assert.is_true(guarded("local u = table.unpack or unpack", "table.unpack"))
    assert.is_true(guarded("if math.type then return math.type(n) end", "math.type"))
    assert.is_true(guarded("local i = math.tointeger and math.tointeger(7) or 7", "math.tointeger"))
    assert.is_false(guarded("local big = math.typed", "math.type"))
  end)
end)
