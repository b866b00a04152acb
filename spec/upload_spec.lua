-- client:upload against the fake endpoint and its COS (spec/fake_vod): the
-- media from a file, a string or a reader, in one PUT or in parts; what is
-- checked before anything is sent; COS's faults; the session's rules
-- (UploadExpired, a lost ApplyUpload, MaybeCommitted); manifests; resuming
-- from a checkpoint after SIGKILL. Every object is compared byte for byte with
-- what was uploaded, through its MediaUrl and the fake's ledger.
local fake = require "support.fake"
local process = require "support.process"
local http = require "socket.http"
local socket = require "socket"
local vod = require "tencentcloud.vod"

local MiB = 1048576
local SUB = 221073
local FAST = { max = 2, base_delay = 0.01, max_delay = 0.02 }

local dir = process.tmpdir()

-- n bytes that differ from block to block (cheap to make, never all equal)
local function bytes(n, seed)
  local parts, block = {}, ("%08d"):format(seed or 7):rep(512)   -- 4 KiB
  local i = 0
  while i * 4096 < n do
    parts[#parts + 1] = ("%08x"):format(i) .. block:sub(9)
    i = i + 1
  end
  return table.concat(parts):sub(1, n)
end

local function file(name, data)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
  return path
end

local function client(opts)
  local o = { cos_endpoint = "http://" .. fake.endpoint("cos_http"), retries = FAST, rate_limit = false }
  for k, v in pairs(opts or {}) do o[k] = v end
  return fake.client(o)
end

local function fetch(url)
  local body, code = http.request(url)
  assert(code == 200, "GET " .. url .. ": " .. tostring(code))
  return body
end

-- the fake COS's requests of one operation
local function requests(op)
  local out = {}
  for _, r in ipairs(fake.cos_get("requests")) do
    if r.operation == op then out[#out + 1] = r end
  end
  return out
end

local function parts_sent(status)
  local seen = {}
  for _, r in ipairs(requests("UploadPart")) do
    if status == nil or r.status == status then
      seen[r.part_number] = (seen[r.part_number] or 0) + 1
    end
  end
  return seen
end

local function nothing_sent()
  assert.equal(0, fake.stats().requests)
  assert.same({}, fake.cos_get("requests"))
end

describe("client:upload", function()
  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
  end)

  it("puts a small file in one PUT, its type and name from the file's name", function()
    local data = bytes(100000)
    local res = client():upload { MediaFilePath = file("clip.MP4", data), SubAppId = SUB }
    assert.is_string(res.FileId)
    assert.is_string(res.RequestId)
    assert.equal(data, fetch(res.MediaUrl))
    local s = fake.cos_get("sessions")[1]
    assert.equal("mp4", s.media_type)
    assert.is_true(s.committed)
    local req = fake.control_get("requests")
    local apply
    for _, r in ipairs(req) do if r.action == "ApplyUpload" then apply = r end end
    assert.equal(1, #requests("PutObject"))
    assert.equal(200, requests("PutObject")[1].status)
    assert.equal(0, #requests("InitiateMultipartUpload"))
    assert.is_nil(apply and apply.error)
  end)

  it("sends a large file in parts, each once, ascending in Complete, the object byte-identical", function()
    local data = bytes(7 * MiB + 12345, 3)
    local res = client():upload({ MediaFilePath = file("big.mp4", data), SubAppId = SUB },
      { part_size = 2 * MiB, multipart_threshold = MiB })
    assert.same({ 1, 1, 1, 1 }, parts_sent(200))
    assert.equal(1, #requests("InitiateMultipartUpload"))
    assert.equal(1, #requests("CompleteMultipartUpload"))
    assert.same({}, fake.cos_get("uploads"))
    local obj = fake.cos_get("objects")[1]
    assert.equal(#data, obj.size)
    assert.equal(4, obj.parts)
    assert.equal(data, fetch(res.MediaUrl))
  end)

  it("takes MediaContent and a cover from strings", function()
    local media, cover = bytes(300000, 1), bytes(5000, 2)
    local res = client():upload { MediaContent = media, MediaType = "mp4", CoverContent = cover,
                                  CoverType = "jpg", SubAppId = SUB }
    assert.equal(media, fetch(res.MediaUrl))
    assert.equal(cover, fetch(res.CoverUrl))
    assert.truthy(res.CoverUrl:find("%.jpg$"), res.CoverUrl)
  end)

  it("takes the cover's type from its file's name", function()
    local res = client():upload { MediaContent = "m", MediaType = "mp4",
                                  CoverFilePath = file("poster.PNG", "png bytes") }
    assert.truthy(res.CoverUrl:find("%.png$"), res.CoverUrl)
    assert.equal("png bytes", fetch(res.CoverUrl))
  end)

  it("streams a MediaReader of unknown length, its parts filled as they come", function()
    local data = bytes(3 * MiB + MiB / 2, 5)
    local pos, calls = 1, 0
    local function reader()
      calls = calls + 1
      if pos > #data then return nil end
      local chunk = data:sub(pos, pos + 65535)
      pos = pos + #chunk
      return chunk
    end
    local res = client():upload({ MediaReader = reader, MediaType = "mp4" },
      { part_size = MiB, multipart_threshold = MiB })
    assert.same({ 1, 1, 1, 1 }, parts_sent(200))
    assert.equal(data, fetch(res.MediaUrl))
    assert.is_true(calls > 50)
  end)

  it("sends a short stream in one PUT", function()
    local chunks = { "abc", "def", "" }
    local i = 0
    local res = client():upload { MediaReader = function() i = i + 1 return chunks[i] end,
                                  MediaType = "mp4", MediaSize = 6 }
    assert.equal("abcdef", fetch(res.MediaUrl))
    assert.equal(1, #requests("PutObject"))
  end)

  it("refuses a stream longer than its MediaSize, and aborts what it began", function()
    local data = bytes(3 * MiB)
    local pos = 1
    local err = fake.raises(client().upload, client(), { MediaType = "mp4", MediaSize = MiB + 1,
      MediaReader = function()
        if pos > #data then return nil end
        local c = data:sub(pos, pos + 65535)
        pos = pos + #c
        return c
      end }, { part_size = MiB, multipart_threshold = MiB })
    assert.equal("ClientError.Callback", err.code)
    assert.truthy(err.message:find("MediaSize", 1, true), err.message)
    assert.same({}, fake.cos_get("uploads"))
  end)

  it("reports progress at most about ten times a second, ending with the total, media then cover", function()
    local data = bytes(4 * MiB, 9)
    fake.cos_fault { mode = "delay", seconds = 0.15, operation = "UploadPart" }
    local seen = {}
    client():upload({ MediaFilePath = file("p.mp4", data), CoverContent = "cover", CoverType = "jpg" },
      { part_size = MiB, multipart_threshold = MiB, concurrency = 4,
        progress = function(done, total, what)
          seen[#seen + 1] = { done = done, total = total, what = what, t = socket.gettime() }
        end })
    local last_media
    for i, p in ipairs(seen) do
      if p.what == "media" then last_media = i end
      assert.truthy(p.done <= p.total)
    end
    assert.same({ #data, #data, "media" }, { seen[last_media].done, seen[last_media].total, "media" })
    assert.same({ 5, 5, "cover" }, { seen[#seen].done, seen[#seen].total, seen[#seen].what })
    for i = 2, last_media - 1 do            -- the last of each kind may come at once
      assert.truthy(seen[i].t - seen[i - 1].t >= 0.09, ("%.3f"):format(seen[i].t - seen[i - 1].t))
    end
  end)

  describe("the parts' digests computed ahead (multi-buffer MD5)", function()
    -- with AVX2 or AVX-512 (and VOD_MD5_MB not "off") the debug sink names
    -- the parts hashed ahead, a batch a line; without, the lanes hash their
    -- own parts, and all the rest must hold just the same
    local cpu = process.read_file("/proc/cpuinfo") or ""
    local mb = cpu:find("%savx2%s") ~= nil and os.getenv("VOD_MD5_MB") ~= "off"

    -- the parts the debug sink says were hashed ahead: part number -> true
    local function hashed_ahead(lines)
      local seen, count = {}, 0
      for _, l in ipairs(lines) do
        local first, last, n = l:match("parts (%d+) to (%d+) %((%d+) of them%) hashed ahead together")
        if first then
          assert.truthy(l:find("multi-buffer MD5, avx", 1, true), l)
          for k = tonumber(first), tonumber(last) do seen[k] = true end
          count = count + tonumber(n)
        end
      end
      return seen, count
    end

    local function every_part_once(n)
      local sent = parts_sent()
      for k = 1, n do assert.equal(1, sent[k], "part " .. k .. " sent once") end
      assert.is_nil(sent[n + 1])
    end

    it("a file's full parts, many at once, the last and shorter part by itself", function()
      local data = bytes(20 * MiB + 777, 31)
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaFilePath = file("ahead.mp4", data), SubAppId = SUB }, { part_size = MiB, multipart_threshold = MiB })
      every_part_once(21)                     -- a wrong Content-MD5 would have been refused, and sent again
      assert.equal(data, fetch(res.MediaUrl))
      local seen, count = hashed_ahead(lines)
      if mb then
        assert.equal(20, count)
        for k = 1, 20 do assert.is_true(seen[k], "part " .. k) end
      end
      assert.is_nil(seen[21])
    end)

    it("a string's parts, hashed where they lie", function()
      local data = bytes(6 * MiB + 5, 37)
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaContent = data, MediaType = "mp4" }, { part_size = MiB, multipart_threshold = MiB, concurrency = 3 })
      every_part_once(7)
      assert.equal(data, fetch(res.MediaUrl))
      local _, count = hashed_ahead(lines)
      assert.equal(mb and 6 or 0, count)
    end)

    it("parts whose size is no multiple of MD5's 64-byte block, the last one full", function()
      local ps = MiB + 1000
      local data = bytes(5 * ps, 41)
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaFilePath = file("odd.mp4", data) }, { part_size = ps, multipart_threshold = MiB })
      every_part_once(5)
      assert.equal(data, fetch(res.MediaUrl))
      local _, count = hashed_ahead(lines)
      assert.equal(mb and 5 or 0, count)
    end)

    it("a file rewritten during the upload: a part whose bytes changed since they were hashed is "
      .. "refused (BadDigest), then sent again with the digests of what is sent", function()
      local path = dir .. "/changing.mp4"
      local old, new = bytes(12 * MiB + 3, 43), bytes(12 * MiB + 3, 47)
      file("changing.mp4", old)
      local changed = false
      local res = client():upload({ MediaFilePath = path },
        { part_size = MiB, multipart_threshold = MiB, concurrency = 2,
          progress = function()
            if not changed then changed = true file("changing.mp4", new) end
          end })
      assert.is_true(changed)
      local got = fetch(res.MediaUrl)
      assert.equal(#old, #got)
      for k = 0, 12 do                        -- each part is one version or the other, whole
        local a, b = k * MiB + 1, math.min((k + 1) * MiB, #old)
        local part = got:sub(a, b)
        assert.truthy(part == old:sub(a, b) or part == new:sub(a, b), "part " .. (k + 1))
      end
      if mb then
        local refused = 0
        for _, r in ipairs(requests("UploadPart")) do
          if r.status == 400 then refused = refused + 1 end
        end
        assert.truthy(refused >= 1, "no part was refused")
      end
    end)

    -- the parts hashed ahead are sent from the file as it is read, a window of
    -- 256 KiB at a time (file_window.h): the file is read again as each goes
    it("a file that shrinks during the upload: ClientError.File, not ambiguous, and the upload aborted", function()
      local path = file("shrinking.mp4", bytes(12 * MiB, 53))
      local err = fake.raises(client().upload, client(), { MediaFilePath = path },
        { part_size = MiB, multipart_threshold = MiB, concurrency = 2,
          progress = function() file("shrinking.mp4", "short now") end })
      assert.equal("ClientError.File", err.code)
      assert.equal("media", err.stage)
      assert.truthy(err.message:find(path .. ": the file shrank", 1, true), err.message)
      assert.is_false(err.retryable)
      assert.is_falsy(err.ambiguous)          -- cut short: COS stored nothing of that part
      assert.same({}, fake.cos_get("uploads"))
      local deadline = socket.gettime() + 5
      while #requests("AbortMultipartUpload") == 0 and socket.gettime() < deadline do socket.sleep(0.02) end
      assert.equal(1, #requests("AbortMultipartUpload"))
      assert.is_false(fake.cos_get("sessions")[1].committed)
    end)

    it("a file that shrinks in the middle of a part being sent: the request is cut, ClientError.File; "
      .. "with a checkpoint too (the file changed: nothing to resume), the upload aborted", function()
      local path, ckpt = file("cut.mp4", bytes(8 * MiB, 59)), dir .. "/cut.ckpt"
      os.remove(ckpt)
      -- part 1 held 0.3 s by COS: part 2 is answered first, and its progress cuts
      -- the file at 5 MiB, the middle of part 3, which the same lane sends next
      fake.cos_fault { mode = "delay", seconds = 0.3, operation = "UploadPart", part_number = 1, count = 1 }
      local shrunk = false
      local err = fake.raises(client().upload, client(), { MediaFilePath = path },
        { part_size = 2 * MiB, multipart_threshold = MiB, concurrency = 2, checkpoint = ckpt,
          progress = function(done)
            if done > 0 and not shrunk then
              shrunk = true
              assert(os.execute(("truncate -s %d '%s'"):format(5 * MiB, path)))
            end
          end })
      assert.is_true(shrunk)
      assert.equal("ClientError.File", err.code)
      assert.truthy(err.message:find(path .. ": the file shrank", 1, true), err.message)
      assert.is_false(err.retryable)
      assert.is_falsy(err.ambiguous)
      assert.same({}, fake.cos_get("uploads"))
      assert.is_nil(process.read_file(ckpt), "the checkpoint is removed with the upload")
      assert.is_nil(parts_sent(200)[3], "part 3 cut short: COS stored nothing of it")
      assert.is_nil(parts_sent(200)[4])
      if mb then                              -- sent from the file: its 1 MiB left went, then the cut
        local cut
        local deadline = socket.gettime() + 5   -- (the fake writes its ledger once the request ended)
        repeat
          for _, r in ipairs(requests("UploadPart")) do if r.part_number == 3 then cut = r end end
          if not cut then socket.sleep(0.02) end
        until cut or socket.gettime() > deadline
        assert.truthy(cut, "part 3 was not begun")
        assert.equal(MiB, cut.bytes)
        assert.are_not.equal(200, cut.status)
      end
    end)

    it("a part whose connection closes in its third window is sent again from its first byte", function()
      local data = bytes(6 * MiB + 999, 61)
      fake.cos_fault { mode = "close_mid_body", operation = "UploadPart", part_number = 2,
                       after_bytes = 600000, count = 1 }
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaFilePath = file("cut-window.mp4", data) }, { part_size = 2 * MiB, multipart_threshold = MiB })
      assert.equal(5, #requests("UploadPart"))
      local sent = parts_sent(200)
      for k = 1, 4 do assert.equal(1, sent[k], "part " .. k) end
      assert.equal(data, fetch(res.MediaUrl))
      local _, count = hashed_ahead(lines)
      assert.equal(mb and 3 or 0, count)
    end)

    it("a part answered 500 twice is sent a third time, from the file again, byte for byte", function()
      local data = bytes(6 * MiB + 999, 67)
      fake.cos_fault { mode = "error", status = 500, code = "InternalError", operation = "UploadPart",
                       part_number = 3, count = 2 }
      local res = client():upload({ MediaFilePath = file("five-hundred.mp4", data) },
        { part_size = 2 * MiB, multipart_threshold = MiB })
      assert.same({ 1, 1, 3, 1 }, parts_sent())
      assert.same({ 1, 1, 1, 1 }, parts_sent(200))
      assert.equal(data, fetch(res.MediaUrl))
      assert.equal(#data, fake.cos_get("objects")[1].size)
    end)

    it("a part refused as BadDigest is read whole and hashed again, then sent byte for byte", function()
      local data = bytes(6 * MiB + 999, 71)
      fake.cos_fault { mode = "error", status = 400, code = "BadDigest", operation = "UploadPart",
                       part_number = 1, count = 1 }
      local res = client():upload({ MediaFilePath = file("bad-digest.mp4", data) },
        { part_size = 2 * MiB, multipart_threshold = MiB })
      assert.same({ 2, 1, 1, 1 }, parts_sent())
      assert.equal(data, fetch(res.MediaUrl))
    end)
  end)

  describe("refuses before anything is sent", function()
    local function refused(params, opts, code, field, value, message)
      local err = fake.raises(client().upload, client(), params, opts)
      assert.equal(code, err.code)
      if field then assert.equal(value, err[field]) end
      if message then assert.equal(message, err.message) end
      nothing_sent()
      return err
    end

    it("no media, or two", function()
      refused({ MediaType = "mp4" }, nil, "ClientError.InvalidParameter", "param", "MediaFilePath",
        "upload needs exactly one of MediaFilePath, MediaContent or MediaReader")
      refused({ MediaContent = "x", MediaFilePath = "/x" }, nil, "ClientError.InvalidParameter", "param",
        "MediaFilePath", "upload needs exactly one of MediaFilePath, MediaContent or MediaReader, not several")
    end)

    it("a type it cannot tell", function()
      refused({ MediaContent = "x" }, nil, "ClientError.InvalidParameter", "param", "MediaType")
      refused({ MediaFilePath = file("noext", "x") }, nil, "ClientError.InvalidParameter", "param", "MediaType")
      refused({ MediaContent = "x", MediaType = "mp4", CoverContent = "c" }, nil,
        "ClientError.InvalidParameter", "param", "CoverType")
    end)

    it("ApplyUpload's members, checked by the model", function()
      local err = refused({ MediaContent = "x", MediaType = "mp4", MediaNmae = "a" }, nil,
        "ClientError.InvalidParameter", "param", "MediaNmae")
      assert.truthy(err.message:find("did you mean 'MediaName'", 1, true), err.message)
      refused({ MediaContent = "x", MediaType = "mp4", SubAppId = "1" }, nil,
        "ClientError.InvalidParameter", "param", "SubAppId")
    end)

    it("a file that is not there", function()
      local err = refused({ MediaFilePath = dir .. "/missing.mp4" }, nil, "ClientError.InvalidParameter",
        "param", "MediaFilePath")
      assert.truthy(err.message:find("No such file", 1, true), err.message)
    end)

    it("options: unknown ones with a did-you-mean, and their rules", function()
      local p = { MediaContent = "x", MediaType = "mp4" }
      refused(p, { partsize = MiB }, "ClientError.InvalidOption", "option", "partsize",
        "unknown upload option 'partsize' (did you mean 'part_size'?)")
      refused(p, { part_size = 1000 }, "ClientError.InvalidOption", "option", "part_size")
      refused(p, { concurrency = 0 }, "ClientError.InvalidOption", "option", "concurrency")
      refused(p, { progress = 5 }, "ClientError.InvalidOption", "option", "progress")
      refused(p, { checkpoint = dir .. "/c" }, "ClientError.InvalidOption", "option", "checkpoint")
    end)
  end)

  describe("COS's faults", function()
    local data = bytes(3 * MiB + 100, 11)
    local function big(opts)
      local o = { part_size = MiB, multipart_threshold = MiB }
      for k, v in pairs(opts or {}) do o[k] = v end
      return client():upload({ MediaFilePath = file("f.mp4", data), SubAppId = SUB }, o)
    end

    it("a part answered 503 once is sent again", function()
      fake.cos_fault { mode = "error", status = 503, operation = "UploadPart", part_number = 2, count = 1 }
      local res = big()
      assert.same({ 1, 2, 1, 1 }, parts_sent())
      assert.equal(data, fetch(res.MediaUrl))
    end)

    it("a part answered 400 BadDigest once (damaged on the way) is sent again", function()
      fake.cos_fault { mode = "error", status = 400, code = "BadDigest", operation = "UploadPart",
                       part_number = 3, count = 1 }
      local res = big()
      assert.same({ 1, 1, 2, 1 }, parts_sent())
      assert.equal(data, fetch(res.MediaUrl))
    end)

    it("403 on every part: Cos.AccessDenied naming the stage, the part and COS's request id; the upload aborted", function()
      fake.cos_fault { mode = "error", status = 403, operation = "UploadPart" }
      local err = fake.raises(big)
      assert.equal("Cos.AccessDenied", err.code)
      assert.equal("media", err.stage)
      assert.equal("UploadPart", err.action)
      assert.equal(403, err.http_status)
      assert.is_number(err.part_number)
      assert.is_string(err.cos_request_id)
      assert.equal(1, err.attempts)
      assert.is_false(err.retryable)
      assert.same({}, fake.cos_get("uploads"))
      assert.equal(1, #requests("AbortMultipartUpload"))
      assert.is_false(fake.cos_get("sessions")[1].committed)
    end)

    it("an error inside a 200 Complete is an error (and no commit)", function()
      fake.cos_fault { mode = "complete_error_in_200", seconds = 0.1, code = "InvalidPart",
                       message = "one of the parts could not be found" }
      local err = fake.raises(big)
      assert.equal("Cos.InvalidPart", err.code)
      assert.equal(200, err.http_status)
      assert.is_false(fake.cos_get("sessions")[1].committed)
    end)

    it("a transient error inside a 200 Complete is retried", function()
      fake.cos_fault { mode = "complete_error_in_200", seconds = 0.1, code = "InternalError", count = 1 }
      local res = big()
      assert.equal(2, #requests("CompleteMultipartUpload"))
      assert.equal(data, fetch(res.MediaUrl))
    end)

    it("a wrong CRC-64 for the object is an error, never a success", function()
      fake.cos_fault { mode = "bad_crc", operation = "CompleteMultipartUpload" }
      local err = fake.raises(big)
      assert.equal("ClientError.ChecksumMismatch", err.code)
      assert.equal("media", err.stage)
      assert.is_false(fake.cos_get("sessions")[1].committed)
      fake.reset()
      fake.cos_fault { mode = "bad_crc", operation = "PutObject" }
      err = fake.raises(client().upload, client(), { MediaContent = "small", MediaType = "mp4" })
      assert.equal("ClientError.ChecksumMismatch", err.code)
    end)

    it("a part whose CRC-64 COS got wrong is sent again", function()
      fake.cos_fault { mode = "bad_crc", operation = "UploadPart", part_number = 3, count = 1 }
      big()
      assert.same({ 1, 1, 2, 1 }, parts_sent())
    end)

    it("a connection closed in the middle of a part: the part again", function()
      fake.cos_fault { mode = "close_mid_body", operation = "UploadPart", after_bytes = 65536, count = 1 }
      local res = big()
      assert.equal(5, #requests("UploadPart"))
      assert.equal(data, fetch(res.MediaUrl))
    end)

    it("a part slower than part_timeout: the part again", function()
      fake.cos_fault { mode = "delay", seconds = 1.5, operation = "UploadPart", part_number = 1, count = 1 }
      local res = big { part_timeout = 0.5 }
      -- the fake writes its ledger once it answered, the slow part's 1.5 s late
      local deadline = socket.gettime() + 5
      while parts_sent()[1] ~= 2 and socket.gettime() < deadline do socket.sleep(0.05) end
      assert.equal(2, parts_sent()[1])
      assert.equal(data, fetch(res.MediaUrl))
    end)

    it("COS's clock 10 minutes behind: RequestTimeTooSkewed, the clock taken from its Date, signed again", function()
      fake.config { cos_clock_offset = -600 }
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload { MediaContent = "x",
                                                                                MediaType = "mp4" }
      assert.equal("x", fetch(res.MediaUrl))
      local put = requests("PutObject")
      assert.equal(2, #put)
      assert.equal("RequestTimeTooSkewed", put[1].code)
      local said = false
      for _, l in ipairs(lines) do if l:find("COS's clock is", 1, true) then said = true end end
      assert.is_true(said)
    end)

    it("checks parts by their CRC-64 alone with content_md5 = false", function()
      local res = big { content_md5 = false }
      assert.equal(data, fetch(res.MediaUrl))
    end)
  end)

  describe("the session", function()
    it("an upload that cannot finish before its credentials expire fails early, without 403s", function()
      fake.config { upload_session_seconds = 12 }
      fake.cos_fault { mode = "delay", seconds = 1.2, operation = "UploadPart" }
      local data = bytes(10 * MiB, 13)
      local err = fake.raises(client().upload, client(), { MediaFilePath = file("slow.mp4", data) },
        { part_size = MiB, multipart_threshold = MiB, concurrency = 1 })
      assert.equal("ClientError.UploadExpired", err.code)
      assert.truthy(err.message:find("part_size or more concurrency", 1, true), err.message)
      for _, r in ipairs(fake.cos_get("requests")) do assert.is_not.equal(403, r.status) end
      assert.same({}, fake.cos_get("uploads"))
    end)

    it("ApplyUpload is asked again after a lost answer: an unused session costs nothing", function()
      fake.fault { mode = "lose_answer", action = "ApplyUpload", count = 1 }
      local res = client():upload { MediaContent = "x", MediaType = "mp4" }
      assert.equal("x", fetch(res.MediaUrl))
      assert.equal(2, fake.stats().actions.ApplyUpload)
    end)

    it("CommitUpload's answer lost, its retry refused: ClientError.MaybeCommitted naming the session", function()
      fake.fault { mode = "lose_answer", action = "CommitUpload", count = 1 }
      local err = fake.raises(client().upload, client(), { MediaContent = "x", MediaType = "mp4" })
      local s = fake.cos_get("sessions")[1]
      assert.equal("ClientError.MaybeCommitted", err.code)
      assert.equal("commit", err.stage)
      assert.equal(s.vod_session_key, err.vod_session_key)
      assert.equal("/" .. s.media_key, err.storage_path)
      assert.is_true(err.ambiguous)
      assert.is_true(s.committed)
      assert.equal(2, fake.stats().actions.CommitUpload)
    end)

    it("an ApplyUpload refused: the error's stage is apply", function()
      local err = fake.raises(client().upload, client(), { MediaContent = "x", MediaType = "exe!" })
      assert.equal("InvalidParameterValue.MediaType", err.code)
      assert.equal("apply", err.stage)
      assert.same({}, fake.cos_get("requests"))
    end)
  end)

  it("uploads an m3u8 with its segments beside it", function()
    local m = dir .. "/hls"
    assert(os.execute("mkdir -p '" .. m .. "/v1'"))
    file("hls/index.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg0.ts\n#EXTINF:4,\nv1/seg1.ts\n#EXT-X-ENDLIST\n")
    file("hls/seg0.ts", bytes(1000, 1))
    file("hls/v1/seg1.ts", bytes(2000, 2))
    local res = client():upload { MediaFilePath = m .. "/index.m3u8", SubAppId = SUB }
    local base = res.MediaUrl:match("^(.*/)[^/]*$")
    assert.truthy(fetch(res.MediaUrl):find("seg0.ts", 1, true))
    assert.equal(bytes(1000, 1), fetch(base .. "seg0.ts"))
    assert.equal(bytes(2000, 2), fetch(base .. "v1/seg1.ts"))
    assert.equal(1, fake.stats().actions.ParseStreamingManifest)
  end)

  describe("a checkpoint", function()
    it("resumes an upload killed with SIGKILL: no part sent twice, the object identical", function()
      local data = bytes(12 * MiB, 17)
      local path, ckpt = file("resume.mp4", data), dir .. "/resume.ckpt"
      os.remove(ckpt)
      fake.cos_fault { mode = "delay", seconds = 0.25, operation = "UploadPart" }
      local tree_env = ("VOD_EP=%s VOD_COS_EP=%s"):format(fake.endpoint("http"), fake.endpoint("cos_http"))
      local pidfile = dir .. "/child.pid"
      assert(os.execute(("%s LUA_PATH='%s' LUA_CPATH='%s' %s spec/support/upload_child.lua '%s' '%s' "
        .. ">/dev/null 2>&1 & echo $! > '%s'"):format(tree_env, package.path, package.cpath, fake.interpreter(),
        path, ckpt, pidfile)))
      local pid = assert(tonumber(process.read_file(pidfile)))
      local done
      for _ = 1, 400 do                    -- until the checkpoint lists 4 parts
        local text = process.read_file(ckpt) or ""
        local n = 0
        for _ in text:gmatch("\npart ") do n = n + 1 end
        if n >= 4 then done = n break end
        socket.sleep(0.025)
      end
      assert.truthy(done, "the checkpoint never listed 4 parts")
      os.execute("kill -9 " .. pid)
      socket.sleep(0.3)
      local stat = process.read_file(ckpt)
      assert.truthy(stat:find("secret_key", 1, true))       -- its secret: for its owner alone
      local mode = io.popen("stat -c %a '" .. ckpt .. "'"):read("*l")
      assert.equal("600", mode)
      fake.cos_fault { mode = "none" }
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaFilePath = path, SubAppId = SUB }, { checkpoint = ckpt, part_size = MiB, concurrency = 2 })
      local resumed = false
      for _, l in ipairs(lines) do if l:find("resuming the multipart upload", 1, true) then resumed = true end end
      assert.is_true(resumed)
      assert.equal(1, #requests("InitiateMultipartUpload"))
      assert.equal(1, fake.stats().actions.ApplyUpload)
      local sent = parts_sent(200)
      for n = 1, 12 do assert.equal(1, sent[n], "part " .. n) end
      assert.equal(data, fetch(res.MediaUrl))
      assert.is_nil(process.read_file(ckpt))                 -- gone once committed
    end)

    it("an error raised by progress (the caller's stop) keeps the upload for the checkpoint", function()
      local data = bytes(4 * MiB, 29)
      local path, ckpt = file("stopped.mp4", data), dir .. "/stopped.ckpt"
      os.remove(ckpt)
      -- each part 0.15 s: progress (at most ten calls a second) hears of each
      fake.cos_fault { mode = "delay", seconds = 0.15, operation = "UploadPart" }
      local opts = { checkpoint = ckpt, part_size = MiB, multipart_threshold = MiB, concurrency = 1 }
      opts.progress = function(done) if done >= 2 * MiB then error("stop here") end end
      local err = fake.raises(client().upload, client(), { MediaFilePath = path }, opts)
      assert.equal("ClientError.Callback", err.code)
      assert.truthy(err.message:find("stop here", 1, true))
      assert.truthy(process.read_file(ckpt), "the checkpoint is kept")
      assert.equal(1, #fake.cos_get("uploads"))
      assert.equal(0, #requests("AbortMultipartUpload"))
      opts.progress = nil
      fake.cos_fault { mode = "none" }
      local res = client():upload({ MediaFilePath = path }, opts)
      assert.equal(data, fetch(res.MediaUrl))
      assert.equal(1, #requests("InitiateMultipartUpload"))
      local sent = parts_sent(200)
      for n = 1, 4 do assert.equal(1, sent[n], "part " .. n) end
      -- without a checkpoint, the same stop aborts
      fake.reset()
      fake.config { rate_limit = 0 }
      fake.cos_fault { mode = "delay", seconds = 0.15, operation = "UploadPart" }
      opts.checkpoint = nil
      opts.progress = function(done) if done >= 2 * MiB then error("stop here") end end
      fake.raises(client().upload, client(), { MediaFilePath = path }, opts)
      assert.same({}, fake.cos_get("uploads"))
      -- (the fake writes its ledger just after it answered)
      local deadline = socket.gettime() + 5
      while #requests("AbortMultipartUpload") == 0 and socket.gettime() < deadline do socket.sleep(0.02) end
      assert.equal(1, #requests("AbortMultipartUpload"))
    end)

    it("cannot resume a changed file: a new upload, the old one aborted, and the debug sink says so", function()
      local path, ckpt = file("changed.mp4", bytes(3 * MiB, 19)), dir .. "/changed.ckpt"
      os.remove(ckpt)
      fake.cos_fault { mode = "error", status = 503, operation = "CompleteMultipartUpload" }
      local err = fake.raises(client().upload, client(), { MediaFilePath = path },
        { checkpoint = ckpt, part_size = MiB, multipart_threshold = MiB })
      assert.equal("Cos.ServiceUnavailable", err.code)
      assert.equal("media", err.stage)
      assert.equal("CompleteMultipartUpload", err.action)
      assert.equal(503, err.http_status)
      assert.is_true(err.retryable)
      assert.truthy(process.read_file(ckpt), "the checkpoint is kept after a transient failure")
      assert.equal(1, #fake.cos_get("uploads"))
      fake.cos_fault { mode = "none" }
      socket.sleep(1.1)
      file("changed.mp4", bytes(3 * MiB, 23))
      local lines = {}
      local res = client { debug = function(l) lines[#lines + 1] = l end }:upload(
        { MediaFilePath = path }, { checkpoint = ckpt, part_size = MiB, multipart_threshold = MiB })
      local said = false
      for _, l in ipairs(lines) do
        if l:find("cannot be resumed (the file changed since): a new upload begins, and the old one is aborted",
                  1, true) then said = true end
      end
      assert.is_true(said)
      assert.equal(bytes(3 * MiB, 23), fetch(res.MediaUrl))
      assert.same({}, fake.cos_get("uploads"))
      assert.equal(2, fake.stats().actions.ApplyUpload)
    end)
  end)
end)
