-- A process that uploads a file with a checkpoint, for the resume spec
-- (spec/upload_spec.lua), which kills it with SIGKILL in the middle:
--   lua spec/support/upload_child.lua FILE CHECKPOINT
-- with the fake's endpoints in VOD_EP and VOD_COS_EP. Prints "done" at the end.
local vod = require "tencentcloud.vod"
local c = vod.new {
  secret_id = "AKIDEXAMPLEFAKEVOD0000000000000000", secret_key = "fakeVodSecretKeyEXAMPLE0000000000",
  endpoint = os.getenv("VOD_EP"), scheme = "http", cos_endpoint = "http://" .. os.getenv("VOD_COS_EP"),
  rate_limit = false, cvm_role = false,
}
c:upload({ MediaFilePath = arg[1], SubAppId = 221073 },
  { checkpoint = arg[2], part_size = 1048576, concurrency = 2 })
print("done")
