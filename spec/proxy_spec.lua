-- Proxies on the libcurl path: the `proxy` option, the environment
-- (https_proxy, HTTP_PROXY, ALL_PROXY, NO_PROXY...), errors at the proxy, and
-- the password kept out of everything printable. Calls go through a real
-- proxy on loopback (spec/support/proxy.py) to the fake endpoint.
local fake = require "support.fake"
local proxy = require "support.proxy"
local vod = require "tencentcloud.vod"
local cjson = require "cjson"

local FAST = { max = 2, base_delay = 0.001, max_delay = 0.005 }
local TASK = { TaskId = "221073-CreateAigcSubject-0" }
local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

-- The fake answers an unknown task with an API error: proof the call got through.
local function reach(c)
  local ok, err = pcall(c.describe_task_detail, c, TASK)
  assert(not ok, "expected the fake's API error")
  assert.equal("InvalidParameterValue.TaskId", err.code, tostring(err))
end

local function https_port() return ("%d"):format(fake.start().ports.https) end

local function requests_of(kind) return proxy.stats()[kind].requests end

local function no_secret(s)
  s = tostring(s)
  assert.is_nil(s:find(proxy.PASSWORD, 1, true), s)
  assert.is_nil(s:find(proxy.PASSWORD_URL, 1, true), s)
  assert.is_nil(s:find("pr0xy", 1, true), s)
  assert.is_nil(s:find("wrongpass", 1, true), s)
end

