-- tencentcloud.vod.events: client:consume_events(handler, opts), the
-- at-least-once loop over the API's reliable notifications (PULL mode).
--
-- One implementation for both transports: it calls the client's typed
-- pull_events and confirm_events, which go through libcurl in plain Lua and
-- through cosockets inside nginx. The transport gives the clock and the
-- sleep (env): in plain Lua the C module's monotonic clock and a blocking
-- sleep (src/binding/events/events_lua.c), inside nginx ngx.now/ngx.sleep, with
-- ngx.worker.exiting and the error log (src/lua/ngx.lua).
--
-- The loop: pull (the API holds a pull up to 5 s while no event is ready, so
-- an idle consumer makes one request every 5 s); give each event to the
-- handler; confirm, in one ConfirmEvents per batch, the events whose handler
-- returned true. Anything else leaves the event unconfirmed, and the API
-- delivers it again once its confirm window (30 s) has passed.
local vod = require "tencentcloud.vod"

local is_error = vod.is_error
local pcall, error, type, pairs, ipairs, tostring = pcall, error, type, pairs, ipairs, tostring
local floor, min, huge = math.floor, math.min, math.huge

local M = {}

local new_error, unknown_option
function M.init(private)
  new_error, unknown_option = private.new_error, private.unknown_option
end

M.MIN_TIMEOUT = 10      -- s: the client's timeout must outlast the API's hold of a pull (5 s)
M.IDLE_INTERVAL = 1     -- s: pulls that bring nothing start at most this often
M.MAX_BACKOFF = 30      -- s: the longest pause after a pull that failed
M.CONFIRM_WITHIN = 20   -- s: default confirm_within (the API's confirm window is 30 s)
M.OTHERS = "confirm"    -- default others: events the types option leaves out are confirmed

-- vod.defaults().consume_events: the options' defaults (others,
-- confirm_within; without timeout, max_events or types the loop runs until
-- stopped, for every type) and the loop's fixed values.
function M.defaults()
  return {
    others = M.OTHERS, confirm_within = M.CONFIRM_WITHIN,
    min_client_timeout = M.MIN_TIMEOUT, idle_interval = M.IDLE_INTERVAL, max_backoff = M.MAX_BACKOFF,
  }
end

local KNOWN = {
  SubAppId = true, max_events = true, timeout = true, types = true, others = true,
  on_error = true, stop = true, confirm_within = true,
}
local KNOWN_LIST = { "SubAppId", "max_events", "timeout", "types", "others", "on_error", "stop",
  "confirm_within" }

local function option_error(name, message, full)
  local e = new_error("ClientError.InvalidOption", nil,
    full and message or ("consume_events option '" .. name .. "' " .. message))
  e.option = name
  error(e, 0)
end

local function arg_error(n, expected, v)
  error(("bad argument #%d to 'consume_events' (%s expected, got %s)"):format(n, expected, type(v)), 0)
end

local function seconds(v)
  return type(v) == "number" and v > 0 and v < huge
end

local function read_opts(opts)
  local o = { others = M.OTHERS, confirm_within = M.CONFIRM_WITHIN }
  if opts == nil then return o end
  if type(opts) ~= "table" then arg_error(2, "table", opts) end
  for k in pairs(opts) do
    if not KNOWN[k] then
      unknown_option("consume_events", tostring(k), KNOWN_LIST)
    end
  end
  o.SubAppId = opts.SubAppId             -- checked by PullEvents' model, before anything is sent
  local m = opts.max_events
  if m ~= nil then
    if type(m) ~= "number" or m < 1 or m ~= floor(m) or m == huge then
      option_error("max_events", "must be a whole number, 1 or more")
    end
    o.max_events = m
  end
  if opts.timeout ~= nil then
    if not seconds(opts.timeout) then option_error("timeout", "must be a number of seconds, more than 0") end
    o.timeout = opts.timeout
  end
  if opts.types ~= nil then
    local t, set, n = opts.types, {}, 0
    local shape = "must be a set { EventType = true, ... } or a list { \"EventType\", ... }"
    if type(t) ~= "table" then option_error("types", shape) end
    for k, v in pairs(t) do
      if type(k) == "string" and v == true then
        set[k] = true
      elseif type(k) == "number" and type(v) == "string" then
        set[v] = true
      else
        option_error("types", shape)
      end
      n = n + 1
    end
    if n == 0 then option_error("types", "must name at least one EventType") end
    o.types = set
  end
  if opts.others ~= nil then
    if opts.others ~= "confirm" and opts.others ~= "leave" then
      option_error("others", "must be \"confirm\" or \"leave\"")
    end
    o.others = opts.others
  end
  for _, name in ipairs { "on_error", "stop" } do
    if opts[name] ~= nil and type(opts[name]) ~= "function" then
      option_error(name, "must be a function")
    end
    o[name] = opts[name]
  end
  if opts.confirm_within ~= nil then
    if not seconds(opts.confirm_within) then
      option_error("confirm_within", "must be a number of seconds, more than 0")
    end
    o.confirm_within = opts.confirm_within
  end
  return o
end

