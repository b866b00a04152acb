-- Creates an AIGC subject from a reference image, waits for the task, and
-- prints the TaskId and the SubjectId.
--
--   TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... lua5.4 examples/create_subject.lua
--
-- VOD_ENDPOINT (host[:port]), VOD_SCHEME and VOD_CA_FILE point it elsewhere,
-- e.g. at the local fake endpoint (examples/run-demo.sh does that).
local vod = require "tencentcloud.vod"

local function env(name) local v = os.getenv(name) if v ~= "" then return v end end

local ok, err = pcall(function()
  local client = vod.new {
    endpoint = env("VOD_ENDPOINT"),        -- nil: vod.intl.tencentcloudapi.com
    scheme = env("VOD_SCHEME"),            -- nil: https
    ca_file = env("VOD_CA_FILE"),          -- nil: the system's trust store
  }
  local sub_app_id = tonumber(env("VOD_SUB_APP_ID") or "221073")

  local res = client:create_aigc_subject {
    SubAppId = sub_app_id,
    SubjectName = "hero",
    SubjectImages = { "https://example.com/hero.png" },
    TasksPriority = 10,
  }
  print("TaskId:    " .. res.TaskId .. "  (RequestId " .. res.RequestId .. ")")

  local started = os.time()
  local task = client:wait_task(res.TaskId, {
    SubAppId = sub_app_id,
    interval = tonumber(env("VOD_POLL_INTERVAL") or "2"),
    timeout = 600,
    progress = function(t)
      io.stderr:write(("  ... task %s after %ds\n"):format(t.Status, os.time() - started))
    end,
  })
  print("SubjectId: " .. task.CreateAigcSubjectTask.Output.SubjectId)
end)

if not ok then
  io.stderr:write("failed: " .. tostring(err) .. "\n")
  os.exit(1)
end
