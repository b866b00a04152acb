-- The library's entry of the upload benchmark, run by bench/upload/harness.py
-- (pinned to CPU 1, measured from outside: CPU, wall time, peak RSS):
-- client:upload of one file to the fake endpoint and its COS, with the
-- upload's defaults (4 parts in parallel, 8 MiB parts). client:upload does
-- ApplyUpload, the bytes to COS and CommitUpload; the harness then checks the
-- object in the fake's ledger and that the session was committed.
--   BENCH_FAKE_HTTP=127.0.0.1:PORT   the fake's API (http)
--   BENCH_COS_HTTP=127.0.0.1:PORT    its COS (cos_http)
--   BENCH_FILE                       the file
-- Prints one JSON object. Exit status 3 with {"available": "false", ...}
-- when this build of the library has no client:upload (the harness then
-- reports the entry as not available, not as a figure).
local vod = require "tencentcloud.vod"
local json = dofile((arg[0]:match("^(.*)/upload/[^/]*$") or "bench") .. "/json_out.lua")

local FAKE = assert(os.getenv("BENCH_FAKE_HTTP"), "BENCH_FAKE_HTTP")
local COS = assert(os.getenv("BENCH_COS_HTTP"), "BENCH_COS_HTTP")
local FILE = assert(os.getenv("BENCH_FILE"), "BENCH_FILE")
local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"

local interpreter = rawget(_G, "jit") and jit.version or _VERSION

local function options(extra)
  local o = { secret_id = ID, secret_key = KEY, endpoint = FAKE, scheme = "http", rate_limit = false }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local probe = vod.new(options())
if probe.upload == nil then
  print(json({ available = "false", interpreter = interpreter,
               reason = "this build of the library has no client:upload" }, 0))
  os.exit(3)
end

local client = vod.new(options { cos_endpoint = "http://" .. COS })
local answer = client:upload { MediaFilePath = FILE, MediaType = "mp4" }
assert(type(answer) == "table" and answer.FileId, "client:upload: no FileId in its answer")
print(json({ available = "true", interpreter = interpreter, FileId = answer.FileId,
             MediaUrl = answer.MediaUrl }, 0))
