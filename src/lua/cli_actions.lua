-- tencentcloud.vod.cli_actions: every action of the model as a `tcvod`
-- command (`tcvod CreateAigcVideoTask --SubAppId 1 ...` or in kebab-case,
-- `tcvod create-aigc-video-task ...`), with its parameters as `--Name VALUE`
-- flags, tccli's convention. What an action takes comes from the library's
-- model (vod.describe_action / vod.describe_struct); the values are parsed by
-- the model's types here, and checked at every depth by the typed method
-- when the command runs. No I/O here: errors are raised through `usage`.
local vod = require "tencentcloud.vod"

local M = {}

local KIND_TEXT = {
  query = "Kind: query: it only reads, so it is repeated after any failure.",
  create = "Kind: create: it carries a SessionId: a generated one when you give none,\n" ..
    "so a retry cannot create twice.",
  other = "Kind: other (neither a query nor a create): it is not repeated after a\n" ..
    "failure that may have reached the server.",
}

-- The kebab-case form of an action: its method name with '-' for '_'.
function M.kebab(d) return (d.method:gsub("_", "-")) end

-- The description of an action named by its API name (CreateAigcVideoTask)
-- or its kebab-case form (create-aigc-video-task); nil for anything else.
function M.resolve(name)
  if type(name) ~= "string" then return nil end
  local d
  if name:find("^%u[%w]*$") then
    d = vod.describe_action(name)
    if d and d.action ~= name then d = nil end
  elseif name:find("^%l[%l%d%-]*$") and not name:find("%-%-") and not name:find("%-$") then
    d = vod.describe_action((name:gsub("%-", "_")))
  end
  return d
end

