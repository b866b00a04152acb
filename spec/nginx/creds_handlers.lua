-- Handlers for the credential-chain cases of spec/nginx_spec.lua (/creds):
-- the CVM role fetched through cosockets, and a credentials function that
-- yields. Each answers JSON.
local cjson = require "cjson"
local vod = require "tencentcloud.vod"

local TMP_ID, TMP_KEY, TOKEN = "AKIDEXAMPLETMPVOD0000000000000000", "fakeVodTmpKeyEXAMPLE000000000000",
  "fakeVodTokenEXAMPLE"
local PARAMS = { SubAppId = 221073, SubjectName = "hero", SubjectImages = { "https://example.com/hero.png" } }

local M = {}
local clients = {}       -- by name, for the worker's life
local function_calls = 0

local function client(args)
  local c = clients[args.name]
  if c then return c end
  local o = { endpoint = "127.0.0.1:" .. FAKE.http, scheme = "http", retries = false,
              credentials_file = "/dev/null" }
  if args.op == "func" then
    o.credentials = function()
      function_calls = function_calls + 1
      ngx.sleep(0.01)                           -- a cosocket STS would yield like this
      return { secret_id = TMP_ID, secret_key = TMP_KEY, token = TOKEN }
    end
  else
    o.metadata_url = "http://127.0.0.1:" .. args.meta .. "/latest/meta-data/"
    o.metadata_timeout = tonumber(args.mt)
  end
  c = vod.new(o)
  clients[args.name] = c
  return c
end

local function call(c)
  local ok, res = pcall(c.create_aigc_subject, c, PARAMS)
  if ok then return { ok = true, task_id = res.TaskId } end
  if type(res) ~= "table" then return { ok = false, message = tostring(res) } end
  return { ok = false, code = res.code, message = res.message, sources = res.sources,
           attempts = res.attempts }
end

local ops = {}

function ops.cvm(c, args)
  local t = call(c)
  if t.ok and args.twice then t = call(c) end
  t.source = c:settings().credential_source
  return t
end

ops.func = function(c)
  local t = call(c)
  t.calls = function_calls
  return t
end

-- n calls at once on a client that has no credentials yet
function ops.concurrent(c, args)
  local threads, oks = {}, 0
  for i = 1, tonumber(args.n) do
    threads[i] = ngx.thread.spawn(call, c)
  end
  local codes = {}
  for i = 1, #threads do
    local _, t = ngx.thread.wait(threads[i])
    if t.ok then oks = oks + 1 else codes[#codes + 1] = t.code .. ": " .. tostring(t.message) end
  end
  return { ok = true, oks = oks, errors = codes }
end

function M.run()
  local args = ngx.req.get_uri_args()
  local t = ops[args.op](client(args), args)
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(t))
end

return M
