-- The documentation (README.md and docs/) names every option, method, module
-- function and error code the library has: the lists are read from the source
-- and from a live client, so a new option or code without its line in the
-- docs fails here. Every relative link of the docs leads to a file and a
-- heading that exist.
local vod = require "tencentcloud.vod"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- A file's text between a heading line and the next heading of the same or a
-- higher level.
local function section(path, heading)
  local doc = read(path)
  local level = heading:match("^(#+) ")
  local start = assert(doc:find("\n" .. heading .. "\n", 1, true), path .. " has no heading " .. heading)
  local rest = doc:sub(start + #heading + 2)
  local stop = #rest + 1
  local fenced = false
  for line_start, line in rest:gmatch("()([^\n]*)\n") do
    if line:match("^```") then fenced = not fenced end
    local hashes = not fenced and line:match("^(#+) ")
    if hashes and #hashes <= #level then stop = line_start; break end
  end
  return rest:sub(1, stop - 1)
end

local function missing(list, text, pattern)
  local out = {}
  for _, name in ipairs(list) do
    if not text:find(pattern:format(name), 1, true) then out[#out + 1] = name end
  end
  return out
end

describe("the docs document", function()
  it("every option vod.new accepts, in docs/configuration.md's options table", function()
    local src = read("src/binding/config/options.c")
    local block = assert(src:match("NAMES%[%]%s*=%s*(%b{})"), "options.c: NAMES not found")
    local names = {}
    for name in block:gmatch('"([%w_]+)"') do names[#names + 1] = name end
    assert.is_true(#names >= 15)
    local text = section("docs/configuration.md", "## Options")
    assert.same({}, missing(names, text, "`%s`"), "options missing from docs/configuration.md's table")
  end)

  it("every client method, in docs/api.md's client methods", function()
    local client = vod.new { secret_id = "AKIDdocs", secret_key = "docs", endpoint = "127.0.0.1:9" }
    local names, typed = {}, {}
    for name in pairs(getmetatable(client).__index) do
      -- the API's actions are generated from the model, and so is their reference
      if vod.describe_action(name) then
        typed[#typed + 1] = name
      else
        names[#names + 1] = name
      end
    end
    table.sort(names)
    table.sort(typed)
    assert.is_true(#names >= 10)
    assert.equal(237, #typed)
    local text = section("docs/api.md", "## Client methods")
    assert.same({}, missing(names, text, "client:%s("), "methods missing from docs/api.md")
    -- and each has its own heading and syntax: line
    local out = {}
    for _, name in ipairs(names) do
      if not (text:find("\n### " .. name .. "\n", 1, true)
              and text:find("`syntax: [^`\n]*client:" .. name .. "%(")) then
        out[#out + 1] = name
      end
    end
    assert.same({}, out, "methods without a ### heading and a syntax: line in docs/api.md")
    assert.same({}, missing(typed, read("docs/reference.md"), "[`%s`](#"),
      "actions missing from docs/reference.md")
    client:close()
  end)

  it("every public module function and value, in docs/api.md's module functions", function()
    local names = {}
    for name in pairs(vod) do
      -- the API's actions through the default client: as the client's methods
      if not vod.describe_action(name) then
        names[#names + 1] = name
      end
    end
    table.sort(names)
    assert.is_true(#names >= 15)
    local text = section("docs/api.md", "## Module functions")
    assert.same({}, missing(names, text, "vod.%s"), "module fields missing from docs/api.md")
  end)

  it("every ClientError code, in docs/errors-and-retries.md's table", function()
    local codes, seen = {}, {}
    for _, file in ipairs { "src/binding/base/errors.h", "src/lua/ngx.lua", "src/lua/safe.lua" } do
      for code in read(file):gmatch("ClientError%.(%a+)") do
        if not seen[code] then seen[code] = true; codes[#codes + 1] = code end
      end
    end
    assert.is_true(#codes >= 15)
    local text = section("docs/errors-and-retries.md", "## Error codes")
    assert.same({}, missing(codes, text, "| `ClientError.%s` |"),
      "codes missing from docs/errors-and-retries.md's table")
  end)
end)

describe("the README's install", function()
  -- the documented install list is spec/tools/deps.sh's (which the release
  -- rock's check holds the installs to): the README names the same packages
  local function set(name)
    local p = assert(io.popen("sh spec/tools/deps.sh list " .. name))
    local out = {}
    for line in p:lines() do out[#out + 1] = line end
    p:close()
    table.sort(out)
    return out
  end
  local install = section("README.md", "## Install")

  it("names exactly the rock's build packages and Lua 5.4's in its apt-get line", function()
    local line = assert(install:match("sudo apt%-get install %-y ([^`]-)%s*#"), "an apt-get line")
    local got = {}
    for w in line:gsub("\\", " "):gmatch("%S+") do got[#got + 1] = w end
    table.sort(got)
    local want = set("rock")
    for _, p in ipairs(set("rock-5.4")) do want[#want + 1] = p end
    table.sort(want)
    assert.same(want, got)
  end)

  it("names each interpreter's packages in its table", function()
    for _, it in ipairs { { "5.4", "5%.4" }, { "5.3", "5%.3" }, { "5.2", "5%.2" }, { "5.1", "5%.1" },
                          { "jit", "LuaJIT 2%.1, OpenResty" } } do
      local cell = assert(install:match("\n| " .. it[2] .. " | ([^|]+) |"), it[1])
      local got = {}
      for w in cell:gmatch("[%w%.%-]+") do got[#got + 1] = w end
      table.sort(got)
      assert.same(set("rock-" .. it[1]), got)
    end
  end)
end)

describe("the docs' links", function()
  -- GitHub's anchor for a heading: lower case, punctuation dropped (but - and _),
  -- spaces as dashes
  local function slug(heading)
    return (heading:lower():gsub("[^%w%s_%-]", ""):gsub("%s", "-"))
  end

  local function anchors(path)
    local set, fenced = {}, false
    for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
      if line:match("^```") then fenced = not fenced end
      local title = not fenced and line:match("^#+ (.+)$")
      if title then set[slug(title)] = true end
    end
    return set
  end

  local function exists(path)
    local f = io.open(path, "rb")
    if f then f:close() end
    return f ~= nil
  end

  it("lead to files and headings that exist", function()
    local files = { "README.md" }
    local p = io.popen("ls docs/*.md")
    for name in p:lines() do files[#files + 1] = name end
    p:close()
    assert.is_true(#files >= 9)
    local broken, count = {}, 0
    for _, file in ipairs(files) do
      local dir = file:match("^(.*)/") or "."
      local text, fenced = {}, false
      for line in (read(file) .. "\n"):gmatch("([^\n]*)\n") do   -- links outside code blocks
        if line:match("^```") then fenced = not fenced elseif not fenced then text[#text + 1] = line end
      end
      for target in table.concat(text, "\n"):gmatch("%]%(([^)%s]+)%)") do
        if not target:match("^%a+:") then
          count = count + 1
          local path, anchor = target:match("^([^#]*)#?(.*)$")
          path = path == "" and file or (dir .. "/" .. path)
          if not exists(path) then
            broken[#broken + 1] = file .. ": " .. target
          elseif anchor ~= "" and path:match("%.md$") and not anchors(path)[anchor] then
            broken[#broken + 1] = file .. ": " .. target .. " (no such heading)"
          end
        end
      end
    end
    assert.is_true(count >= 50)
    assert.same({}, broken)
  end)
end)
