-- The fault matrix (spec/faults_spec.lua): one call per fault of the
-- scripted server (spec/support/rawhttp.py), made the same way by every
-- transport: in plain Lua (spec/support/fault_call.lua, one process per
-- interpreter) and in nginx over cosockets (GET /faults). What each gives is
-- compared field by field.
local M = {}

local ID, KEY = "AKIDEXAMPLEFAKEVOD0000000000000000", "fakeVodSecretKeyEXAMPLE0000000000"

-- name, the server's mode, the client's options over the defaults, the
-- params, and what every transport must give: the table of
-- docs/errors-and-retries.md, for a query retried twice at most
local function err(code, retryable, ambiguous, attempts, http_status)
  return { ok = false, code = code, retryable = retryable, ambiguous = ambiguous, attempts = attempts,
           http_status = http_status }
end
M.FAULTS = {
  { "502 with an HTML page", "html502", nil, nil, err("ClientError.HTTPStatus", true, true, 3, 502) },
  { "a 500 API error", "api500", nil, nil, err("ClientError.HTTPStatus", true, true, 3, 500) },
  { "200 with non-JSON", "notjson", nil, nil, err("ClientError.MalformedResponse", true, true, 3, 200) },
  { "JSON without Response", "noresponse", nil, nil, err("ClientError.MalformedResponse", true, true, 3, 200) },
  { "RequestLimitExceeded", "throttle", { retries = false }, nil,
    err("RequestLimitExceeded", true, false, 1, 200) },
  { "an auth error", "auth", nil, nil, err("AuthFailure.SignatureFailure", false, false, 1, 200) },
  { "an invalid parameter (the API's)", "invalid", nil, nil, err("InvalidParameterValue", false, false, 1, 200) },
  { "an invalid parameter (refused before sending)", "normal", nil, { TaskId = 5 },
    err("ClientError.InvalidParameter", false, nil, 0, nil) },
  { "closed before any answer", "silent", nil, nil, err("ClientError.Network", true, true, 3, nil) },
  { "closed mid-body", "midbody", nil, nil, err("ClientError.Network", true, true, 3, 200) },
  { "a garbage status line", "garbage", nil, nil, err("ClientError.Network", true, true, 3, nil) },
  { "100 Continue then 200", "continue", nil, nil, { ok = true, TaskId = "raw-1" } },
  { "a bad chunk size", "badchunk", nil, nil, err("ClientError.Network", true, true, 3, 200) },
  { "a valid chunked body", "chunked", nil, nil, { ok = true, TaskId = "raw-1" } },
  { "a body over max_response_size", "big", nil, nil, err("ClientError.ResponseTooLarge", false, true, 1, 200) },
  { "an answer slower than timeout", "slow", { timeout = 0.3 }, nil, err("ClientError.Timeout", true, true, 3, nil) },
  { "headers that never end", "endless", nil, nil, err("ClientError.Network", true, true, 3, 200) },
}

M.FIELDS = { "ok", "code", "retryable", "ambiguous", "attempts", "http_status", "TaskId" }

-- Calls DescribeTaskDetail (a query: retried on every ambiguous failure) on
-- the scripted server at port with fault i's options; the fields compared.
function M.call(vod, port, i)
  local f = M.FAULTS[i]
  local o = {
    secret_id = ID, secret_key = KEY, endpoint = "127.0.0.1:" .. port, scheme = "http",
    retries = { max = 2, base_delay = 0.01, max_delay = 0.02 }, rate_limit = false,
    timeout = 2, connect_timeout = 2, max_response_size = 65536, cvm_role = false,
  }
  for k, v in pairs(f[3] or {}) do o[k] = v end
  local client = vod.new(o)
  local ok, res = pcall(client.describe_task_detail, client, f[4] or { TaskId = "t-1" })
  client:close()
  if ok then return { ok = true, TaskId = res.TaskId } end
  if not vod.is_error(res) then error(res, 0) end
  return { ok = false, code = res.code, retryable = res.retryable, ambiguous = res.ambiguous,
           attempts = res.attempts, http_status = res.http_status }
end

-- GET /faults?port=N&i=K inside nginx
function M.run()
  local vod = require "tencentcloud.vod"
  local args = ngx.req.get_uri_args()
  local t = M.call(vod, tonumber(args.port), tonumber(args.i))
  ngx.header["Content-Type"] = "application/json"
  ngx.say(require("cjson").encode(t))
end

return M
