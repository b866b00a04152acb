-- One fault of the matrix in a plain Lua process (spec/faults_spec.lua):
--   lua spec/support/fault_call.lua PORT INDEX
-- prints the fields compared, as JSON, on one line.
package.path = "spec/nginx/?.lua;" .. package.path
local vod = require "tencentcloud.vod"
local faults = require "faults"
local t = faults.call(vod, tonumber(arg[1]), tonumber(arg[2]))
io.write(vod.json_encode(t), "\n")
