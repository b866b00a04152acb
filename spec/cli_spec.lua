-- tcvod, the command-line tool, end to end: the wrapper installed in the tree
-- under test (build/tree54, build/treejit, or the sanitizer run's tree) runs
-- as a child process against the fake endpoint over HTTPS, with the fake's
-- credentials in its environment (never on its command line).
local fake = require "support.fake"
local vod = require "tencentcloud.vod"
local socket = require "socket"

-- The tree the specs load the module from holds the tcvod under test.
local so = assert(package.searchpath("tencentcloud.vod", package.cpath), "tencentcloud.vod not on LUA_CPATH")
local TREE = assert(so:match("^(.*)/lib/lua/[^/]+/tencentcloud/vod%.so$"), "not in a Lua tree: " .. so)
local TCVOD = TREE .. "/bin/tcvod"
local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/spec/cli_spec%.lua$")) or "."

local process = require "support.process"
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

-- run(argv [, {env = {...}, creds = false, stdin = text, cmd = path}]) -> {code, out, err}
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
      ["create-aigc-subject"] = { "--name NAME", "--image URL", "--video URL", "--sub-app-id N",
        "--session-id ID", "--priority N", "--wait", "--interval SECONDS" },
      task = { "Usage: tcvod task TASK_ID", "--sub-app-id N", "--wait", "--wait-timeout SECONDS" },
      call = { "Usage: tcvod call ACTION", "tcvod call DescribeTaskDetail '{" },
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
      { { "create-aigc-subject", "--image", IMG }, "tcvod: --name is required" },
      { { "create-aigc-subject", "--name" }, "tcvod: --name needs a value (NAME)" },
      { { "create-aigc-subject", "--name", "a", "--name", "b", "--image", IMG }, "tcvod: --name is given twice" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "abc" },
        "tcvod: --sub-app-id must be an integer, got 'abc'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "1.5" },
        "tcvod: --sub-app-id must be an integer, got '1.5'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--sub-app-id", "99999999999999999999" },
        "tcvod: --sub-app-id is out of range, got '99999999999999999999'" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--wait=yes" }, "tcvod: --wait takes no value" },
      { { "create-aigc-subject", "--name", "x", "--image", IMG, "--interval", "1" }, "tcvod: --interval needs --wait" },
      { { "--name", "x", "create-aigc-subject" }, "tcvod: --name is an option of create-aigc-subject: put it after the command", "Try 'tcvod --help'." },
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
        "ClientError.MaybeCreated" },
      [2] = { "ClientError.InvalidParameter", "ClientError.InvalidOption", "ClientError.Credentials" },
      [3] = { "ClientError.DNS", "ClientError.Connect", "ClientError.TLS", "ClientError.TLSVerify",
        "ClientError.Timeout", "ClientError.Network", "ClientError.HTTPStatus", "ClientError.MalformedResponse",
        "ClientError.ResponseTooLarge", "ClientError.Proxy", "ClientError.WaitTimeout",
        "ClientError.Internal", "ClientError.OutOfMemory" },
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
    assert.truthy(r.out:find("Status=FINISH SubjectId=subj%-%x+ RequestId="), r.out)
    assert.truthy(r.out:find('"SubjectId": "subj-', 1, true), r.out)
    assert.truthy(r.out:find("exit status 1 (1: the API answered with an error)", 1, true), r.out)
    assert.truthy(r.err:find("$ tcvod create-aigc-subject --name hero", 1, true), r.err)
  end)
end)
