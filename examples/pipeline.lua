-- From a subject to a video, end to end: creates an AIGC subject from
-- reference images and waits for it; starts a Vidu video task whose prompt
-- refers to the subject as [@hero]; receives the task's completion as an
-- event through consume_events (the API's reliable notifications, PULL
-- mode), and prints the video's URL. Progress is shown all the way.
--
--   TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... lua5.4 examples/pipeline.lua
--
-- VOD_ENDPOINT (host[:port]), VOD_SCHEME and VOD_CA_FILE point it elsewhere,
-- e.g. at the local fake endpoint (examples/run-demo.sh, `make demo`, does
-- that); VOD_SUB_APP_ID names the application (default 221073). The
-- application's events must be in PULL mode (ModifyEventConfig).
local vod = require "tencentcloud.vod"

local function env(name) local v = os.getenv(name) if v ~= "" then return v end end
local function say(fmt, ...) io.stderr:write(("  ... " .. fmt .. "\n"):format(...)) end

local ok, err = pcall(function()
  local client = vod.new {
    endpoint = env("VOD_ENDPOINT"),        -- nil: vod.intl.tencentcloudapi.com
    scheme = env("VOD_SCHEME"),            -- nil: https
    ca_file = env("VOD_CA_FILE"),          -- nil: the system's trust store
  }
  local sub_app_id = tonumber(env("VOD_SUB_APP_ID") or "221073")
  local interval = tonumber(env("VOD_POLL_INTERVAL") or "2")
  local started = os.time()

  -- 1. the subject: there is no event for it, so its task is polled
  local s = client:create_aigc_subject {
    SubAppId = sub_app_id, SubjectName = "hero",
    SubjectImages = { "https://example.com/hero-front.png", "https://example.com/hero-side.png" },
  }
  print("subject task: " .. s.TaskId)
  local subject = client:wait_task(s.TaskId, {
    SubAppId = sub_app_id, interval = interval, timeout = 600,
    progress = function(t) say("subject %s after %ds", t.Status, os.time() - started) end,
  })
  local subject_id = subject.CreateAigcSubjectTask.Output.SubjectId
  print("SubjectId:    " .. subject_id)

  -- 2. the video: Vidu refers to the subject by its Name in the prompt
  local v = client:create_aigc_video_task {
    SubAppId = sub_app_id, ModelName = "Vidu", ModelVersion = "q2",
    Prompt = "[@hero] waves at the camera, then walks into the sunset",
    SubjectInfos = { { Id = subject_id, Name = "hero" } },
    OutputConfig = { Duration = 5 },
  }
  print("video task:   " .. v.TaskId)

  -- 3. its completion, as an event: at least once, so the handler is keyed
  -- by TaskId and harmless when an event comes twice
  local finished, last = {}, nil
  local n = client:consume_events(function(event)
    local done = event.AigcVideoCompleteEvent
    finished[done.TaskId] = done                -- the same record, however often it comes
    if done.TaskId ~= v.TaskId then say("(another task's completion: %s)", done.TaskId) end
    return true                                 -- confirm it
  end, {
    SubAppId = sub_app_id,
    types = { AigcVideoTaskComplete = true },   -- the others are confirmed untouched
    timeout = 900,
    -- asked before every pull (a long poll: the API holds it while no event
    -- is ready): ours has come, or show where the task stands
    stop = function()
      if finished[v.TaskId] then return true end
      local t = client:describe_task_detail { TaskId = v.TaskId, SubAppId = sub_app_id }
      local line = ("video %s %d%%"):format(t.Status, t.AigcVideoTask.Progress or 0)
      -- (a FINISH seen here is the event's news, on its way)
      if line ~= last and t.Status ~= "FINISH" then say("%s after %ds", line, os.time() - started) end
      last = line
      return false
    end,
  })
  local done = finished[v.TaskId]
  if not done then error("no completion event within 900 s (" .. n .. " events handled)") end
  -- a member the API answers as null is absent (nil) here: read them as
  -- wait_task does (no ErrCode, no ErrCodeExt: no error)
  if (done.ErrCode or 0) ~= 0 or (done.ErrCodeExt or "") ~= "" then
    error(("the video task failed: %s: %s"):format(tostring(done.ErrCodeExt or done.ErrCode),
      tostring(done.Message)))
  end
  local file = done.Output and done.Output.FileInfos and done.Output.FileInfos[1]
  if not file then error("the video task finished without a file") end
  say("video %s, by an event after %ds", done.Status, os.time() - started)
  print("video URL:    " .. file.FileUrl)
end)

if not ok then
  io.stderr:write("failed: " .. tostring(err) .. "\n")
  os.exit(1)
end
