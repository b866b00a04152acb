-- The credential chain: options, a credentials table or function, the
-- environment, the profile file, the CVM role (a fake metadata service on
-- loopback), with refresh ahead of expiry and the error listing what was tried.
local fake = require "support.fake"
local meta = require "support.metadata"
local vod = require "tencentcloud.vod"

local ID, KEY = fake.SECRET_ID, fake.SECRET_KEY
local TMP_ID, TMP_KEY, TOKEN = fake.TMP_SECRET_ID, fake.TMP_SECRET_KEY, fake.TOKEN

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(os.execute("mkdir -p '" .. d .. "'"))
  return d
end

local function write(path, text)
  os.execute("mkdir -p '" .. path:match("^(.*)/[^/]*$") .. "'")
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local function header(rec, name)
  for k, v in pairs(rec.headers or {}) do
    if k:lower() == name:lower() then return v end
  end
end

-- Runs `code` in a fresh interpreter with HOME = home and the given
-- environment (nothing else of the credential variables). `code` may use
-- vod and show(opts), which prints the source, the key id and the token of
-- a client, or the error's code and message.
local child_prelude = [[
package.cpath = %q
package.path = %q
local vod = require "tencentcloud.vod"
local function show(opts)
  local ok, c = pcall(vod.new, opts)
  if not ok then print(c.code) print(c.message) return end
  local r = c:build_request("DescribeTaskDetail", { TaskId = "t" })
  print(c:settings().credential_source)
  print(r.headers.Authorization:match("Credential=([^/]+)/"), r.headers["X-TC-Token"])
end
]]
local function child(env, code, home)
  home = home or tmpdir()
  local script = tmpdir() .. "/child.lua"
  write(script, child_prelude:format(package.cpath, package.path) .. code)
  local cmd = ("env -u TENCENTCLOUD_SECRET_ID -u TENCENTCLOUD_SECRET_KEY -u TENCENTCLOUD_SESSION_TOKEN "
    .. "-u TENCENTCLOUD_PROFILE -u TENCENTCLOUD_CREDENTIALS_FILE HOME='%s' %s '%s' '%s' 2>&1")
    :format(home, env, fake.interpreter(), script)
  local p = io.popen(cmd)
  local out = p:read("*a")
  p:close()
  return out
end

local PROFILE = table.concat({
  "# a comment", "; another", "", "[default]", "  secret_id = AKIDDEFAULT0001  ",
  "secret_key=defaultKey", "", "[other]", "secret_id = AKIDOTHER0002", "secret_key = otherKey",
  "token = otherToken", "[half]", "secret_id = AKIDHALF", "",
}, "\r\n")

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

