-- One line for bench/run.sh: the time `require "tencentcloud.vod"` takes in a
-- fresh process (CPU seconds, with dlopen of libcurl and mbedTLS), and the
-- memory it adds: the Lua heap and the resident set.
local function rss()
  local f = io.open("/proc/self/statm")
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("^%d+ (%d+)")) * 4
end
collectgarbage()
collectgarbage()
local r0, g0 = rss(), collectgarbage("count")
local t0 = os.clock()
require "tencentcloud.vod"
local t1 = os.clock()
collectgarbage()
collectgarbage()
print(("%.3f %.0f %d"):format((t1 - t0) * 1000, collectgarbage("count") - g0, rss() - r0))
