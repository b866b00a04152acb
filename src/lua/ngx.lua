-- tencentcloud.vod inside nginx: the cosocket driver.
--
-- A C function cannot yield to nginx's event loop, so inside OpenResty the C
-- module hands its methods table to this file, which replaces the methods
-- that do I/O. The engine in C still decides everything (the credentials, the
-- rate, the request's bytes, the answer's reading through the same HTTP/1.1
-- reader, retries, throttling, the clock, the errors: src/binding/call/
-- engine.c); this driver only does what it is told: open a connection
-- (ngx.socket.tcp, with a keep-alive pool), the TLS handshake (verified), send,
-- receive, sleep (ngx.sleep), call the credentials function, count in the
-- lua_shared_dict. Where nginx has no cosockets (init, set, header/body
-- filters, log...) a call raises ClientError.NoCosocket naming the phase: it
-- never blocks the worker.
local ngx = ngx
local tcp = ngx.socket.tcp
local get_phase = ngx.get_phase
local pairs, pcall, setmetatable, type, error = pairs, pcall, setmetatable, type, error

local COSOCKET_PHASES = {
  rewrite = true, server_rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true,
}
local KEEPALIVE_IDLE_MS = 60000   -- how long an idle connection stays in the pool
local KEEPALIVE_POOL_SIZE = 32    -- connections kept per pool (per worker)
local RECV_CHUNK = 65536