describe("proxy option", function()
  setup(function() proxy.start() end)
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
    proxy.reset()
  end)

  describe("is checked at vod.new", function()
    local function bad(value, expect)
      local err = fake.raises(vod.new, { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, proxy = value })
      assert.equal("ClientError.InvalidOption", err.code)
      assert.equal("proxy", err.option)
      assert.equal("option 'proxy' " .. expect, err.message)
      no_secret(err.message)
      no_secret(tostring(err))
    end
    it("names the rule, never the password", function()
      bad("ftp://h:1", "has the scheme 'ftp'; it must be http, https, socks5 or socks5h")
      bad("socks4://u:pr0xy@h:1", "has the scheme 'socks4'; it must be http, https, socks5 or socks5h")
      bad("127.0.0.1:3128", "must be a URL scheme://[user:password@]host[:port] with the scheme http, "
        .. "https, socks5 or socks5h")
      bad("http://u:pr0xy@h:0", "has a port that is not a number from 1 to 65535")
      bad("http://u:pr0xy@h:65536", "has a port that is not a number from 1 to 65535")
      bad("http://u:pr0xy@", "has no host")
      bad("http://u:pr0xy%zz@h", "has a bad percent-escape in its user name or password")
      bad("http://u:pr0xy%0a@h", "has a control character in its user name or password")
      bad("http://u:pr0xy @h", "must not contain spaces, control or non-ASCII characters "
        .. "(percent-encode them in the user name or password)")
      bad("http://u:pr0xy\r\n@h", "must not contain spaces, control or non-ASCII characters "
        .. "(percent-encode them in the user name or password)")
      bad("http://u:pr0/xy@h", "must not have a path, query or fragment (percent-encode '/', '?', "
        .. "'#' and '@' in the user name or password)")
      bad("http://h!:1", "has a host that is not a name or an IP address (letters, digits, '.', '-', '_'; [IPv6])")
      bad("", "must not be empty (use false for no proxy)")
      bad("http://" .. ("a"):rep(1100), "must be at most 1024 characters")
      bad("http://u:" .. ("p"):rep(300) .. "@h", "has a user name or password longer than 255 bytes")
      bad(true, "must be a URL string scheme://[user:password@]host[:port] or false, got true")
      bad(3128, "must be a URL string scheme://[user:password@]host[:port] or false, got number")
    end)
    it("suggests the name of a misspelt option", function()
      local err = fake.raises(vod.new, { secret_id = fake.SECRET_ID, secret_key = fake.SECRET_KEY, proxi = "x" })
      assert.equal("unknown option 'proxi' (did you mean 'proxy'?)", err.message)
    end)
  end)

  it("tunnels an https endpoint through an HTTP proxy with CONNECT", function()
    local c = fake.client({ proxy = proxy.url("http") }, "https")
    reach(c)
    local seen = requests_of("http")
    assert.equal(1, #seen)
    assert.same({ method = "CONNECT", target = fake.endpoint("https"), auth = "none" }, seen[1])
    assert.equal(1, fake.stats().requests)
  end)

  it("keeps the tunnel alive: one CONNECT for several calls", function()
    local c = fake.client({ proxy = proxy.url("http") }, "https")
    for _ = 1, 4 do reach(c) end
    local s = proxy.stats().http
    assert.equal(1, s.connections)
    assert.equal(1, #s.requests)
    assert.equal(1, c:stats().connections)
    assert.equal(4, fake.stats().requests)
  end)

  it("sends an http endpoint's request in absolute form", function()
    local c = fake.client({ proxy = proxy.url("http") }, "http")
    reach(c)
    reach(c)
    local s = proxy.stats().http
    assert.equal(2, #s.requests)
    assert.same({ method = "POST", target = "http://" .. fake.endpoint("http") .. "/", auth = "none" }, s.requests[1])
    assert.equal(1, s.connections)
  end)

  it("presents percent-encoded credentials, decoded, with Basic auth", function()
    local c = fake.client({ proxy = proxy.url("http_auth", true) }, "https")
    reach(c)
    assert.same({ method = "CONNECT", target = fake.endpoint("https"), auth = "ok" }, requests_of("http_auth")[1])
    c = fake.client({ proxy = proxy.url("http_auth", true) }, "http")
    reach(c)
    assert.equal("ok", requests_of("http_auth")[2].auth)
  end)

  describe("refused credentials: ClientError.ProxyAuth, never retried", function()
    local function refused(kind, creds, endpoint_kind)
      local lines = {}
      local url = proxy.url(kind, creds)
      local c = fake.client({ proxy = url, retries = FAST, debug = function(l) lines[#lines + 1] = l end },
        endpoint_kind or "https")
      local err = fake.raises(c.create_aigc_subject, c, PARAMS)
      assert.equal("ClientError.ProxyAuth", err.code)
      assert.truthy(err.message:find("via proxy 127.0.0.1:" .. proxy.port(kind), 1, true), err.message)
      assert.equal("127.0.0.1:" .. proxy.port(kind), err.proxy)
      assert.is_false(err.retryable)
      assert.is_false(err.ambiguous)
      assert.equal(1, err.attempts)
      assert.equal(0, fake.stats().requests)
      no_secret(err.message)
      no_secret(tostring(err))
      for _, l in ipairs(lines) do no_secret(l) end
      return err
    end
    it("a wrong password (CONNECT answered 407)", function()
      local err = refused("http_auth", proxy.USER .. ":wrongpass")
      assert.equal(407, err.http_status)
      assert.equal("the proxy refused the credentials: CONNECT tunnel failed, response 407 (https://"
        .. fake.endpoint("https") .. " via proxy 127.0.0.1:" .. proxy.port("http_auth") .. ")", err.message)
      assert.equal("bad", requests_of("http_auth")[1].auth)
    end)
    it("no credentials at all", function()
      refused("http_auth", nil)
      assert.equal("none", requests_of("http_auth")[1].auth)
    end)
    it("a 407 to an absolute-form request (http endpoint)", function()
      local err = refused("http_auth", proxy.USER .. ":wrongpass", "http")
      assert.equal(407, err.http_status)
      assert.equal("POST", requests_of("http_auth")[1].method)
    end)
    it("SOCKS5 user/password rejected", function()
      local err = refused("socks5_auth", proxy.USER .. ":wrongpass")
      assert.truthy(err.message:find("SOCKS5", 1, true), err.message)
      assert.equal("bad", requests_of("socks5_auth")[1].auth)
    end)
  end)

  it("a CONNECT refused by policy (403): ClientError.Proxy, not retried", function()
    local c = fake.client({ proxy = proxy.url("refuse"), retries = FAST }, "https")
    local err = fake.raises(c.describe_task_detail, c, TASK)
    assert.equal("ClientError.Proxy", err.code)
    assert.equal(403, err.http_status)
    assert.is_false(err.retryable)
    assert.equal(1, err.attempts)
    assert.equal("the proxy refused the tunnel: CONNECT tunnel failed, response 403 (https://"
      .. fake.endpoint("https") .. " via proxy 127.0.0.1:" .. proxy.port("refuse") .. ")", err.message)
  end)

  it("a proxy whose upstream fails (502) is retried, even for a create: nothing reached the server", function()
    local c = fake.client({ proxy = proxy.url("gateway"), retries = FAST }, "https")
    local err = fake.raises(c.create_aigc_subject, c, PARAMS)
    assert.equal("ClientError.Proxy", err.code)
    assert.equal(502, err.http_status)
    assert.is_false(err.ambiguous)
    assert.is_true(err.retryable)
    assert.equal(3, err.attempts)
    assert.equal(3, #requests_of("gateway"))
    assert.equal(0, fake.stats().requests)
  end)

  it("an unreachable proxy: ClientError.Connect naming the proxy, retried, never ambiguous", function()
    local port = proxy.dead_port()
    local c = fake.client({ proxy = "http://" .. proxy.USER .. ":" .. proxy.PASSWORD_URL .. "@127.0.0.1:" .. port,
                            retries = FAST }, "https")
    local err = fake.raises(c.create_aigc_subject, c, PARAMS)
    assert.equal("ClientError.Connect", err.code)
    assert.truthy(err.message:find("via proxy 127.0.0.1:" .. port .. ")", 1, true), err.message)
    assert.is_false(err.ambiguous)
    assert.is_true(err.retryable)
    assert.equal(3, err.attempts)
    no_secret(err.message)
    -- the same for SOCKS5
    c = fake.client({ proxy = "socks5://127.0.0.1:" .. port, retries = false }, "https")
    err = fake.raises(c.describe_task_detail, c, TASK)
    assert.equal("ClientError.Connect", err.code)
    assert.equal(0, fake.stats().requests)
  end)

  describe("an https:// proxy", function()
    it("is reached over TLS, verified with the same CA settings", function()
      local c = fake.client({ proxy = proxy.url("https_auth", true) }, "https")
      reach(c)
      reach(c)
      local s = proxy.stats().https_auth
      assert.equal(1, s.connections)
      assert.same({ method = "CONNECT", target = fake.endpoint("https"), auth = "ok" }, s.requests[1])
    end)
    it("whose certificate is not trusted fails verification, said to be the proxy's", function()
      local c = fake.client({ proxy = proxy.url("https"), ca_file = fake.NONE }, "https")
      local err = fake.raises(c.describe_task_detail, c, TASK)
      assert.equal("ClientError.TLSVerify", err.code)
      assert.truthy(err.message:find("^the proxy's certificate: "), err.message)
      assert.equal(0, #requests_of("https"))
    end)
  end)

  describe("SOCKS5", function()
    it("socks5:// resolves the endpoint here and sends the address", function()
      local c = fake.client({ proxy = proxy.url("socks5") }, "https")
      reach(c)
      reach(c)
      local s = proxy.stats().socks5
      assert.equal(1, s.connections)
      assert.same({ method = "SOCKS5", target = fake.endpoint("https"), atyp = "ipv4", auth = "none" },
        s.requests[1])
    end)
    it("socks5h:// lets the proxy resolve the name", function()
      local c = fake.client({ proxy = proxy.url("socks5"):gsub("^socks5:", "socks5h:"),
                              endpoint = "localhost:" .. https_port() }, "https")
      reach(c)
      local r = requests_of("socks5")[1]
      assert.equal("domain", r.atyp)
      assert.equal("localhost:" .. https_port(), r.target)
    end)
    it("with RFC 1929 user and password", function()
      local c = fake.client({ proxy = proxy.url("socks5_auth", true) }, "https")
      reach(c)
      assert.equal("ok", requests_of("socks5_auth")[1].auth)
    end)
  end)

  describe("keeps the password out of everything printable", function()
    it("settings, tostring and debug lines show user:***", function()
      local lines = {}
      local url = proxy.url("http_auth", true)
      local c = fake.client({ proxy = url, debug = function(l) lines[#lines + 1] = l end }, "https")
      local shown = "http://" .. proxy.USER .. ":***@127.0.0.1:" .. proxy.port("http_auth")
      assert.equal(shown, c:settings().proxy)
      assert.equal("option", c:settings().proxy_source)
      assert.truthy(tostring(c):find(" via " .. shown, 1, true))
      reach(c)
      local via
      for _, l in ipairs(lines) do
        no_secret(l)
        if l == "> via proxy " .. shown .. " (option)" then via = true end
      end
      assert.is_true(via, table.concat(lines, "\n"))
      no_secret(tostring(c))
      no_secret(cjson.encode(c:settings()))
    end)
    it("no proxy, no proxy fields", function()
      local c = fake.client({ proxy = false }, "https")
      assert.is_nil(c:settings().proxy)
      assert.is_nil(tostring(c):find(" via ", 1, true))
    end)
  end)

  -- The environment cannot be changed from Lua: a child interpreter runs with it.
  describe("from the environment", function()
    local CLEAN = "env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY "
      .. "-u no_proxy -u NO_PROXY -u REQUEST_METHOD "

    -- Builds a client in a child with env and extra options (Lua source), makes
    -- one call, and returns what it saw as a table.
    local function child(env, kind, extra)
      local f = fake.start()
      kind = kind or "https"
      local opts = ("secret_id = %q, secret_key = %q, endpoint = %q, scheme = %q, ca_file = %q, "
        .. "retries = false, timeout = 10, %s"):format(fake.SECRET_ID, fake.SECRET_KEY,
        fake.endpoint(kind), kind == "http" and "http" or "https", f.ca, extra or "")
      local code = ([[
local vod = require "tencentcloud.vod"
local cjson = require "cjson"
local ok, c = pcall(vod.new, { OPTS })
if not ok then print(cjson.encode({ new_error = c.code, message = c.message, option = c.option })) return end
local s = c:settings()
local ok2, e = pcall(c.describe_task_detail, c, { TaskId = "t" })
print(cjson.encode({ proxy = s.proxy or false, source = s.proxy_source or false,
  code = ok2 and "ok" or e.code, message = (not ok2) and e.message or "" }))
]]):gsub("OPTS", function() return opts end)
      assert(not code:find("'", 1, true))
      local p = io.popen(CLEAN .. env .. " '" .. fake.interpreter() .. "' -e '" .. code .. "' 2>&1")
      local out = p:read("*a")
      p:close()
      local ok, t = pcall(cjson.decode, out:match("[^\n]*\n?$") or "")
      assert(ok and type(t) == "table", "child said: " .. out)
      return t, out
    end
    local REACHED = "InvalidParameterValue.TaskId"

    it("HTTPS_PROXY for an https endpoint", function()
      local t = child("HTTPS_PROXY=" .. proxy.url("http"))
      assert.equal(REACHED, t.code, t.message)
      assert.equal("HTTPS_PROXY", t.source)
      assert.equal(proxy.url("http"), t.proxy)
      assert.equal("CONNECT", requests_of("http")[1].method)
    end)
    it("https_proxy before HTTPS_PROXY, and a bare host:port means http://", function()
      local t = child("HTTPS_PROXY=http://127.0.0.1:" .. proxy.dead_port() .. " https_proxy=127.0.0.1:"
        .. proxy.port("http"))
      assert.equal(REACHED, t.code, t.message)
      assert.equal("https_proxy", t.source)
      assert.equal(1, #requests_of("http"))
    end)
    it("credentials in the variable are used and never shown", function()
      local t, out = child("HTTPS_PROXY=" .. proxy.url("http_auth", true))
      assert.equal(REACHED, t.code, t.message)
      assert.equal("ok", requests_of("http_auth")[1].auth)
      assert.equal("http://" .. proxy.USER .. ":***@127.0.0.1:" .. proxy.port("http_auth"), t.proxy)
      no_secret(out)
    end)
    it("http_proxy is not for an https endpoint", function()
      local t = child("http_proxy=" .. proxy.url("http") .. " HTTP_PROXY=" .. proxy.url("http"))
      assert.equal(REACHED, t.code)
      assert.is_false(t.proxy)
      assert.equal(0, #requests_of("http"))
    end)
    it("HTTP_PROXY for an http endpoint, but not in a CGI process (REQUEST_METHOD set)", function()
      local t = child("HTTP_PROXY=" .. proxy.url("http"), "http")
      assert.equal(REACHED, t.code, t.message)
      assert.equal("HTTP_PROXY", t.source)
      assert.equal(1, #requests_of("http"))
      t = child("REQUEST_METHOD=GET HTTP_PROXY=" .. proxy.url("http"), "http")
      assert.equal(REACHED, t.code)
      assert.is_false(t.proxy)
      assert.equal(1, #requests_of("http"))
      t = child("REQUEST_METHOD=GET http_proxy=" .. proxy.url("http"), "http")
      assert.equal("http_proxy", t.source)
      assert.equal(2, #requests_of("http"))
    end)
    it("ALL_PROXY when no scheme's variable is set (here a SOCKS5 proxy)", function()
      local t = child("ALL_PROXY=" .. proxy.url("socks5"))
      assert.equal(REACHED, t.code, t.message)
      assert.equal("ALL_PROXY", t.source)
      assert.equal("SOCKS5", requests_of("socks5")[1].method)
    end)
    it("NO_PROXY exempts the endpoint: names, addresses, CIDR, *", function()
      local via = "HTTPS_PROXY=" .. proxy.url("http")
      for _, list in ipairs { "127.0.0.1", "example.com,127.0.0.0/8", "*", "[127.0.0.1]:"
          .. https_port(), "localhost,127.0.0.1" } do
        local t = child(via .. " NO_PROXY='" .. list .. "'")
        assert.equal(REACHED, t.code)
        assert.is_false(t.proxy, list)
      end
      local t = child(via .. " no_proxy=10.0.0.0/8,127.0.0.2,127.0.0.1:1")
      assert.equal("HTTPS_PROXY", t.source)
      assert.equal(REACHED, t.code)
      assert.equal(1, #requests_of("http"))
    end)
    it("the proxy option wins over the environment and ignores NO_PROXY", function()
      local t = child("HTTPS_PROXY=http://127.0.0.1:" .. proxy.dead_port() .. " NO_PROXY=127.0.0.1",
        "https", ("proxy = %q"):format(proxy.url("http")))
      assert.equal(REACHED, t.code, t.message)
      assert.equal("option", t.source)
      assert.equal(1, #requests_of("http"))
    end)
    it("proxy = false ignores the environment (libcurl's own reading included)", function()
      local t = child("HTTPS_PROXY=" .. proxy.url("http") .. " https_proxy=" .. proxy.url("http")
        .. " ALL_PROXY=" .. proxy.url("http"), "https", "proxy = false")
      assert.equal(REACHED, t.code)
      assert.is_false(t.proxy)
      assert.equal(0, #requests_of("http"))
    end)
    it("a malformed variable fails vod.new, naming the variable and not the password", function()
      local t, out = child("HTTPS_PROXY=ftp://u:pr0xy@h:1")
      assert.equal("ClientError.InvalidOption", t.new_error)
      assert.equal("proxy", t.option)
      assert.equal("environment variable HTTPS_PROXY has the scheme 'ftp'; it must be http, https, socks5 "
        .. "or socks5h (pass proxy = false to ignore it)", t.message)
      no_secret(out)
    end)
  end)
end)
