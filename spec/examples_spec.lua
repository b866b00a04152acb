-- The plain-Lua examples, run by the interpreter under test against the fake
-- endpoint and its COS: examples/pipeline.lua (what `make demo` runs) and
-- examples/create_subject.lua. (The OpenResty and command-line examples are
-- run by nginx_spec.lua and cli_spec.lua.)
local fake = require "support.fake"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function slurp(p)
  local f = assert(io.open(p))
  local s = f:read("*a")
  f:close()
  os.remove(p)
  return s
end

-- Runs examples/<script> with the fake's credentials and CA; its stdout, stderr.
local function run_example(script, poll_interval)
  local info = fake.start()
  local out, err = os.tmpname(), os.tmpname()
  local cmd = ("env -u TENCENTCLOUD_SESSION_TOKEN -u VOD_IMAGE TENCENTCLOUD_SECRET_ID=%s TENCENTCLOUD_SECRET_KEY=%s "
    .. "VOD_ENDPOINT=127.0.0.1:%d VOD_CA_FILE=%s VOD_COS_ENDPOINT=https://127.0.0.1:%d VOD_POLL_INTERVAL=%s "
    .. "LUA_CPATH=%s LUA_PATH=%s %s examples/%s >%s 2>%s")
    :format(fake.SECRET_ID, fake.SECRET_KEY, info.ports.https, q(info.ca), info.ports.cos_https, poll_interval,
      q(package.cpath), q(package.path), q(fake.interpreter()), script, q(out), q(err))
  local ok = os.execute(cmd)
  local stdout, stderr = slurp(out), slurp(err)
  assert.truthy(ok == true or ok == 0, stdout .. stderr)
  return stdout, stderr
end

describe("examples/create_subject.lua", function()
  it("creates a subject, shows progress, prints the TaskId and the SubjectId", function()
    fake.reset()
    local stdout, stderr = run_example("create_subject.lua", "0.05")
    assert.truthy(stdout:find("^TaskId:    221073%-CreateAigcSubject%-%x+  %(RequestId [%w-]+%)\n"), stdout)
    assert.truthy(stdout:find("\nSubjectId: subj%-%x+\n$"), stdout)
    assert.truthy(stderr:find("  ... task PROCESSING after %d+s\n"), stderr)
    assert.equal(1, fake.stats().actions.CreateAigcSubject)
  end)
end)

describe("examples/pipeline.lua", function()
  it("a file uploaded, a subject from it, a video, the completion by an event: progress all the way, then the URL", function()
    fake.reset()
    fake.config { subject_seconds = 0.3, video_seconds = 1, pull_wait = 0.2 }
    local stdout, stderr = run_example("pipeline.lua", "0.1")
    local file_id, image_url, subject_task, subject_id, video_task, url = stdout:match(
      "^FileId:       (%d+)\nimage URL:    (%S+)\n"
      .. "subject task: (221073%-CreateAigcSubject%-%x+)\nSubjectId:    (subj%-%x+)\n"
      .. "video task:   (221073%-AigcVideoTask%-%x+)\nvideo URL:    (%S+)\n$")
    assert.truthy(subject_task, stdout)
    assert.equal("https://fake-vod.example/aigc/" .. video_task .. ".mp4", url)
    -- the image went in whole: the fake serves it back, byte for byte
    local png = assert(io.open("examples/hero.png", "rb"))
    local want = png:read("*a")
    png:close()
    assert.equal("\137PNG\r\n\26\n", want:sub(1, 8))
    assert.truthy(image_url:match("^http://127%.0%.0%.1:%d+/media/221073/%x+/f0%.png$"), image_url)
    local got, code = require("socket.http").request(image_url)
    assert.equal(200, code)
    assert.is_true(want == got)
    assert.truthy(file_id)
    assert.truthy(stderr:find(("^  %%.%%.%%. upload media %d/%d bytes after %%d+s\n"):format(#want, #want)), stderr)
    assert.truthy(stderr:find("  ... subject PROCESSING after %d+s\n"), stderr)
    assert.truthy(stderr:find("  ... subject FINISH after %d+s\n"), stderr)
    assert.truthy(stderr:find("  ... video %u+ %d+%% after %d+s\n"), stderr)
    assert.truthy(stderr:find("  ... video FINISH, by an event after %d+s\n$"), stderr)
    local s = fake.stats()
    assert.equal(1, s.actions.ApplyUpload)
    assert.equal(1, s.actions.CommitUpload)
    assert.equal(1, s.actions.CreateAigcSubject)
    assert.equal(1, s.actions.CreateAigcVideoTask)
    assert.equal(1, s.actions.ConfirmEvents)
    local video_body, subject_body, apply_body
    for _, r in ipairs(fake.requests()) do
      if r.action == "CreateAigcVideoTask" then video_body = fake.decode(r.body) end
      if r.action == "CreateAigcSubject" then subject_body = fake.decode(r.body) end
      if r.action == "ApplyUpload" then apply_body = fake.decode(r.body) end
    end
    -- the upload's type and name from the file's; the subject made from its URL
    assert.same({ MediaType = "png", MediaName = "hero", SubAppId = 221073 }, apply_body)
    assert.same({ image_url }, subject_body.SubjectImages)
    -- the video task names the subject, and its prompt refers to it
    assert.equal(subject_id, video_body.SubjectInfos[1].Id)
    assert.equal("hero", video_body.SubjectInfos[1].Name)
    assert.truthy(video_body.Prompt:find("[@hero]", 1, true))
  end)
end)