return function(vod, methods, private)
  local settings, task_of = methods.settings, methods.task_of
  local new_error, start, start_credentials = private.new_error, private.start, private.start_credentials
  local conf_of = setmetatable({}, { __mode = "k" })   -- client -> where its connections go

  local function fail(code, action, message, fields)
    error(new_error(code, action, message, fields), 0)
  end

  local function check_phase(action)
    local phase = get_phase()
    if not COSOCKET_PHASES[phase] then
      fail("ClientError.NoCosocket", action, ("cannot call the API from nginx's '%s' phase: "
        .. "cosockets are not available there and this library never blocks the worker; call it "
        .. "from a rewrite, access or content handler, or from ngx.timer.at"):format(phase),
        { phase = phase })
    end
  end

  -- Where a client's connections go, and the pool that keeps them: one per
  -- host, port, server name and verification (always on), and per proxy and
  -- its credentials (hashed: a pool's name may be logged).
  local function conf(client, action)
    local c = conf_of[client]
    if c then return c end
    local s = settings(client)
    c = { server_name = s.host, tls = s.scheme == "https", host = s.host, port = s.port }
    c.pool = ("tencentcloud-vod:%s:%s:%d:%s:verify"):format(s.scheme, s.host, s.port, s.host)
    local p = private.proxy(client)
    if p then
      c.host, c.port = p.host, p.port
      c.pool = c.pool .. ":via:" .. p.hostport
        .. (p.user and (":" .. ngx.md5(p.user .. ":" .. (p.password or ""))) or "")
    end
    local rl = s.rate_limit
    if rl and rl.shared_dict then
      c.dict = ngx.shared[rl.shared_dict]
      if not c.dict then
        fail("ClientError.InvalidOption", action, "rate_limit.shared_dict '" .. rl.shared_dict
          .. "' is not a lua_shared_dict of this nginx", { option = "rate_limit" })
      end
    end
    conf_of[client] = c
    return c
  end

  -- nginx's words for a failed socket operation, as the engine's kinds
  local function kind(err)
    if err == "timeout" then return "timeout" end
    if err == "closed" then return "closed" end
    return "network"
  end

  -- Runs a call of the engine to its end: the answer, or nothing for a
  -- credentials fetch; the engine raises the error.
  local function run(client, call)
    local c = conf(client, nil)
    local sock
    local op, a, b, target, host, port = call:step()
    while true do
      if op == "recv" then
        sock:settimeout(a)
        local data, err = sock:receiveany(RECV_CHUNK)
        if data then
          op, a, b, target, host, port = call:step(data)
        else
          op, a, b, target, host, port = call:step(nil, kind(err), err)
        end
      elseif op == "send" then
        sock:settimeout(b)
        local ok, err = sock:send(a)
        if ok then
          op, a, b, target, host, port = call:step(true)
        else
          op, a, b, target, host, port = call:step(false, kind(err), err)
        end
      elseif op == "connect" then
        sock = tcp()
        sock:settimeout(a)
        local ok, err
        if target == "meta" then
          ok, err = sock:connect(host, port)
        else
          ok, err = sock:connect(c.host, c.port, { pool = c.pool })
        end
        if ok then
          op, a, b, target, host, port = call:step(true, sock:getreusedtimes() > 0)
        else
          sock = nil
          local k = err == "timeout" and "timeout" or err:find("resolv", 1, true) and "dns" or "connect"
          if k == "dns" then err = err .. "; nginx needs a 'resolver' directive" end
          op, a, b, target, host, port = call:step(false, k, err)
        end
      elseif op == "handshake" then
        sock:settimeout(a)
        -- false: no session object wanted; with nil, lua-resty-core asserts on
        -- a failed verification after the handshake yielded (a 500, not our error)
        local session, err = sock:sslhandshake(false, c.server_name, true)
        if session ~= nil then
          op, a, b, target, host, port = call:step(true)
        else
          -- "18: self-signed certificate", "certificate host mismatch": verification
          local verify = err and (err:find("^%d+: ") or err:find("host mismatch", 1, true))
          op, a, b, target, host, port = call:step(false, err == "timeout" and "timeout"
            or verify and "verify" or "tls", err)
        end
      elseif op == "keep" then
        sock:setkeepalive(KEEPALIVE_IDLE_MS, KEEPALIVE_POOL_SIZE)
        sock = nil
        op, a, b, target, host, port = call:step()
      elseif op == "close" then
        sock:close()
        sock = nil
        op, a, b, target, host, port = call:step()
      elseif op == "sleep" then
        ngx.sleep(a)
        op, a, b, target, host, port = call:step()
      elseif op == "incr" then
        local n, err = c.dict:incr(a, 1, 0, b)
        op, a, b, target, host, port = call:step(n, err)
      elseif op == "creds" then
        op, a, b, target, host, port = call:step(pcall(a))
      else   -- "done"
        return a
      end
    end
  end

  local function request(client, action, params, typed)
    check_phase(action)
    conf(client, action)
    return run(client, start(client, action, params, typed))
  end

  local function table_arg(v, fname, n)
    if type(v) ~= "table" then
      error(("bad argument #%d to '%s' (table expected, got %s)"):format(n, fname, type(v)), 3)
    end
  end

  -- every action of the model: checked by it, sent here
  for method, action in pairs(private.actions) do
    methods[method] = function(client, params)
      if params == nil then params = {} end   -- an action that needs no parameter
      table_arg(params, method, 1)
      return request(client, action, params, true)
    end
  end

  function methods.call(client, action, params)
    if type(action) ~= "string" then
      error(("bad argument #1 to 'call' (string expected, got %s)"):format(type(action)), 2)
    end
    if params ~= nil then table_arg(params, "call", 2) end
    return request(client, action, params or {}, false)
  end

  function methods.refresh_credentials(client)
    check_phase("refresh_credentials")
    local call = start_credentials(client)
    if call then run(client, call) end
  end

  -- the loops of both transports (tencentcloud/vod/wait.lua, events.lua) on
  -- nginx's clock and sleep, stopping when the worker exits; the events
  -- loop's errors also go to the error log
  local env = {
    now = function() ngx.update_time() return ngx.now() end,
    sleep = ngx.sleep,
    exiting = ngx.worker.exiting,
    log = function(line) ngx.log(ngx.ERR, line) end,
  }
  function methods.wait_task(client, task_id, opts)
    return private.part("wait").wait(client, task_id, opts, env)
  end
  function methods.consume_events(client, handler, opts)
    return private.part("events").consume(client, handler, opts, env)
  end
  methods.task_of = task_of

  -- the module-level functions go through the default client, here too
  local function through_default(name)
    local method = methods[name]
    vod[name] = function(...) return method(vod.default_client(), ...) end
  end
  for method in pairs(private.actions) do through_default(method) end
  through_default("call")
  through_default("wait_task")
  through_default("consume_events")
  vod.transport = "cosocket"
end
