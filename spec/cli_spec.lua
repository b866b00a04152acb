-- tcvod, the command-line tool, end to end: the wrapper installed in the tree
-- under test (build/tree54, build/treejit, or the sanitizer run's tree) runs
-- as a child process against the fake endpoint over HTTPS, with the fake's
-- credentials in its environment (never on its command line).
local fake = require "support.fake"
local vod = require "tencentcloud.vod"
local socket = require "socket"
local process = require "support.process"

-- The tree the specs load the module from holds the tcvod under test.
local so = assert(process.searchpath("tencentcloud.vod", package.cpath), "tencentcloud.vod not on LUA_CPATH")
local TREE = assert(so:match("^(.*)/lib/lua/[^/]+/tencentcloud/vod%.so$"), "not in a Lua tree: " .. so)
local TCVOD = TREE .. "/bin/tcvod"
local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/spec/cli_spec%.lua$")) or "."

local read, free_port = process.read_file, process.free_port

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local TMP = os.tmpname()
os.remove(TMP)
assert(os.execute("mkdir -p " .. q(TMP .. "/home")))

-- Everything that could point the library elsewhere is removed from the
-- child's environment; HOME is an empty directory (no profile file).
local UNSET = { "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
  "TENCENTCLOUD_REGION", "TENCENTCLOUD_PROFILE", "TENCENTCLOUD_CREDENTIALS_FILE",
  "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy" }

-- run(argv [, {env = {...}, creds = false, stdin = text, cmd = path, tty = true}]) -> {code, out, err}
local function run(argv, o)
  o = o or {}
  local parts = { "env" }
  for _, n in ipairs(UNSET) do parts[#parts + 1] = "-u " .. n end
  parts[#parts + 1] = "HOME=" .. q(TMP .. "/home")
  if o.creds ~= false then
    parts[#parts + 1] = "TENCENTCLOUD_SECRET_ID=" .. fake.SECRET_ID
    parts[#parts + 1] = "TENCENTCLOUD_SECRET_KEY=" .. fake.SECRET_KEY
  end
  for k, v in pairs(o.env or {}) do parts[#parts + 1] = k .. "=" .. q(v) end
  -- a preloaded sanitizer runtime (spec/tools/asan.sh) is for tcvod, not for
  -- script(1) below, whose own allocations LeakSanitizer would report
  local preload = o.tty and os.getenv("LD_PRELOAD")
  if preload then parts[#parts + 1] = "LD_PRELOAD=" .. q(preload) end
  parts[#parts + 1] = q(o.cmd or TCVOD)
  for _, a in ipairs(argv) do parts[#parts + 1] = q(a) end
  local stdin = "/dev/null"
  if o.stdin then
    stdin = TMP .. "/stdin"
    local f = assert(io.open(stdin, "wb"))
    f:write(o.stdin)
    f:close()
  end
  local cmd = ("%s <%s >%s 2>%s; echo $? >%s"):format(table.concat(parts, " "), q(stdin),
    q(TMP .. "/out"), q(TMP .. "/err"), q(TMP .. "/rc"))
  if o.tty then
    -- stderr on a pseudo-terminal (script(1)); err is what the terminal got
    cmd = ("%sscript -qec %s /dev/null </dev/null >%s 2>&1; echo $? >%s"):format(
      preload and "env -u LD_PRELOAD " or "",
      q(("%s >%s"):format(table.concat(parts, " "), q(TMP .. "/out"))), q(TMP .. "/err"), q(TMP .. "/rc"))
  end
  os.execute(cmd)
  return { code = tonumber(read(TMP .. "/rc")), out = read(TMP .. "/out"), err = read(TMP .. "/err") }
end

-- The fake's HTTPS listener and its test CA.
local function G(argv)
  local r = { "--endpoint", fake.endpoint("https"), "--ca-file", fake.start().ca }
  for _, a in ipairs(argv) do r[#r + 1] = a end
  return r
end

local function lines(s)
  local t = {}
  for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

local function check(r, code)
  assert(r.code == code, ("exit %s, expected %d\nstdout: %s\nstderr: %s"):format(
    tostring(r.code), code, r.out, r.err))
  return r
end

local TASK_PAT = "^221073%-CreateAigcSubject%-%x+$"
local IMG = "https://example.com/hero.png"

describe("tcvod", function()
  setup(function() fake.start() end)
  before_each(function() fake.reset() end)
  teardown(function() os.execute("rm -rf " .. q(TMP)) end)

  it("is installed in the tree under test and runs with its interpreter", function()
    local r = check(run { "--version" }, 0)
    assert.equal(("tcvod %s (tencentcloud-vod %s, %s, libcurl transport)\n"):format(
      vod.VERSION, vod.VERSION, jit and jit.version or _VERSION), r.out)
    assert.equal("", r.err)
  end)

  describe("--help", function()
    it("lists the commands, the global options and the exit codes", function()
      local r = check(run { "--help" }, 0)
      assert.equal("", r.err)
      assert.truthy(r.out:find("^Usage: tcvod %[options%] COMMAND"))
      for _, s in ipairs { "create-aigc-subject", "task ", "call ", "--endpoint HOST[:PORT]",
          "--plain", "Exit status:", "  0  success", "  1  the API answered with an error",
          "  2  usage or configuration", "  3  no usable answer", "TENCENTCLOUD_SECRET_ID" } do
        assert.truthy(r.out:find(s, 1, true), s)
      end
      assert.equal(r.out, check(run { "-h" }, 0).out)
      assert.equal(r.out, check(run { "help" }, 0).out)
    end)

    local COMMANDS = {
      ["create-aigc-subject"] = { "--SubjectName NAME, --name NAME", "--SubjectImages URL, --image URL",
        "--SubjectVideos URL, --video URL", "--SubAppId N, --sub-app-id N", "--SessionId ID, --session-id ID",
        "--TasksPriority N, --priority N", "--VoiceId ID, --voice-id ID",
        "--SessionContext TEXT, --session-context TEXT", "--wait", "--interval SECONDS",
        "Parameters (CreateAigcSubjectRequest;", "Editions: china, intl (both sites have it).",
        "API Explorer (intl): https://console.tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17"
          .. "&Action=CreateAigcSubject\n" },
      task = { "Usage: tcvod task TASK_ID", "--sub-app-id N", "--wait", "--wait-timeout SECONDS" },
      call = { "Usage: tcvod call ACTION", "tcvod call DescribeTaskDetail '{" },
      events = { "Usage: tcvod events", "--run-timeout SECONDS", "--max N", "--confirm", "--type EVENTTYPE" },
      upload = { "Usage: tcvod upload FILE [--cover FILE]", "--cover FILE", "--concurrency N",
        "--part-size SIZE", "--multipart-threshold SIZE", "--checkpoint FILE", "--part-timeout SECONDS",
        "--no-content-md5", "--no-progress", "--MediaName NAME, --media-name NAME",
        "--MediaType TYPE, --media-type TYPE        string; default: FILE's extension",
        "--SubAppId N, --sub-app-id N               uint64", "Parameters (ApplyUpload's, ApplyUploadRequest)",
        "16M, 16MiB and 16777216 are the same", "ClientError.UploadExpired", "Cos.AccessDenied",
        "In Lua: client:upload{ MediaFilePath = FILE, ... }." },
    }
    for cmd, want in pairs(COMMANDS) do
      it("of " .. cmd .. " shows its options, the global ones and the exit codes", function()
        local r = check(run { cmd, "--help" }, 0)
        assert.equal("", r.err)
        assert.truthy(r.out:find("Usage: tcvod " .. cmd, 1, true))
        for _, s in ipairs(want) do assert.truthy(r.out:find(s, 1, true), s) end
        assert.truthy(r.out:find("Global options:", 1, true))
        assert.truthy(r.out:find("--ca-file FILE", 1, true))
        assert.truthy(r.out:find("Exit status:", 1, true))
        assert.equal(r.out, check(run { "help", cmd }, 0).out)
        assert.equal(r.out, check(run { "--help", cmd }, 0).out)
      end)
    end

    it("sends nothing", function()
      run { "create-aigc-subject", "--name", "x", "--image", IMG, "--help" }
      assert.equal(0, fake.stats().requests)
    end)

    -- the line of a flag in a help text: "  --flag METAVAR   description"
    local function flag_line(out, flag)
      return out:match("\n  " .. flag:gsub("%p", "%%%0") .. " +([^\n]+)\n")
    end

    it("shows the library's own defaults, as vod.defaults() gives them", function()
      local d = vod.defaults()
      local out = check(run { "--help" }, 0).out
      for flag, want in pairs {
        ["--site intl|china"] = ("the API's site: intl (vod.intl.tencentcloudapi.com) or china "
          .. "(vod.tencentcloudapi.com); default %s"):format(d.site),
        ["--scheme https|http"] = ("http only for a local endpoint (default %s)"):format(d.scheme),
        ["--timeout SECONDS"] = ("per request (default %g)"):format(d.timeout),
        ["--connect-timeout SECONDS"] = ("to connect (default %g)"):format(d.connect_timeout),
        ["--profile NAME"] = ("section of the credentials file (default: TENCENTCLOUD_PROFILE, else %s)")
          :format(d.profile),
        ["--metadata-url URL"] = ("the CVM metadata service for the instance role's credentials (default %s)")
          :format(d.metadata_url),
      } do
        assert.equal(want, flag_line(out, flag), flag)
      end
      -- the values themselves (vod.defaults() is checked against vod.new in options_spec)
      assert.equal("per request (default 30)", flag_line(out, "--timeout SECONDS"))
      assert.equal("to connect (default 5)", flag_line(out, "--connect-timeout SECONDS"))
      for _, cmd in ipairs { "task", "create-aigc-subject", "CreateAigcVideoTask" } do
        out = check(run { "help", cmd }, 0).out
        assert.equal(("with --wait: time between polls (default %g)"):format(d.wait_task.interval),
          flag_line(out, "--interval SECONDS"), cmd)
        assert.equal(("with --wait: give up after (default %g)"):format(d.wait_task.timeout),
          flag_line(out, "--wait-timeout SECONDS"), cmd)
        assert.equal("with --wait: give up after (default 600)", flag_line(out, "--wait-timeout SECONDS"))
      end
      out = check(run { "help", "events" }, 0).out
      assert.truthy(out:find(("the request timeout (--timeout, before or\nafter the command) must be %g s or "
        .. "more"):format(d.consume_events.min_client_timeout), 1, true), out)
      assert.truthy(out:find("must be 10 s or more", 1, true), out)
    end)

    it("gives no flag two meanings: no command flag or short form is a global one", function()
      local cli_args = require "tencentcloud.vod.cli_args"
      local global = {}
      for _, f in ipairs(cli_args.GLOBAL) do global[f[1]] = true end
      local n = 0
      for name, c in pairs(cli_args.COMMANDS) do
        for _, f in ipairs(c.flags) do
          assert.is_nil(global[f[1]], name .. " --" .. f[1])
          n = n + 1
        end
        for _, a in ipairs(c.short or {}) do
          assert.is_nil(global[a[1]], name .. " --" .. a[1])
          n = n + 1
        end
      end
      assert.is_true(n >= 20)
      assert.is_nil(flag_line(check(run { "help", "events" }, 0).out, "--timeout SECONDS"):find("stop"))
    end)
  end)

  describe("create-aigc-subject", function()
    it("prints the Response as JSON, with every flag sent as its parameter", function()
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG,
        "--image", "https://example.com/side.png", "--video", "https://example.com/v.mp4",
        "--sub-app-id", "221073", "--session-id", "cli-s1", "--session-context", "ctx \"1\"",
        "--voice-id", "v-1", "--priority", "-3" }), 0)
      assert.equal("", r.err)
      local res = fake.decode(r.out)
      assert.truthy(res.TaskId:match(TASK_PAT), res.TaskId)
      assert.is_string(res.RequestId)
      assert.same({ "RequestId", "TaskId" }, (function()
        local k = {}
        for key in pairs(res) do k[#k + 1] = key end
        table.sort(k)
        return k
      end)())
      -- indented, keys sorted
      assert.equal(('{\n  "RequestId": "%s",\n  "TaskId": "%s"\n}\n'):format(res.RequestId, res.TaskId), r.out)
      local s = fake.stats()
      assert.equal(1, s.requests)
      assert.equal(1, s.actions.CreateAigcSubject)
      local last = fake.last()
      assert.same({ SubjectName = "hero", SubjectImages = { IMG, "https://example.com/side.png" },
        SubjectVideos = { "https://example.com/v.mp4" }, SubAppId = 221073, SessionId = "cli-s1",
        SessionContext = 'ctx "1"', VoiceId = "v-1", TasksPriority = -3 }, fake.decode(last.body))
      assert.truthy(last.body:find('"SubAppId":221073', 1, true), last.body)   -- an integer
    end)

    it("prints one line with --plain, which may come before the command", function()
      local r = check(run(G { "--plain", "create-aigc-subject", "--name", "hero", "--image", IMG,
        "--sub-app-id", "221073" }), 0)
      assert.equal("", r.err)
      local task, req = r.out:match("^TaskId=(%S+) RequestId=(%S+)\n$")
      assert.truthy(task and task:match(TASK_PAT), r.out)
      assert.equal(fake.last().headers["X-TC-Action"] and req, req:match("^[%w%-]+$"))
    end)

    it("prints the codec's compact line with --compact", function()
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG, "--compact" }), 0)
      assert.equal(1, #lines(r.out))
      local res = fake.decode(r.out)
      assert.truthy(r.out == ('{"TaskId":"%s","RequestId":"%s"}\n'):format(res.TaskId, res.RequestId) or
        r.out == ('{"RequestId":"%s","TaskId":"%s"}\n'):format(res.RequestId, res.TaskId), r.out)
    end)

    it("takes the model's flags, lists as the generic form parses them, short forms mixed in", function()
      local r = check(run(G { "create-aigc-subject", "--SubjectName", "hero", "--SubjectImages", IMG,
        "--image", '["https://example.com/b.png", "https://example.com/c.png"]', "--SubAppId", "221073",
        "--SessionId", "cli-m1", "--SessionContext", "ctx", "--VoiceId", "v-2", "--TasksPriority", "2",
        "--plain" }), 0)
      assert.truthy(r.out:match("^TaskId=221073%-CreateAigcSubject%-%x+ RequestId=%S+\n$"), r.out)
      assert.same({ SubjectName = "hero", SubjectImages = { IMG, "https://example.com/b.png",
        "https://example.com/c.png" }, SubAppId = 221073, SessionId = "cli-m1", SessionContext = "ctx",
        VoiceId = "v-2", TasksPriority = 2 }, fake.decode(fake.last().body))
    end)

    it("requires only what the API does: no name, an image or a video", function()
      local r = check(run(G { "create-aigc-subject", "--image", IMG, "--compact" }), 0)
      assert.truthy(fake.decode(r.out).TaskId:match("^0%-CreateAigcSubject%-%x+$"), r.out)   -- no SubAppId
      local body = fake.decode(fake.last().body)
      assert.is_string(body.SessionId)          -- a create: the library's own SessionId
      body.SessionId = nil
      assert.same({ SubjectImages = { IMG } }, body)
      check(run(G { "create-aigc-subject", "--SubjectVideos", "https://example.com/v.mp4" }), 0)
      body = fake.decode(fake.last().body)
      body.SessionId = nil
      assert.same({ SubjectVideos = { "https://example.com/v.mp4" } }, body)
      assert.equal(2, fake.stats().requests)
      -- neither: the library's rule (rules.c), nothing sent
      local ONE_OF = "SubjectImages or SubjectVideos is required: give at least one"
      for _, case in ipairs {
        { { "--name", "x" }, ONE_OF },
        { {}, ONE_OF },
        { { "--video", "[]" }, ONE_OF },                  -- an empty list counts as none
        { { "--image", "[]" }, "SubjectImages must have 1 to 3 items, got 0" },
      } do
        local a = G { "create-aigc-subject" }
        for _, x in ipairs(case[1]) do a[#a + 1] = x end
        r = check(run(a), 2)
        local err = fake.decode(r.out).Error
        assert.equal("ClientError.InvalidParameter", err.code)
        assert.equal(case[2], err.message)
        assert.equal(0, err.attempts)
        local e = lines(r.err)
        assert.equal("tcvod: CreateAigcSubject: ClientError.InvalidParameter: " .. case[2] .. " [attempts: 0]", e[1])
        assert.equal("Try 'tcvod create-aigc-subject --help'.", e[#e])
      end
      assert.equal(2, fake.stats().requests)
    end)

    it("--wait: progress lines on stderr, the finished task as JSON on stdout", function()
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG,
        "--sub-app-id", "221073", "--wait", "--interval", "0.05" }), 0)
      local task = fake.decode(r.out)
      assert.equal("FINISH", task.Status)
      local sub = task.CreateAigcSubjectTask
      assert.truthy(sub.TaskId:match(TASK_PAT))
      assert.truthy(sub.Output.SubjectId:match("^subj%-%x+$"))
      assert.truthy(r.out:find('\n    "ErrCode": 0,\n', 1, true), r.out)   -- integers stay integers
      local id = sub.TaskId:gsub("%-", "%%-")
      local e = lines(r.err)
      assert.equal(4, #e, r.err)
      assert.truthy(e[1]:match("^task " .. id .. " created %(RequestId [%w%-]+%)$"), e[1])
      assert.truthy(e[2]:match("^task " .. id .. ": PROCESSING %(poll 1, %d+s%)$"), e[2])
      assert.truthy(e[3]:match("^task " .. id .. ": PROCESSING %(poll 2, %d+s%)$"), e[3])
      assert.truthy(e[4]:match("^task " .. id .. ": FINISH %(poll 3, %d+s%)$"), e[4])
      local s = fake.stats()
      assert.equal(1, s.actions.CreateAigcSubject)
      assert.equal(3, s.actions.DescribeTaskDetail)
      -- each poll asked for the task in its SubAppId
      for _, req in ipairs(fake.requests()) do
        if req.action == "DescribeTaskDetail" then
          assert.same({ TaskId = sub.TaskId, SubAppId = 221073 }, fake.decode(req.body))
        end
      end
    end)

    it("--wait --plain: the SubjectId on one line", function()
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG,
        "--sub-app-id", "221073", "--wait", "--interval", "0.05", "--plain" }), 0)
      local task, subject = r.out:match("^TaskId=(%S+) Status=FINISH SubjectId=(subj%-%x+) RequestId=%S+\n$")
      assert.truthy(task and task:match(TASK_PAT), r.out)
      assert.truthy(subject)
      assert.equal(3, #lines(r.err) - 1)
    end)
  end)

  describe("task", function()
    local function created(name)
      local c = fake.client(nil, "https")
      local id = c:create_aigc_subject { SubAppId = 221073, SubjectName = name or "hero",
        SubjectImages = { IMG } }.TaskId
      c:close()
      return id
    end

    it("shows a task once, whatever its state (exit 0)", function()
      local id = created()
      local r = check(run(G { "task", id, "--sub-app-id", "221073" }), 0)
      assert.equal("", r.err)
      local task = fake.decode(r.out)
      assert.equal("PROCESSING", task.Status)
      assert.equal(id, task.CreateAigcSubjectTask.TaskId)
      r = check(run(G { "task", id, "--sub-app-id", "221073", "--plain" }), 0)
      assert.truthy(r.out:match("^TaskId=" .. id:gsub("%-", "%%-") .. " Status=PROCESSING RequestId=%S+\n$"), r.out)
      assert.equal(2, fake.stats().actions.DescribeTaskDetail)
    end)

    it("--wait polls until the end, a progress line per poll", function()
      local id = created()
      local r = check(run(G { "task", id, "--sub-app-id", "221073", "--wait", "--interval", "0.05", "--plain" }), 0)
      assert.truthy(r.out:match("^TaskId=" .. id:gsub("%-", "%%-") .. " Status=FINISH SubjectId=subj%-%x+ RequestId=%S+\n$"), r.out)
      assert.equal(3, #lines(r.err), r.err)
      assert.truthy(r.err:find(("task %s: FINISH (poll 3, "):format(id), 1, true), r.err)
    end)

    it("a failed task during --wait exits 1 with its error code", function()
      local id = created("fail-hero")
      local r = check(run(G { "task", id, "--sub-app-id", "221073", "--wait", "--interval", "0.05" }), 1)
      local err = fake.decode(r.out).Error
      assert.equal("FailedOperation.SubjectImageInvalid", err.code)
      assert.equal(id, err.task_id)
      assert.equal(30010, err.err_code)
      assert.truthy(lines(r.err)[#lines(r.err)]:find(
        "^tcvod: DescribeTaskDetail: FailedOperation.SubjectImageInvalid: task " .. id:gsub("%-", "%%-") .. " failed"))
    end)

    it("an aborted task during --wait exits 1", function()
      local id = created("abort-hero")
      local r = check(run(G { "task", id, "--sub-app-id", "221073", "--wait", "--interval", "0.05", "--plain" }), 1)
      assert.equal("", r.out)            -- --plain: errors on stderr only
      assert.truthy(r.err:find("FailedOperation.TaskAborted", 1, true), r.err)
    end)

    it("--wait that times out exits 3 (ClientError.WaitTimeout), naming the task", function()
      fake.config { processing_polls = 1000 }
      local id = created()
      local r = check(run(G { "task", id, "--wait", "--sub-app-id", "221073", "--interval", "0.05",
        "--wait-timeout", "0.2" }), 3)
      local err = fake.decode(r.out).Error
      assert.equal("ClientError.WaitTimeout", err.code)
      assert.equal(id, err.task_id)
    end)
  end)

  describe("call", function()
    it("sends any action with the JSON parameters, integers as integers", function()
      local c = fake.client(nil, "https")
      local id = c:create_aigc_subject { SubAppId = 221073, SubjectName = "hero", SubjectImages = { IMG } }.TaskId
      c:close()
      local json = ('{"TaskId": "%s", "SubAppId": 221073}'):format(id)
      local r = check(run(G { "call", "DescribeTaskDetail", json }), 0)
      assert.equal("", r.err)
      assert.equal(id, fake.decode(r.out).CreateAigcSubjectTask.TaskId)
      assert.equal(('{"TaskId":"%s","SubAppId":221073}'):format(id):len(), #fake.last().body)
      assert.same({ TaskId = id, SubAppId = 221073 }, fake.decode(fake.last().body))
      assert.truthy(fake.last().body:find('"SubAppId":221073', 1, true))
      -- --plain: the top-level scalars, sorted, RequestId last
      r = check(run(G { "call", "DescribeTaskDetail", json, "--plain" }), 0)
      assert.truthy(r.out:match("^BeginProcessTime=%S+ CreateTime=%S+ Status=PROCESSING " ..
        "TaskType=CreateAigcSubject RequestId=%S+\n$"), r.out)
      -- "-": the parameters from stdin
      r = check(run(G { "call", "DescribeTaskDetail", "-", "--compact" }, { stdin = json }), 0)
      assert.equal(id, fake.decode(r.out).CreateAigcSubjectTask.TaskId)
    end)

    it("an error only the server checks exits 1, with the error as JSON on stdout", function()
      local r = check(run(G { "call", "CreateAigcSubject",
        '{"SubjectName": "x", "SubjectImages": ["u"], "Bogus": 1}' }), 1)
      local err = fake.decode(r.out).Error
      assert.equal("UnknownParameter", err.code)
      assert.equal("CreateAigcSubject", err.action)
      assert.is_string(err.request_id)
      assert.equal(1, err.attempts)
      assert.equal(1, #lines(r.err))
      assert.truthy(r.err:find("^tcvod: CreateAigcSubject: UnknownParameter: "), r.err)
      assert.equal(1, fake.stats().requests)
    end)
  end)

  it("a SessionId used twice: the second create exits 1 (InvalidParameterValue.SessionId)", function()
    local argv = G { "create-aigc-subject", "--name", "hero", "--image", IMG, "--session-id", "cli-dup" }
    check(run(argv), 0)
    local r = check(run(argv), 1)
    assert.equal("InvalidParameterValue.SessionId", fake.decode(r.out).Error.code)
  end)

  describe("any action of the model (tcvod ACTION --Name VALUE)", function()
    -- a subject created through the fake and finished, as CreateAigcVideoTask wants it
    local function finished_subject()
      fake.config { processing_polls = 0 }
      local c = fake.client(nil, "https")
      local id = c:create_aigc_subject { SubAppId = 221073, SubjectName = "hero", SubjectImages = { IMG } }.TaskId
      local task = c:wait_task(id, { SubAppId = 221073, interval = 0.05 })
      c:close()
      return task.CreateAigcSubjectTask.Output.SubjectId
    end

    -- CreateAigcVideoTask (or the name given) with its required parameters, then argv
    local function video(argv, name)
      local r = { name or "CreateAigcVideoTask", "--SubAppId", "221073", "--ModelName", "Vidu",
        "--ModelVersion", "q2" }
      for _, a in ipairs(argv) do r[#r + 1] = a end
      return r
    end

    it("CreateAigcVideoTask with nested structures: the body holds exactly what the flags gave", function()
      local sid = finished_subject()
      local before = fake.stats().requests
      local r = check(run(G(video { "--Prompt", "[@hero] waves",
        "--SubjectInfos", ('[{"Id": "%s", "Name": "hero"}]'):format(sid),
        "--OutputConfig", '{"ClassId": 12, "Duration": 5.5, "Resolution": "720P"}', "--Seed", "-7" })), 0)
      assert.equal("", r.err)
      local res = fake.decode(r.out)
      assert.truthy(res.TaskId:match("^221073%-AigcVideoTask%-%x+$"), res.TaskId)
      assert.equal(('{\n  "RequestId": "%s",\n  "TaskId": "%s"\n}\n'):format(res.RequestId, res.TaskId), r.out)
      assert.equal(before + 1, fake.stats().requests)
      local last = fake.last()
      assert.equal("CreateAigcVideoTask", last.action)
      local body = fake.decode(last.body)
      -- a create: the library gave it a SessionId of its own
      assert.is_string(body.SessionId)
      assert.equal(last.session_id, body.SessionId)
      body.SessionId = nil
      assert.same({ SubAppId = 221073, ModelName = "Vidu", ModelVersion = "q2", Prompt = "[@hero] waves",
        SubjectInfos = { { Id = sid, Name = "hero" } },
        OutputConfig = { ClassId = 12, Duration = 5.5, Resolution = "720P" }, Seed = -7 }, body)
      for _, s in ipairs { '"SubAppId":221073', '"ClassId":12', '"Seed":-7', '"Duration":5.5' } do
        assert.truthy(last.body:find(s, 1, true), s .. " in " .. last.body)   -- integers as integers
      end
    end)

    it("an empty object goes as {} where the model has a structure", function()
      check(run(G(video { "--OutputConfig", "{}" })), 0)
      assert.truthy(fake.last().body:find('"OutputConfig":{}', 1, true), fake.last().body)
    end)

    it("kebab-case works too; one JSON object is one item of a list of structures; --plain", function()
      local sid = finished_subject()
      local r = check(run(G(video({
        "--SubjectInfos", ('{"Id": "%s", "Name": "hero"}'):format(sid), "--SessionId", "cli-video-1",
        "--plain" }, "create-aigc-video-task"))), 0)
      assert.truthy(r.out:match("^TaskId=221073%-AigcVideoTask%-%x+ RequestId=%S+\n$"), r.out)
      assert.same({ SubAppId = 221073, ModelName = "Vidu", ModelVersion = "q2", SessionId = "cli-video-1",
        SubjectInfos = { { Id = sid, Name = "hero" } } }, fake.decode(fake.last().body))
      -- the same SessionId again: the API refuses the repeat (exit 1)
      r = check(run(G(video {
        "--SubjectInfos", ('{"Id": "%s", "Name": "hero"}'):format(sid), "--SessionId", "cli-video-1" })), 1)
      assert.equal("InvalidParameterValue.SessionId", fake.decode(r.out).Error.code)
    end)

    it("a check only the server makes exits 1 (a subject that is not a finished one)", function()
      local r = check(run(G(video {
        "--SubjectInfos", '[{"Id": "subj-000000000000000000000000", "Name": "hero"}]' })), 1)
      local err = fake.decode(r.out).Error
      assert.equal("InvalidParameterValue", err.code)
      assert.equal(1, err.attempts)
      assert.truthy(r.err:find("^tcvod: CreateAigcVideoTask: InvalidParameterValue: "), r.err)
    end)

    it("--wait for a create: progress lines, the finished task", function()
      local sid = finished_subject()
      fake.config { video_seconds = 0 }
      local r = check(run(G(video {
        "--SubjectInfos", ('[{"Id": "%s", "Name": "hero"}]'):format(sid),
        "--wait", "--interval", "0.05", "--plain" })), 0)
      local task = r.out:match("^TaskId=(221073%-AigcVideoTask%-%x+) Status=FINISH FileUrl=%S+ RequestId=%S+\n$")
      assert.truthy(task, r.out)
      local e = lines(r.err)
      assert.truthy(e[1]:find(("task %s created (RequestId "):format(task), 1, true), e[1])
      assert.truthy(e[#e]:find(("task %s: FINISH 100%% (poll %d, "):format(task, #e - 1), 1, true), e[#e])
      local polls = 0
      for _, req in ipairs(fake.requests()) do
        if req.action == "DescribeTaskDetail" and req.body:find(task, 1, true) then
          polls = polls + 1
          assert.same({ TaskId = task, SubAppId = 221073 }, fake.decode(req.body))
        end
      end
      assert.equal(#e - 1, polls)
      -- JSON: the whole DescribeTaskDetail answer
      r = check(run(G(video {
        "--SubjectInfos", ('[{"Id": "%s", "Name": "hero"}]'):format(sid), "--wait", "--interval", "0.05" })), 0)
      local t = fake.decode(r.out)
      assert.equal("AigcVideoTask", t.TaskType)
      assert.equal("FINISH", t.AigcVideoTask.Status)
    end)

    it("the generic CreateAigcSubject beside the friendly create-aigc-subject", function()
      local r = check(run(G { "CreateAigcSubject", "--SubjectName", "hero", "--SubjectImages", IMG,
        "--SubjectImages", "https://example.com/side.png", "--SubAppId", "221073", "--SessionId", "cli-g1",
        "--TasksPriority", "-3", "--compact" }), 0)
      assert.truthy(fake.decode(r.out).TaskId:match(TASK_PAT), r.out)
      assert.same({ SubjectName = "hero", SubjectImages = { IMG, "https://example.com/side.png" },
        SubAppId = 221073, SessionId = "cli-g1", TasksPriority = -3 }, fake.decode(fake.last().body))
    end)

    describe("lists of scalars: repeated flags or a JSON array", function()
      -- the fake answers UnsupportedOperation for an action it does not
      -- implement once the request is signed and well-formed for the model
      local function unsupported(argv, action)
        local r = check(run(G(argv)), 1)
        local err = fake.decode(r.out).Error
        assert.equal("UnsupportedOperation", err.code)
        assert.equal(action, err.action)
        assert.truthy(r.err:find(("^tcvod: %s: UnsupportedOperation: "):format(action)), r.err)
        return fake.decode(fake.last().body), fake.last().body
      end

      it("DescribeMediaInfos --FileIds a --FileIds b", function()
        assert.same({ FileIds = { "a", "b" } },
          unsupported({ "DescribeMediaInfos", "--FileIds", "a", "--FileIds", "b" }, "DescribeMediaInfos"))
        assert.same({ FileIds = { "a", "b" } },
          unsupported({ "DescribeMediaInfos", "--FileIds", '["a", "b"]' }, "DescribeMediaInfos"))
        -- not a JSON array: one item, whatever it starts with; --Name=VALUE for one that starts with --
        assert.same({ FileIds = { "a", "b", "[c", "--d" }, SubAppId = 221073 },
          unsupported({ "describe-media-infos", "--FileIds", '["a"]', "--FileIds", "b", "--FileIds", "[c",
            "--FileIds=--d", "--SubAppId", "221073" }, "DescribeMediaInfos"))
        assert.equal(3, fake.stats().actions.DescribeMediaInfos)
      end)

      it("integers and numbers by the model's type", function()
        local body, raw = unsupported({ "DescribeTranscodeTemplates", "--Definitions", "10",
          "--Definitions", "[20, 30]", "--Limit", "5" }, "DescribeTranscodeTemplates")
        assert.same({ Definitions = { 10, 20, 30 }, Limit = 5 }, body)
        assert.truthy(raw:find('"Definitions":[10,20,30]', 1, true), raw)
        body, raw = unsupported({ "CreateAnimatedGraphicsTemplate", "--Fps", "10", "--Quality", "0.5" },
          "CreateAnimatedGraphicsTemplate")
        assert.same({ Fps = 10, Quality = 0.5 }, body)
        assert.truthy(raw:find('"Fps":10', 1, true), raw)
      end)
    end)

    describe("help ACTION", function()
      local function has(out, left, right)
        local pat = "\n" .. left:gsub("%p", "%%%0") .. " +" .. right:gsub("%p", "%%%0") .. "\n"
        assert.truthy(out:find(pat), ("%s ... %s in:\n%s"):format(left, right, out))
      end

      it("the parameters, required first, types, nested members one level down, the kind", function()
        local r = check(run { "help", "CreateAigcVideoTask" }, 0)
        assert.equal("", r.err)
        assert.equal(r.out, check(run { "CreateAigcVideoTask", "--help" }, 0).out)
        assert.equal(r.out, check(run { "--help", "CreateAigcVideoTask" }, 0).out)
        local out = r.out
        assert.truthy(out:find("^Usage: tcvod CreateAigcVideoTask %[%-%-Name VALUE%]%.%.%. %[options%]\n" ..
          "   or: tcvod create%-aigc%-video%-task"), out)
        assert.truthy(out:find("Kind: create: it carries a SessionId: a generated one when you give none,\n" ..
          "so a retry cannot create twice.", 1, true), out)
        -- required first, then the model's order
        local d = vod.describe_action("CreateAigcVideoTask")
        local want = {}
        for _, p in ipairs(d.params) do if p.required then want[#want + 1] = p.name end end
        for _, p in ipairs(d.params) do if not p.required then want[#want + 1] = p.name end end
        local got = {}
        local section = out:match("\nParameters %(CreateAigcVideoTaskRequest; required first, then the model's order%):\n(.-\n)\n")
        assert.truthy(section, out)
        for name in section:gmatch("  %-%-(%w+) [^\n]+\n") do got[#got + 1] = name end
        assert.same(want, got)
        assert.same({ "SubAppId", "ModelName", "ModelVersion" }, { got[1], got[2], got[3] })
        has(out, "  --SubAppId N", "uint64, required")
        has(out, "  --ModelName TEXT", "string, required")
        has(out, "  --SubjectInfos JSON", "list of AigcVideoTaskInputSubjectInfo (JSON array of objects)")
        has(out, "      Id", "string")
        has(out, "      ImageUrls", "list of string")
        has(out, "  --OutputConfig JSON", "AigcVideoOutputConfig (JSON object)")
        has(out, "      ClassId", "int64")
        has(out, "      Duration", "float")
        has(out, "  --Seed N", "int64")
        has(out, "  --wait", "poll until the task ends, a progress line on stderr per poll")
        for _, s in ipairs { "Global options:", "--ca-file FILE", "Exit status:", "--FileIds a --FileIds b" } do
          assert.truthy(out:find(s, 1, true), s)
        end
        -- kebab-case: the same parameters
        local k = check(run { "help", "create-aigc-video-task" }, 0).out
        assert.truthy(k:find("^Usage: tcvod create%-aigc%-video%-task .*\n   or: tcvod CreateAigcVideoTask"), k)
        assert.equal(out:match("\nParameters.*$"), k:match("\nParameters.*$"))
        assert.equal(0, fake.stats().requests)
      end)

      it("one level down only; deprecated parameters marked; query and other kinds", function()
        local out = check(run { "help", "compose-media" }, 0).out
        has(out, "  --Tracks JSON", "list of MediaTrack (JSON array of objects), required")
        has(out, "      TrackItems", "list of MediaTrackItem (objects), required")
        has(out, "      VideoStream", "OutputVideoStream (object)")
        assert.is_nil(out:find("\n       +%S"), "nothing deeper than one level")
        out = check(run { "DescribeRoundPlays", "-h" }, 0).out
        has(out, "  --Offset N", "int64, deprecated")
        has(out, "  --CreateTime JSON", "TimeRange (JSON object)")
        has(out, "      After", "string")                         -- TimeRange's members
        assert.truthy(out:find("\nKind: query: it only reads", 1, true), out)
        assert.is_nil(out:find("\n  --wait", 1, true))           -- not a create
        out = check(run { "help", "DeleteMedia" }, 0).out
        assert.truthy(out:find("\nKind: other (neither a query nor a create)", 1, true), out)
        out = check(run { "help", "PullEvents" }, 0).out
        has(out, "  --SubAppId N", "uint64")
      end)

      it("the editions that have the action and its API Explorer pages, for each kind", function()
        local CHINA = "https://console.cloud.tencent.com/api/explorer?Product=vod&Version=2018-07-17&Action="
        local INTL = "https://console.tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17&Action="
        local function section(out)
          return out:match("\n(Editions: .-\n)\n")
        end
        local out = check(run { "help", "CreateAigcVideoTask" }, 0).out
        assert.equal("Editions: china, intl (both sites have it).\n" ..
          "API Explorer (intl): " .. INTL .. "CreateAigcVideoTask\n" ..
          "API Explorer (china): " .. CHINA .. "CreateAigcVideoTask\n", section(out))
        out = check(run { "help", "process-image" }, 0).out
        assert.equal("Editions: china only (--site china; the other edition lacks it).\n" ..
          "API Explorer (china): " .. CHINA .. "ProcessImage\n", section(out))
        out = check(run { "help", "CreateCDNDomain" }, 0).out
        assert.equal("Editions: intl only (--site intl, the default; the other edition lacks it).\n" ..
          "API Explorer (intl): " .. INTL .. "CreateCDNDomain\n", section(out))
        -- a member one edition lacks, in an action both have
        out = check(run { "help", "SearchMedia" }, 0).out
        has(out, "  --KnowledgeBases TEXT", "list of string (repeat the flag, or a JSON array), china only")
        has(out, "  --Text TEXT", "string")
        assert.equal(0, fake.stats().requests)
      end)

      it("tcvod help lists all the actions with their kebab-case names, and the commands", function()
        local out = check(run { "help" }, 0).out
        local acts = vod.actions()
        assert.equal(237, #acts)
        for _, s in ipairs { "create-aigc-subject", "ACTION [--Name VALUE]...", "task ", "call ", "help " } do
          assert.truthy(out:find("\n  " .. s, 1, true), s)
        end
        local section = out:match("\nActions %(237, API name and kebab%-case form%):\n(.*)$")
        assert.truthy(section, out)
        local listed = {}
        for l in section:gmatch("[^\n]+") do
          local a, k = l:match("^  (%u%w+) +(.+)$")
          assert.truthy(a, l)
          listed[#listed + 1] = a
          if a == "CreateAigcSubject" then
            assert.equal("(create-aigc-subject is the command above)", k)
          else
            assert.equal((vod.describe_action(a).method:gsub("_", "-")), k)
          end
        end
        assert.same(acts, listed)
      end)
    end)

    describe("exit 2: usage, nothing sent", function()
      local CASES = {
        { { "CreateAigcVideoTask", "--SubAppId", "1", "--ModelName", "Vidu", "--ModelVersion", "q2",
          "--SubjectInfo", "[]" },
          "tcvod: unknown parameter '--SubjectInfo' of CreateAigcVideoTask (did you mean '--SubjectInfos'?)",
          "Try 'tcvod CreateAigcVideoTask --help'." },
        { { "CreateAigcVideoTask", "--sub-app-id", "1" }, "tcvod: unknown option '--sub-app-id' (did you mean '--SubAppId'?)" },
        { { "DescribeMediaInfos", "--FileIds", "a", "--Prompt", "x" }, "tcvod: unknown parameter '--Prompt' of DescribeMediaInfos\n" },
        { { "CreateAigcVideoTask", "--SubAppId", "1", "--ModelName", "Vidu" }, "tcvod: --ModelVersion is required\n" },
        { { "create-aigc-video-task" }, "tcvod: --SubAppId, --ModelName and --ModelVersion are required",
          "Try 'tcvod create-aigc-video-task --help'." },
        { { "CreateAigcVideoTask", "--SubAppId", "1.5", "--ModelName", "Vidu", "--ModelVersion", "q2" },
          "tcvod: --SubAppId must be an integer, got '1.5'" },
        { { "create-aigc-video-task", "--ModelName", "Vidu", "--ModelVersion", "q2", "--SubAppId", "abc" },
          "tcvod: --SubAppId must be an integer, got 'abc'", "Try 'tcvod create-aigc-video-task --help'." },
        { video { "--Seed", "99999999999999999999" }, "tcvod: --Seed is out of range, got '99999999999999999999'" },
        { { "CreateAnimatedGraphicsTemplate", "--Fps", "1", "--Quality", "high" },
          "tcvod: --Quality must be a number, got 'high'" },
        { { "DescribeTranscodeTemplates", "--Definitions", "10", "--Definitions", "x" },
          "tcvod: --Definitions must be an integer, got 'x'" },
        { video { "--SubjectInfos", '[{"Id": ' }, "tcvod: --SubjectInfos is not valid JSON: malformed JSON: " },
        { video { "--OutputConfig", '{"ClassId": 1,}' }, "tcvod: --OutputConfig is not valid JSON: malformed JSON: " },
        { video { "--SubjectInfos", "hero" },
          "tcvod: --SubjectInfos must be a JSON array of objects ([{...}, ...]) or one JSON object ({...}), got 'hero'" },
        { video { "--OutputConfig", "[1]" }, "tcvod: --OutputConfig must be a JSON object ({...}), got '[1]'" },
        { video { "--ModelVersion", "q3" }, "tcvod: --ModelVersion is given twice" },
        { video { "extra" }, "tcvod: unexpected argument 'extra' (an action's parameters are flags: --Name VALUE)" },
        { { "DescribeMediaInfos", "--FileIds" }, "tcvod: --FileIds needs a value (TEXT; --FileIds=VALUE for one that starts with --)" },
        { { "DescribeMediaInfos", "--FileIds", "a", "--wait" },
          "tcvod: --wait is for a create action (one that starts a task); DescribeMediaInfos is a query" },
        { { "CreateAigcVideoTsk" }, "tcvod: unknown command 'CreateAigcVideoTsk' (did you mean 'CreateAigcVideoTask'?)",
          "Try 'tcvod --help'." },
        { { "describe-media-info" }, "tcvod: unknown command 'describe-media-info' (did you mean 'describe-media-infos'?)" },
        { { "describe_media_infos" }, "tcvod: unknown command 'describe_media_infos'" },
        { { "help", "CreateAigcVideoTsk" }, "tcvod: unknown command 'CreateAigcVideoTsk' (did you mean 'CreateAigcVideoTask'?)" },
        { { "--SubAppId", "1", "DescribeMediaInfos" },
          "tcvod: --SubAppId looks like a parameter of an action: put it after the action", "Try 'tcvod --help'." },
      }
      for _, case in ipairs(CASES) do
        local argv = case[1]
        it(table.concat(argv, " "), function()
          local r = check(run(G(argv)), 2)
          assert.equal("", r.out)
          local e = lines(r.err)
          assert.equal(2, #e, r.err)
          local want = case[2]:gsub("\n$", "")
          if case[2]:sub(-1) == "\n" then assert.equal(want, e[1]) else assert.equal(want, e[1]:sub(1, #want)) end
          if case[3] then assert.equal(case[3], e[2]) else assert.truthy(e[2]:match("^Try 'tcvod .*%-%-help'%.$"), e[2]) end
          assert.equal(0, fake.stats().requests)
        end)
      end

      it("the model's verdict at any depth (ClientError.InvalidParameter), naming the flag", function()
        for _, case in ipairs {
          { video { "--SubjectInfos", '[{"Id": "x", "Nmae": "hero"}]' }, "SubjectInfos[1].Nmae", "--SubjectInfos",
            "unknown parameter 'SubjectInfos[1].Nmae' (did you mean 'Name'?)" },
          { video { "--SubjectInfos", '[{"Id": "x", "Name": "a"}, {"Id": 1}]' }, "SubjectInfos[2].Id", "--SubjectInfos" },
          { video { "--OutputConfig", '{"ClassId": "twelve"}' }, "OutputConfig.ClassId", "--OutputConfig" },
          { { "DescribeTranscodeTemplates", "--Definitions", "[1.5]" }, "Definitions[1]", "--Definitions" },
          { { "DescribeMediaInfos", "--FileIds", "[1]" }, "FileIds[1]", "--FileIds" },
          { { "CreateAnimatedGraphicsTemplate", "--Fps", "-1" }, "Fps", "--Fps" },
          -- the hand-written rules too
          { { "CreateAigcSubject", "--SubjectName", "x", "--SubjectImages", IMG, "--TasksPriority", "11" },
            "TasksPriority", "--TasksPriority" },
        } do
          local argv = case[1]
          local action = argv[1]
          local r = check(run(G(argv)), 2)
          local err = fake.decode(r.out).Error
          assert.equal("ClientError.InvalidParameter", err.code)
          assert.equal(case[2], err.param)
          assert.equal(0, err.attempts)
          assert.equal(action, err.action)
          if case[4] then assert.equal(case[4], err.message) end
          local e = lines(r.err)
          assert.equal(3, #e, r.err)
          assert.truthy(e[1]:find(("^tcvod: %s: ClientError%%.InvalidParameter: "):format(action)), e[1])
          assert.equal(("(%s is given by %s)"):format(case[2], case[3]), e[2])
          assert.equal(("Try 'tcvod %s --help'."):format(action), e[3])
          -- --plain: stderr only
          argv[#argv + 1] = "--plain"
          r = check(run(G(argv)), 2)
          assert.equal("", r.out)
        end
        assert.equal(0, fake.stats().requests)
      end)
    end)
  end)

  describe("exit 3: no usable answer", function()
    it("connection refused (ClientError.Connect)", function()
      local s = assert(socket.bind("127.0.0.1", 0))
      local _, port = s:getsockname()
      s:close()
      local r = check(run { "--endpoint", "127.0.0.1:" .. port, "--ca-file", fake.start().ca,
        "create-aigc-subject", "--name", "hero", "--image", IMG }, 3)
      assert.equal("ClientError.Connect", fake.decode(r.out).Error.code)
      assert.truthy(r.err:find("^tcvod: CreateAigcSubject: ClientError.Connect: "), r.err)
    end)

    it("an untrusted certificate (ClientError.TLSVerify)", function()
      local r = check(run { "--endpoint", fake.endpoint("https_untrusted"), "--ca-file", fake.start().ca,
        "create-aigc-subject", "--name", "hero", "--image", IMG }, 3)
      assert.equal("ClientError.TLSVerify", fake.decode(r.out).Error.code)
      assert.equal(0, fake.stats().requests)
    end)

    it("a gateway's 502 (ClientError.HTTPStatus)", function()
      fake.fault { mode = "http502", count = -1 }
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG }), 3)
      local err = fake.decode(r.out).Error
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(502, err.http_status)
    end)

    it("a body that is not JSON (ClientError.MalformedResponse)", function()
      fake.fault { mode = "notjson", count = -1 }
      local r = check(run(G { "create-aigc-subject", "--name", "hero", "--image", IMG, "--plain" }), 3)
      assert.equal("", r.out)
      assert.truthy(r.err:find("ClientError.MalformedResponse", 1, true), r.err)
    end)

    it("a slow answer (ClientError.Timeout)", function()
      fake.fault { mode = "delay", seconds = 1, count = -1 }
      local r = check(run(G { "--timeout", "0.2", "task", "221073-CreateAigcSubject-00" }), 3)
      assert.equal("ClientError.Timeout", fake.decode(r.out).Error.code)
    end)
  end)

  describe("exit 2: usage, nothing sent", function()
    local CASES = {
      { { "creat" }, "tcvod: unknown command 'creat' (did you mean 'create-aigc-subject'?)", "Try 'tcvod --help'." },
      { {}, "tcvod: no command given", "Try 'tcvod --help'." },
      { { "create-aigc-subject", "--nam", "x", "--image", IMG }, "tcvod: unknown option '--nam' (did you mean '--name'?)" },
      { { "create-aigc-subject", "--name" }, "tcvod: --name needs a value (NAME; --name=VALUE for one that starts with --)" },
      { { "create-aigc-subject", "--SubjectImages" },
        "tcvod: --SubjectImages needs a value (URL; --SubjectImages=VALUE for one that starts with --)" },
      { { "create-aigc-subject", "--name", "a", "--name", "b", "--image", IMG }, "tcvod: --name is given twice" },
      { { "create-aigc-subject", "--name", "a", "--SubjectName", "b", "--image", IMG },
        "tcvod: --SubjectName is given twice (also as --name)" },
      { { "create-aigc-subject", "--SubjectNmae", "x", "--image", IMG },
        "tcvod: unknown parameter '--SubjectNmae' of CreateAigcSubject (did you mean '--SubjectName'?)" },
      { { "create-aigc-subject", "--TasksPriority", "high", "--image", IMG },
        "tcvod: --TasksPriority must be an integer, got 'high'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "abc" },
        "tcvod: --sub-app-id must be an integer, got 'abc'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "1.5" },
        "tcvod: --sub-app-id must be an integer, got '1.5'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "99999999999999999999" },
        "tcvod: --sub-app-id is out of range, got '99999999999999999999'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--wait=yes" }, "tcvod: --wait takes no value" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--interval", "1" }, "tcvod: --interval needs --wait" },
      { { "--name", "x", "create-aigc-subject" }, "tcvod: --name is an option of create-aigc-subject: put it after the command", "Try 'tcvod --help'." },
      { { "--run-timeout", "1", "events" }, "tcvod: --run-timeout is an option of events: put it after the command", "Try 'tcvod --help'." },
      { { "events", "--timeout", "soon" }, "tcvod: --timeout must be a number of seconds, got 'soon'" },
      { { "--timeout", "soon", "task", "x" }, "tcvod: --timeout must be a number of seconds, got 'soon'" },
      { { "task" }, "tcvod: task needs TASK_ID", "Try 'tcvod task --help'." },
      { { "task", "a", "b" }, "tcvod: unexpected argument 'b'" },
      { { "call" }, "tcvod: call needs ACTION" },
      { { "call", "DescribeTaskDetail", '{"TaskId": ' }, "tcvod: the parameters are not valid JSON: malformed JSON: " },
      { { "call", "DescribeTaskDetail", "[1]" }, "tcvod: the parameters must be a JSON object ({...}), got '[1]'" },
      { { "task", "x", "-x" }, "tcvod: unknown option '-x'" },
      -- no secret on the command line: there is no such flag
      { { "--secret-key", "k", "task", "x" }, "tcvod: unknown option '--secret-key'" },
      { { "help", "nope" }, "tcvod: unknown command 'nope'" },
    }
    for _, case in ipairs(CASES) do
      it(table.concat(case[1], " "), function()
        local r = check(run(G(case[1])), 2)
        assert.equal("", r.out)
        local e = lines(r.err)
        assert.equal(2, #e, r.err)
        assert.equal(case[2], e[1]:sub(1, #case[2]))
        if case[3] then assert.equal(case[3], e[2]) else assert.truthy(e[2]:match("^Try 'tcvod .*%-%-help'%.$"), e[2]) end
        assert.equal(0, fake.stats().requests)
      end)
    end

    it("parameters the library refuses (ClientError.InvalidParameter), naming the flag", function()
      for _, case in ipairs {
        { { "--priority", "11" }, "TasksPriority", "--priority" },
        { { "--image", "b", "--image", "c", "--image", "d" }, "SubjectImages", "--image" },
        { { "--session-id", string.rep("s", 51) }, "SessionId", "--session-id" },
        { { "--sub-app-id", "-1" }, "SubAppId", "--sub-app-id" },
        -- the flag as typed: the model's name, or a short form
        { { "--TasksPriority", "11" }, "TasksPriority", "--TasksPriority" },
        { { "--SubjectImages", "b", "--SubjectImages", "c", "--image", "d" }, "SubjectImages", "--image" },
      } do
        local argv = G { "create-aigc-subject", "--name", "x", "--image", IMG }
        for _, a in ipairs(case[1]) do argv[#argv + 1] = a end
        local r = check(run(argv), 2)
        local err = fake.decode(r.out).Error
        assert.equal("ClientError.InvalidParameter", err.code)
        assert.equal(case[2], err.param)
        assert.equal(0, err.attempts)
        local e = lines(r.err)
        assert.equal(3, #e, r.err)
        assert.truthy(e[1]:find("^tcvod: CreateAigcSubject: ClientError.InvalidParameter: " .. case[2]), e[1])
        assert.equal(("(%s is given by %s)"):format(case[2], case[3]), e[2])
        assert.equal("Try 'tcvod create-aigc-subject --help'.", e[3])
      end
      assert.equal(0, fake.stats().requests)
    end)

    it("a bad option value (ClientError.InvalidOption)", function()
      local r = check(run(G { "--site", "mars", "task", "x" }), 2)
      local err = fake.decode(r.out).Error
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal("site", err.option)
      r = check(run(G { "--language", "fr", "task", "x", "--plain" }), 2)
      assert.truthy(r.err:find("^tcvod: ClientError.InvalidOption: option 'language'"), r.err)
      assert.equal(0, fake.stats().requests)
    end)

    it("no credentials anywhere, the CVM role off (ClientError.Credentials at once)", function()
      local r = check(run(G { "--no-cvm-role", "task", "x" }, { creds = false }), 2)
      assert.equal("ClientError.Credentials", fake.decode(r.out).Error.code)
      assert.truthy(r.err:find("^tcvod: ClientError.Credentials: no credentials found; tried: "), r.err)
      assert.truthy(r.err:find("TENCENTCLOUD_SECRET_ID", 1, true), r.err)
      assert.equal(0, fake.stats().requests)
    end)

    it("no credentials anywhere, no metadata service (the CVM role is tried, and listed)", function()
      local closed = free_port()
      local r = check(run(G { "--metadata-url", ("http://127.0.0.1:%d/"):format(closed), "task", "x" },
        { creds = false }), 2)
      assert.equal("ClientError.Credentials", fake.decode(r.out).Error.code)
      assert.truthy(r.err:find("CVM role", 1, true), r.err)
      assert.truthy(r.err:find("127.0.0.1:" .. closed, 1, true), r.err)
      assert.equal(0, fake.stats().requests)
    end)

    it("a bad --wait option from the library (--interval 0)", function()
      local r = check(run(G { "task", "x", "--wait", "--interval", "0" }), 2)
      assert.equal("ClientError.InvalidOption", fake.decode(r.out).Error.code)
      assert.equal(0, fake.stats().requests)
    end)
  end)

  it("passes --proxy, --profile and --credentials-file to vod.new", function()
    -- a dead proxy: no usable answer
    local r = check(run(G { "--proxy", ("http://127.0.0.1:%d"):format(free_port()), "task", "x", "--plain" }), 3)
    assert.truthy(r.err:find("ClientError.Connect", 1, true), r.err)
    -- credentials from a profile file named by the flag, in a named section
    local file = TMP .. "/credentials"
    local f = assert(io.open(file, "w"))
    f:write(("[default]\nsecret_id = AKIDwrong\nsecret_key = wrong\n\n[fake]\nsecret_id = %s\nsecret_key = %s\n")
      :format(fake.SECRET_ID, fake.SECRET_KEY))
    f:close()
    r = check(run(G { "--credentials-file", file, "--profile", "fake", "create-aigc-subject", "--name", "hero",
      "--image", IMG, "--plain" }, { creds = false }), 0)
    assert.truthy(r.out:find("^TaskId=0%-CreateAigcSubject%-%x+ RequestId="), r.out)
    -- a profile that is in no file: no credentials, said at once
    r = check(run(G { "--credentials-file", file, "--profile", "nosuch", "task", "x" }, { creds = false }), 2)
    assert.truthy(r.err:find("ClientError.Credentials", 1, true), r.err)
    assert.truthy(r.err:find("nosuch", 1, true), r.err)
    assert.equal(1, fake.stats().requests)
  end)

  it("never prints the secret key, even with --debug", function()
    local r = check(run(G { "--debug", "create-aigc-subject", "--name", "hero", "--image", IMG }), 0)
    assert.truthy(r.err:find("tencentcloud-vod: ", 1, true), r.err)      -- the debug lines
    assert.is_nil(r.err:find(fake.SECRET_KEY, 1, true))
    assert.is_nil(r.out:find(fake.SECRET_KEY, 1, true))
    fake.fault { mode = "http502", count = -1 }
    r = check(run(G { "--debug", "create-aigc-subject", "--name", "hero", "--image", IMG }), 3)
    assert.is_nil(r.err:find(fake.SECRET_KEY, 1, true))
    assert.is_nil(r.out:find(fake.SECRET_KEY, 1, true))
  end)

  it("maps every error code to its exit status", function()
    local cli = require "tencentcloud.vod.cli"
    local want = {
      [1] = { "AuthFailure.SignatureFailure", "RequestLimitExceeded", "InternalError",
        "FailedOperation.SubjectImageInvalid", "ClientError.TaskFailed", "ClientError.TaskAborted",
        "ClientError.MaybeCreated", "ClientError.MaybeCommitted", "Cos.AccessDenied", "Cos.InternalError",
        "Cos.NoSuchUpload" },
      [2] = { "ClientError.InvalidParameter", "ClientError.InvalidOption", "ClientError.Credentials",
        "ClientError.File" },
      [3] = { "ClientError.DNS", "ClientError.Connect", "ClientError.TLS", "ClientError.TLSVerify",
        "ClientError.Timeout", "ClientError.Network", "ClientError.HTTPStatus", "ClientError.MalformedResponse",
        "ClientError.ResponseTooLarge", "ClientError.Proxy", "ClientError.WaitTimeout",
        "ClientError.Internal", "ClientError.OutOfMemory", "ClientError.UploadExpired",
        "ClientError.ChecksumMismatch", "ClientError.Callback" },
    }
    for status, codes in pairs(want) do
      for _, code in ipairs(codes) do
        assert.equal(status, cli.exit_code { code = code }, code)
      end
    end
    assert.equal(3, cli.exit_code("a Lua error string"))
  end)

  it("examples/cli.sh runs against the fake endpoint with this tcvod", function()
    local r = check(run({ ROOT .. "/examples/cli.sh" }, {
      cmd = "sh", env = { TCVOD = TCVOD, CLI_FAKE_DIR = TMP .. "/cli-fake" } }), 0)
    assert.truthy(r.out:find("\ncli demo: ok\n$"), r.out)
    assert.truthy(r.out:find("\nFileId=%d+ MediaUrl=http://127%.0%.0%.1:%d+/media/221073/%x+/f0%.png RequestId="), r.out)
    assert.truthy(r.out:find('"CoverUrl": "http://127.0.0.1:', 1, true), r.out)
    assert.truthy(r.err:find("$ tcvod upload examples/hero.png --sub-app-id 221073 --plain\n", 1, true), r.err)
    assert.truthy(r.out:find("Status=FINISH SubjectId=subj%-%x+ RequestId="), r.out)
    assert.truthy(r.out:find('"SubjectId": "subj-', 1, true), r.out)
    assert.truthy(r.out:find("exit status 1 (1: the API answered with an error)", 1, true), r.out)
    assert.truthy(r.err:find("$ tcvod create-aigc-subject --name hero", 1, true), r.err)
    assert.truthy(r.err:find("$ tcvod CreateAigcVideoTask --SubAppId 221073", 1, true), r.err)
    assert.truthy(r.out:find("\nTaskId=221073%-AigcVideoTask%-%x+ Status=FINISH FileUrl=https://%S+ RequestId="), r.out)
  end)

  describe("events", function()
    local function control(method, path, body)
      return require("support.process").control("http://" .. fake.endpoint("http") .. "/_control/" .. path,
        method, body)
    end
    before_each(function() fake.config { pull_wait = 0.2, confirm_window = 30 } end)

    it("prints each event as a JSON line and, with --confirm, confirms it; --max stops", function()
      control("POST", "events", { count = 3, SubAppId = 221073 })
      local r = check(run(G { "events", "--sub-app-id", "221073", "--confirm", "--max", "3" }), 0)
      local ls = lines(r.out)
      assert.equal(3, #ls)
      for _, l in ipairs(ls) do
        local e = fake.decode(l)
        assert.equal("AigcVideoTaskComplete", e.EventType)
        assert.is_string(e.EventHandle)
        assert.is_string(e.AigcVideoCompleteEvent.TaskId)
      end
      assert.truthy(r.err:find("tcvod: 3 events, 3 confirmed (stopped)", 1, true), r.err)
      local l = control("GET", "events")
      assert.same({ 0, 0, 3 }, { l.visible, l.in_flight, l.confirmed })
    end)

    it("without --confirm leaves the events for the API to deliver again; --plain; --run-timeout", function()
      control("POST", "events", { count = 2, SubAppId = 221073 })
      -- --timeout after the command is the request timeout, as before it
      local r = check(run(G { "events", "--sub-app-id", "221073", "--run-timeout", "1", "--plain",
        "--timeout", "20" }), 0)
      local ls = lines(r.out)
      assert.equal(2, #ls)
      assert.truthy(ls[1]:match("^EventType=AigcVideoTaskComplete EventHandle=%x+ TaskId=%S+ FileUrl=https://"), ls[1])
      assert.truthy(r.err:find("2 events, 0 confirmed (timeout)", 1, true), r.err)
      local l = control("GET", "events")
      assert.same({ 2, 0 }, { l.in_flight, l.confirmed })
    end)

    it("--type keeps to one type and leaves the others", function()
      control("POST", "events", { count = 1, SubAppId = 221073, EventType = "NewFileUpload" })
      control("POST", "events", { count = 1, SubAppId = 221073 })
      local r = check(run(G { "events", "--sub-app-id", "221073", "--type", "AigcVideoTaskComplete",
                              "--confirm", "--max", "1" }), 0)
      assert.equal(1, #lines(r.out))
      assert.equal("AigcVideoTaskComplete", fake.decode(r.out).EventType)
      local l = control("GET", "events")
      assert.equal(1, l.confirmed)
    end)

    it("checks its flags before sending anything", function()
      local before = fake.stats().requests
      local r = check(run(G { "events", "--max", "x" }), 2)
      assert.truthy(r.err:find("--max must be an integer", 1, true), r.err)
      r = check(run(G { "events", "--max", "0" }), 2)
      assert.truthy(r.err:find("--max must be 1 or more", 1, true), r.err)
      -- the request timeout must outlast a pull: before the command or after it
      for _, argv in ipairs { { "--timeout", "5", "events", "--max", "1" }, { "events", "--timeout", "5", "--max", "1" } } do
        r = check(run(G(argv)), 2)
        local err = fake.decode(r.out).Error
        assert.equal("ClientError.InvalidOption", err.code)
        assert.equal("timeout", err.option)
        assert.truthy(err.message:find("at least 10 s", 1, true), err.message)
        assert.truthy(err.message:find("timeout is 5 s", 1, true), err.message)
      end
      r = check(run(G { "events", "--run-timeout", "0" }), 2)
      assert.equal("tcvod: --run-timeout must be a number of seconds, more than 0, got 0\n"
        .. "Try 'tcvod events --help'.\n", r.err)
      assert.equal(before, fake.stats().requests)
      r = check(run { "events", "--help" }, 0)
      assert.truthy(r.out:find("Usage: tcvod events", 1, true))
    end)
  end)

  describe("upload", function()
    local http = require "socket.http"
    local DIR = TMP .. "/files"

    -- n bytes: a seeded generator's 4099 (a prime: no two 1 MiB parts alike), repeated
    local function bytes(n, seed)
      local t, x = {}, seed
      for i = 1, 4099 do
        x = (x * 1103515245 + 12345) % 2147483648
        t[i] = string.char(math.floor(x / 65536) % 256)
      end
      local block = table.concat(t)
      return block:rep(math.ceil(n / #block)):sub(1, n)
    end

    local function write(name, data)
      local path = DIR .. "/" .. name
      local f = assert(io.open(path, "wb"))
      f:write(data)
      f:close()
      return path
    end

    local CLIP, COVER
    setup(function()
      assert(os.execute("mkdir -p " .. q(DIR)))
      -- three and a half parts of 1 MiB, the part size these specs ask for
      CLIP = bytes(3 * 1048576 + 524288, 7)
      COVER = bytes(5000, 11)
      write("clip.mp4", CLIP)
      write("cover.png", COVER)
    end)

    -- the fake's HTTPS API and HTTPS COS, one test CA for both
    local function U(argv)
      local r = G { "--cos-endpoint", ("https://127.0.0.1:%d"):format(fake.start().ports.cos_https) }
      for _, a in ipairs(argv) do r[#r + 1] = a end
      return r
    end

    -- an object back from the URL CommitUpload gave (the fake serves GET /media/<key>)
    local function fetch(url)
      local body, code = http.request(url)
      assert.equal(200, code, url)
      return body
    end

    -- the COS requests since the reset: "Operation" or "Operation#part", in order
    local function cos_ops()
      local ops = {}
      for _, x in ipairs(fake.cos_get("requests")) do
        local part = type(x.part_number) == "number" and ("#%d"):format(x.part_number) or ""
        ops[#ops + 1] = x.operation .. part
      end
      return ops
    end

    local function applied()
      for _, x in ipairs(fake.requests()) do
        if x.action == "ApplyUpload" then return fake.decode(x.body) end
      end
    end

    local function nothing_sent()
      assert.equal(0, fake.stats().requests)
      assert.same({}, fake.cos_get("requests"))
    end

    it("the help of ApplyUpload and CommitUpload points to the command", function()
      for _, action in ipairs { "ApplyUpload", "commit-upload" } do
        local out = check(run { "help", action }, 0).out
        assert.truthy(out:find("The command upload FILE does a whole upload (ApplyUpload, the bytes to COS,\n"
          .. "CommitUpload), with ApplyUpload's parameters as flags: tcvod help upload.\n", 1, true), out)
      end
    end)

    it("a file in parts, CommitUpload's answer as JSON; the object is the file, byte for byte", function()
      local r = check(run(U { "upload", DIR .. "/clip.mp4", "--sub-app-id", "221073", "--part-size", "1M",
        "--multipart-threshold", "1MiB", "--concurrency", "3" }), 0)
      assert.equal("", r.err)                 -- not a terminal: no bar
      local res = fake.decode(r.out)
      assert.truthy(tostring(res.FileId):match("^%d+$"), r.out)
      assert.truthy(res.MediaUrl:match("^http://127%.0%.0%.1:%d+/media/221073/%x+/f0%.mp4$"), res.MediaUrl)
      assert.is_string(res.RequestId)
      assert.is_nil(res.CoverUrl)
      assert.equal(('{\n  "FileId": "%s",\n  "MediaUrl": "%s",\n  "RequestId": "%s"\n}\n'):format(
        res.FileId, res.MediaUrl, res.RequestId), r.out)
      assert.equal(#CLIP, #fetch(res.MediaUrl))
      assert.is_true(CLIP == fetch(res.MediaUrl))
      -- MediaType and MediaName from the file's name
      assert.same({ MediaType = "mp4", MediaName = "clip", SubAppId = 221073 }, applied())
      local ops = cos_ops()
      assert.equal("InitiateMultipartUpload", ops[1])
      table.sort(ops, function(a, b) return a < b end)
      assert.same({ "CompleteMultipartUpload", "InitiateMultipartUpload", "UploadPart#1", "UploadPart#2",
        "UploadPart#3", "UploadPart#4" }, ops)
      local s = fake.stats()
      assert.equal(1, s.actions.ApplyUpload)
      assert.equal(1, s.actions.CommitUpload)
    end)

    it("a cover, ApplyUpload's flags by name and in kebab-case, --plain", function()
      local r = check(run(U { "upload", DIR .. "/clip.mp4", "--cover", DIR .. "/cover.png", "--plain",
        "--MediaName", "my clip", "--class-id", "3", "--SourceContext", "ctx=1", "--session-context", "s",
        "--storage-region", "ap-guangzhou", "--no-content-md5" }), 0)
      assert.equal("", r.err)
      local file_id, media, cover, req = r.out:match(
        "^FileId=(%d+) MediaUrl=(%S+) CoverUrl=(%S+) RequestId=([%w%-]+)\n$")
      assert.truthy(file_id, r.out)
      assert.truthy(media:match("/media/0/%x+/f0%.mp4$"), media)
      assert.truthy(cover:match("/media/0/%x+/f0_cover%.png$"), cover)
      assert.is_true(CLIP == fetch(media))     -- one PUT: under the default threshold
      assert.is_true(COVER == fetch(cover))
      assert.same({ MediaType = "mp4", MediaName = "my clip", CoverType = "png", ClassId = 3,
        SourceContext = "ctx=1", SessionContext = "s", StorageRegion = "ap-guangzhou" }, applied())
      assert.same({ "PutObject", "PutObject" }, cos_ops())
    end)

    it("--MediaType over the file's extension; a file without one needs it", function()
      write("noext", "x")
      local r = check(run(U { "upload", DIR .. "/noext", "--plain" }), 2)
      assert.equal("tcvod: upload: ClientError.InvalidParameter: MediaType is required (the file name has no "
        .. "extension to take it from) [attempts: 0]\nTry 'tcvod upload --help'.\n", r.err)
      nothing_sent()
      r = check(run(U { "upload", DIR .. "/noext", "--media-type", "mov", "--plain" }), 0)
      assert.truthy(r.out:match("^FileId=%d+ MediaUrl=%S+/f0%.mov RequestId="), r.out)
      assert.same({ MediaType = "mov", MediaName = "noext" }, applied())
    end)

    it("--checkpoint: after a transient failure the same command goes on from the parts COS has", function()
      local ck = TMP .. "/clip.ckpt"
      os.remove(ck)
      local argv = U { "upload", DIR .. "/clip.mp4", "--part-size", "1M", "--multipart-threshold", "1M",
        "--concurrency", "1", "--checkpoint", ck }
      -- part 3 answered 503 whatever the retries: the upload stops, its parts kept
      fake.cos_fault { mode = "error", status = 503, operation = "UploadPart", part_number = 3 }
      local r = check(run(argv), 1)
      local err = fake.decode(r.out).Error
      assert.equal("Cos.ServiceUnavailable", err.code)
      assert.equal("media", err.stage)
      assert.equal(3, err.part_number)
      assert.is_true(err.retryable)
      assert.truthy(r.err:find("^tcvod: UploadPart: Cos.ServiceUnavailable: "), r.err)
      assert.truthy(read(ck), "the checkpoint is kept")
      local uploads = fake.cos_get("uploads")
      assert.equal(1, #uploads)                -- not aborted
      fake.cos_fault { mode = "none" }
      local before = #fake.cos_get("requests")
      r = check(run(argv), 0)
      local res = fake.decode(r.out)
      assert.is_true(CLIP == fetch(res.MediaUrl))
      -- the parts COS had are not sent again
      local ops = {}
      for i, op in ipairs(cos_ops()) do if i > before then ops[#ops + 1] = op end end
      assert.same({ "ListParts", "UploadPart#3", "UploadPart#4", "CompleteMultipartUpload" }, ops)
      assert.is_nil(read(ck), "the checkpoint is removed once the upload is done")
      assert.equal(1, fake.stats().actions.ApplyUpload)
    end)

    it("COS's refusal exits 1: the error names the stage, the part and COS's RequestId", function()
      fake.cos_fault { mode = "error", status = 403, operation = "UploadPart", part_number = 2,
        message = "no writing here" }
      local r = check(run(U { "upload", DIR .. "/clip.mp4", "--part-size", "1M", "--multipart-threshold", "1M" }), 1)
      local err = fake.decode(r.out).Error
      assert.equal("Cos.AccessDenied", err.code)
      assert.equal("UploadPart", err.action)
      assert.equal("media", err.stage)
      assert.equal(2, err.part_number)
      assert.equal(403, err.http_status)
      assert.truthy(err.cos_request_id:match("^%S+$"), err.cos_request_id)
      assert.truthy(err.message:find("no writing here", 1, true), err.message)
      assert.equal(1, #lines(r.err))
      assert.truthy(r.err:find("^tcvod: UploadPart: Cos.AccessDenied: no writing here"), r.err)
      -- given up for good: the multipart upload is aborted
      assert.same({}, fake.cos_get("uploads"))
      assert.equal(0, fake.stats().actions.CommitUpload or 0)
    end)

    it("a manifest's segment that cannot be read: ClientError.File, exit 2", function()
      assert(os.execute("mkdir -p " .. q(DIR .. "/hls")))
      write("hls/v.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg0.ts\n#EXTINF:4,\nseg1.ts\n#EXT-X-ENDLIST\n")
      write("hls/seg0.ts", "a")
      local r = check(run(U { "upload", DIR .. "/hls/v.m3u8" }), 2)
      local err = fake.decode(r.out).Error
      assert.equal("ClientError.File", err.code)
      assert.equal("media", err.stage)
      assert.equal(("tcvod: upload: ClientError.File: the segment %s/hls/seg1.ts of the manifest: No such file "
        .. "or directory\n"):format(DIR), r.err)
      assert.equal(0, fake.stats().actions.CommitUpload or 0)
    end)

    describe("exit 2: usage, nothing sent", function()
      local CASES = {
        { { "upload" }, "tcvod: upload needs FILE" },
        { { "upload", "@/clip.mp4", "extra" }, "tcvod: unexpected argument 'extra'" },
        { { "upload", "@/nope.mp4" }, "tcvod: FILE cannot be read: @/nope.mp4: No such file or directory" },
        { { "upload", "@" }, "tcvod: FILE cannot be read: @: Is a directory" },
        { { "upload", "@/clip.mp4", "--cover", "@/nope.png" },
          "tcvod: --cover cannot be read: @/nope.png: No such file or directory" },
        { { "upload", "@/clip.mp4", "--part-size", "8MB" }, "tcvod: --part-size must be a number of bytes, with K, "
          .. "M or G after it or not (1024-based; KiB, MiB, GiB too), got '8MB'" },
        { { "upload", "@/clip.mp4", "--part-size", "1.5M" }, "tcvod: --part-size must be a number of bytes" },
        { { "upload", "@/clip.mp4", "--multipart-threshold", "-1" }, "tcvod: --multipart-threshold must be a number of bytes" },
        { { "upload", "@/clip.mp4", "--part-size", "99999999999999999G" },
          "tcvod: --part-size is out of range, got '99999999999999999G'" },
        { { "upload", "@/clip.mp4", "--concurrency", "x" }, "tcvod: --concurrency must be an integer, got 'x'" },
        { { "upload", "@/clip.mp4", "--MediaNmae", "x" },
          "tcvod: unknown parameter '--MediaNmae' of ApplyUpload (did you mean '--MediaName'?)" },
        { { "upload", "@/clip.mp4", "--class-id", "three" }, "tcvod: --class-id must be an integer, got 'three'" },
        { { "upload", "@/clip.mp4", "--media-name", "a", "--MediaName", "b" },
          "tcvod: --MediaName is given twice (also as --media-name)" },
        { { "upload", "@/clip.mp4", "--no-progress=yes" }, "tcvod: --no-progress takes no value" },
        { { "upload", "@/clip.mp4", "--wait" }, "tcvod: --wait is for a create action" },
        { { "--cover", "x", "upload", "@/clip.mp4" }, "tcvod: --cover is an option of upload: put it after the command",
          "Try 'tcvod --help'." },
      }
      for _, case in ipairs(CASES) do
        it(table.concat(case[1], " "), function()
          local argv = {}
          for i, a in ipairs(case[1]) do argv[i] = a:gsub("^@", DIR) end
          local r = check(run(U(argv)), 2)
          assert.equal("", r.out)
          local e = lines(r.err)
          assert.equal(2, #e, r.err)
          local want = case[2]:gsub("@", DIR)
          assert.equal(want, e[1]:sub(1, #want))
          assert.equal(case[3] or "Try 'tcvod upload --help'.", e[2])
          nothing_sent()
        end)
      end

      it("the library's verdict on an option, naming the flag (ClientError.InvalidOption)", function()
        for _, case in ipairs {
          { { "--concurrency", "33" }, "concurrency", "--concurrency" },
          { { "--part-size", "512K" }, "part_size", "--part-size" },
          { { "--part-size", "6G" }, "part_size", "--part-size" },
          { { "--part-timeout", "0" }, "part_timeout", "--part-timeout" },
        } do
          local argv = { "upload", DIR .. "/clip.mp4" }
          for _, a in ipairs(case[1]) do argv[#argv + 1] = a end
          local r = check(run(U(argv)), 2)
          local err = fake.decode(r.out).Error
          assert.equal("ClientError.InvalidOption", err.code)
          assert.equal(case[2], err.option)
          local e = lines(r.err)
          assert.truthy(e[1]:find("^tcvod: upload: ClientError.InvalidOption: upload option '" .. case[2] .. "'"), r.err)
          assert.equal(("(the option %s is given by %s)"):format(case[2], case[3]), e[2])
          assert.equal("Try 'tcvod upload --help'.", e[3])
        end
        nothing_sent()
      end)

      it("a bad --cos-endpoint (ClientError.InvalidOption of vod.new)", function()
        local r = check(run(G { "upload", DIR .. "/clip.mp4", "--cos-endpoint", "ftp://x" }), 2)
        assert.equal("cos_endpoint", fake.decode(r.out).Error.option)
        nothing_sent()
      end)
    end)

    describe("the progress bar", function()
      local ARGV = { "upload", "@/clip.mp4", "--cover", "@/cover.png", "--part-size", "1M",
        "--multipart-threshold", "1M", "--concurrency", "2" }
      local function argv_of(extra)
        local a = {}
        for i, x in ipairs(ARGV) do a[i] = x:gsub("^@", DIR) end
        for _, x in ipairs(extra or {}) do a[#a + 1] = x end
        return U(a)
      end

      -- the bar itself, from the library's reports and a clock of the test's
      local function drawn(sizes, steps)
        local cli_upload = require "tencentcloud.vod.cli_upload"
        local buf, t = {}, 0
        local out = { write = function(_, ...) for _, x in ipairs { ... } do buf[#buf + 1] = x end end,
          flush = function() end }
        local bar = cli_upload.bar(out, sizes, function() return t end)
        for _, step in ipairs(steps) do
          t = step[1]
          if step[2] == "start" then bar.start() elseif step[2] == "finish" then bar.finish()
          else bar.update(step[2], step[3], step[4]) end
        end
        return table.concat(buf)
      end

      it("shows done of the total, the rate over the last seconds, time left, then the time it took", function()
        local M = 1048576
        assert.equal("\rmedia [................]   0%  0.0/10.0 MiB  --.- B/s"
          .. "\rmedia [###.............]  20%  2.0/10.0 MiB  2.0 MiB/s  0:04 left"
          .. "\rmedia [######..........]  40%  4.0/10.0 MiB  2.0 MiB/s  0:03 left"
          .. "\rmedia [################] 100%  10.0/10.0 MiB  2.5 MiB/s  in 0:04 \n"
          .. "\rcover [................]   0%  0.0/2.0 KiB  --.- B/s"
          .. "\rcover [################] 100%  2.0/2.0 KiB  in 0:00 \n",
          drawn({ media = 10 * M, cover = 2048 }, { { 100, "start" }, { 101, 2 * M, 10 * M, "media" },
            { 102, 4 * M, 10 * M, "media" }, { 104, 10 * M, 10 * M, "media" }, { 104, 2048, 2048, "cover" },
            { 104, "finish" } }))
        -- a resumed upload: the parts COS had when it began do not count in the rate;
        -- a line left open ends with the upload
        assert.equal("\rmedia [................]   0%  0.0/10.0 MiB  --.- B/s"
          .. "\rmedia [##############..]  90%  9.0/10.0 MiB  --.- B/s"
          .. "\rmedia [###############.]  95%  9.5/10.0 MiB  512.0 KiB/s  0:01 left\n",
          drawn({ media = 10 * M }, { { 200, "start" }, { 200, 9 * M, 10 * M, "media" },
            { 201, 9.5 * M, 10 * M, "media" }, { 201, "finish" } }))
        -- an empty file; a report without a total (the library's when it does not know it)
        assert.equal("\rmedia [################] 100%  0/0 B  --.- B/s\rmedia [################] 100%  0/0 B  in 0:00 \n",
          drawn({ media = 0 }, { { 5, "start" }, { 5, 0, nil, "media" }, { 5, "finish" } }))
        assert.equal("\rmedia  0 B  --.- B/s\rmedia  1.5 MiB  --.- B/s\rmedia  3.0 MiB  1.5 MiB/s\n",
          drawn({}, { { 5, 1.5 * M, nil, "media" }, { 6, 3 * M, nil, "media" }, { 6, "finish" } }))
      end)

      it("sizes: bytes, or K, M, G (KiB, MiB, GiB) 1024-based", function()
        local parse_size = require("tencentcloud.vod.cli_upload").parse_size
        for text, n in pairs { ["16777216"] = 16777216, ["16M"] = 16777216, ["16MiB"] = 16777216,
            ["16m"] = 16777216, ["16mib"] = 16777216, ["512K"] = 524288, ["512KiB"] = 524288, ["1G"] = 1073741824,
            ["5GiB"] = 5368709120, ["0"] = 0, ["7B"] = 7 } do
          assert.equal(n, parse_size(text), text)
        end
        for _, text in ipairs { "8MB", "8mb", "8KB", "1GB", "1.5M", "-1", " 8M", "8 M", "M", "", "8T", "0x10", "1e6" } do
          local n, why = parse_size(text)
          assert.is_nil(n, text)
          assert.equal("form", why, text)
        end
        assert.same({ nil, "range" }, { parse_size("9999999999999999") })
        assert.same({ nil, "range" }, { parse_size("9999999G") })
      end)

      it("on a terminal: drawn on stderr in place, the media then the cover, each line ended", function()
        local r = check(run(argv_of { "--plain" }, { tty = true }), 0)
        assert.truthy(r.out:match("^FileId=%d+ MediaUrl=%S+ CoverUrl=%S+ RequestId=%S+\n$"), r.out)
        -- the terminal turns "\n" into "\r\n"; each draw begins with "\r"
        local tty = r.err:gsub("\r\n", "\n")
        local first = "\rmedia [................]   0%  0.0/3.5 MiB  --.- B/s"
        assert.equal(first, tty:sub(1, #first))
        local media_end = tty:find("\n", 1, true)
        local media, cover = tty:sub(1, media_end), tty:sub(media_end + 1)
        -- the last draw of each line: everything in, the time it took
        assert.truthy(media:match("\rmedia %[################%] 100%%  3%.5/3%.5 MiB [^\r\n]* in %d+:%d%d *\n$"), media)
        assert.truthy(cover:match("^\rcover %[%.+%]   0%%  0%.0/4%.9 KiB"), cover)
        assert.truthy(cover:match("\rcover %[################%] 100%%  4%.9/4%.9 KiB [^\r\n]* in %d+:%d%d *\n$"), cover)
        assert.equal(#cover, cover:find("\n", 1, true))
        -- the parts' progress in between, never past the total
        for pct in media:gmatch("%] +(%d+)%%") do assert.truthy(tonumber(pct) <= 100) end
        assert.is_nil(tty:find("tcvod:", 1, true))
      end)

      it("ends its line before an error", function()
        fake.cos_fault { mode = "error", status = 403, operation = "UploadPart", part_number = 3 }
        local r = check(run(argv_of(), { tty = true }), 1)
        local tty = r.err:gsub("\r\n", "\n")
        assert.truthy(tty:match("^\rmedia %[[^\n]*\ntcvod: UploadPart: Cos%.AccessDenied: [^\n]*\n$"), tty)
      end)

      it("none with --no-progress, nor when stderr is not a terminal", function()
        local r = check(run(argv_of { "--no-progress" }, { tty = true }), 0)
        assert.equal("", r.err)
        r = check(run(argv_of()), 0)
        assert.equal("", r.err)
      end)
    end)

    it("Ctrl-C during the upload exits 130 and aborts the multipart upload", function()
      -- each part held 2 s: the upload is under way once it has been initiated
      fake.cos_fault { mode = "delay", seconds = 2, operation = "UploadPart" }
      local argv = U { "upload", DIR .. "/clip.mp4", "--part-size", "1M", "--multipart-threshold", "1M",
        "--concurrency", "1" }
      local parts = { "env", "TENCENTCLOUD_SECRET_ID=" .. fake.SECRET_ID, "TENCENTCLOUD_SECRET_KEY=" .. fake.SECRET_KEY,
        q(TCVOD) }
      for _, a in ipairs(argv) do parts[#parts + 1] = q(a) end
      local pidfile = TMP .. "/upload.pid"
      os.execute(("(%s >%s 2>%s & echo $! >%s; wait $!; echo $? >%s) &"):format(table.concat(parts, " "),
        q(TMP .. "/out"), q(TMP .. "/err"), q(pidfile), q(TMP .. "/rc")))
      os.remove(TMP .. "/rc")
      local initiated
      for _ = 1, 200 do
        for _, op in ipairs(cos_ops()) do if op == "InitiateMultipartUpload" then initiated = true end end
        if initiated then break end
        socket.sleep(0.05)
      end
      assert.is_true(initiated)
      local pid = assert(tonumber(read(pidfile)))
      -- the interpreter itself (the tree's wrapper is a shell script that execs it)
      os.execute("kill -INT " .. pid)
      local rc
      for _ = 1, 200 do
        rc = tonumber(read(TMP .. "/rc") or "")
        if rc then break end
        socket.sleep(0.05)
      end
      assert.equal(130, rc)
      assert.equal("tcvod: interrupted\n", read(TMP .. "/err"))
      assert.equal("", read(TMP .. "/out"))
      assert.same({}, fake.cos_get("uploads"))
      assert.equal(0, fake.stats().actions.CommitUpload or 0)
    end)
  end)
end)
