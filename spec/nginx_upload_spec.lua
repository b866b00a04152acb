-- client:upload in a real nginx (one worker, cosockets) to the fake COS: a
-- file in parallel parts, a cover, COS's refusal, and the request's body
-- streamed by vod.request_body_reader (64 MiB, byte for byte, in bounded
-- memory). The handlers are spec/nginx/upload_handlers.lua, the locations
-- /upload* of spec/nginx/nginx.conf.in. Runs with `busted --run=nginx`.
local fake = require "support.fake"
local socket = require "socket"
local cjson = require "cjson"

local nginx = require "support.nginx"

local sh, root = nginx.sh, nginx.root
local prefix = root .. "/build/nginx-upload"
local MIB = 1048576
local server, port

local function url(location, query)
  return ("http://127.0.0.1:%d%s?%s"):format(port, location, query)
end

local function decode(out, what)
  local ok, t = pcall(cjson.decode, out)
  assert(ok, "not JSON from " .. what .. ": " .. tostring(out))
  return t
end

local function get(query)
  return decode(sh(("curl -s --no-progress-meter '%s'"):format(url("/upload", query))), query)
end

-- POSTs a file as the request body (curl: Content-Length, unless headers say chunked)
local function post(query, file, headers, location)
  return decode(sh(("curl -s --no-progress-meter %s --data-binary @'%s' '%s'")
    :format(headers or "", file, url(location or "/upload", query))), query)
end

local function md5_file(path)
  return (sh("md5sum '" .. path .. "'"):match("^(%x+)"))
end

-- a file of random bytes, its MD5
local function random_file(name, bytes)
  local path = prefix .. "/" .. name
  sh(("head -c %d /dev/urandom > '%s'"):format(bytes, path))
  return path, md5_file(path)
end

local function fetch_md5(media_url)
  local path = prefix .. "/fetched"
  sh(("curl -s -o '%s' '%s'"):format(path, media_url))
  return md5_file(path)
end

