-- examples/create_subject.lua, the plain-Lua example (what `make demo` runs),
-- run by the interpreter under test against the fake endpoint. (The OpenResty
-- and command-line examples are run by nginx_spec.lua and cli_spec.lua.)
local fake = require "support.fake"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

describe("examples/create_subject.lua", function()
  it("creates a subject, shows progress, prints the TaskId and the SubjectId", function()
    local info = fake.start()
    fake.reset()
    local out, err = os.tmpname(), os.tmpname()
    local cmd = ("env -u TENCENTCLOUD_SESSION_TOKEN TENCENTCLOUD_SECRET_ID=%s TENCENTCLOUD_SECRET_KEY=%s "
      .. "VOD_ENDPOINT=127.0.0.1:%d VOD_CA_FILE=%s VOD_POLL_INTERVAL=0.05 LUA_CPATH=%s LUA_PATH=%s "
      .. "%s examples/create_subject.lua >%s 2>%s")
      :format(fake.SECRET_ID, fake.SECRET_KEY, info.ports.https, q(info.ca), q(package.cpath),
        q(package.path), q(fake.interpreter()), q(out), q(err))
    local ok = os.execute(cmd)
    local function slurp(p)
      local f = assert(io.open(p))
      local s = f:read("*a")
      f:close()
      os.remove(p)
      return s
    end
    local stdout, stderr = slurp(out), slurp(err)
    assert.truthy(ok == true or ok == 0, stdout .. stderr)
    assert.truthy(stdout:find("^TaskId:    221073%-CreateAigcSubject%-%x+  %(RequestId [%w-]+%)\n"), stdout)
    assert.truthy(stdout:find("\nSubjectId: subj%-%x+\n$"), stdout)
    assert.truthy(stderr:find("  ... task PROCESSING after %d+s\n"), stderr)
    assert.equal(1, fake.stats().actions.CreateAigcSubject)
  end)
end)
