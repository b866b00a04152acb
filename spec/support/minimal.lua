-- A minimal well-formed request for an action, built from the model as the
-- library describes it (vod.describe_action / describe_struct): the required
-- members only, at every depth, each with a value of its JSON type; a list
-- gets one item. Integers are integers, so the encoding of every type shows.
local vod = require "tencentcloud.vod"

local M = {}

local SCALAR = {
  int64 = function() return math.tointeger and math.tointeger(-7) or -7 end,
  uint64 = function() return math.tointeger and math.tointeger(7) or 7 end,
  float = function() return 1.5 end,
  string = function() return "x" end,
  bool = function() return true end,
}

local function value(member, depth)
  assert(depth < 32, "the model is acyclic")
  local one
  if member.object then
    one = M.struct(member.type, depth + 1)
  else
    one = assert(SCALAR[member.type], member.type)()
  end
  if member.list then return { one } end
  return one
end

-- The minimal table for a structure.
function M.struct(name, depth)
  local s = assert(vod.describe_struct(name), name)
  local t = {}
  for _, m in ipairs(s.members) do
    if m.required then t[m.name] = value(m, depth or 0) end
  end
  return t
end

-- The minimal table for an action's request, and the description.
function M.request(action)
  local d = assert(vod.describe_action(action), action)
  return M.struct(d.input), d
end

-- Some member of the structure (a required one if any), with a path down to
-- the deepest structure reachable through required members: for malformed
-- requests at depth. Returns the path as a list of names and 1-based indexes.
function M.deep_path(name)
  local path, s = {}, vod.describe_struct(name)
  while true do
    local next_member
    for _, m in ipairs(s.members) do
      if m.required and m.object then next_member = m break end
    end
    if not next_member then return path, s end
    path[#path + 1] = next_member.name
    if next_member.list then path[#path + 1] = 1 end
    s = vod.describe_struct(next_member.type)
  end
end

return M
