-- The credential chain in a real nginx: the CVM role fetched through
-- cosockets (one fetch for concurrent first calls; a slow and a failing
-- metadata service), and a credentials function that yields. Its own nginx,
-- from spec/nginx/nginx.conf.in without the `env` lines, so no credentials
-- come from the environment. Runs with `busted --run=nginx`.
local fake = require "support.fake"
local meta = require "support.metadata"
local http = require "socket.http"
local cjson = require "cjson"

local nginx = require "support.nginx"

local prefix = nginx.root .. "/build/nginx-creds-test"
local port, server

local function get(path)
  return http.request("http://127.0.0.1:" .. port .. path)
end

describe("credentials in nginx #nginx", function()
  setup(function()
    meta.start()
    -- no credentials and no proxy from the environment: no env directives
    server = nginx.start {
      prefix = prefix, strip_env = true,
      env = "env -u TENCENTCLOUD_SECRET_ID -u TENCENTCLOUD_SECRET_KEY",
    }
    port = server.port
  end)

  teardown(function() server.stop() end)

  local n = 0
  local function creds(query)
    n = n + 1
    local body = get(("/creds?name=c%d&meta=%d&%s"):format(n, meta.start().port, query))
    local ok, t = pcall(cjson.decode, body or "")
    assert(ok, "not JSON from /creds?" .. query .. ": " .. tostring(body))
    return t
  end

  before_each(function()
    meta.reset()
    fake.reset()
    fake.config { rate_limit = 0 }
  end)

  it("the CVM role: discovered, fetched once, its token sent", function()
    local t = creds("op=cvm&twice=1")
    assert.is_true(t.ok, cjson.encode(t))
    assert.equal("CVM role vod-test-role", t.source)
    assert.equal(fake.TOKEN, fake.last().headers["X-TC-Token"])
    assert.equal(2, fake.stats().tasks_created)
    assert.same({ roles = 1, creds = 1 }, { roles = meta.stats().roles, creds = meta.stats().creds })
  end)

  it("concurrent first calls make one fetch, not a stampede", function()
    meta.config { mode = "slow", delay = 0.3 }
    local t = creds("op=concurrent&n=6")
    assert.equal(6, t.oks, cjson.encode(t))
    assert.equal(1, meta.stats().roles)
    assert.equal(1, meta.stats().creds)
    assert.equal(6, fake.stats().tasks_created)
  end)

  it("concurrent calls share one failure instead of queueing a fetch each", function()
    meta.config { mode = "slow", delay = 2 }
    local t = creds("op=concurrent&n=4&mt=0.3")
    assert.equal(0, t.oks)
    assert.equal(4, #t.errors)
    for _, e in ipairs(t.errors) do
      assert.truthy(e:find("^ClientError.Credentials: no credentials found;.*timed out after 300 ms%)$"), e)
    end
    assert.equal(1, meta.stats().roles)
  end)

  it("a slow metadata service fails the call within the short timeout, nothing sent", function()
    meta.config { mode = "slow", delay = 2 }
    local t = creds("op=cvm&mt=0.3")
    assert.equal("ClientError.Credentials", t.code)
    assert.truthy(t.message:find("/latest/meta-data/cam/security-credentials/: timed out after 300 ms)", 1, true),
      t.message)
    assert.equal(4, #t.sources)
    assert.equal(0, t.attempts)
    assert.equal(0, fake.stats().requests)
  end)

  it("a failing metadata service names what failed", function()
    for mode, want in pairs {
      failcode = "vod-test-role: Code is \"InternalError\", not \"Success\")",
      http500 = "cam/security-credentials/: HTTP 500)",
      notjson = "vod-test-role: the response is not a JSON object)",
    } do
      meta.config { mode = mode }
      local t = creds("op=cvm")
      assert.equal("ClientError.Credentials", t.code)
      assert.truthy(t.message:find(want, 1, true), t.message)
    end
    assert.equal(0, fake.stats().requests)
  end)

  it("a closed metadata port: connection refused", function()
    local body = get(("/creds?name=closed&meta=%d&op=cvm"):format(meta.closed_port()))
    local t = cjson.decode(body)
    assert.equal("ClientError.Credentials", t.code)
    assert.truthy(t.message:find("cam/security-credentials/: connection refused or unreachable)", 1, true),
      t.message)
  end)

  it("a credentials function may yield (it runs in Lua, not under a C call)", function()
    local t = creds("op=func")
    assert.is_true(t.ok, cjson.encode(t))
    assert.equal(1, t.calls)
    assert.equal(fake.TOKEN, fake.last().headers["X-TC-Token"])
  end)
end)
