-- The README documents every option, method, module function and error code
-- the library has: the lists are read from the source and from a live client,
-- so a new option or code without its line in the README fails here.
local vod = require "tencentcloud.vod"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local readme = read("README.md")

-- The README's text between a heading line and the next heading of the same
-- or a higher level.
local function section(heading)
  local level, title = heading:match("^(#+) (.*)$")
  local start = assert(readme:find("\n" .. heading .. "\n", 1, true), "README has no heading " .. heading)
  local rest = readme:sub(start + #heading + 2)
  local stop = #rest + 1
  for pos, hashes in rest:gmatch("()\n(#+) ") do
    if #hashes <= #level then stop = pos; break end
  end
  return rest:sub(1, stop - 1), title
end

local function missing(list, text, pattern)
  local out = {}
  for _, name in ipairs(list) do
    if not text:find(pattern:format(name), 1, true) then out[#out + 1] = name end
  end
  return out
end

describe("the README documents", function()
  it("every option vod.new accepts, in the options table", function()
    local src = read("src/binding/config/options.c")
    local block = assert(src:match("NAMES%[%]%s*=%s*(%b{})"), "options.c: NAMES not found")
    local names = {}
    for name in block:gmatch('"([%w_]+)"') do names[#names + 1] = name end
    assert.is_true(#names >= 15)
    local text = section("## `vod.new(opts)`: options")
    assert.same({}, missing(names, text, "`%s`"), "options missing from the README's table")
  end)

  it("every client method, in the methods table", function()
    local client = vod.new { secret_id = "AKIDdocs", secret_key = "docs", endpoint = "127.0.0.1:9" }
    local names, typed = {}, {}
    for name in pairs(getmetatable(client).__index) do
      -- the API's actions are generated from the model, and so is their reference
      if vod.describe_action(name) then typed[#typed + 1] = name else names[#names + 1] = name end
    end
    table.sort(names)
    table.sort(typed)
    assert.is_true(#names >= 10)
    assert.equal(237, #typed)
    local text = section("## Methods")
    assert.same({}, missing(names, text, "client:%s("), "methods missing from the README's table")
    assert.same({}, missing(typed, read("docs/reference.md"), "[`%s`](#"),
      "actions missing from docs/reference.md")
    client:close()
  end)

  it("every public module function and value", function()
    local names = {}
    for name in pairs(vod) do
      -- the API's actions through the default client: as the client's methods
      if not name:match("^_") and not vod.describe_action(name) then names[#names + 1] = name end
    end
    table.sort(names)
    assert.same({}, missing(names, readme, "vod.%s"), "module fields missing from the README")
  end)

  it("every ClientError code, in the codes table", function()
    local codes, seen = {}, {}
    for _, file in ipairs { "src/binding/base/errors.h", "src/lua/ngx.lua", "src/lua/safe.lua" } do
      for code in read(file):gmatch("ClientError%.(%a+)") do
        if not seen[code] then seen[code] = true; codes[#codes + 1] = code end
      end
    end
    assert.is_true(#codes >= 15)
    local text = section("## Errors")
    assert.same({}, missing(codes, text, "| `ClientError.%s` |"), "codes missing from the README's table")
  end)
end)