describe("credentials", function()
  describe("from the profile file", function()
    it("reads [default] of ~/.tencentcloud/credentials (comments, CRLF, spaces)", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      assert.equal(("profile file %s/.tencentcloud/credentials [default]\nAKIDDEFAULT0001\tnil\n")
        :format(home), child("", "show{}", home))
      assert.equal("AKID...0001\n", child("", "print(tostring(vod.new{}):match('%((%S+) @'))", home))
    end)

    it("takes the section named by the option or TENCENTCLOUD_PROFILE, the option first", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      local want = ("profile file %s/.tencentcloud/credentials [other]\nAKIDOTHER0002\totherToken\n"):format(home)
      assert.equal(want, child("", "show{ profile = 'other' }", home))
      assert.equal(want, child("TENCENTCLOUD_PROFILE=other", "show{}", home))
      assert.equal(want:gsub("%[other%]", "[default]"):gsub("AKIDOTHER0002\totherToken", "AKIDDEFAULT0001\tnil"),
        child("TENCENTCLOUD_PROFILE=other", "show{ profile = 'default' }", home))
    end)

    it("takes the file named by the option or TENCENTCLOUD_CREDENTIALS_FILE, the option first", function()
      local d = tmpdir()
      write(d .. "/a.ini", "[default]\nsecret_id = AKIDFILEA\nsecret_key = a\n")
      write(d .. "/b.ini", "[default]\nsecret_id = AKIDFILEB\nsecret_key = b\n")
      assert.equal(("profile file %s/a.ini [default]\nAKIDFILEA\tnil\n"):format(d),
        child("TENCENTCLOUD_CREDENTIALS_FILE=" .. d .. "/a.ini", "show{}"))
      assert.equal(("profile file %s/b.ini [default]\nAKIDFILEB\tnil\n"):format(d),
        child("TENCENTCLOUD_CREDENTIALS_FILE=" .. d .. "/a.ini", "show{ credentials_file = '" .. d .. "/b.ini' }"))
    end)

    it("fails loudly on an explicit file that cannot be read", function()
      assert.equal("ClientError.Credentials\nprofile file /nonexistent/creds (from the option "
        .. "'credentials_file') cannot be read: not found\n",
        child("", "show{ credentials_file = '/nonexistent/creds' }"))
      local d = tmpdir()
      assert.equal(("ClientError.Credentials\nprofile file %s (from TENCENTCLOUD_CREDENTIALS_FILE) "
        .. "cannot be read: Is a directory\n"):format(d),
        child("TENCENTCLOUD_CREDENTIALS_FILE=" .. d, "show{}"))
    end)

    it("fails loudly on a named profile that no file has", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      assert.equal(("ClientError.Credentials\nprofile [prod] (from TENCENTCLOUD_PROFILE) is in no "
        .. "profile file: %s/.tencentcloud/credentials: no [prod] section; "
        .. "/etc/tencentcloud/credentials: not found\n"):format(home),
        child("TENCENTCLOUD_PROFILE=prod", "show{}", home))
    end)

    it("fails loudly on a section with one key, or a malformed line, and never shows a value", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      local out = child("", "show{ profile = 'half' }", home)
      assert.equal(("ClientError.Credentials\nprofile file %s/.tencentcloud/credentials [half] has "
        .. "secret_id but no secret_key: it needs both secret_id and secret_key\n"):format(home), out)
      write(home .. "/.tencentcloud/credentials", "[default]\nsecret_id = AKIDX\nsecret_key topSecret\n")
      out = child("", "show{}", home)
      assert.equal(("ClientError.Credentials\nprofile file %s/.tencentcloud/credentials: line 3 is "
        .. "not a [section], a 'key = value' line or a comment\n"):format(home), out)
      write(home .. "/.tencentcloud/credentials", "[default\nsecret_id = AKIDX\n")
      assert.truthy(child("", "show{}", home):find("line 1 is not a [section]", 1, true))
      write(home .. "/.tencentcloud/credentials", "[default]\nsecret_id = AKID X\nsecret_key = k\n")
      out = child("", "show{}", home)
      assert.truthy(out:find("secret_id (from the profile file " .. home, 1, true), out)
      assert.is_nil(out:find("AKID X", 1, true))
    end)

    it("gives way to the environment, which gives way to the options", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      local env = "TENCENTCLOUD_SECRET_ID=AKIDENV TENCENTCLOUD_SECRET_KEY=envkey TENCENTCLOUD_SESSION_TOKEN=envtok"
      assert.equal("environment\nAKIDENV\tenvtok\n", child(env, "show{}", home))
      assert.equal("options\nAKIDOPT\tnil\n", child(env, "show{ secret_id = 'AKIDOPT', secret_key = 'k' }", home))
      assert.equal("options\nAKIDTBL\ttt\n",
        child(env, "show{ credentials = { secret_id = 'AKIDTBL', secret_key = 'k', token = 'tt' } }", home))
      -- half of the environment is not enough: the profile is next
      assert.equal(("profile file %s/.tencentcloud/credentials [default]\nAKIDDEFAULT0001\tnil\n"):format(home),
        child("TENCENTCLOUD_SECRET_ID=AKIDENV", "show{}", home))
    end)

    it("builds the module's default client too", function()
      local home = tmpdir()
      write(home .. "/.tencentcloud/credentials", PROFILE)
      assert.equal(("profile file %s/.tencentcloud/credentials [default]\n"):format(home),
        child("", "print(vod.default_client():settings().credential_source)", home))
    end)
  end)

  describe("when nothing is found", function()
    it("lists every source tried and why, at vod.new when the CVM role is off", function()
      local home = tmpdir()
      local out = child("TENCENTCLOUD_SECRET_ID=AKIDENV", [[
        local ok, e = pcall(vod.new, { cvm_role = false })
        print(e.code) print(e.message)
        for _, s in ipairs(e.sources) do print(s) end ]], home)
      local tried = {
        "options (no secret_id/secret_key)",
        "environment (TENCENTCLOUD_SECRET_KEY not set)",
        ("profile file (%s/.tencentcloud/credentials: not found; /etc/tencentcloud/credentials: not found)")
          :format(home),
        "CVM role (disabled by cvm_role = false)",
      }
      assert.equal("ClientError.Credentials\nno credentials found; tried: " .. table.concat(tried, ", ")
        .. "\n" .. table.concat(tried, "\n") .. "\n", out)
    end)

    it("names the CVM attempt, at the first call, when the role is on", function()
      local port = meta.closed_port()
      local out = child("", ([[
        local c = vod.new { metadata_url = "http://127.0.0.1:%d/meta/", endpoint = %q, scheme = "http" }
        print(tostring(c):match("%%((%%S+) @"))
        local ok, e = pcall(c.describe_task_detail, c, { TaskId = "t" })
        print(e.code) print(e.message) print(#e.sources, e.attempts) ]]):format(port, fake.endpoint()))
      local lines = {}
      for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
      assert.equal("pending", lines[1], out)
      assert.equal("ClientError.Credentials", lines[2], out)
      assert.truthy(lines[3]:find("^no credentials found; tried: options %(no secret_id/secret_key%), "
        .. "environment %(TENCENTCLOUD_SECRET_ID not set%), profile file %(.-%), CVM role %(http://127%.0%.0%.1:"
        .. port .. "/meta/cam/security%-credentials/: connection refused or unreachable%)$"), out)
      assert.equal("4\t0", lines[4], out)
    end)
  end)

  describe("options", function()
    local function err(o)
      local e = fake.raises(vod.new, o)
      assert.is_true(vod.is_error(e), tostring(e))
      return e
    end
    it("reject credentials together with secret_id", function()
      local e = err { secret_id = ID, secret_key = KEY, credentials = function() end }
      assert.equal("ClientError.InvalidOption", e.code)
      assert.equal("option 'credentials' cannot be combined with secret_id, secret_key or token: "
        .. "give one or the other", e.message)
    end)
    it("check every new option's type and value", function()
      local cases = {
        { { credentials = 42 }, "option 'credentials' must be a table { secret_id, secret_key, token } "
          .. "or a function returning one, got number" },
        { { credentials = { secret_id = ID, secret_kye = KEY } },
          "option 'credentials' has an unknown field 'secret_kye' (did you mean 'secret_key'?)" },
        { { credentials = { secret_id = ID } }, "option 'credentials' needs both secret_id and secret_key" },
        { { cvm_role = 1 }, "option 'cvm_role' must be a role name, or false to skip the CVM role, got number" },
        { { cvm_role = "a/b" }, "option 'cvm_role' must be a role name of 1 to 128 printable characters "
          .. "without spaces, '/', '?', '#', '%' or '\\'" },
        { { metadata_url = "ftp://x/" }, "option 'metadata_url' must be an http:// URL of at most 250 "
          .. "characters without user, query or fragment (e.g. \"http://metadata.tencentyun.com/latest/meta-data/\")" },
        { { metadata_url = "http://a b/" } },
        { { metadata_url = "http://h:0/" }, "option 'metadata_url' has a port outside 1..65535" },
        { { metadata_timeout = 0 }, "option 'metadata_timeout' must be a number of seconds, more than 0 and at most 60" },
        { { profile = "" } }, { { credentials_file = 3 } }, { { profile = "a]b" } },
        { { credentail = 1 }, "unknown option 'credentail' (did you mean 'credentials'?)" },
      }
      for _, case in ipairs(cases) do
        local e = err(case[1])
        assert.equal("ClientError.InvalidOption", e.code)
        if case[2] then assert.equal(case[2], e.message) end
      end
      assert.equal("ClientError.Credentials", err { token = "t" }.code)
    end)
    it("take a credentials table", function()
      local c = vod.new { credentials = { secret_id = ID, secret_key = KEY }, endpoint = fake.endpoint(),
                          scheme = "http" }
      assert.equal("options", c:settings().credential_source)
      assert.is_string(c:create_aigc_subject(PARAMS).TaskId)
    end)
  end)

  describe("from a credentials function", function()
    before_each(function() fake.reset() fake.config { rate_limit = 0 } end)

    local function client(fn, opts)
      local o = { credentials = fn, endpoint = fake.endpoint(), scheme = "http", retries = false }
      for k, v in pairs(opts or {}) do o[k] = v end
      return vod.new(o)
    end

    it("is called once, at the first call, when nothing expires", function()
      local n = 0
      local c = client(function() n = n + 1 return { secret_id = TMP_ID, secret_key = TMP_KEY, token = TOKEN } end)
      assert.equal(0, n)
      assert.truthy(tostring(c):find("(pending @", 1, true))
      assert.is_nil(c:credential_status().expires_at)
      c:create_aigc_subject(PARAMS)
      c:create_aigc_subject(PARAMS)
      assert.equal(1, n)
      assert.equal(TOKEN, header(fake.last(), "X-TC-Token"))
      assert.equal("credentials function", c:settings().credential_source)
      assert.truthy(tostring(c):find("AKID...0000", 1, true))
    end)

    it("is called again ahead of expires_at: min(300 s, half the lifetime) before", function()
      local n, exp = 0, nil
      local c = client(function()
        n = n + 1
        exp = os.time() + 4
        return { secret_id = TMP_ID, secret_key = TMP_KEY, token = TOKEN, expires_at = exp }
      end)
      c:create_aigc_subject(PARAMS)
      local st = c:credential_status()
      assert.equal(exp, st.expires_at)
      assert.equal(exp - 2, st.refresh_at)
      while os.time() < st.refresh_at do os.execute("sleep 0.2") end
      c:create_aigc_subject(PARAMS)
      assert.equal(2, n)
      local long = client(function()
        return { secret_id = TMP_ID, secret_key = TMP_KEY, token = TOKEN, expires_at = os.time() + 7200 }
      end)
      long:create_aigc_subject(PARAMS)
      st = long:credential_status()
      assert.equal(st.expires_at - 300, st.refresh_at)
    end)

    it("returning nil and a message gives ClientError.Credentials with it, and nothing is sent", function()
      local c = client(function() return nil, "the STS said no" end)
      local e = fake.raises(c.create_aigc_subject, c, PARAMS)
      assert.equal("ClientError.Credentials", e.code)
      assert.equal("credentials function: the STS said no", e.message)
      assert.equal(0, e.attempts)
      assert.equal(0, fake.stats().requests)
    end)

    it("returning the wrong things gives a clear error", function()
      local cases = {
        { function() return 42 end, "credentials function: it must return a table { secret_id, "
          .. "secret_key, token, expires_at } or nil and a message, got number" },
        { function() return { secret_id = TMP_ID } end,
          "credentials function: the table it returned needs both secret_id and secret_key" },
        { function() return { secret_id = TMP_ID, secret_key = TMP_KEY, expires = 1 } end,
          "credentials function: the table it returned has an unknown field 'expires' (did you mean 'expires_at'?)" },
        { function() return { secret_id = TMP_ID, secret_key = 7 } end,
          "credentials function: field 'secret_key' must be a string, got number" },
        { function() return { secret_id = TMP_ID, secret_key = TMP_KEY, expires_at = "soon" } end,
          "credentials function: expires_at must be an integer of UNIX seconds, got string" },
        { function() return { secret_id = TMP_ID, secret_key = TMP_KEY, expires_at = os.time() - 10 } end,
          "credentials function: the credentials it gave have already expired" },
        { function() return { secret_id = "AKID\nX", secret_key = TMP_KEY } end,
          "credentials function: secret_id (from the credentials function) must be 1 to 128 printable "
          .. "characters without spaces, '/' or ','" },
        { function() error("boom", 0) end, "credentials function: it raised an error: boom" },
        { function() return nil end, "credentials function: it returned nil without a message" },
      }
      for _, case in ipairs(cases) do
        local c = client(case[1])
        local e = fake.raises(c.describe_task_detail, c, { TaskId = "t" })
        assert.equal("ClientError.Credentials", e.code)
        assert.equal(case[2], e.message)
        e = fake.raises(c.build_request, c, "DescribeTaskDetail", { TaskId = "t" })
        assert.equal("no credentials yet: the first call fetches them (or client:refresh_credentials())", e.message)
      end
      assert.equal(0, fake.stats().requests)
    end)

    it("failing while the current credentials last: they stay in use, tried again after a pause", function()
      local n, fail, exp = 0, false, nil
      local lines = {}
      local c = client(function()
        n = n + 1
        if fail then return nil, "STS down" end
        exp = os.time() + 4
        return { secret_id = TMP_ID, secret_key = TMP_KEY, token = TOKEN, expires_at = exp }
      end, { debug = function(l) lines[#lines + 1] = l end })
      c:create_aigc_subject(PARAMS)
      fail = true
      while os.time() < c:credential_status().refresh_at do os.execute("sleep 0.2") end
      c:create_aigc_subject(PARAMS)       -- the refresh fails; the call goes through
      assert.equal(2, n)
      c:create_aigc_subject(PARAMS)       -- no new attempt yet
      assert.equal(2, n)
      assert.equal(exp, c:credential_status().refresh_at)
      while os.time() < exp do os.execute("sleep 0.2") end
      local before = fake.stats().requests
      local e = fake.raises(c.create_aigc_subject, c, PARAMS)
      assert.equal("the credentials have expired and the credentials function failed: STS down", e.message)
      assert.equal(before, fake.stats().requests)
      fail = false
      c:create_aigc_subject(PARAMS)
      assert.equal(4, n)
      local all = table.concat(lines, "\n")
      assert.truthy(all:find("refreshing the credentials from the credentials function failed (STS down)", 1, true))
      assert.is_nil(all:find(TMP_KEY, 1, true))
      assert.is_nil(all:find(TOKEN, 1, true))
    end)
  end)

  describe("from the CVM role", function()
    setup(function() meta.start() end)
    before_each(function()
      meta.reset()
      fake.reset()
      fake.config { rate_limit = 0 }
    end)

    local function client(opts)
      local o = { metadata_url = meta.url(), endpoint = fake.endpoint(), scheme = "http", retries = false,
                  credentials_file = "/dev/null" }
      for k, v in pairs(opts or {}) do o[k] = v end
      return vod.new(o)
    end

    it("discovers the role, fetches its credentials at the first call and sends the token", function()
      local c = client()
      assert.equal(0, meta.stats().requests)           -- vod.new does no network I/O
      assert.truthy(tostring(c):find("(pending @", 1, true))
      local res = c:create_aigc_subject(PARAMS)
      assert.is_table(res)
      assert.equal(TOKEN, header(fake.last(), "X-TC-Token"))
      assert.truthy(header(fake.last(), "Authorization"):find("Credential=" .. TMP_ID .. "/", 1, true))
      c:create_aigc_subject(PARAMS)
      local s = meta.stats()
      assert.equal(1, s.roles)
      assert.equal(1, s.creds)
      assert.equal("/latest/meta-data/cam/security-credentials/vod-test-role", s.paths[2])
      assert.equal("CVM role vod-test-role", c:settings().credential_source)
      local st = c:credential_status()
      assert.equal(st.expires_at - 300, st.refresh_at)
      assert.is_true(st.valid)
    end)

    it("uses the role named by cvm_role without asking for it", function()
      meta.config { role = "given" }
      client({ cvm_role = "given" }):create_aigc_subject(PARAMS)
      assert.equal(0, meta.stats().roles)
      assert.equal(1, meta.stats().creds)
    end)

    it("is not asked when a static source has credentials", function()
      local c = client { credentials_file = fake.NONE, secret_id = ID, secret_key = KEY }
      c:create_aigc_subject(PARAMS)
      assert.equal(0, meta.stats().requests)
    end)

    it("fails within the short timeout when the service is slow", function()
      meta.config { mode = "slow", delay = 3 }
      local c = client { metadata_timeout = 0.3 }
      local e = fake.raises(c.describe_task_detail, c, { TaskId = "t" })
      assert.equal("ClientError.Credentials", e.code)
      assert.truthy(e.message:find("CVM role (" .. meta.url() .. "cam/security-credentials/: timed out after 300 ms)",
        1, true), e.message)
      assert.equal(0, fake.stats().requests)
    end)

    it("says what is wrong with a failing service", function()
      local cases = {
        { "http500", "cam/security-credentials/: HTTP 500" },
        { "norole", "cam/security-credentials/: HTTP 404: no role is attached to this instance" },
        { "failcode", "cam/security-credentials/vod-test-role: Code is \"InternalError\", not \"Success\"" },
        { "notjson", "cam/security-credentials/vod-test-role: the response is not a JSON object" },
        { "nokey", "cam/security-credentials/vod-test-role: the response lacks TmpSecretKey" },
      }
      for _, case in ipairs(cases) do
        meta.config { mode = case[1] }
        local c = client()
        local e = fake.raises(c.describe_task_detail, c, { TaskId = "t" })
        assert.equal("ClientError.Credentials", e.code)
        assert.truthy(e.message:find("CVM role (" .. meta.url() .. case[2] .. ")", 1, true), e.message)
        assert.equal("CVM role (" .. meta.url() .. case[2] .. ")", e.sources[#e.sources])
        assert.is_nil(e.message:find(TMP_KEY, 1, true))
      end
      assert.equal(0, fake.stats().requests)
    end)

    it("refreshes ahead of ExpiredTime, keeps valid ones through a failed refresh, and fails once expired", function()
      meta.config { expire_in = 4 }
      local c = client()
      c:create_aigc_subject(PARAMS)
      local st = c:credential_status()
      assert.equal(st.expires_at - 2, st.refresh_at)
      while os.time() < st.refresh_at do os.execute("sleep 0.2") end
      c:create_aigc_subject(PARAMS)      -- refreshed first
      assert.equal(2, meta.stats().creds)
      assert.is_true(c:credential_status().expires_at >= st.expires_at)
      st = c:credential_status()
      meta.config { mode = "http500" }
      while os.time() < st.refresh_at do os.execute("sleep 0.2") end
      c:create_aigc_subject(PARAMS)      -- fails to refresh: goes on
      assert.equal(3, meta.stats().creds)
      c:create_aigc_subject(PARAMS)      -- backs off
      assert.equal(3, meta.stats().creds)
      while os.time() < st.expires_at do os.execute("sleep 0.2") end
      local before = fake.stats().requests
      local e = fake.raises(c.create_aigc_subject, c, PARAMS)
      assert.equal("ClientError.Credentials", e.code)
      assert.truthy(e.message:find("^the credentials of the CVM role have expired and could not be refreshed: "), e.message)
      assert.equal(before, fake.stats().requests)
      meta.config { mode = "normal", expire_in = 7200 }
      c:create_aigc_subject(PARAMS)
      assert.equal(5, meta.stats().creds)
    end)

    it("client:refresh_credentials() fetches at once", function()
      local c = client()
      c:refresh_credentials()
      assert.equal(1, meta.stats().creds)
      assert.truthy(c:build_request("DescribeTaskDetail", { TaskId = "t" }).headers["X-TC-Token"] == TOKEN)
      vod.new { secret_id = ID, secret_key = KEY }:refresh_credentials()   -- static: nothing to do
    end)
  end)
end)
