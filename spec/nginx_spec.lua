-- In a real nginx (Debian's, with libnginx-mod-http-lua and lua-resty-core),
-- one worker, started on loopback: the cosocket transport end to end.
-- Runs with `busted --run=nginx` (spec/run.sh does); needs the LuaJIT build
-- in VOD_JIT_TREE (default build/treejit).
local fake = require "support.fake"
local proxy = require "support.proxy"
local http = require "socket.http"
local socket = require "socket"
local cjson = require "cjson"

local nginx = require "support.nginx"

local sh, root = nginx.sh, nginx.root
local prefix = root .. "/build/nginx-test"
local port, server

local function get(path)
  local body, code, headers = http.request("http://127.0.0.1:" .. port .. path)
  return body, code, headers
end

local function vod(query)
  local body, code = get("/vod?" .. query)
  local ok, t = pcall(cjson.decode, body or "")
  assert(ok, "not JSON from /vod?" .. query .. ": " .. tostring(body))
  return t, code
end

describe("in nginx #nginx", function()
  setup(function()
    proxy.start()
    server = nginx.start {
      prefix = prefix, values = { PROXY_ENV = proxy.url("http") },
      env = ("env TENCENTCLOUD_SECRET_ID=%s TENCENTCLOUD_SECRET_KEY=%s"):format(fake.SECRET_ID, fake.SECRET_KEY),
    }
    port = server.port
  end)

  teardown(function() server.stop() end)

  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
  end)

  it("a handler creates a subject over HTTPS and waits for its SubjectId", function()
    local t, code = vod("op=create_wait&kind=https")
    assert.equal(200, code, cjson.encode(t))
    assert.truthy(t.task_id:match("^221073%-CreateAigcSubject%-%x+$"))
    assert.truthy(t.subject_id:match("^subj%-%x+$"))
    assert.equal(3, t.polls)
    local s = fake.stats()
    assert.equal(1, s.actions.CreateAigcSubject)
    assert.equal(3, s.actions.DescribeTaskDetail)
  end)

  it("works over plain HTTP too", function()
    assert.is_true(vod("op=create_wait&kind=http").ok)
  end)

  describe("errors reach the handler intact", function()
    it("an API error, with code and RequestId", function()
      local t = vod("op=create&kind=https&key=wrong")
      assert.equal("AuthFailure.SignatureFailure", t.code)
      assert.is_string(t.request_id)
      assert.equal(200, t.http_status)
      assert.is_true(t.is_error)
      assert.equal("CreateAigcSubject: AuthFailure.SignatureFailure: " .. t.message
        .. " (RequestId " .. t.request_id .. ") [attempts: 1]", t.text)
    end)
    it("the raising form gives the same object", function()
      local t = vod("op=raising")
      assert.equal("AuthFailure.SignatureFailure", t.code)
      assert.is_true(t.is_error)
    end)
    it("a parameter error, before anything is sent", function()
      local t = vod("op=bad_param")
      assert.equal("ClientError.InvalidParameter", t.code)
      assert.equal("unknown parameter 'SubjectImage' (did you mean 'SubjectImages'?)", t.message)
      assert.equal(0, fake.stats().requests)
    end)
    it("a failed task", function()
      local t = vod("op=failed_task&kind=https")
      assert.equal("FailedOperation.SubjectImageInvalid", t.code)
    end)
    it("a timeout", function()
      fake.fault { mode = "delay", seconds = 2, count = 1 }
      local t = vod("op=describe&kind=https&timeout=0.3&retries=off")
      assert.equal("ClientError.Timeout", t.code)
      assert.is_true(t.ambiguous)
    end)
    it("HTTP 502", function()
      fake.fault { mode = "http502", count = 1 }
      local t = vod("op=create&kind=https&nosid=1")
      assert.equal("ClientError.HTTPStatus", t.code)
      assert.equal(502, t.http_status)
      assert.truthy(t.message:find("Bad Gateway", 1, true))
    end)
    it("a body that is not JSON", function()
      fake.fault { mode = "notjson", count = 1 }
      assert.equal("ClientError.MalformedResponse", vod("op=create&kind=https&nosid=1").code)
    end)
    it("the connection closed mid-response", function()
      fake.fault { mode = "close_mid", count = 1 }
      assert.equal("ClientError.Network", vod("op=create&kind=https&nosid=1").code)
    end)
    it("a response over the size cap", function()
      fake.fault { mode = "bigbody", size = 20 * 1024 * 1024, count = 1 }
      assert.equal("ClientError.ResponseTooLarge", vod("op=create&kind=http").code)
    end)
    it("a chunked response is read whole", function()
      fake.config { chunked = true }
      assert.is_true(vod("op=create_wait&kind=https").ok)
    end)
    it("the module-level functions use credentials from nginx's environment", function()
      local t = vod("op=module_level")
      -- the default client talks to the real endpoint name, which needs a resolver here:
      -- what matters is that it was built from the environment and failed on the network
      assert.equal("ClientError.DNS", t.code, cjson.encode(t))
      assert.truthy(t.message:find("resolver", 1, true))
    end)
  end)

  describe("retries, as on the libcurl path", function()
    it("retry throttling and succeed", function()
      fake.fault { mode = "throttle", count = 2 }
      assert.is_true(vod("op=create&kind=https").ok)
      assert.equal(3, fake.stats().actions.CreateAigcSubject)
      assert.equal(1, fake.stats().tasks_created)
    end)
    it("say how many attempts were made", function()
      fake.fault { mode = "http502" }
      local t = vod("op=create&kind=https")
      assert.equal("ClientError.HTTPStatus", t.code)
      assert.equal(3, t.attempts)
      assert.truthy(t.text:find("[attempts: 3]", 1, true))
    end)
    it("never repeat an ambiguous create without a SessionId", function()
      fake.fault { mode = "http502", count = 1 }
      local t = vod("op=create&kind=https&nosid=1")
      assert.equal("ClientError.HTTPStatus", t.code)
      assert.equal(1, t.attempts)
      assert.is_true(t.ambiguous)
    end)
    it("repeat it with a SessionId, and create once", function()
      fake.fault { mode = "http502", count = 1 }
      assert.is_true(vod("op=create&kind=https&sid=ngx-502").ok)
      assert.equal(1, fake.stats().tasks_created)
    end)
    it("raise ClientError.MaybeCreated when the retry is refused as a duplicate", function()
      fake.fault { mode = "close_mid", count = 1 }
      local t = vod("op=create&kind=https&sid=ngx-mid")
      assert.equal("ClientError.MaybeCreated", t.code)
      assert.equal("ngx-mid", t.session_id)
      assert.equal("ClientError.Network", t.first_error)
      assert.equal(2, t.attempts)
      assert.equal(1, fake.stats().tasks_created)
    end)
    it("repeat what never reached the server (a failed TLS handshake)", function()
      local t = vod("op=create&kind=https_on_http")
      assert.equal("ClientError.TLS", t.code)
      assert.equal(3, t.attempts)
      assert.is_false(t.ambiguous)
      assert.equal(0, fake.stats().requests)
    end)
    it("never repeat a certificate that failed verification", function()
      vod("op=retry_lines")
      local t = vod("op=create&kind=https_untrusted")
      assert.equal("ClientError.TLSVerify", t.code)
      -- one attempt; or more when a handshake failed before any verification (one cut short
      -- on a loaded machine is ClientError.TLS, and is repeated), never one after a failed
      -- verification
      local retries = vod("op=retry_lines").lines
      assert.equal(t.attempts, #retries + 1)
      for _, l in ipairs(retries) do assert.is_nil(l:find("TLSVerify", 1, true), l) end
    end)
    it("correct a skewed clock from the server's Date, once", function()
      fake.config { clock_offset = 400 }
      assert.equal("AuthFailure.SignatureExpire", vod("op=create&kind=https&retries=off").code)
      fake.reset()
      fake.config { clock_offset = 400, rate_limit = 0 }
      assert.is_true(vod("op=create&kind=https").ok)
      assert.equal(2, fake.stats().requests)
      assert.is_true(vod("op=create&kind=https").ok)     -- kept: one more request
      assert.equal(3, fake.stats().requests)
      fake.config { clock_offset = 0 }                   -- and back, for the tests after
      assert.is_true(vod("op=create&kind=https").ok)
      assert.equal(5, fake.stats().requests)
    end)
  end)

  describe("the rate limit shared through a lua_shared_dict", function()
    it("spreads concurrent calls over the quota's windows, never more than the rate in one", function()
      local urls = {}
      for i = 1, 6 do
        urls[#urls + 1] = ("-o /dev/null 'http://127.0.0.1:%d/vod?op=create&kind=https&rate=shared2&n=%d'")
          :format(port, i)
      end
      sh(("curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 6 %s")
        :format(table.concat(urls, " ")))
      local reqs = fake.requests()
      assert.equal(6, #reqs)
      -- six calls at 2/s: the limiter admits at most two in any second (of the server's clock,
      -- learned from its Date), so three windows, or four when they start late in one
      local lines = vod("op=rate_lines").lines
      assert.equal(6, #lines)
      local per, slots = {}, {}
      for _, l in ipairs(lines) do
        local w, slot, n = l:match("^rate: window (%d+), slot (%d+) of (%d+) ")
        assert.equal("2", n, l)
        assert.is_nil(slots[w .. ":" .. slot], l)
        slots[w .. ":" .. slot] = true
        per[w] = (per[w] or 0) + 1
      end
      local windows = 0
      for w, n in pairs(per) do
        windows = windows + 1
        assert.truthy(n <= 2, ("%d calls admitted in window %s"):format(n, w))
      end
      assert.truthy(windows == 3 or windows == 4, windows)
      -- and the endpoint saw them paced: six calls in slots half a second apart span at least
      -- 2.5 s (less what a loaded machine delays the first call more than the last)
      local first, last = math.huge, -math.huge
      for _, r in ipairs(reqs) do first, last = math.min(first, r.time), math.max(last, r.time) end
      assert.truthy(last - first >= 2.0, last - first)
      assert.equal(6, fake.stats().tasks_created)
    end)
    it("names a missing dict clearly", function()
      local t = vod("op=create&kind=https&rate=missing")
      assert.equal("ClientError.InvalidOption", t.code)
      assert.truthy(t.message:find("'no_such_dict' is not a lua_shared_dict", 1, true))
    end)
  end)

  describe("TLS verification", function()
    it("fails with an untrusted certificate", function()
      local t = vod("op=create&kind=https_untrusted")
      assert.equal("ClientError.TLSVerify", t.code)
      assert.truthy(t.message:find("self-signed certificate", 1, true), t.message)
      assert.equal(0, fake.stats().requests)
    end)
    it("fails with a certificate for another host name", function()
      local t = vod("op=create&kind=https_wrong_host")
      assert.equal("ClientError.TLSVerify", t.code)
      assert.truthy(t.message:find("host mismatch", 1, true), t.message)
      assert.equal(0, fake.stats().requests)
    end)
  end)

  it("reuses kept-alive connections across requests", function()
    vod("op=create&kind=https")            -- the pool may hold a connection from before
    fake.reset()
    fake.config { rate_limit = 0 }
    for _ = 1, 5 do assert.is_true(vod("op=create&kind=https").ok) end
    assert.equal(5, fake.stats().tasks_created)
    assert.equal(1, fake.stats().connections)
  end)

  it("never sends a create twice when a pooled connection dies unanswered", function()
    assert.is_true(vod("op=create&kind=https&nosid=1").ok)    -- leaves a pooled connection
    fake.fault { mode = "close_before", count = 1 }
    local t = vod("op=create&kind=https&nosid=1")
    assert.equal("ClientError.Network", t.code)
    assert.truthy(t.message:find("it was not sent again", 1, true), t.message)
    assert.equal(2, fake.stats().actions.CreateAigcSubject)
    assert.is_true(vod("op=create&kind=https").ok)            -- and the next call works
  end)

  it("sends a read-only query again on a new connection when a pooled one dies", function()
    assert.is_true(vod("op=create&kind=https").ok)
    fake.fault { mode = "close_before", count = 1 }
    local t = vod("op=describe&kind=https")
    assert.equal("InvalidParameterValue.TaskId", t.code)     -- the server's answer, second try
    assert.equal(2, fake.stats().actions.DescribeTaskDetail)
  end)

  it("20 concurrent calls to a 1 s endpoint finish in under 3 s, and nginx stays responsive", function()
    fake.fault { mode = "delay", seconds = 1 }
    local urls = {}
    for i = 1, 20 do
      urls[#urls + 1] = ("-o /dev/null 'http://127.0.0.1:%d/vod?op=create&kind=https&n=%d'"):format(port, i)
    end
    local out = prefix .. "/parallel.txt"
    local t0 = socket.gettime()
    os.execute(("(curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 20 -w '%%{http_code}\\n' %s > '%s.tmp' 2>/dev/null; mv '%s.tmp' '%s') &")
      :format(table.concat(urls, " "), out, out, out))
    socket.sleep(0.3)                      -- all 20 are now waiting on the fake endpoint
    local plain = sh(("curl -s -o /dev/null -w '%%{time_total}' http://127.0.0.1:%d/plain"):format(port))
    local done
    repeat
      socket.sleep(0.02)
      local f = io.open(out)
      if f then done = f:read("*a") f:close() end
    until done or socket.gettime() - t0 > 10
    local elapsed = socket.gettime() - t0
    assert.truthy(done, "the 20 calls did not finish within 10 s")
    local codes = {}
    for c in done:gmatch("%d+") do codes[#codes + 1] = c end
    assert.equal(20, #codes)
    for _, c in ipairs(codes) do assert.equal("200", c) end
    assert.equal(20, fake.stats().tasks_created)
    assert.truthy(elapsed < 3, ("20 calls took %.2f s"):format(elapsed))
    assert.truthy(tonumber(plain) < 0.1, "a plain location took " .. plain .. " s while calls were in flight")
  end)

  describe("through a proxy (HTTP CONNECT)", function()
    local function q(s)
      return (s:gsub("[^%w%-%._~]", function(ch) return ("%%%02X"):format(ch:byte()) end))
    end
    before_each(function() proxy.reset() end)

    it("creates and waits through a proxy with Basic auth, on one kept-alive tunnel", function()
      local t, code = vod("op=create_wait&kind=https&proxy=" .. q(proxy.url("http_auth", true)))
      assert.equal(200, code, cjson.encode(t))
      assert.truthy(t.subject_id:match("^subj%-%x+$"))
      local s = proxy.stats().http_auth
      assert.equal(1, s.connections)
      assert.same({ { method = "CONNECT", target = fake.endpoint("https"), auth = "ok" } }, s.requests)
      assert.equal(1, fake.stats().actions.CreateAigcSubject)
      assert.equal(3, fake.stats().actions.DescribeTaskDetail)
      assert.equal(0, #proxy.stats().http.requests)     -- NO_PROXY kept the environment's away
    end)

    it("sends an http endpoint's request to the proxy in absolute form, as plain Lua does", function()
      assert.is_true(vod("op=create&kind=http&proxy=" .. q(proxy.url("http"))).ok)
      assert.same({ { method = "POST", target = "http://" .. fake.endpoint("http") .. "/", auth = "none" } },
        proxy.stats().http.requests)
    end)

    it("refused credentials: ClientError.ProxyAuth naming the proxy, not the password", function()
      local t = vod("op=create&kind=https&retries=off&proxy=" .. q(proxy.url("http_auth", proxy.USER .. ":wrongpass")))
      assert.equal("ClientError.ProxyAuth", t.code)
      assert.equal(407, t.http_status)
      assert.is_false(t.ambiguous)
      assert.equal("127.0.0.1:" .. proxy.port("http_auth"), t.proxy)
      assert.equal("the proxy refused the credentials (407 to CONNECT) (https://" .. fake.endpoint("https")
        .. " via proxy 127.0.0.1:" .. proxy.port("http_auth") .. ")", t.message)
      assert.is_nil(t.text:find("wrongpass", 1, true))
      assert.equal(0, fake.stats().requests)
    end)

    it("a refused CONNECT (403): ClientError.Proxy", function()
      local t = vod("op=describe&kind=https&proxy=" .. q(proxy.url("refuse")))
      assert.equal("ClientError.Proxy", t.code)
      assert.equal(403, t.http_status)
      assert.is_false(t.retryable)
    end)

    it("an unreachable proxy: ClientError.Connect naming it", function()
      local dead = proxy.dead_port()
      local t = vod("op=describe&kind=https&retries=off&proxy=" .. q("http://127.0.0.1:" .. dead))
      assert.equal("ClientError.Connect", t.code)
      assert.truthy(t.message:find("via proxy 127.0.0.1:" .. dead .. ")", 1, true), t.message)
      assert.is_false(t.ambiguous)
    end)

    it("a SOCKS5 proxy is refused by name: cosockets cannot speak it", function()
      local t = vod("op=create&kind=https&proxy=" .. q(proxy.url("socks5_auth", true)))
      assert.equal("ClientError.InvalidOption", t.code)
      assert.equal("proxy", t.option)
      assert.equal("option 'proxy' names a socks5 proxy (socks5://" .. proxy.USER .. ":***@127.0.0.1:"
        .. proxy.port("socks5_auth") .. "), which nginx cosockets cannot use: only an http:// proxy works "
        .. "here (HTTP CONNECT); pass proxy = \"http://host:port\" or proxy = false", t.message)
      assert.equal(0, #proxy.stats().socks5_auth.requests)
      assert.equal(0, fake.stats().requests)
    end)

    it("HTTPS_PROXY from nginx's `env`, for an endpoint NO_PROXY does not exempt", function()
      assert.is_true(vod("op=create&kind=https&host=localhost").ok)
      assert.same({ { method = "CONNECT", target = "localhost:" .. ("%d"):format(fake.start().ports.https),
                      auth = "none" } }, proxy.stats().http.requests)
    end)
  end)

  describe("docs/openresty.md's nginx.conf", function()
    local example = root .. "/examples/openresty/nginx.conf"
    local function read(path)
      local f = assert(io.open(path))
      local s = f:read("*a")
      f:close()
      return s
    end

    it("is examples/openresty/nginx.conf, word for word", function()
      local doc = read(root .. "/docs/openresty.md")
      -- the first nginx block after the heading of the section that shows it
      local text = assert(doc:match("\n## A complete nginx%.conf\n(.*)$"), "docs/openresty.md: no such section")
      local block = assert(text:match("```nginx\n(.-)```"), "docs/openresty.md: no nginx block in the section")
      assert.equal(read(example), block)
    end)

    it("runs as examples/openresty/run.sh: a subject, an upload, through the fake endpoint", function()
      -- the script swaps in this checkout's tree, a free port and the fake's CA
      local out = sh("VOD_SKIP_BUILD=1 sh '" .. root .. "/examples/openresty/run.sh' 2>&1")
      local ok_line = out:match("\n({[^\n]*subject_id[^\n]*})")
      assert.truthy(ok_line, out)
      local t = cjson.decode(ok_line)
      assert.truthy(t.subject_id:match("^subj%-%x+$"), out)
      assert.truthy(t.task_id:match("^221073%-CreateAigcSubject"), out)
      local up = assert(out:match("\n({[^\n]*file_id[^\n]*})\n"), out)   -- the upload through /media
      assert.truthy(cjson.decode(up).file_id:match("^%d+$"), out)
      assert.truthy(out:find("\nmedia_url serves the file byte for byte\n", 1, true), out)
      local bad = assert(out:match("\n({[^\n]*\"code\"[^\n]*})\n?$"), out)   -- the last line
      assert.equal("ClientError.InvalidParameter", cjson.decode(bad).code)
    end)
  end)

  describe("phases without cosockets get the phase error", function()
    local function check(text, phase)
      assert.truthy(text:find("ClientError.NoCosocket | cannot call the API from nginx's '" .. phase
        .. "' phase", 1, true), text)
    end
    it("init", function() check(get("/init_phase"), "init") end)
    it("init_worker", function() check(get("/init_worker_phase"), "init_worker") end)
    it("set", function() check(get("/set_phase"), "set") end)
    it("header_filter", function()
      local _, _, headers = get("/header_filter_phase")
      check(headers["x-vod-result"], "header_filter")
    end)
    it("log", function()
      get("/log_phase")
      socket.sleep(0.1)
      check(sh("grep 'log phase result' '" .. prefix .. "/error.log' | tail -1"), "log")
    end)
    it("while a timer may call", function()
      get("/timer")
      local r
      for _ = 1, 100 do
        r = get("/timer_result")
        if r ~= "pending\n" then break end
        socket.sleep(0.05)
      end
      assert.truthy(r:match("^ok 221073%-CreateAigcSubject"), r)
    end)
  end)

  describe("typed methods", function()
    local minimal = require "support.minimal"
    local vodm = require "tencentcloud.vod"
    local function typed(method, params)
      local q = ("op=typed&kind=http&method=%s&params=%s"):format(method,
        ngx_escape(vodm.json_encode(params)))
      return vod(q)
    end
    function ngx_escape(s)
      return (s:gsub("[^%w%-_%.~]", function(ch) return ("%%%02X"):format(ch:byte()) end))
    end

    before_each(function() fake.reset() fake.config { rate_limit = 0, pull_wait = 0.1 } end)

    it("send a minimal request of a sample of actions through cosockets", function()
      local sample = { "ComposeMedia", "DescribeMediaInfos", "CreateAigcVideoTask", "ModifyEventConfig",
                       "SearchMedia", "PullEvents", "ProcessMediaByMPS", "CreateJustInTimeTranscodeTemplate" }
      for _, action in ipairs(sample) do
        local params, d = minimal.request(action)
        local t = typed(d.method, params)
        local last = fake.last()
        assert.equal(action, last.action)
        if not t.ok then
          assert.is_nil(({ UnknownParameter = 1, MissingParameter = 1, InvalidParameter = 1 })[t.code],
            action .. ": " .. tostring(t.text))
        end
        local body = vodm.json_decode(last.body)
        if d.kind == "create" then
          assert.truthy(body.SessionId:match("^auto%-%x+$"), action)
          body.SessionId = nil
        end
        assert.same(params, body, action)
      end
    end)

    it("refuse malformed ones before sending", function()
      local before = fake.stats().requests
      local t = typed("create_aigc_video_task", { SubAppId = 1, ModelName = "Vidu", ModelVersion = "q2",
                                                  SubjectInfos = { { Id = "s", Nmae = "x" } } })
      assert.equal("ClientError.InvalidParameter", t.code)
      assert.equal("unknown parameter 'SubjectInfos[1].Nmae' (did you mean 'Name'?)", t.message)
      assert.equal(0, t.attempts)
      local params = minimal.request("ComposeMedia")
      params.Tracks[1].TrackItems[1].Type = nil
      t = typed("compose_media", params)
      assert.equal("Tracks[1].TrackItems[1].Type is required", t.message)
      assert.equal(before, fake.stats().requests)
    end)
  end)
end)