-- consume(client, handler, opts, env) -> confirmed, stats
--   env: { now = f, sleep = f(seconds), exiting = f or nil, log = f(line) or nil }
function M.consume(client, handler, opts, env)
  if type(handler) ~= "function" then arg_error(1, "function", handler) end
  local o = read_opts(opts)
  local client_timeout = client:settings().timeout
  if client_timeout < M.MIN_TIMEOUT then
    option_error("timeout", ("consume_events needs a client whose timeout is at least %d s: the API "
      .. "holds a pull up to 5 s while no event is ready, and this client's timeout is %g s (make a "
      .. "client for events with vod.new { timeout = 30, ... })"):format(M.MIN_TIMEOUT, client_timeout), true)
  end
  local now, sleep, exiting, log = env.now, env.sleep, env.exiting, env.log
  local pull_events, confirm_events = client.pull_events, client.confirm_events
  local deadline = o.timeout and now() + o.timeout
  local stats = {
    pulls = 0, received = 0, handled = 0, declined = 0, failed = 0, skipped = 0, left = 0,
    confirmed = 0, pull_errors = 0, confirm_errors = 0,
  }
  local count = 0           -- handled events whose confirmation succeeded
  local pending = {}        -- { handle, handled } of the batch, not confirmed yet
  local pending_handled = 0
  local pull_params = { SubAppId = o.SubAppId }

  -- A failure the loop goes on after: the caller's on_error, else the debug
  -- sink (and nginx's error log).
  local function report(err, event, what)
    if o.on_error then return o.on_error(err, event) end
    local line = "consume_events: " .. what .. ": " .. tostring(err)
    client:debug(line)
    if log then log(line) end
  end

  local function asked_to_stop()
    if exiting and exiting() then return "exiting" end
    if o.stop and o.stop() then return "stopped" end
  end

  -- Sleeps up to s seconds, never past the deadline; wakes early to stop.
  local function pause(s)
    local till = now() + s
    if deadline and till > deadline then till = deadline end
    while true do
      local left = till - now()
      if left <= 0 or asked_to_stop() then return end
      sleep(min(left, 1))
    end
  end

  local function confirm(items)
    local handles = {}
    for i, item in ipairs(items) do handles[i] = item[1] end
    local ok, err = pcall(confirm_events, client, { EventHandles = handles, SubAppId = o.SubAppId })
    if ok then
      for _, item in ipairs(items) do
        if item[2] then count = count + 1 end
      end
      stats.confirmed = stats.confirmed + #items
      return
    end
    if not is_error(err) then error(err, 0) end
    stats.confirm_errors = stats.confirm_errors + 1
    -- All or nothing: one refused handle (e.g. expired) refuses the lot, so
    -- each is then confirmed alone. After an ambiguous failure (a lost
    -- answer) the confirmation may have happened: nothing is repeated, and
    -- an event it missed is delivered again.
    if #items > 1 and not err.ambiguous and type(err.code) == "string"
        and err.code:find("^InvalidParameterValue") then
      report(err, nil, ("ConfirmEvents refused a batch of %d; confirming each alone"):format(#items))
      for _, item in ipairs(items) do confirm({ item }) end
      return
    end
    report(err, nil, ("ConfirmEvents failed for %d event(s); they are delivered again unless "
      .. "it went through"):format(#items))
  end

  local function flush()
    if #pending == 0 then return end
    local items = pending
    pending, pending_handled = {}, 0
    confirm(items)
  end

  local function batch(set)
    local pulled_at = now()
    local n = #set
    for i = 1, n do
      if (o.max_events and count + pending_handled >= o.max_events) or (o.stop and o.stop()) then
        stats.left = stats.left + n - i + 1       -- delivered again after the confirm window
        break
      end
      local event = set[i]
      local handle = event.EventHandle
      stats.received = stats.received + 1
      if o.types and not o.types[event.EventType] then
        stats.skipped = stats.skipped + 1
        if o.others == "confirm" and type(handle) == "string" then
          pending[#pending + 1] = { handle, false }
        end
      else
        local ok, r = pcall(handler, event)
        if ok and r == true then
          stats.handled = stats.handled + 1
          if type(handle) == "string" then
            pending[#pending + 1] = { handle, true }
            pending_handled = pending_handled + 1
          end
        elseif ok and r == false then
          stats.declined = stats.declined + 1
        else
          stats.failed = stats.failed + 1
          if ok then
            r = ("the handler returned %s, not true (confirm) or false (leave)"):format(tostring(r))
          end
          report(r, event, ("the handler failed on %s event %s"):format(tostring(event.EventType),
            tostring(handle)))
        end
      end
      -- a slow batch: confirm what is done before the API's window closes
      if #pending > 0 and now() - pulled_at >= o.confirm_within then flush() end
    end
    flush()
  end

  local failures, reason = 0, nil
  while true do
    if o.max_events and count >= o.max_events then reason = "max_events" break end
    reason = asked_to_stop()
    if reason then break end
    if deadline and now() >= deadline then reason = "timeout" break end
    local began = now()
    stats.pulls = stats.pulls + 1
    local ok, res = pcall(pull_events, client, pull_params)
    if not ok then
      -- the client's policy has retried already; a failure it would not
      -- repeat (credentials, a bad SubAppId, a TLS verification) ends the loop
      if not is_error(res) or not res.retryable then error(res, 0) end
      failures = failures + 1
      stats.pull_errors = stats.pull_errors + 1
      local wait = min(M.MAX_BACKOFF, 2 ^ (failures - 1))
      report(res, nil, ("PullEvents failed; pulling again in %gs"):format(wait))
      pause(wait)
    else
      failures = 0
      local set = res.EventSet
      if type(set) == "table" and #set > 0 then
        batch(set)
      else
        local rest = M.IDLE_INTERVAL - (now() - began)
        if rest > 0 then pause(rest) end
      end
    end
  end
  stats.reason = reason
  return count, stats
end

return M
