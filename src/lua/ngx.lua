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
local io_open = io.open

local COSOCKET_PHASES = {
  rewrite = true, server_rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true,
}
local KEEPALIVE_IDLE_MS = 60000   -- how long an idle connection stays in the pool
local KEEPALIVE_POOL_SIZE = 32    -- connections kept per pool (per worker)
local RECV_CHUNK = 65536
local YIELD_EVERY = 0.002        -- s of an upload's CPU work before the worker's other requests run

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

  -- What a client's calls need of nginx: its lua_shared_dict, when the rate
  -- is shared through one.
  local function conf(client, action)
    local c = conf_of[client]
    if c then return c end
    c = {}
    local rl = settings(client).rate_limit
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

  -- One I/O step of the engine on a connection (io.sock): what the step
  -- asked (op and its values), done; returns what to tell the engine.
  local function io(conn, op, a, b, host, port, pool)
    local sock = conn.sock
    if op == "recv" then
      sock:settimeout(a)
      local data, err = sock:receiveany(RECV_CHUNK)
      if data then return data end
      return nil, kind(err), err
    elseif op == "send" then
      sock:settimeout(b)
      local ok, err = sock:send(a)
      if ok then return true end
      return false, kind(err), err
    elseif op == "connect" then
      sock = tcp()
      conn.sock = sock
      sock:settimeout(a)
      local ok, err
      if pool then ok, err = sock:connect(host, port, { pool = pool })
      else ok, err = sock:connect(host, port) end
      if ok then return true, sock:getreusedtimes() > 0 end
      conn.sock = nil
      local k = err == "timeout" and "timeout" or err:find("resolv", 1, true) and "dns" or "connect"
      if k == "dns" then err = err .. "; nginx needs a 'resolver' directive" end
      return false, k, err
    elseif op == "handshake" then
      sock:settimeout(a)
      -- false: no session object wanted; with nil, lua-resty-core asserts on
      -- a failed verification after the handshake yielded (a 500, not our error)
      local session, err = sock:sslhandshake(false, b, true)
      if session ~= nil then return true end
      -- "18: self-signed certificate", "certificate host mismatch": verification
      local verify = err and (err:find("^%d+: ") or err:find("host mismatch", 1, true))
      return false, err == "timeout" and "timeout" or verify and "verify" or "tls", err
    elseif op == "keep" then
      sock:setkeepalive(KEEPALIVE_IDLE_MS, KEEPALIVE_POOL_SIZE)
      conn.sock = nil
    elseif op == "close" then
      if sock then sock:close() end
      conn.sock = nil
    elseif op == "sleep" then
      ngx.sleep(a)
    end
  end

  -- Runs a call of the engine to its end: the answer, or nothing for a
  -- credentials fetch; the engine raises the error.
  local function run(client, call)
    local c = conf(client, nil)
    local conn = {}
    local op, a, b, host, port, pool = call:step()
    while true do
      if op == "done" then
        return a
      elseif op == "incr" then
        op, a, b, host, port, pool = call:step(c.dict:incr(a, 1, 0, b))
      elseif op == "creds" then
        op, a, b, host, port, pool = call:step(pcall(a))
      else
        op, a, b, host, port, pool = call:step(io(conn, op, a, b, host, port, pool))
      end
    end
  end

  -- An upload: its lanes, each a light thread (the first this one), each with
  -- its connection to COS; a lane with nothing to do waits until another has
  -- done a step.
  local function upload(client, params, opts)
    check_phase("upload")
    conf(client, "upload")
    local u = private.start_upload(client, params, opts)
    local n = u:lanes()
    local moved = require("ngx.semaphore").new()
    local waiting = 0
    local broken            -- a lane's error that is not the upload's (a bug): all stop
    local update_time, now = ngx.update_time, ngx.now
    local last_yield = now()
    local function lane(i)
      local conn = {}
      local op, a, b, c, d, e = u:step(i)
      while op ~= "done" and not broken do
        if op == "wait" then
          waiting = waiting + 1
          moved:wait(60)
          if broken then break end
          op, a, b, c, d, e = u:step(i)
        else
          if op == "call" then
            op, a, b, c, d, e = u:step(i, pcall(run, client, a))
          elseif op == "read" then
            op, a, b, c, d, e = u:step(i, pcall(a))
          elseif op == "progress" then
            op, a, b, c, d, e = u:step(i, pcall(a, b, c, d))
          else
            op, a, b, c, d, e = u:step(i, io(conn, op, a, b, c, d, e))
          end
          if waiting > 0 then
            moved:post(waiting)
            waiting = 0
          end
          -- A send that completes at once, a part read or hashed: none of it
          -- yields, and a fast COS could hold the worker for the whole
          -- upload. Every YIELD_EVERY seconds of it, the worker's other
          -- requests get their turn.
          update_time()
          if now() - last_yield >= YIELD_EVERY then
            ngx.sleep(0)
            update_time()
            last_yield = now()
          end
        end
      end
      if waiting > 0 then
        moved:post(waiting)
        waiting = 0
      end
    end
    -- A lane that raises leaves the engine waiting for it: the others are
    -- told, so that the call ends with that error instead of hanging.
    local function guarded(i)
      local ok, err = pcall(lane, i)
      if not ok and not broken then
        broken = err
        if waiting > 0 then
          moved:post(waiting)
          waiting = 0
        end
      end
    end
    local threads = {}
    for i = 2, n do threads[i] = ngx.thread.spawn(guarded, i) end
    guarded(1)
    for i = 2, n do ngx.thread.wait(threads[i]) end
    if broken then error(broken, 0) end
    return u:result()
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

  methods.upload = upload

  -- vod.request_body_reader([chunk_size]) -> reader, size: the current
  -- request's body as an upload's MediaReader, chunk_size bytes a call. With
  -- a Content-Length, it streams from ngx.req.socket(): the bytes go on to
  -- COS as they come, never the whole body in memory, and size is the
  -- Content-Length. A body ngx.req.socket() cannot give (one without a
  -- Content-Length, HTTP/2 in lua-nginx-module <= 0.10.23) or one already
  -- read (ngx.req.read_body())
  -- is read whole by nginx first (in memory up to client_body_buffer_size,
  -- else in a file of client_body_temp_path) and given from there: size is
  -- then its length too. A read that fails (the client went away, nginx's
  -- lua_socket_read_timeout) raises ClientError.Callback with body_error
  -- (nginx's words: "timeout", "closed"...) and body_read (bytes so far).
  local BODY_PHASES = { rewrite = true, access = true, content = true }
  local BODY_CHUNK, MAX_BODY_CHUNK = 65536, 16 * 1024 * 1024
  local BODY_TAKEN = {}     -- ngx.ctx's key: the body was handed to a reader

  local function body_failed(why, read, size)
    fail("ClientError.Callback", "upload", ("the request body could not be read: %s%s (after %d of %s "
      .. "bytes)"):format(why, why == "timeout" and " (nginx's lua_socket_read_timeout)" or "", read,
      size and ("%d"):format(size) or "?"), { body_error = why, body_read = read })
  end

  -- ngx.req.socket(): the body as it comes, size bytes
  local function socket_reader(sock, size, chunk)
    local read = 0
    return function()
      if read >= size then return nil end
      local n = size - read < chunk and size - read or chunk
      local data, err, partial = sock:receive(n)
      if not data then body_failed(err, read + #(partial or ""), size) end
      read = read + n
      return data
    end
  end

  -- the body nginx read whole: from memory, or from its file
  local function buffered_reader(chunk)
    ngx.req.read_body()
    local data = ngx.req.get_body_data()
    if data then
      local off = 0
      return function()
        if off >= #data then return nil end
        off = off + chunk
        return data:sub(off - chunk + 1, off)
      end, #data
    end
    local path = ngx.req.get_body_file()
    if not path then
      if (tonumber(ngx.var.content_length) or 0) == 0 and not ngx.var.http_transfer_encoding then
        return function() return nil end, 0
      end
      error("request_body_reader: this request's body was already taken (ngx.req.socket() or "
        .. "ngx.req.discard_body()): it can be read once", 2)
    end
    local f, err = io_open(path, "rb")
    if not f then body_failed(err, 0, nil) end
    local size = f:seek("end")
    f:seek("set", 0)
    local read = 0
    return function()
      if not f then return nil end
      local data, rerr = f:read(chunk)
      if not data then
        f:close()
        f = nil
        if rerr then body_failed(rerr, read, size) end
        if read ~= size then body_failed("the file of the body shrank", read, size) end
        return nil
      end
      read = read + #data
      return data
    end, size
  end

  function vod.request_body_reader(chunk_size)
    if chunk_size ~= nil and (type(chunk_size) ~= "number" or chunk_size % 1 ~= 0 or chunk_size < 1
                              or chunk_size > MAX_BODY_CHUNK) then
      error(("bad argument #1 to 'request_body_reader' (chunk_size must be an integer number of bytes "
        .. "from 1 to %d, got %s)"):format(MAX_BODY_CHUNK, tostring(chunk_size)), 2)
    end
    local chunk = chunk_size or BODY_CHUNK
    local phase = get_phase()
    if not BODY_PHASES[phase] then
      fail("ClientError.NoCosocket", "request_body_reader", ("cannot read the request body from "
        .. "nginx's '%s' phase: ngx.req.socket() works in a rewrite, access or content handler")
        :format(phase), { phase = phase })
    end
    local ctx = ngx.ctx
    if ctx[BODY_TAKEN] then
      error("request_body_reader: already called for this request: its body can be read once", 2)
    end
    ctx[BODY_TAKEN] = true
    local ok, sock, err = pcall(ngx.req.socket)
    if ok and sock then
      return socket_reader(sock, tonumber(ngx.var.content_length), chunk),
             tonumber(ngx.var.content_length)
    end
    if ok and err == "no body" then return function() return nil end, 0 end
    -- no Content-Length, HTTP/2, or already read: nginx reads it whole
    return buffered_reader(chunk)
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
  through_default("upload")
  vod.transport = "cosocket"
end
