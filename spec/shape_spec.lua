-- The fake endpoint answers in the API's shape: every answer of every action
-- it implements, walked against the output structures of the model files
-- (model/*.json, read here with lua-cjson: nothing of the fake's code or of
-- the client's model tables is used to know what to expect).
--
-- The real API answers with every member of the output structure, null where
-- a member does not apply (the other task types' fields of DescribeTaskDetail,
-- the other events' fields of an EventContent, a MediaMetaData's unknown
-- members). A walk fails on a missing member, a member the structure does not
-- have, a null where the model says `required`, or a non-null value of
-- another type than the model's, at every depth where the answer has an
-- object or a list of objects.
--
-- Each call is the client's own, without its I/O: client:build_request
-- checks, encodes and signs, LuaSocket carries the bytes, and
-- client:parse_response gives what a user receives. The client's codec
-- leaves null members out of its tables (Lua tables cannot hold nil), so the
-- presence of a null member is read from the raw body; the walk checks that
-- the client's table is the raw answer without its null members, and takes
-- the types from the client's table (lua-cjson 2.1.0 reads every number as a
-- float on Lua 5.4).
--
-- The implemented actions come from the fake (GET /_control/actions); one
-- that the lifecycle below does not drive is called with a request built
-- from the model (its required members, values taken from earlier requests
-- and answers by name, the fake's example request of it laid over them), so
-- an action added to the fake later is walked too.
local cjson = require "cjson"
local http = require "socket.http"
local ltn12 = require "ltn12"
local socket = require "socket"
local fake = require "support.fake"
local process = require "support.process"
local vod = require "tencentcloud.vod"

local null = cjson.null
local SUB = 221073              -- tasks
local SUB_EVENTS = 221074       -- the events part: its own queue

local spec_dir = (debug.getinfo(1, "S").source:match("^@(.*)/shape_spec%.lua$")) or "spec"

-- The model: the union of the model files in model/ (one per edition; a
-- structure in several has the members of all, and a member's value passes
-- if it has the type of one of its descriptions).
local function load_model()
  local dir = spec_dir .. "/../model"
  local structs, outputs, inputs, files = {}, {}, {}, 0
  local ls = assert(io.popen("ls '" .. dir .. "'"))
  for file in ls:lines() do
    if file:match("%.json$") then
      local f = assert(io.open(dir .. "/" .. file))
      local data = cjson.decode(f:read("*a"))
      f:close()
      if type(data.actions) == "table" and type(data.objects) == "table" then
        files = files + 1
        for name, a in pairs(data.actions) do
          outputs[name], inputs[name] = a.output, a.input
        end
        for name, s in pairs(data.objects) do
          local st = structs[name]
          if not st then
            st = { order = {}, members = {} }
            structs[name] = st
          end
          for _, m in ipairs(s.members) do
            if not st.members[m.name] then
              st.order[#st.order + 1] = m.name
              st.members[m.name] = {}
            end
            table.insert(st.members[m.name], m)
          end
        end
      end
    end
  end
  ls:close()
  assert(files > 0, "no model file in " .. dir)
  return { structs = structs, outputs = outputs, inputs = inputs }
end

local M = load_model()

-- == the walk ==================================================================
local function is_integer(v)
  if math.type then return math.type(v) == "integer" end
  return type(v) == "number" and v == math.floor(v) and v > -2 ^ 63 and v < 2 ^ 63
end

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

local function is_object(t)
  if type(t) ~= "table" then return false end
  for k in pairs(t) do
    if type(k) ~= "string" then return false end
  end
  return true
end

local function join(path, name)
  return path == "" and name or path .. "." .. name
end

local function describe_value(v)
  if v == null then return "null" end
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

local walk_object

-- A scalar of the model's kind (int64, uint64, float, string, datetime_iso,
-- bool): the client's value has the type, and equals the raw one.
local function scalar(kind, raw, typed, where, out)
  local ok
  if kind == "int64" or kind == "uint64" then
    ok = is_integer(typed) and (kind == "int64" or typed >= 0)
  elseif kind == "float" then
    ok = type(typed) == "number"
  elseif kind == "string" or kind == "datetime_iso" then
    ok = type(typed) == "string"
  elseif kind == "bool" then
    ok = type(typed) == "boolean"
  else
    error("unknown scalar kind " .. tostring(kind) .. " at " .. where)
  end
  if not ok then
    out[#out + 1] = ("%s: %s is not of the model's type %s"):format(where, describe_value(raw), kind)
  elseif typed ~= raw then
    out[#out + 1] = ("%s: the client has %s, the answer %s"):format(where, describe_value(typed),
      describe_value(raw))
  end
end

-- One value (not null) of a member described by m.
local function member_value(m, raw, typed, where, out)
  local kind = m.member
  if m.type == "list" then
    if not is_array(raw) or type(typed) ~= "table" or #typed ~= #raw then
      out[#out + 1] = ("%s: %s is not an array of %s"):format(where, describe_value(raw), kind)
      return
    end
    for i = 1, #raw do
      local w = ("%s[%d]"):format(where, i)
      if raw[i] == null then
        if typed[i] ~= vod.null then out[#out + 1] = w .. ": a null item the client does not show as vod.null" end
        out[#out + 1] = w .. ": a null item in a list of " .. kind
      elseif M.structs[kind] then
        walk_object(kind, raw[i], typed[i], w, out)
      else
        scalar(kind, raw[i], typed[i], w, out)
      end
    end
  elseif m.type == "object" then
    walk_object(kind, raw, typed, where, out)
  else
    scalar(kind, raw, typed, where, out)
  end
end

-- The member's value against each of its descriptions (one per edition that
-- has it): fine when one of them fits.
local function member(descs, raw, typed, where, out)
  local first
  for _, m in ipairs(descs) do
    local mine = {}
    member_value(m, raw, typed, where, mine)
    if #mine == 0 then return end
    first = first or mine
  end
  for _, p in ipairs(first) do out[#out + 1] = p end
end

local function required(descs)
  for _, m in ipairs(descs) do
    if m.required then return true end
  end
  return false
end

walk_object = function(struct, raw, typed, path, out, top)
  local s = assert(M.structs[struct], struct)
  local where = path == "" and struct or path
  if not is_object(raw) or (next(raw) ~= nil and #raw > 0) then
    out[#out + 1] = ("%s: %s is not an object (%s)"):format(where, describe_value(raw), struct)
    return
  end
  if not is_object(typed) then
    out[#out + 1] = ("%s: the client has %s for an object (%s)"):format(where, describe_value(typed), struct)
    return
  end
  local extra = {}
  for name in pairs(raw) do
    if not s.members[name] then extra[#extra + 1] = name end
  end
  table.sort(extra)
  for _, name in ipairs(extra) do
    out[#out + 1] = ("%s: a member %s does not have"):format(join(path, name), struct)
  end
  for name in pairs(typed) do
    if raw[name] == nil or raw[name] == null then
      out[#out + 1] = ("%s: the client has a member the answer has not (or as null)"):format(join(path, name))
    end
  end
  for _, name in ipairs(s.order) do
    local descs, v, w = s.members[name], raw[name], join(path, name)
    if v == nil then
      out[#out + 1] = ("%s: missing (a member of %s)"):format(w, struct)
    elseif v == null then
      if required(descs) or (top and name == "RequestId") then
        out[#out + 1] = w .. ": null, but required"
      end
    else
      member(descs, v, typed[name], w, out)
    end
  end
end

-- == calls through the client's own request and response halves ================
local client
local walked = {}          -- action -> number of answers walked
local seen = {}            -- name -> the last top-level scalar sent or answered with that name

local function harvest(t)
  for k, v in pairs(t) do
    if type(k) == "string" and (type(v) == "string" or type(v) == "number" or type(v) == "boolean") then
      seen[k] = v
    end
  end
end

local function post(req)
  local chunks = {}
  local headers = {}
  for k, v in pairs(req.headers) do headers[k] = v end
  headers["Content-Length"] = tostring(#req.body)
  local ok, status = http.request {
    url = ("%s://%s:%d%s"):format(req.scheme, req.host, req.port, req.path),
    method = req.method, headers = headers,
    source = ltn12.source.string(req.body), sink = ltn12.sink.table(chunks),
  }
  assert(ok, "no answer: " .. tostring(status))
  return status, table.concat(chunks)
end

-- Sends action(params); raises the client's error object for an error
-- answer. A successful answer is walked, and fails the test with the list of
-- its problems, else the client's table and the raw one (with its nulls)
-- are returned.
local function call(action, params, label)
  local status, body = post(client:build_request(action, params))
  local typed = client:parse_response(action, status, body)
  local raw = cjson.decode(body).Response
  local problems = {}
  walk_object(assert(M.outputs[action], action), raw, typed, "", problems, true)
  assert.same({}, problems, ("%s (%s): the answer is not in the shape of %s")
    :format(action, label, M.outputs[action]))
  walked[action] = (walked[action] or 0) + 1
  harvest(params)
  harvest(typed)
  return typed, raw
end

local function control(method, path, body)
  return process.control("http://" .. fake.endpoint("http") .. "/_control/" .. path, method, body)
end

-- DescribeTaskDetail's object members (the task types' fields), from the model.
local function object_members(struct)
  local names = {}
  for _, name in ipairs(M.structs[struct].order) do
    local m = M.structs[struct].members[name][1]
    if m.type == "object" then names[#names + 1] = name end
  end
  return names
end

-- The members of an answer's object that are not null (sorted).
local function non_null(raw, names)
  local out = {}
  for _, name in ipairs(names) do
    if raw[name] ~= nil and raw[name] ~= null then out[#out + 1] = name end
  end
  table.sort(out)
  return out
end

local TASK_FIELDS = object_members("DescribeTaskDetailResponse")
local EVENT_FIELDS = object_members("EventContent")

local function describe_task(task_id, label, sub)
  local typed, raw = call("DescribeTaskDetail", { TaskId = task_id, SubAppId = sub or SUB }, label)
  -- only the field of its TaskType holds something
  local field = M.structs.DescribeTaskDetailResponse.members[raw.TaskType] and raw.TaskType
    or raw.TaskType .. "Task"
  assert.same({ field }, non_null(raw, TASK_FIELDS))
  return typed, raw
end

-- Polls until the task's Status is one of `want`; every answer is walked.
local function poll_until(task_id, want, label, sub)
  for _ = 1, 1000 do
    local typed, raw = describe_task(task_id, label, sub)
    if want[typed.Status] then return typed, raw end
    socket.sleep(0.05)
  end
  error(("task %s never reached the awaited status (%s)"):format(task_id, label))
end

local function finished_subject(sub)
  local s = call("CreateAigcSubject", { SubAppId = sub or SUB, SubjectName = "hero",
    SubjectImages = { "https://example.com/hero.png" } }, "create")
  local t = poll_until(s.TaskId, { FINISH = true, ABORTED = true }, "subject FINISH", sub)
  return t.CreateAigcSubjectTask.Output.SubjectId
end

describe("the fake endpoint's answers, walked against the model's output structures", function()
  lazy_setup(function()
    fake.reset()
    fake.config { rate_limit = 0, processing_polls = 1, pull_wait = 0.2 }
    client = fake.client { rate_limit = false, retries = false }
  end)

  it("CreateAigcSubject and its task: PROCESSING, FINISH with a SubjectId, failed, aborted", function()
    local s = call("CreateAigcSubject", { SubAppId = SUB, SubjectName = "hero", SubjectImages = {
      "https://example.com/hero.png" }, SessionContext = "ctx" }, "create")
    local t, raw = describe_task(s.TaskId, "subject PROCESSING")
    assert.equal("PROCESSING", t.Status)
    assert.same({ SubjectId = "", SubjectInfo = "" }, t.CreateAigcSubjectTask.Output)
    assert.equal(null, raw.AigcVideoTask)                 -- the API's null ...
    assert.is_nil(t.AigcVideoTask)                        -- ... is left out by the client
    t = describe_task(s.TaskId, "subject FINISH")
    assert.equal("FINISH", t.Status)
    assert.truthy(t.CreateAigcSubjectTask.Output.SubjectId:find("^subj%-%x+$"))
    local failed = call("CreateAigcSubject", { SubAppId = SUB, SubjectName = "fail-hero",
      SubjectImages = { "https://example.com/hero.png" } }, "create")
    t = poll_until(failed.TaskId, { FINISH = true }, "subject failed")
    assert.equal("FailedOperation.SubjectImageInvalid", t.CreateAigcSubjectTask.ErrCodeExt)
    local aborted = call("CreateAigcSubject", { SubAppId = SUB, SubjectName = "abort-hero",
      SubjectImages = { "https://example.com/hero.png" } }, "create")
    t = poll_until(aborted.TaskId, { ABORTED = true }, "subject aborted")
    assert.equal("FailedOperation.TaskAborted", t.CreateAigcSubjectTask.ErrCodeExt)
    assert.equal(3, walked.CreateAigcSubject)
  end)

  it("CreateAigcVideoTask and its task: WAITING, PROCESSING, FINISH with a file, failed", function()
    local subject = finished_subject()
    local sent = { SubAppId = SUB, ModelName = "Vidu", ModelVersion = "q2", Prompt = "[@hero] waves",
      SubjectInfos = { { Id = subject, Name = "hero" } },
      FileInfos = { { Type = "Url", Url = "https://example.com/first.png" } },
      OutputConfig = { Duration = 8, Resolution = "720P" }, Seed = 7, SessionContext = "ctx" }
    -- a task WAITING for its first 60 s; one WAITING for 2 s, then PROCESSING for 18 s
    fake.config { video_seconds = 600 }
    local waiting = call("CreateAigcVideoTask", sent, "create")
    fake.config { video_seconds = 20 }
    local slow = call("CreateAigcVideoTask", sent, "create")
    local t, raw = describe_task(waiting.TaskId, "video WAITING")
    assert.equal("WAITING", t.Status)
    local input = raw.AigcVideoTask.Input
    assert.equal(7, t.AigcVideoTask.Input.Seed)
    assert.equal(null, input.SubjectInfos[1].VoiceId)    -- members the request did not have
    assert.equal(null, input.FileInfos[1].Base64)
    assert.equal(null, input.OutputConfig.AspectRatio)
    assert.equal("720P", input.OutputConfig.Resolution)
    poll_until(slow.TaskId, { PROCESSING = true }, "video PROCESSING")
    -- a quick one to FINISH, and one that fails
    fake.config { video_seconds = 0.2 }
    local quick = call("CreateAigcVideoTask", sent, "create")
    t, raw = poll_until(quick.TaskId, { FINISH = true }, "video FINISH")
    local file = raw.AigcVideoTask.Output.FileInfos[1]
    assert.equal(("https://fake-vod.example/aigc/%s.mp4"):format(quick.TaskId), file.FileUrl)
    for _, name in ipairs { "Rotate", "VideoStreamSet", "AudioStreamSet", "VideoDuration",
                            "AudioDuration", "Md5" } do
      assert.equal(null, file.MetaData[name], name)
    end
    assert.same({ Size = 1048576, Container = "mp4", Bitrate = 1677721, Height = 720, Width = 1280,
                  Duration = 8 }, t.AigcVideoTask.Output.FileInfos[1].MetaData)
    fake.config { video_seconds = 0 }
    sent.Prompt = "fail-please"
    local failed = call("CreateAigcVideoTask", sent, "create")
    t = poll_until(failed.TaskId, { FINISH = true }, "video failed")
    assert.equal("FailedOperation.GenerateFailed", t.AigcVideoTask.ErrCodeExt)
    assert.same({}, t.AigcVideoTask.Output.FileInfos)
    assert.equal(4, walked.CreateAigcVideoTask)
  end)

  it("PullEvents and ConfirmEvents: video completions (done, failed), synthetic events, an empty pull", function()
    local subject = finished_subject(SUB_EVENTS)
    fake.config { video_seconds = 0.1 }
    local done = call("CreateAigcVideoTask", { SubAppId = SUB_EVENTS, ModelName = "Vidu", ModelVersion = "q2",
      Prompt = "[@hero] waves", SubjectInfos = { { Id = subject, Name = "hero" } } }, "create")
    local failed = call("CreateAigcVideoTask", { SubAppId = SUB_EVENTS, ModelName = "Vidu",
      ModelVersion = "q2", Prompt = "fail-please" }, "create")
    control("POST", "events", { SubAppId = SUB_EVENTS, EventType = "NewFileUpload",
      event = { FileUploadEvent = { FileId = "5285890780000000001" } } })
    control("POST", "events", {})                          -- a made-up video completion, no SubAppId
    local events, handles, by_task = {}, {}, {}
    for _ = 1, 50 do
      local typed, raw = call("PullEvents", { SubAppId = SUB_EVENTS }, "events")
      for i, ev in ipairs(raw.EventSet) do
        events[#events + 1] = ev
        handles[#handles + 1] = typed.EventSet[i].EventHandle
        if ev.AigcVideoCompleteEvent ~= null then by_task[ev.AigcVideoCompleteEvent.TaskId] = ev end
      end
      if #events >= 3 then break end
    end
    assert.equal(3, #events)
    local kinds = {}
    for _, ev in ipairs(events) do
      local fields = non_null(ev, EVENT_FIELDS)          -- only its EventType's field
      assert.equal(1, #fields)
      kinds[ev.EventType] = fields[1]
    end
    assert.same({ AigcVideoTaskComplete = "AigcVideoCompleteEvent", NewFileUpload = "FileUploadEvent" }, kinds)
    assert.equal("", by_task[done.TaskId].AigcVideoCompleteEvent.ErrCodeExt)
    assert.equal("FailedOperation.GenerateFailed", by_task[failed.TaskId].AigcVideoCompleteEvent.ErrCodeExt)
    local typed, raw = call("PullEvents", {}, "synthetic, no SubAppId")
    assert.equal(1, #raw.EventSet)
    assert.equal("AigcVideoTaskComplete", raw.EventSet[1].EventType)
    call("ConfirmEvents", { EventHandles = handles, SubAppId = SUB_EVENTS }, "confirm")
    call("ConfirmEvents", { EventHandles = { typed.EventSet[1].EventHandle } }, "confirm")
    assert.equal(4, control("GET", "events").confirmed)
    typed, raw = call("PullEvents", { SubAppId = SUB_EVENTS }, "empty")
    assert.same({}, typed.EventSet)
    assert.same({}, raw.EventSet)
  end)

  it("every action the fake implements, one added later included", function()
    local listed = control("GET", "actions")
    local implemented, examples = listed.implemented, listed.examples
    assert.is_true(#implemented >= 5)
    -- a request from the model: its required members, at every depth; a
    -- top-level member takes the last value of that name sent or answered,
    -- and the fake's example request of the action (if it has one) goes over it
    local samples = { string = "x", int64 = 1, uint64 = 1, float = 1.5, bool = true, datetime_iso = "x" }
    local function fits(m, v)
      if m.type == "list" or m.type == "object" then return false end
      local out = {}
      scalar(m.member, v, v, "", out)
      return #out == 0
    end
    local function minimal(struct, top)
      local params = {}
      local s = M.structs[struct]
      for _, name in ipairs(s.order) do
        local m = s.members[name][1]
        local v = top and seen[name]
        if v ~= nil and fits(m, v) then
          params[name] = v
        elseif m.required then
          local item = samples[m.member] or minimal(m.member, false)
          params[name] = m.type == "list" and { item } or item
        end
      end
      return params
    end
    -- in passes, so that an action can use what another answered
    local tried, generic, errors = {}, 0, {}
    repeat
      local progress = false
      for _, action in ipairs(implemented) do
        if not tried[action] then
          local params = minimal(M.inputs[action], true)
          for k, v in pairs(examples[action] or {}) do params[k] = v end
          if action == "CommitUpload" then      -- the bytes of ApplyUpload's session first
            for _, path in ipairs { seen.MediaStoragePath, seen.CoverStoragePath } do
              if type(path) == "string" then control("POST", "cos/object", { key = path:sub(2), data = "x" }) end
            end
          end
          local ok, err = pcall(call, action, params, "from the model")
          if ok then
            tried[action], progress, generic = true, true, generic + 1
          elseif vod.is_error(err) then          -- the API's answer was an error
            errors[action] = tostring(err)
          else
            error(err, 0)                        -- a walk's failure
          end
        end
      end
    until not progress
    assert.is_true(generic >= 1, "no request built from the model went through")
    local not_walked = {}
    for _, action in ipairs(implemented) do
      if not walked[action] then not_walked[action] = errors[action] end
    end
    assert.same({}, not_walked)
  end)
end)
