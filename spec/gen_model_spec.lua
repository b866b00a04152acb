-- tools/gen_model.py, the generator of the model's C tables and of
-- docs/reference.md: the committed outputs are current, and the union of the
-- API's two editions follows its rules, shown on two small models of its own.
local cjson = require "cjson"
local process = require "support.process"

local read = process.read_file

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Runs the generator with args; returns its exit status, stdout, stderr.
local function gen(args, dir)
  local out, err = dir .. "/gen.out", dir .. "/gen.err"
  local cmd = "python3 tools/gen_model.py"
  for _, a in ipairs(args) do cmd = cmd .. " " .. q(a) end
  local ok, _, code = os.execute(("%s >%s 2>%s"):format(cmd, q(out), q(err)))
  if type(ok) == "number" then code = ok / 256 end      -- Lua 5.1: the wait status
  return code, read(out), read(err)
end

local function write_json(path, t)
  local f = assert(io.open(path, "wb"))
  f:write(cjson.encode(t))
  f:close()
end

local function member(name, type_, member_, required)
  return { name = name, type = type_, member = member_, required = required }
end

-- Two editions of a two-action API: Act in both, OnlyA in the first only,
-- OnlyB in the second only.
local function models()
  local task = { DescribeTaskDetailResponse = { members = {
      member("SomeTask", "object", "SomeTask", false) } },
    SomeTask = { members = { member("TaskId", "string", "string", false) } } }
  local function with(objects)
    for k, v in pairs(task) do objects[k] = v end
    return objects
  end
  local a = { service = "vod", version = "2018-07-17",
    actions = { Act = { input = "ActRequest" }, OnlyA = { input = "OnlyARequest" } },
    objects = with {
      ActRequest = { members = {
        member("Both", "string", "string", true),
        member("ReqA", "int", "int64", true),
        member("OnlyInA", "list", "string", true),
        member("Nested", "object", "Shared", false) } },
      Shared = { members = { member("X", "float", "float", true) } },
      OnlyARequest = { members = { member("Flag", "bool", "bool", true) } } } }
  local b = { service = "vod", version = "2018-07-17",
    actions = { Act = { input = "ActRequest" }, OnlyB = { input = "OnlyBRequest" } },
    objects = with {
      ActRequest = { members = {
        member("Both", "string", "string", true),
        member("ReqA", "int", "int64", false),
        member("Nested", "object", "Shared", false),
        member("OnlyInB", "int", "uint64", true) } },
      Shared = { members = { member("X", "float", "float", true), member("Y", "string", "string", false) } },
      OnlyBRequest = { members = { member("Id", "string", "string", false) } } } }
  return a, b
end