local function object(key_of_url)
  for _, o in ipairs(fake.cos_get("objects")) do
    if key_of_url:sub(-#o.key) == o.key then return o end
  end
end

local function ledger(operation)
  local out = {}
  for _, r in ipairs(fake.cos_get("requests")) do
    if r.operation == operation then out[#out + 1] = r end
  end
  return out
end

-- a request written by hand on a socket: headers, `send` bytes of a
-- `length`-byte body; then closed, or the answer read to its end
local function partial_post(location, query, length, send, close)
  local c = assert(socket.connect("127.0.0.1", port))
  c:send(("POST %s?%s HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n"):format(location, query, length))
  c:send(string.rep("x", send))
  if close then
    c:close()
    return
  end
  c:settimeout(10)
  local answer, err, partial = c:receive("*a")
  c:close()
  return answer or partial, err
end

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local function read_all(path)
  local f = assert(io.open(path), path)
  local s = f:read("*a")
  f:close()
  return s
end

local function rss_kb(pid)
  local f = assert(io.open("/proc/" .. pid .. "/status"))
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+) kB"))
end

describe("uploads in nginx #nginx", function()
  setup(function()
    server = nginx.start {
      prefix = prefix, values = { PROXY_ENV = "http://127.0.0.1:9" },
      env = ("env TENCENTCLOUD_SECRET_ID=%s TENCENTCLOUD_SECRET_KEY=%s"):format(fake.SECRET_ID, fake.SECRET_KEY),
    }
    port = server.port
  end)

  teardown(function() server.stop() end)

  before_each(function()
    fake.reset()
    fake.config { rate_limit = 0 }
  end)

  describe("a file", function()
    it("goes up through cosockets in parallel parts, byte for byte", function()
      local path, md5 = random_file("clip.mp4", 10 * MIB)
      -- each part is answered a second after it arrived: parts that start within that
      -- second of the first were on their way together
      fake.cos_fault { mode = "delay", seconds = 1, operation = "UploadPart" }
      local t = get("op=file&part_size=2097152&concurrency=4&path=" .. path)
      assert.is_true(t.ok, cjson.encode(t))
      assert.truthy(t.file_id:match("^%d+$"), t.file_id)
      local parts = ledger("UploadPart")
      assert.equal(5, #parts)
      table.sort(parts, function(a, b) return a.time < b.time end)
      local numbers = {}
      for i, p in ipairs(parts) do
        numbers[i] = p.part_number
        assert.equal(200, p.status)
        assert.equal(2 * MIB, p.bytes)
      end
      table.sort(numbers)
      assert.same({ 1, 2, 3, 4, 5 }, numbers)
      for i = 2, 4 do
        assert.truthy(parts[i].time < parts[1].time + 1,
          ("part %d began %.3f s after the first, which was held 1 s"):format(parts[i].part_number,
            parts[i].time - parts[1].time))
      end
      -- the fifth waited for a lane: four in flight at most
      assert.truthy(parts[5].time >= parts[1].time + 1)
      local o = object(t.media_url)
      assert.equal(10 * MIB, o.size)
      assert.equal(5, o.parts)
      assert.equal(md5, o.md5)
      assert.equal(md5, fetch_md5(t.media_url))
      assert.equal(1, fake.stats().actions.CommitUpload)
    end)

    it("while the worker answers other requests", function()
      local path = random_file("clip.mp4", 10 * MIB)
      fake.cos_fault { mode = "delay", seconds = 1, operation = "UploadPart" }
      local out = prefix .. "/upload.json"
      os.remove(out)
      os.execute(("(curl -s '%s' > '%s.tmp'; mv '%s.tmp' '%s') &")
        :format(url("/upload", "op=file&part_size=2097152&concurrency=4&path=" .. path), out, out, out))
      local deadline = socket.gettime() + 10
      repeat socket.sleep(0.02) until #ledger("UploadPart") > 0 or socket.gettime() > deadline
      assert.truthy(#ledger("UploadPart") > 0, "no part began")
      -- one worker: these are answered between the upload's steps, or not at all
      assert.equal("ok\n", server.get("/plain"))
      assert.is_number(get("op=pid").pid)
      assert.is_false(exists(out), "the upload was over before the other requests: nothing was shown")
      repeat socket.sleep(0.05) until exists(out) or socket.gettime() > deadline
      local t = decode(read_all(out), "the upload")
      assert.is_true(t.ok, cjson.encode(t))
    end)

    it("from a fast COS: the worker's other requests are answered between its steps", function()
      -- nothing in the upload waits long here (a file, COS on loopback, no delay): the
      -- lanes yield every few ms of their work (ngx.lua's YIELD_EVERY), so the worker
      -- answers between its steps. (The latency printed is mostly the machine's: the
      -- fake COS, this process and nginx share its cores.)
      local path, md5 = random_file("fast.mp4", 64 * MIB)
      local out = prefix .. "/fast.json"
      os.remove(out)
      os.execute(("(curl -s '%s' > '%s.tmp'; mv '%s.tmp' '%s') &")
        :format(url("/upload", "op=file&part_size=4194304&concurrency=4&path=" .. path), out, out, out))
      local deadline = socket.gettime() + 10
      repeat socket.sleep(0.005) until #ledger("InitiateMultipartUpload") > 0 or socket.gettime() > deadline
      local answered, worst = 0, 0
      while not exists(out) and socket.gettime() < deadline + 60 do
        local t0 = socket.gettime()
        assert.equal("ok\n", server.get("/plain"))
        local took = socket.gettime() - t0
        if not exists(out) then
          answered = answered + 1
          if took > worst then worst = took end
        end
      end
      local t = decode(read_all(out), "the upload")
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(md5, object(t.media_url).md5)
      print(("\n  %d requests answered during a 64 MiB upload from a fast COS, the slowest in %.1f ms")
        :format(answered, worst * 1000))
      assert.truthy(answered >= 3, "the worker answered " .. answered .. " requests during the upload")
    end)

    -- parts hashed ahead go from the file as it is read, 256 KiB at a time
    -- (file_window.h), a cosocket's send a window
    it("a part whose connection closes in its third window: sent again from its first byte", function()
      local path, md5 = random_file("cut.mp4", 6 * MIB + 999)
      fake.cos_fault { mode = "close_mid_body", operation = "UploadPart", part_number = 2,
                       after_bytes = 600000, count = 1 }
      local t = get("op=file&part_size=2097152&threshold=1048576&concurrency=2&path=" .. path)
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(5, #ledger("UploadPart"))
      assert.equal(md5, object(t.media_url).md5)
      assert.equal(md5, fetch_md5(t.media_url))
    end)

    it("a file that shrinks while its parts go: ClientError.File, not ambiguous, the upload aborted", function()
      local path = random_file("shrink.mp4", 8 * MIB)
      fake.cos_fault { mode = "delay", seconds = 0.3, operation = "UploadPart", part_number = 1, count = 1 }
      local t = get("op=file&part_size=2097152&threshold=1048576&concurrency=2&shrink=" .. 5 * MIB .. "&path=" .. path)
      assert.is_false(t.ok)
      assert.equal("ClientError.File", t.code, cjson.encode(t))
      assert.truthy(t.message:find(path .. ": the file shrank", 1, true), t.message)
      assert.is_false(t.retryable)
      assert.is_falsy(t.ambiguous)
      assert.same({}, fake.cos_get("uploads"))
      local deadline = socket.gettime() + 5
      while #ledger("AbortMultipartUpload") == 0 and socket.gettime() < deadline do socket.sleep(0.02) end
      assert.equal(1, #ledger("AbortMultipartUpload"))
    end)

    it("with a cover", function()
      local media, media_md5 = random_file("small.mp4", 300000)
      local cover, cover_md5 = random_file("cover.jpg", 20000)
      local t = get(("op=file&path=%s&cover=%s"):format(media, cover))
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(media_md5, fetch_md5(t.media_url))
      assert.truthy(t.cover_url:match("%.jpg$"), t.cover_url)
      assert.equal(cover_md5, fetch_md5(t.cover_url))
      assert.equal(2, #ledger("PutObject"))
    end)
  end)

  describe("COS refusing every part", function()
    it("is Cos.AccessDenied with the stage and the part, and the multipart upload is aborted", function()
      local path = random_file("body.bin", 3 * MIB)
      fake.cos_fault { mode = "error", status = 403, operation = "UploadPart" }
      local t = post("op=body&part_size=1048576&threshold=0", path)
      assert.is_false(t.ok)
      assert.equal("Cos.AccessDenied", t.code, cjson.encode(t))
      assert.equal("UploadPart", t.action)
      assert.equal("media", t.stage)
      assert.equal(403, t.http_status)
      assert.is_number(t.part_number)
      -- a part COS refused (with parts in flight on parallel lanes, whichever answer the
      -- engine read first: the ledger's order is the fake's threads' and may differ)
      local refused = {}
      for _, r in ipairs(ledger("UploadPart")) do
        if r.status == 403 then refused[r.part_number] = true end
      end
      assert.is_true(refused[t.part_number], cjson.encode(ledger("UploadPart")))
      assert.truthy(t.message:match("^injected fault %(127%.0%.0%.1:%d+/.+%.mp4%)$"), t.message)
      local aborts = ledger("AbortMultipartUpload")
      assert.equal(1, #aborts)
      assert.equal(204, aborts[1].status)
      assert.same({}, fake.cos_get("uploads"))
      assert.is_nil(fake.stats().actions.CommitUpload)
    end)
  end)

  describe("the request's body, through vod.request_body_reader", function()
    it("streams 64 MiB into an upload, byte for byte, in bounded memory", function()
      local PART, LANES = 4 * MIB, 4
      -- the worker's memory may grow by the parts in flight (LANES of PART; one more for
      -- a part's buffer while it grows, and the strings of the part's slices on their
      -- way), plus SLACK: LuaJIT's garbage between two collections (the reader's 64 KiB
      -- chunks and the 256 KiB slices given to the cosockets: the GC runs when its heap
      -- has doubled, a few MiB here), nginx's buffers (lua_socket_buffer_size for the
      -- request's socket and each lane's), and malloc's arenas. Buffering the body would
      -- need 64 MiB more.
      local SLACK = 16 * MIB
      local bound = PART * (LANES + 1) + SLACK
      local path, md5 = random_file("big.mp4", 64 * MIB)
      local pid = get("op=pid").pid
      local before = rss_kb(pid)
      local out = prefix .. "/big.json"
      os.remove(out)
      os.execute(("(curl -s --data-binary @'%s' '%s' > '%s.tmp'; mv '%s.tmp' '%s') &"):format(path,
        url("/upload", ("op=body&name=big&part_size=%d&concurrency=%d"):format(PART, LANES)), out, out, out))
      local peak, samples, deadline = before, 0, socket.gettime() + 120
      repeat
        local now = rss_kb(pid)
        if now > peak then peak = now end
        samples = samples + 1
        socket.sleep(0.01)
      until exists(out) or socket.gettime() > deadline
      local t = decode(read_all(out), "the upload")
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(64 * MIB, t.size)
      assert.equal(1024, t.reads)            -- 64 KiB a read
      local o = object(t.media_url)
      assert.equal(64 * MIB, o.size)
      assert.equal(16, o.parts)
      assert.equal(md5, o.md5)
      assert.equal(md5, fetch_md5(t.media_url))
      local growth = (peak - before) * 1024
      print(("\n  worker %d: VmRSS %d kB before, %d kB at most during the upload (%d samples): "
        .. "+%.1f MiB, bound %.0f MiB"):format(pid, before, peak, samples, growth / MIB, bound / MIB))
      assert.truthy(samples >= 10, "too few samples to see the upload: " .. samples)
      assert.truthy(growth < bound, ("the worker grew by %.1f MiB, over %.0f MiB"):format(growth / MIB,
        bound / MIB))
    end)

    it("a small one in one PUT", function()
      local path, md5 = random_file("small.mp4", 300000)
      local t = post("op=body&name=small", path)
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(300000, t.size)
      assert.equal(md5, fetch_md5(t.media_url))
      local puts = ledger("PutObject")
      assert.equal(1, #puts)
      assert.equal(300000, puts[1].bytes)
      assert.equal(0, #ledger("UploadPart"))
    end)

    it("sends parts to COS while the body is still coming", function()
      local c = assert(socket.connect("127.0.0.1", port))
      c:send(("POST /upload?op=body&part_size=1048576&threshold=0 HTTP/1.1\r\nHost: a\r\n"
        .. "Content-Length: %d\r\n\r\n"):format(3 * MIB))
      c:send(string.rep("a", 2 * MIB))
      local deadline = socket.gettime() + 10
      repeat socket.sleep(0.02) until #ledger("UploadPart") >= 2 or socket.gettime() > deadline
      local parts = ledger("UploadPart")
      assert.equal(2, #parts)                -- the third part's bytes are not sent yet
      assert.equal(MIB, parts[1].bytes)
      c:send(string.rep("b", MIB))
      c:settimeout(10)
      local answer, _, partial = c:receive("*a")
      c:close()
      local t = decode((answer or partial):match("\r\n\r\n%x+\r\n([^\r]*)"), "the upload")
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(3, #ledger("UploadPart"))
      assert.equal(3 * MIB, object(t.media_url).size)
    end)

    it("a chunked body: nginx reads it whole first (ngx.req.socket() cannot), then it goes up", function()
      local path, md5 = random_file("chunked.mp4", 3 * MIB + 5)
      local t = post("op=body&part_size=1048576&threshold=0", path, "-H 'Transfer-Encoding: chunked'")
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(3 * MIB + 5, t.size)
      assert.equal(md5, object(t.media_url).md5)
      assert.equal(4, object(t.media_url).parts)
    end)

    it("over HTTP/2: nginx reads it whole first (ngx.req.socket() cannot), then it goes up", function()
      local path, md5 = random_file("h2.mp4", 3 * MIB)
      local t = decode(sh(("curl -s --no-progress-meter --http2-prior-knowledge --data-binary @'%s' "
        .. "'http://127.0.0.1:%d/upload?op=body&part_size=1048576&threshold=0'"):format(path, server.h2_port)), "h2")
      assert.is_true(t.ok, cjson.encode(t))
      assert.equal(3 * MIB, t.size)
      assert.equal(md5, object(t.media_url).md5)
    end)

    it("gives the bytes as they came, chunk_size at a time", function()
      local path, md5 = random_file("read.bin", 1000000)
      local t = post("op=read_body&chunk=100000", path)
      assert.same({ ok = true, size = 1000000, read = 1000000, chunks = 10, md5 = md5 }, t)
      -- read whole by ngx.req.read_body() first: the same bytes
      t = post("op=read_first&chunk=100000", path)
      assert.same({ ok = true, size = 1000000, read = 1000000, chunks = 10, md5 = md5 }, t)
      -- no body: nothing, and size 0
      assert.same({ ok = true, size = 0, read = 0, chunks = 0, md5 = "d41d8cd98f00b204e9800998ecf8427e" },
        get("op=read_body"))
    end)

    it("once a request", function()
      local path = random_file("twice.bin", 1000)
      local t = post("op=twice", path)
      assert.is_true(t.raised)
      assert.truthy(t.text:find("request_body_reader: already called for this request: its body can be "
        .. "read once", 1, true), t.text)
    end)

    it("a client that goes away: ClientError.Callback with body_error, the multipart upload aborted", function()
      local tag = ("gone%d"):format(os.time())
      partial_post("/upload", "op=body&part_size=1048576&threshold=0&tag=" .. tag, 4 * MIB, 2500000, true)
      local t
      for _ = 1, 200 do
        t = get("op=last&tag=" .. tag)
        if not t.none then break end
        socket.sleep(0.05)
      end
      assert.equal("ClientError.Callback", t.code, cjson.encode(t))
      assert.equal("client aborted", t.body_error)
      assert.equal(2500000, t.body_read)
      assert.equal("media", t.stage)
      assert.equal("the request body could not be read: client aborted (after 2500000 of 4194304 bytes)",
        t.message)
      assert.same({}, fake.cos_get("uploads"))
      assert.equal(1, #ledger("AbortMultipartUpload"))
      assert.is_nil(fake.stats().actions.CommitUpload)
    end)

    it("a client that stops sending: the read times out (lua_socket_read_timeout)", function()
      local answer = partial_post("/upload_timeout", "op=body&part_size=1048576&threshold=0", 4 * MIB, 2500000)
      assert.truthy(answer:match("^HTTP/1%.1 500 "), answer)
      local t = decode(answer:match("\r\n\r\n%x+\r\n([^\r]*)"), "the upload")
      assert.equal("ClientError.Callback", t.code)
      assert.equal("timeout", t.body_error)
      assert.equal("the request body could not be read: timeout (nginx's lua_socket_read_timeout) (after "
        .. "2500000 of 4194304 bytes)", t.message)
      assert.same({}, fake.cos_get("uploads"))
    end)

    it("from a phase without the request's socket: ClientError.NoCosocket", function()
      assert.equal("ClientError.NoCosocket | cannot read the request body from nginx's 'set' phase: "
        .. "ngx.req.socket() works in a rewrite, access or content handler\n", server.get("/upload_set_phase"))
    end)

    describe("a failed upload leaves the rest of the body unread", function()
      -- the body holds a request: read as the next one on a kept-alive connection
      local function smuggle(location)
        local body = "GET /plain HTTP/1.1\r\nHost: a\r\n\r\n"
        local c = assert(socket.connect("127.0.0.1", port))
        c:send(("POST %s?op=body&type=bogus HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n%s")
          :format(location, #body, body))
        c:settimeout(2)
        local answer, _, partial = c:receive("*a")
        c:close()
        answer = answer or partial
        local statuses = {}
        for status in answer:gmatch("HTTP/1%.1 (%d+)") do statuses[#statuses + 1] = tonumber(status) end
        return statuses, answer
      end

      it("so its location has keepalive_timeout 0: one answer, then the connection closes", function()
        local statuses, answer = smuggle("/upload")
        assert.same({ 500 }, statuses, answer)
        assert.truthy(answer:find("InvalidParameterValue.MediaType", 1, true), answer)
        assert.truthy(answer:find("\r\nConnection: close\r\n", 1, true), answer)
      end)

      it("(kept alive, nginx would take it for a next request)", function()
        local statuses, answer = smuggle("/upload_keepalive")
        assert.same({ 500, 200 }, statuses, answer)
      end)
    end)
  end)
end)