-- Every action's API name and kebab-case form (for did-you-mean).
function M.names()
  local names = {}
  for _, a in ipairs(vod.actions()) do
    names[#names + 1] = a
    names[#names + 1] = M.kebab(vod.describe_action(a))
  end
  return names
end

function M.param(d, name)
  for _, p in ipairs(d.params) do
    if p.name == name then return p end
  end
end

-- Flag names compared for a suggestion: case, '-' and '_' do not count, so
-- --sub-app-id and --subappid both find --SubAppId.
local function norm(s) return (s:lower():gsub("[-_]", "")) end

-- The edit distance between two strings (cli_args.lua uses it too).
local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

M.distance = distance

-- " (did you mean '--X'?)" for the closest of the flag names, when close.
function M.suggest_flag(word, names)
  local w = norm(word)
  local best, bestd
  for _, n in ipairs(names) do
    local k = norm(n)
    local d = k == w and -1 or (k:sub(1, #w) == w and 0) or distance(w, k)
    if not bestd or d < bestd then best, bestd = n, d end
  end
  if best and bestd <= math.max(2, math.floor(#w / 3)) then
    return (" (did you mean '--%s'?)"):format(best)
  end
  return ""
end

local function shorten(text)
  return #text > 40 and text:sub(1, 40) .. "..." or text
end

local function integer(usage, flag, text)
  local digits = text:match("^[+-]?%d+$") and text:gsub("^%+", "")
  local n = digits and tonumber(digits)
  if not n then usage("%s must be an integer, got '%s'", flag, text) end
  if math.type then
    if math.type(n) == "integer" then return n end
  elseif ("%.0f"):format(n) == digits:gsub("^(%-?)0+(%d)", "%1%2") then
    return n
  end
  -- beyond what this Lua holds exactly (2^63 on 5.4, 2^53 on LuaJIT): never rounded
  usage("%s is out of range, got '%s'", flag, text)
end

local function number(usage, flag, text)
  local n = tonumber(text)
  if not n or not text:find("^[+-]?[%d.]") or text:find("[xX]") or n ~= n
      or n == math.huge or n == -math.huge then
    usage("%s must be a number, got '%s'", flag, text)
  end
  return n
end

-- One scalar of the model's type from its text.
local function scalar(usage, flag, p, text)
  local t = p.type
  if t == "int64" or t == "uint64" then return integer(usage, flag, text) end
  if t == "float" then return number(usage, flag, text) end
  if t == "bool" then
    if text == "true" then return true end
    if text == "false" then return false end
    usage("%s must be true or false, got '%s'", flag, text)
  end
  return text
end

local function decode(usage, flag, text)
  local ok, v = pcall(vod.json_decode, text)
  if not ok then
    usage("%s is not valid JSON: %s", flag, vod.is_error(v) and v.message or tostring(v))
  end
  return v
end

-- A structure: a JSON object (an empty one goes as {}: the typed method
-- knows from the model that it is an object).
local function structure(usage, flag, text)
  return decode(usage, flag, text)
end

-- The value of parameter p after one more `--Name text` (flag: the flag as
-- typed, for messages; default --Name); prev is what the earlier occurrences
-- gave (lists only: a scalar or structure given twice is an error).
-- usage(fmt, ...) raises a usage error.
--   scalar:            by the model's type (int64/uint64: an exact integer;
--                      float: a number; bool: true|false; string: as given)
--   structure:         a JSON object
--   list:              each occurrence adds items: a value that is a JSON
--                      array adds its items; anything else adds one item (a
--                      scalar by its type, a structure as a JSON object)
function M.value(usage, p, text, prev, flag)
  flag = flag or "--" .. p.name
  if prev ~= nil and not p.list then usage("%s is given twice", flag) end
  if not p.list then
    if not p.object then return scalar(usage, flag, p, text) end
    if not text:find("^%s*{") then
      usage("%s must be a JSON object ({...}), got '%s'", flag, shorten(text))
    end
    return structure(usage, flag, text)
  end
  local list = prev or {}
  local items
  if text:find("^%s*%[") then
    if p.object then
      items = decode(usage, flag, text)
    else
      -- a list of scalars: a value that parses as a JSON array is one;
      -- anything else (an id that starts with '[') is one item
      local ok, v = pcall(vod.json_decode, text)
      if ok and type(v) == "table" then items = v end
    end
  end
  if items then
    for i = 1, #items do list[#list + 1] = items[i] end
  elseif p.object then
    if not text:find("^%s*{") then
      usage("%s must be a JSON array of objects ([{...}, ...]) or one JSON object ({...}), got '%s'",
        flag, shorten(text))
    end
    list[#list + 1] = structure(usage, flag, text)
  else
    list[#list + 1] = scalar(usage, flag, p, text)
  end
  return list
end

-- The flags of a create (beside its parameters and the global options); the
-- defaults shown are the library's (vod.defaults().wait_task).
local WAIT_DEFAULTS = vod.defaults().wait_task
local WAIT = {
  { "wait", "flag", nil, "poll until the task ends, a progress line on stderr per poll" },
  { "interval", "number", "SECONDS", ("with --wait: time between polls (default %g)"):format(WAIT_DEFAULTS.interval) },
  { "wait-timeout", "number", "SECONDS", ("with --wait: give up after (default %g)"):format(WAIT_DEFAULTS.timeout) },
}
M.WAIT = WAIT

function M.flags(d)
  return d.kind == "create" and WAIT or {}
end

local METAVAR = { int64 = "N", uint64 = "N", float = "NUMBER", bool = "true|false", string = "TEXT" }

local function metavar(p)
  if p.object then return "JSON" end
  return METAVAR[p.type] or "VALUE"
end
M.metavar = metavar

-- ", china only" for a member that not every edition of the action has.
local function editions_note(m, d)
  if #m.editions < #d.editions then return ", " .. table.concat(m.editions, " and ") .. " only" end
  return ""
end

local function type_text(p, d)
  local t
  if p.object then
    t = p.list and ("list of %s (JSON array of objects)"):format(p.type)
      or ("%s (JSON object)"):format(p.type)
  else
    t = p.list and ("list of %s (repeat the flag, or a JSON array)"):format(p.type) or p.type
  end
  if p.required then t = t .. ", required" end
  if p.disabled then t = t .. ", deprecated" end
  return t .. editions_note(p, d)
end

local function member_type(m, d)
  local t = m.list and ("list of " .. m.type) or m.type
  if m.object then t = t .. (m.list and " (objects)" or " (object)") end
  if m.required then t = t .. ", required" end
  if m.disabled then t = t .. ", deprecated" end
  return t .. editions_note(m, d)
end

-- Required first, then the model's order (a stable split).
local function ordered(list)
  local r = {}
  for _, p in ipairs(list) do if p.required then r[#r + 1] = p end end
  for _, p in ipairs(list) do if not p.required then r[#r + 1] = p end end
  return r
end
M.ordered = ordered

local function line(left, right, width)
  if #left < width then return ("%-" .. width .. "s %s"):format(left, right) end
  return left .. "  " .. right
end

-- The parameters, required first, then the model's order; short (a list of
-- { flag, param, metavar }) adds a command's short forms beside theirs.
function M.params_text(d, short)
  local out, alias = {}, {}
  for _, a in ipairs(short or {}) do alias[a[2]] = a end
  local width = short and 44 or 34
  for _, p in ipairs(ordered(d.params)) do
    local a = alias[p.name]
    local left = a and ("  --%s %s, --%s %s"):format(p.name, a[3], a[1], a[3])
      or ("  --%s %s"):format(p.name, metavar(p))
    out[#out + 1] = line(left, type_text(p, d), width)
    if p.object then
      local s = vod.describe_struct(p.type)
      for _, m in ipairs(ordered(s and s.members or {})) do
        out[#out + 1] = line("      " .. m.name, member_type(m, d), width)
      end
    end
  end
  if #out == 0 then return "  (none)" end
  return table.concat(out, "\n")
end

local VALUES = [[
Values: int64/uint64 an integer (1, -3), float a number (0.5), bool true or
false, string as given; a structure as a JSON object ('{"Name": "x"}'); a list
as a JSON array ('[{"Id": "a"}]', '["a", "b"]'). A list of scalars also by
repeating the flag (--FileIds a --FileIds b): each value that parses as a JSON
array adds its items, any other value adds itself as one item (give an id that
is itself a JSON array text inside an array: '["[1]"]'). --Name=VALUE works too
(needed for a value that starts with --). A structure's members are shown one
level down; the library checks every parameter at every depth against the
model before anything is sent.
]]

-- The editions that have the action, and its page in each one's API Explorer
-- (the library's default site first).
function M.editions_text(d)
  local out = {}
  local default = vod.defaults().site
  if #d.editions > 1 then
    out[1] = ("Editions: %s (both sites have it)."):format(table.concat(d.editions, ", "))
  else
    out[1] = ("Editions: %s only (--site %s%s; the other edition lacks it)."):format(d.editions[1],
      d.editions[1], d.editions[1] == default and ", the default" or "")
  end
  if d.links[default] then out[#out + 1] = ("API Explorer (%s): %s"):format(default, d.links[default]) end
  for _, e in ipairs(d.editions) do
    if e ~= default then out[#out + 1] = ("API Explorer (%s): %s"):format(e, d.links[e]) end
  end
  return table.concat(out, "\n") .. "\n"
end

local WAIT_NOTE = "With --wait, the output is the finished task (DescribeTaskDetail); a create\n" ..
  "whose Response has no TaskId is printed as it is, with a note on stderr.\n"

-- `tcvod help ACTION` (typed: the name as typed), or with command (a
-- command of cli_args.lua built on the action: its synopsis, summary,
-- short forms and note) that command's help.
function M.help(d, typed, flag_lines, global_text, exit_codes, command)
  local flags = M.flags(d)
  local options = #flags > 0 and ("\nOptions:\n" .. flag_lines(flags) .. "\n" ..
    (command and command.wait_note or WAIT_NOTE)) or ""
  local head, note
  if command then
    head = ("Usage: tcvod %s\n\n%s.\nThe VOD action %s (client:%s{...} in Lua);\n" ..
      "tcvod %s takes the same flags, without the short forms.\n"):format(command.synopsis,
      (command.summary:gsub("^%l", string.upper)), d.action, d.method, d.action)
    note = command.note or ""
  else
    local also = ("   or: tcvod %s ...\n"):format(typed == d.action and M.kebab(d) or d.action)
    note = ""
    if d.action == "CreateAigcSubject" then
      also = ""       -- create-aigc-subject is the friendly command
      note = "The command create-aigc-subject takes the same flags, and short forms of\n" ..
        "them (--name, --image, ...): tcvod help create-aigc-subject.\n"
    end
    head = ("Usage: tcvod %s [--Name VALUE]... [options]\n%s\nThe VOD action %s (client:%s{...} in Lua).\n")
      :format(typed, also, d.action, d.method)
  end
  return ("%s%s\n%s\n%s" ..
    "Parameters (%s; required first, then the model's order):\n%s\n\n%s%s\n" ..
    "Global options:\n%s\n\n%s"):format(
      head, KIND_TEXT[d.kind] or d.kind, M.editions_text(d), note ~= "" and (note .. "\n") or "", d.input,
      M.params_text(d, command and command.short), VALUES, options, global_text, exit_codes)
end

-- The list of every action for `tcvod help`: one a line, API name and kebab-case.
function M.list_text()
  local out = {}
  for _, a in ipairs(vod.actions()) do
    local d = vod.describe_action(a)
    local k = M.kebab(d)
    if a == "CreateAigcSubject" then k = "(create-aigc-subject is the command above)" end
    out[#out + 1] = line("  " .. a, k, 44)
  end
  return #out, table.concat(out, "\n")
end

return M