describe("tools/gen_model.py", function()
  local dir
  before_each(function() dir = process.tmpdir() end)
  after_each(function() os.execute("rm -rf " .. q(dir)) end)

  it("--check: the committed outputs are what the two editions' models give", function()
    local code, out, err = gen({ "--check" }, dir)
    assert.equal(0, code, err)
    assert.equal("gen_model.py --check: up to date (237 actions (china 231, intl 223; query 67, "
      .. "create 30, other 140), 558 request-side structures, 2573 fields)\n", out)
  end)

  it("takes the union: every action with its editions, the members of both", function()
    local a, b = models()
    write_json(dir .. "/a.json", a)
    write_json(dir .. "/b.json", b)
    local code, out, err = gen({ "--china", dir .. "/a.json", "--intl", dir .. "/b.json", "--root", dir }, dir)
    assert.equal(0, code, err)
    assert.truthy(out:find("3 actions (china 2, intl 2;", 1, true), out)
    local c = assert(read(dir .. "/src/model/vod_model_data.c"))
    local function row(name)
      local r = c:match("\n    (%{[^\n]-%}), /%* " .. name .. " %*/\n")
      return assert(r, name .. " not in:\n" .. c)
    end
    -- actions: name, method, input, kind, editions
    assert.truthy(row("Act"):find("VOD_MA_OTHER, VOD_ED_ALL }$"), row("Act"))
    assert.truthy(row("OnlyA"):find("VOD_MA_OTHER, VOD_ED_CHINA }$"), row("OnlyA"))
    assert.truthy(row("OnlyB"):find("VOD_MA_OTHER, VOD_ED_INTL }$"), row("OnlyB"))
    -- fields: name, type, flags, ref, order, editions
    local function field(name)
      local t, flags, order, eds = row(name):match("^{%s*%d+, (VOD_MT_%u+),%s+([%w_|]+),%s+%d+,%s+(%d+), ([%w_|]+) }$")
      assert(t, row(name))
      return { t, flags, tonumber(order), eds }
    end
    assert.same({ "VOD_MT_STRING", "VOD_MF_REQUIRED", 0, "VOD_ED_ALL" }, field("Both"))
    -- required in one edition, optional in the other: optional
    assert.same({ "VOD_MT_INT", "0", 1, "VOD_ED_ALL" }, field("ReqA"))
    -- required in the only edition that has it, in a structure both have: optional
    assert.same({ "VOD_MT_STRING", "VOD_MF_LIST", 2, "VOD_ED_CHINA" }, field("OnlyInA"))
    assert.same({ "VOD_MT_UINT", "0", 4, "VOD_ED_INTL" }, field("OnlyInB"))   -- after the first's
    assert.same({ "VOD_MT_FLOAT", "VOD_MF_REQUIRED", 0, "VOD_ED_ALL" }, field("X"))
    assert.same({ "VOD_MT_STRING", "0", 1, "VOD_ED_INTL" }, field("Y"))
    -- a structure one edition has keeps its required members
    assert.same({ "VOD_MT_BOOL", "VOD_MF_REQUIRED", 0, "VOD_ED_CHINA" }, field("Flag"))
    assert.truthy(c:find('"china\\0" "intl\\0"', 1, true))

    local md = assert(read(dir .. "/docs/reference.md"))
    assert.truthy(md:find("| `ReqA` | integer (int64) |  | required in the Chinese edition |", 1, true), md)
    assert.truthy(md:find("| `OnlyInA` | list of string |  | only in the Chinese edition; required in "
      .. "the Chinese edition |", 1, true), md)
    assert.truthy(md:find("| `OnlyInB` | integer (uint64) |  | only in the international edition; "
      .. "required in the international edition |", 1, true), md)
    assert.truthy(md:find("| `Flag` | boolean | yes |  |", 1, true), md)   -- the action's editions: no note
    assert.truthy(md:find("optional here (3, noted below)", 1, true), md)
    assert.truthy(md:find("### What the Chinese edition lacks\n\n1 action, which only the international "
      .. "edition has: [`OnlyB`](#only_b).", 1, true), md)
    assert.truthy(md:find("Editions: `china`. API Explorer: [Chinese](https://console.cloud.tencent.com/api/"
      .. "explorer?Product=vod&Version=2018-07-17&Action=OnlyA).", 1, true), md)
    assert.truthy(md:find("Editions: `china`, `intl`. API Explorer: [international](https://console."
      .. "tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17&Action=Act), [Chinese](https://"
      .. "console.cloud.tencent.com/api/explorer?Product=vod&Version=2018-07-17&Action=Act).", 1, true), md)
  end)

  it("refuses a member whose type differs between the editions, naming it", function()
    local a, b = models()
    b.objects.ActRequest.members[2] = member("ReqA", "int", "uint64", false)
    write_json(dir .. "/a.json", a)
    write_json(dir .. "/b.json", b)
    local code, out, err = gen({ "--china", dir .. "/a.json", "--intl", dir .. "/b.json", "--root", dir }, dir)
    assert.equal(2, code, out)
    assert.equal("gen_model.py: ActRequest.ReqA is int of int64 in one edition and int of uint64 in intl: "
      .. "the union cannot hold both types\n", err)
    assert.is_nil(read(dir .. "/src/model/vod_model_data.c"))
  end)

  it("--differences lists what differs between the two editions' models", function()
    local code, out, err = gen({ "--differences" }, dir)
    assert.equal(0, code, err)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.equal(47, #lines)
    assert.truthy(lines[2]:find("^actions only in intl %(6%): CloneCDNDomain, CreateCDNDomain, "), lines[2])
    assert.truthy(out:find("\nrequest SearchMediaRequest.KnowledgeBases: only in china (list string)\n", 1, true))
    -- the union's only kind of difference in these models: members one edition lacks
    assert.is_nil(out:find(": type ", 1, true))
    assert.is_nil(out:find(": required ", 1, true))
  end)
end)
