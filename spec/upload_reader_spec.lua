-- client:upload in plain Lua (libcurl) against the fake COS: a MediaReader
-- whose stream ends exactly at a part's end, COS's refusal as the error's
-- message, and vod.request_body_reader outside nginx.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local MIB = 1048576

local function client()
  return fake.client { cos_endpoint = ("http://127.0.0.1:%d"):format(fake.start().ports.cos_http) }
end

-- a reader of n chunks of 64 KiB, each of its own byte; and their MD5
local function chunks(n)
  local i = 0
  return function()
    if i >= n then return nil end
    i = i + 1
    return string.rep(string.char(i % 256), 65536)
  end
end

local function md5_of(n)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  local read = chunks(n)
  for data in read do f:write(data) end
  f:close()
  local p = assert(io.popen("md5sum '" .. path .. "'"))
  local out = p:read("*a")
  p:close()
  os.remove(path)
  return out:match("^(%x+)")
end

describe("upload from a MediaReader", function()
  before_each(function() fake.reset() end)

  it("whose MediaSize is under multipart_threshold but over part_size: one PUT of all of it", function()
    local res = client():upload({ MediaType = "mp4", MediaReader = chunks(48), MediaSize = 3 * MIB },
                                { part_size = MIB })
    assert.truthy(res.FileId:match("^%d+$"), res.FileId)
    local objects = fake.cos_get("objects")
    assert.equal(1, #objects)
    assert.equal(3 * MIB, objects[1].size)
    assert.equal(md5_of(48), objects[1].md5)
    local ops = {}
    for _, r in ipairs(fake.cos_get("requests")) do ops[#ops + 1] = r.operation end
    assert.same({ "PutObject" }, ops)
  end)

  for _, threshold in ipairs { 0, 8 * MIB } do
    it(("that gives more than MediaSize: ClientError.Callback, nothing committed (%s)"):format(
         threshold == 0 and "parts" or "one PUT"), function()
      local c = client()
      local err = fake.raises(c.upload, c, { MediaType = "mp4", MediaReader = chunks(51), MediaSize = 3 * MIB },
                              { part_size = MIB, multipart_threshold = threshold })
      assert.equal("ClientError.Callback", err.code)
      assert.equal("MediaReader gave more than MediaSize (3145728 bytes)", err.message)
      assert.equal(0, #fake.cos_get("objects"))
    end)
  end

  it("that gives less than MediaSize: ClientError.Callback, nothing committed", function()
    local c = client()
    local err = fake.raises(c.upload, c, { MediaType = "mp4", MediaReader = chunks(40), MediaSize = 3 * MIB },
                            { part_size = MIB })
    assert.equal("ClientError.Callback", err.code)
    assert.equal("MediaReader ended after 2621440 bytes; MediaSize says 3145728", err.message)
    assert.equal(0, #fake.cos_get("objects"))
  end)

  for _, sized in ipairs { false, true } do
    it("that ends exactly at a part's end (" .. (sized and "with" or "without") .. " MediaSize)", function()
      local res = client():upload({ MediaType = "mp4", MediaReader = chunks(32),
                                    MediaSize = sized and 2 * MIB or nil },
                                  { part_size = MIB, multipart_threshold = 0 })
      assert.truthy(res.FileId:match("^%d+$"), res.FileId)
      local objects = fake.cos_get("objects")
      assert.equal(1, #objects)
      assert.equal(2 * MIB, objects[1].size)
      assert.equal(2, objects[1].parts)
      assert.equal(md5_of(32), objects[1].md5)
    end)
  end
end)

describe("COS's refusal", function()
  after_each(function() fake.cos_fault { mode = "none" } end)

  it("is the error: its code, COS's message and the resource", function()
    fake.reset()
    fake.cos_fault { mode = "error", status = 403, operation = "PutObject" }
    local c = client()
    local err = fake.raises(c.upload, c, { MediaType = "mp4", MediaContent = "abc" })
    local key = fake.cos_get("sessions")[1].media_key
    assert.equal("Cos.AccessDenied", err.code)
    assert.equal("PutObject", err.action)
    assert.equal("media", err.stage)
    assert.equal(403, err.http_status)
    assert.equal(("injected fault (127.0.0.1:%d/%s)"):format(fake.start().ports.cos_http, key), err.message)
  end)
end)

describe("vod.request_body_reader outside nginx", function()
  it("raises ClientError.NoCosocket: there is no request to read", function()
    local err = fake.raises(vod.request_body_reader)
    assert.is_true(vod.is_error(err))
    assert.equal("ClientError.NoCosocket", err.code)
    assert.equal("request_body_reader", err.action)
    assert.equal("request_body_reader reads the body of the nginx request being handled, through "
      .. "ngx.req.socket(): it works only inside nginx (OpenResty), in a rewrite, access or content "
      .. "handler; outside nginx, give upload MediaFilePath, MediaContent, or a MediaReader function "
      .. "of your own", err.message)
  end)
  it("and the safe form returns it", function()
    local reader, err = require("tencentcloud.vod.safe").request_body_reader(65536)
    assert.is_nil(reader)
    assert.equal("ClientError.NoCosocket", err.code)
  end)
end)
