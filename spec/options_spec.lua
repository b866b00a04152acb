-- vod.new: options, defaults, credentials, and what tostring shows.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local ID, KEY = fake.SECRET_ID, fake.SECRET_KEY

local function new_err(opts)
  local err = fake.raises(vod.new, opts)
  assert.is_true(vod.is_error(err), tostring(err))
  return err
end

-- Runs a Lua snippet in a fresh interpreter with a given environment
-- (credentials from the environment cannot be set from inside Lua).
local function run_with_env(env, code)
  local exe = fake.interpreter()
  local cmd = "env -u TENCENTCLOUD_SECRET_ID -u TENCENTCLOUD_SECRET_KEY -u TENCENTCLOUD_SESSION_TOKEN "
    .. "-u TENCENTCLOUD_REGION " .. env .. " '" .. exe .. "' -e '" .. code .. "' 2>&1"
  local p = io.popen(cmd)
  local out = p:read("*a")
  p:close()
  return out
end

describe("vod.new", function()
  it("has documented defaults", function()
    local c = vod.new { secret_id = ID, secret_key = KEY }
    assert.truthy(tostring(c):find("https://vod.intl.tencentcloudapi.com", 1, true))
    local r = c:build_request("DescribeTaskDetail", { TaskId = "t" })
    assert.equal("vod.intl.tencentcloudapi.com", r.host)
    assert.equal(443, r.port)
    assert.equal("https", r.scheme)
    assert.equal("vod.intl.tencentcloudapi.com", r.headers.Host)
    assert.is_nil(r.headers["X-TC-Region"])
    assert.is_nil(r.headers["X-TC-Token"])
    assert.is_nil(r.headers["X-TC-Language"])
    assert.equal("tencentcloud-vod-lua/" .. vod.VERSION, r.headers["X-TC-RequestClient"])
    assert.equal("2018-07-17", r.headers["X-TC-Version"])
    assert.equal("application/json", r.headers["Content-Type"])
  end)

  describe("vod.defaults()", function()
    it("gives the defaults of vod.new's options, of wait_task's and of consume_events'", function()
      assert.same({
        site = "intl", endpoint = "vod.intl.tencentcloudapi.com", scheme = "https",
        timeout = 30, connect_timeout = 5, max_response_size = 16 * 1024 * 1024,
        retries = { max = 2, base_delay = 0.2, max_delay = 5, deadline = 60 },
        rate_limit = { rate = 20, burst = 1, adaptive = true },
        auto_session_id = true, debug = false,
        profile = "default", cvm_role = true,
        metadata_url = "http://metadata.tencentyun.com/latest/meta-data/", metadata_timeout = 2,
        wait_task = { interval = 2, timeout = 600 },
        consume_events = { others = "confirm", confirm_within = 20, min_client_timeout = 10,
                           idle_interval = 1, max_backoff = 30 },
      }, vod.defaults())
      if math.type then
        assert.equal("integer", math.type(vod.defaults().timeout))    -- whole numbers as integers
      end
    end)

    it("a new table each time", function()
      local d = vod.defaults()
      d.timeout, d.wait_task.interval = 1, 99
      assert.equal(30, vod.defaults().timeout)
      assert.equal(2, vod.defaults().wait_task.interval)
      assert.are_not.equal(vod.defaults(), vod.defaults())
    end)

    it("is what a client without options does", function()
      local d = vod.defaults()
      local c = vod.new { secret_id = ID, secret_key = KEY }
      local s = c:settings()
      assert.equal(d.scheme, s.scheme)
      assert.equal(d.endpoint, s.endpoint)
      assert.equal(d.endpoint, s.host)
      assert.equal(d.timeout, s.timeout)
      assert.equal(d.connect_timeout, s.connect_timeout)
      assert.equal(d.max_response_size, s.max_response_size)
      assert.is_true(s.retries)
      assert.near(d.rate_limit.rate, s.rate_limit.rate, 1e-9)
      assert.equal(d.rate_limit.burst, s.rate_limit.burst)
      assert.equal(d.rate_limit.adaptive, s.rate_limit.adaptive)
      assert.equal(d.endpoint, vod.new { secret_id = ID, secret_key = KEY, site = d.site }:settings().endpoint)
      -- wait_task's defaults, as it plans a wait (its checks, in the module's private table)
      local private = debug.getregistry()["tencentcloud.vod.private"]
      local _, interval, timeout = private.wait_plan(c, "t", nil)   -- as wait.lua calls it
      assert.equal(d.wait_task.interval, interval)
      assert.equal(d.wait_task.timeout, timeout)
      -- consume_events': its loop's constants, and the client timeout it needs
      local events = require "tencentcloud.vod.events"
      assert.equal(d.consume_events.confirm_within, events.CONFIRM_WITHIN)
      assert.equal(d.consume_events.min_client_timeout, events.MIN_TIMEOUT)
      local short = vod.new { secret_id = ID, secret_key = KEY, timeout = d.consume_events.min_client_timeout - 1 }
      local err = fake.raises(short.consume_events, short, function() return true end)
      assert.equal("ClientError.InvalidOption", err.code)
      assert.truthy(err.message:find(("at least %d s"):format(d.consume_events.min_client_timeout), 1, true))
    end)

    it("retries: a failure that may be retried is sent 1 + retries.max times", function()
      local d = vod.defaults()
      fake.reset()
      fake.fault { mode = "http502", count = -1 }
      local c = fake.client { retries = { base_delay = 0.01, max_delay = 0.02 } }   -- max: the default
      local err = fake.raises(c.describe_task_detail, c, { TaskId = "t" })
      assert.equal("ClientError.HTTPStatus", err.code)
      assert.equal(d.retries.max + 1, err.attempts)
      assert.equal(d.retries.max + 1, fake.stats().requests)
      fake.reset()
      c:close()
    end)
  end)

  it("sends region, token and language only when configured", function()
    local c = vod.new { secret_id = ID, secret_key = KEY, region = "ap-guangzhou", token = "tok",
                        language = "en-US" }
    local h = c:build_request("DescribeTaskDetail", { TaskId = "t" }).headers
    assert.equal("ap-guangzhou", h["X-TC-Region"])
    assert.equal("tok", h["X-TC-Token"])
    assert.equal("en-US", h["X-TC-Language"])
  end)

  it("switches to the China site, and an endpoint overrides the site", function()
    local c = vod.new { secret_id = ID, secret_key = KEY, site = "china" }
    assert.equal("vod.tencentcloudapi.com", c:build_request("DescribeTaskDetail", { TaskId = "t" }).host)
    c = vod.new { secret_id = ID, secret_key = KEY, site = "intl" }
    assert.equal("vod.intl.tencentcloudapi.com", c:settings().host)
    c = vod.new { secret_id = ID, secret_key = KEY, site = "china", endpoint = "127.0.0.1:9" }
    assert.equal("127.0.0.1", c:settings().host)
    local err = new_err { secret_id = ID, secret_key = KEY, site = "cn" }
    assert.equal("option 'site' must be \"intl\" (vod.intl.tencentcloudapi.com) or \"china\" "
      .. "(vod.tencentcloudapi.com)", err.message)
    assert.equal("site", err.option)
  end)

  it("takes host:port, and signs the host without the port", function()
    local c = vod.new { secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:8443" }
    local r = c:build_request("DescribeTaskDetail", { TaskId = "t" })
    assert.equal("127.0.0.1", r.host)
    assert.equal(8443, r.port)
    assert.equal("127.0.0.1:8443", r.headers.Host)
    assert.truthy(r.headers.Authorization:find("SignedHeaders=content-type;host,", 1, true))
  end)

  it("rejects an unknown option, suggesting the closest", function()
    local err = new_err { secret_id = ID, secret_key = KEY, timout = 3 }
    assert.equal("ClientError.InvalidOption", err.code)
    assert.equal("unknown option 'timout' (did you mean 'timeout'?)", err.message)
    assert.equal("timout", err.option)
  end)

  it("rejects a wrong type for every option", function()
    for _, name in ipairs { "secret_id", "secret_key", "token", "region", "endpoint", "scheme",
                            "ca_file", "language" } do
      local o = { secret_id = ID, secret_key = KEY }
      o[name] = 42
      local err = new_err(o)
      assert.equal(name, err.option or (err.code == "ClientError.Credentials" and name) or nil,
        tostring(err))
      assert.truthy(err.message:find("must be a string, got number", 1, true), err.message)
    end
    for _, name in ipairs { "timeout", "connect_timeout" } do
      local err = new_err { secret_id = ID, secret_key = KEY, [name] = "5" }
      assert.equal("option '" .. name .. "' must be a number of seconds, got string", err.message)
    end
  end)

  it("takes fractional timeouts and rejects 0, negative and NaN ones", function()
    vod.new { secret_id = ID, secret_key = KEY, timeout = 0.25, connect_timeout = 0.1 }
    for _, v in ipairs { 0, -1, 0 / 0, math.huge } do
      local err = new_err { secret_id = ID, secret_key = KEY, timeout = v }
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal("timeout", err.option)
    end
  end)

  it("checks endpoint, scheme, region, language and ca_file", function()
    local cases = {
      { endpoint = "https://vod.tencentcloudapi.com" },
      { endpoint = "host:0" }, { endpoint = "host:65536" }, { endpoint = "host:" },
      { endpoint = "" }, { endpoint = "a b" }, { endpoint = "h\r\nX-Evil: 1" },
      { scheme = "ftp" }, { region = "AP GZ" }, { region = "ap\ngz" },
      { language = "fr-FR" }, { ca_file = "/nonexistent/ca.pem" },
    }
    for _, o in ipairs(cases) do
      o.secret_id, o.secret_key = ID, KEY
      local err = new_err(o)
      assert.equal("ClientError.InvalidOption", err.code)
    end
    assert.equal("option 'scheme' must be \"https\" or \"http\", got 'ftp'",
      new_err { secret_id = ID, secret_key = KEY, scheme = "ftp" }.message)
    assert.equal("option 'ca_file' cannot be read: No such file or directory",
      new_err { secret_id = ID, secret_key = KEY, ca_file = "/nonexistent/ca.pem" }.message)
    vod.new { secret_id = ID, secret_key = KEY, endpoint = "[::1]:8443" }
    vod.new { secret_id = ID, secret_key = KEY, language = "zh-CN", scheme = "http" }
  end)

  it("reads only what the options table holds, not what __index makes up", function()
    local opts = setmetatable({ secret_id = ID, secret_key = KEY }, {
      __index = function(_, k) if k == "region" then return "ap-" .. "made-up" end end,
    })
    local h = vod.new(opts):build_request("DescribeTaskDetail", { TaskId = "t" }).headers
    assert.is_nil(h["X-TC-Region"])
  end)

  it("rejects a token with a line break (no header injection)", function()
    local err = new_err { secret_id = ID, secret_key = KEY, token = "t\r\nX-Evil: 1" }
    assert.equal("ClientError.Credentials", err.code)
  end)

  it("needs both secret_id and secret_key", function()
    local err = new_err { secret_id = ID }
    assert.equal("ClientError.Credentials", err.code)
    assert.equal("options give secret_id without secret_key: pass both", err.message)
  end)

  it("never shows the secret key", function()
    local c = vod.new { secret_id = ID, secret_key = KEY, token = "sessiontoken" }
    local s = tostring(c)
    assert.is_nil(s:find(KEY, 1, true))
    assert.is_nil(s:find("sessiontoken", 1, true))
    assert.is_nil(s:find(ID, 1, true))
    assert.truthy(s:find("AKID...0000", 1, true))
    local err = new_err { secret_id = ID, secret_key = KEY, timeout = -1 }
    assert.is_nil(tostring(err):find(KEY, 1, true))
  end)

  it("can be closed; calls after that raise ClientError.ClientClosed", function()
    local c = vod.new { secret_id = ID, secret_key = KEY }
    c:close()
    assert.truthy(tostring(c):find("(closed)", 1, true))
    local err = fake.raises(c.describe_task_detail, c, { TaskId = "t" })
    assert.equal("ClientError.ClientClosed", err.code)
    c:close()           -- twice is fine
  end)

  describe("credentials from the environment", function()
    local cpath = package.cpath:gsub("'", "")
    local prelude = "package.cpath=[[" .. cpath .. "]] local vod=require[[tencentcloud.vod]] "

    it("are used when the options give none", function()
      local out = run_with_env("TENCENTCLOUD_SECRET_ID=AKIDENVEXAMPLE TENCENTCLOUD_SECRET_KEY=envkey "
        .. "TENCENTCLOUD_SESSION_TOKEN=envtoken TENCENTCLOUD_REGION=ap-singapore",
        prelude .. "local r=vod.new{}:build_request([[DescribeTaskDetail]],{TaskId=[[t]]}) "
        .. "print(r.headers.Authorization:match([[Credential=(%w+)/]]), r.headers[ [[X-TC-Token]] ], "
        .. "r.headers[ [[X-TC-Region]] ])")
      assert.equal("AKIDENVEXAMPLE\tenvtoken\tap-singapore\n", out)
    end)

    it("are not mixed with explicit ones (no environment token with option keys)", function()
      local out = run_with_env("TENCENTCLOUD_SESSION_TOKEN=envtoken",
        prelude .. "local r=vod.new{secret_id=[[AKIDX]],secret_key=[[k]]}:build_request("
        .. "[[DescribeTaskDetail]],{TaskId=[[t]]}) print(r.headers[ [[X-TC-Token]] ])")
      assert.equal("nil\n", out)
    end)

    it("missing everywhere (and the CVM role off) gives an error naming every source", function()
      local out = run_with_env("HOME=/nonexistent", prelude .. "local ok,e=pcall(vod.new,{cvm_role=false}) "
        .. "print(e.code) print(e.message)")
      assert.equal("ClientError.Credentials\nno credentials found; tried: options (no secret_id/secret_key), "
        .. "environment (TENCENTCLOUD_SECRET_ID not set), profile file (/nonexistent/.tencentcloud/credentials: "
        .. "not found; /etc/tencentcloud/credentials: not found), CVM role (disabled by cvm_role = false)\n", out)
    end)

    it("build the default client of the module-level functions", function()
      local out = run_with_env("TENCENTCLOUD_SECRET_ID=AKIDENVEXAMPLE TENCENTCLOUD_SECRET_KEY=envkey",
        prelude .. "local ok,e=pcall(vod.create_aigc_subject,{SubjectImage={}}) print(e.message)")
      assert.equal("unknown parameter 'SubjectImage' (did you mean 'SubjectImages'?)\n", out)
      -- nothing static: the default client asks the CVM metadata service at the first call
      -- (metadata.tencentyun.com, which does not resolve off Tencent Cloud)
      out = run_with_env("HOME=/nonexistent", prelude .. "local ok,e=pcall(vod.describe_task_detail,{TaskId=[[t]]}) "
        .. "print(e.code) print(e.sources[4]:match([[^CVM role %(http://metadata.tencentyun.com/]]) ~= nil)")
      assert.equal("ClientError.Credentials\ntrue\n", out)
    end)
  end)
end)
