-- tencentcloud.vod.safe: the same functions, returning nil, err instead of
-- raising. err is the same error object (tostring(err) reads well in a log);
-- ngx_lua would log a raised table as "unknown reason", so handlers want this.
-- A programming mistake (a wrong argument type) still raises, as a string.
local vod = require "tencentcloud.vod"

local is_error, pcall, setmetatable, type, rawset = vod.is_error, pcall, setmetatable, type, rawset

local function settle(ok, ...)
  if ok then return ... end
  local err = ...
  if is_error(err) then return nil, err end
  error(err, 0)
end

local M = {}

-- A safe client wraps a raising one: safe.new(opts) -> client or nil, err.
local Client = {}
Client.__index = function(self, name)
  local method = self.client[name]
  if type(method) ~= "function" then return nil end
  local wrapped = function(s, ...) return settle(pcall(method, s.client, ...)) end
  rawset(self, name, wrapped)       -- wrap once per client and name
  return wrapped
end
Client.__tostring = function(self) return "safe " .. tostring(self.client) end

function M.new(opts)
  local ok, client = pcall(vod.new, opts)
  if not ok then return settle(false, client) end
  return setmetatable({ client = client }, Client)
end

-- the module's functions (every action through the default client, call,
-- wait_task, json_encode, ...), each wrapped on first use
setmetatable(M, { __index = function(t, name)
  local f = vod[name]
  if type(f) ~= "function" then return nil end
  local wrapped = function(...) return settle(pcall(f, ...)) end
  rawset(t, name, wrapped)
  return wrapped
end })
M.is_error = vod.is_error
M.null = vod.null
M.VERSION = vod.VERSION
M.unsafe = vod

return M
