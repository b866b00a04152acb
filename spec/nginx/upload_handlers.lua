-- Uploads in the nginx of spec/nginx_upload_spec.lua: client:upload through
-- cosockets, from a file or from the request's body (vod.request_body_reader),
-- to the fake COS. Each answers JSON.
local cjson = require "cjson"
local safe = require "tencentcloud.vod.safe"
local vod = require "tencentcloud.vod"

local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"

local M = {}
local client

local function get_client()
  if not client then
    client = assert(safe.new {
      secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. FAKE.http, scheme = "http",
      cos_endpoint = "http://127.0.0.1:" .. FAKE.cos_http,
      timeout = 10, connect_timeout = 5,
      retries = { max = 2, base_delay = 0.01, max_delay = 0.05 },
    })
  end
  return client
end

local function reply(t)
  ngx.status = t.ok and 200 or 500
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(t))
end

local function describe_err(err)
  if not vod.is_error(err) then return { ok = false, text = tostring(err) } end
  return { ok = false, code = err.code, message = err.message, action = err.action, stage = err.stage,
           part_number = err.part_number, http_status = err.http_status, attempts = err.attempts,
           body_error = err.body_error, body_read = err.body_read, phase = err.phase,
           retryable = err.retryable, ambiguous = err.ambiguous, text = tostring(err) }
end

-- the upload's options from the query: concurrency, part_size, multipart_threshold
local function options(args)
  return { concurrency = tonumber(args.concurrency or ""), part_size = tonumber(args.part_size or ""),
           multipart_threshold = tonumber(args.threshold or "") }
end

local function answer(res, err, extra)
  if not res then return describe_err(err) end
  local t = { ok = true, file_id = res.FileId, media_url = res.MediaUrl, cover_url = res.CoverUrl }
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

local ops = {}

-- a file of this machine, and a cover; shrink=N: the file cut to N bytes at
-- the first progress after a part is in COS
function ops.file(args)
  local opts = options(args)
  local shrink = tonumber(args.shrink or "")
  if shrink then
    opts.progress = function(done)
      if done > 0 and shrink then
        assert(os.execute(("truncate -s %d '%s'"):format(shrink, args.path)))
        shrink = nil
      end
    end
  end
  local res, err = get_client():upload({ MediaFilePath = args.path, CoverFilePath = args.cover,
                                         MediaName = args.name }, opts)
  return answer(res, err)
end

-- the request's body, streamed: POST /upload?op=body&name=clip.mp4
function ops.body(args)
  local ok, reader, size = pcall(vod.request_body_reader, tonumber(args.chunk or ""))
  if not ok then return describe_err(reader) end
  local reads = 0
  local counted = function()
    local data = reader()
    if data then reads = reads + 1 end
    return data
  end
  local res, err = get_client():upload({ MediaReader = counted, MediaSize = size,
                                         MediaType = args.type or "mp4", MediaName = args.name },
                                       options(args))
  local t = answer(res, err, { size = size or cjson.null, reads = reads })
  if args.tag then   -- for a client that went away: its outcome, under its tag
    ngx.shared.vod_test:set("upload:" .. args.tag, cjson.encode(t))
  end
  return t
end

-- the outcome of the body upload of that tag
function ops.last(args)
  return cjson.decode(ngx.shared.vod_test:get("upload:" .. tostring(args.tag)) or '{"ok":false,"none":true}')
end

-- what request_body_reader gives, without an upload: the size, the bytes' MD5
function ops.read_body(args)
  local ok, reader, size = pcall(vod.request_body_reader, tonumber(args.chunk or ""))
  if not ok then return describe_err(reader) end
  local parts, n = {}, 0
  for data in reader do
    parts[#parts + 1] = data
    n = n + #data
  end
  return { ok = true, size = size or cjson.null, read = n, chunks = #parts,
           md5 = ngx.md5(table.concat(parts)) }
end

-- the reader, called twice; after ngx.req.read_body(); from a timer
function ops.twice()
  vod.request_body_reader()
  local ok, err = pcall(vod.request_body_reader)
  return { ok = false, text = tostring(err), raised = not ok }
end

function ops.read_first(args)
  ngx.req.read_body()
  return ops.read_body(args)
end

function ops.pid()
  return { ok = true, pid = ngx.worker.pid() }
end

function M.run()
  local args = ngx.req.get_uri_args()
  local op = ops[args.op]
  if not op then return reply { ok = false, message = "unknown op " .. tostring(args.op) } end
  reply(op(args))
end

-- request_body_reader from the set phase: no request socket there
function M.set_phase()
  local ok, err = pcall(vod.request_body_reader)
  return ok and "unexpected success" or (err.code .. " | " .. err.message)
end

return M
