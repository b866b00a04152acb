-- The transport's own HTTP/1.1 over libcurl's connections (src/core/engine/exchange.c over
-- src/core/net/curl_conn.c, read by src/core/http/h1_reader.c), against a scripted server on loopback that answers the way
-- real servers and middleboxes can: in pieces, chunked, after a 100, without
-- a length, closing, resetting, or not speaking HTTP at all.
local fake = require "support.fake"
local raw = require "support.rawhttp"

local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

local function open_fds()
  local n = 0
  local p = io.popen("ls /proc/" .. (io.open("/proc/self/stat"):read("*l"):match("^%d+") or "self") .. "/fd")
  for _ in p:lines() do n = n + 1 end
  p:close()
  return n
end

describe("the transport", function()
  setup(function() raw.start() end)
  before_each(function() raw.reset() end)

  it("sends one well-formed HTTP/1.1 request: the request line, Host with the port, the length", function()
    local c = raw.client()
    assert.equal("raw-1", c:create_aigc_subject(PARAMS).TaskId)
    local req = raw.stats().requests[1]
    local lines = {}
    for l in (req.head .. "\r\n"):gmatch("(.-)\r\n") do lines[#lines + 1] = l end
    assert.equal("POST / HTTP/1.1", lines[1])
    assert.equal("Host: 127.0.0.1:" .. raw.port(), lines[2])
    local names = {}
    for i = 2, #lines do
      local name, value = lines[i]:match("^([^:]+): (.*)$")
      assert.truthy(name, "a header line without a value: '" .. lines[i] .. "'")
      names[name:lower()] = value
    end
    assert.equal(("%d"):format(req.body), names["content-length"])
    assert.equal("application/json", names["content-type"])
    assert.equal("CreateAigcSubject", names["x-tc-action"])
    assert.is_nil(names["expect"])
    assert.is_nil(names["x-tc-token"])          -- no token: no empty header either
  end)

  for _, mode in ipairs { "bytewise", "continue", "chunked" } do
    it("reads an answer sent " .. mode .. ", and keeps the connection", function()
      local c = raw.client()
      raw.script { mode }
      assert.equal("raw-1", c:create_aigc_subject(PARAMS).TaskId)
      assert.equal("raw-2", c:create_aigc_subject(PARAMS).TaskId)
      assert.equal(1, raw.stats().connections)
      local st = c:stats()
      assert.same({ calls = 2, connections = 1 }, { calls = st.calls, connections = st.connections })
    end)
  end

  for _, mode in ipairs { "http10", "close", "extra" } do
    it("reads an answer (" .. mode .. ") and does not reuse its connection", function()
      local c = raw.client()
      raw.script { mode }
      assert.equal("raw-1", c:create_aigc_subject(PARAMS).TaskId)
      assert.equal("raw-2", c:create_aigc_subject(PARAMS).TaskId)
      local s = raw.stats()
      assert.equal(2, s.connections)
      assert.equal(2, #s.requests)            -- nothing sent twice
      local st = c:stats()
      assert.same({ calls = 2, connections = 2 }, { calls = st.calls, connections = st.connections })
    end)
  end

  it("notices a kept-alive connection the server closed while idle, and sends on a new one", function()
    local c = raw.client()
    raw.script { "idle_close" }
    c:create_aigc_subject(PARAMS)
    require("socket").sleep(0.5)
    assert.equal("raw-2", c:create_aigc_subject(PARAMS).TaskId)   -- no error, no ambiguity
    local s = raw.stats()
    assert.equal(2, s.connections)
    assert.equal(2, #s.requests)
  end)

  for _, mode in ipairs { "silent", "reset" } do
    it("never sends a create twice when a reused connection ends unanswered (" .. mode .. ")", function()
      local c = raw.client()
      c:create_aigc_subject(PARAMS)
      raw.script { mode }
      local err = fake.raises(c.create_aigc_subject, c, PARAMS)
      assert.equal("ClientError.Network", err.code)
      assert.is_true(err.ambiguous)
      assert.truthy(err.message:find("it was not sent again", 1, true), err.message)
      assert.equal(2, #raw.stats().requests)
      assert.equal("raw-3", c:create_aigc_subject(PARAMS).TaskId)  -- and recovers
    end)
    it("sends a read-only query again on a new connection when a reused one ends unanswered ("
       .. mode .. ")", function()
      local c = raw.client()
      c:create_aigc_subject(PARAMS)
      raw.script { mode }
      assert.equal("req-3", c:call("DescribeTaskDetail", { TaskId = "t" }).RequestId)
      local s = raw.stats()
      assert.equal(3, #s.requests)
      assert.equal(2, s.connections)
    end)
  end

  it("a first connection that ends unanswered is an error, never a silent re-send", function()
    local c = raw.client()
    raw.script { "silent" }
    local err = fake.raises(c.call, c, "DescribeTaskDetail", { TaskId = "t" })
    assert.equal("ClientError.Network", err.code)
    assert.truthy(err.message:find("closed before any answer", 1, true), err.message)
    assert.equal(1, #raw.stats().requests)
  end)

  it("names what is wrong with an answer that is not HTTP", function()
    local c = raw.client()
    raw.script { "garbage" }
    local err = fake.raises(c.create_aigc_subject, c, PARAMS)
    assert.equal("ClientError.Network", err.code)
    assert.truthy(err.message:find("HTTP/1.x status line", 1, true), err.message)
    assert.equal("raw-2", c:create_aigc_subject(PARAMS).TaskId)
  end)

  it("refuses a response head over 64 KiB", function()
    local c = raw.client()
    raw.script { "bighead" }
    local err = fake.raises(c.create_aigc_subject, c, PARAMS)
    assert.equal("ClientError.Network", err.code)
    assert.truthy(err.message:find("64 KiB", 1, true), err.message)
  end)

  it("sends a 3 MB request whole over TLS, in as many writes as the socket takes", function()
    fake.start()
    fake.reset()
    local c = fake.client({ retries = false }, "https")
    local pad = string.rep("x", 3 * 1024 * 1024)
    -- the endpoint checked the signature over the whole body, then refused the made-up parameter
    local err = fake.raises(c.call, c, "DescribeTaskDetail", { TaskId = "t", Pad = pad })
    assert.equal("UnknownParameter", err.code)
    assert.equal(#pad + #'{"Pad":"","TaskId":"t"}', #fake.last().body)
  end)

  it("closes every connection it leaves: no descriptor kept after 40 closing answers", function()
    local c = raw.client()
    c:create_aigc_subject(PARAMS)
    local before = open_fds()
    local modes = {}
    for i = 1, 40 do modes[i] = i % 2 == 0 and "close" or "http10" end
    raw.script(modes)
    for _ = 1, 40 do c:create_aigc_subject(PARAMS) end
    assert.equal(40, raw.stats().connections)   -- the first answer came on the kept one
    assert.is_true(open_fds() <= before, "descriptors: " .. before .. " before, " .. open_fds() .. " after")
    c:close()
  end)
end)
