-- tencentcloud.vod inside nginx: the cosocket transport.
--
-- A C function cannot yield to nginx's event loop, so inside OpenResty the C
-- module hands its methods table to this file, which replaces the libcurl
-- calls: the C core still checks, encodes and signs (client:build_request)
-- and parses (client:parse_response); only the bytes travel through
-- ngx.socket.tcp, with TLS verification and a keep-alive pool. Where nginx
-- has no cosockets (init, set, header/body filters, log...) a call raises
-- ClientError.NoCosocket naming the phase: it never blocks the worker.
local ngx = ngx
local tcp = ngx.socket.tcp
local get_phase = ngx.get_phase
local concat = table.concat
local pairs, tonumber, setmetatable, type, error = pairs, tonumber, setmetatable, type, error

local COSOCKET_PHASES = {
  rewrite = true, server_rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true,
}
local KEEPALIVE_IDLE_MS = 60000   -- how long an idle connection stays in the pool
local KEEPALIVE_POOL_SIZE = 32    -- connections kept per pool (per worker)

return function(vod, methods, private)
  local build, parse = methods.build_request, methods.parse_response
  local settings, check_task, wait_plan = methods.settings, methods.check_task, methods.wait_plan
  local task_of = methods.task_of
  local retry_plan, finish_error = methods.retry_plan, methods.finish_error
  local request_policy, learn_clock = methods.request_policy, methods.learn_clock
  local rate_limit_wait, adapt_rate = methods.rate_limit_wait, methods.adapt_rate
  local credentials_due, credentials_from_function = methods.credentials_due, methods.credentials_from_function
  local metadata_request, metadata_response = methods.metadata_request, methods.metadata_response
  local new_error, is_error = vod._error, vod.is_error
  local conf_of = setmetatable({}, { __mode = "k" })   -- client -> its transport settings

  local function fail(code, action, message, fields)
    local e = new_error(code, action, message)
    if fields then for k, v in pairs(fields) do e[k] = v end end
    error(e, 0)
  end

  -- A shared token bucket for all workers: GCRA over a lua_shared_dict, its
  -- read-modify-write under a short lock (add is atomic; the lock expires by
  -- itself should its holder die). The bucket's interval follows the rate the
  -- workers adapt together (adapt_rate below).
  local function dict_of(c, action)
    local rl = c.rate_limit
    local dict = ngx.shared[rl.shared_dict]
    if not dict then
      fail("ClientError.InvalidOption", action, "rate_limit.shared_dict '" .. rl.shared_dict
        .. "' is not a lua_shared_dict of this nginx", { option = "rate_limit" })
    end
    return dict
  end

  local function locked(dict, key, f, ...)
    local lock = key .. ":lock"
    for _ = 1, 2000 do
      if dict:add(lock, true, 0.1) then break end
      ngx.sleep(0.001)
    end
    local a, b = f(...)
    dict:delete(lock)
    return a, b
  end

  local function shared_wait(c, action)
    local rl = c.rate_limit
    local dict = dict_of(c, action)
    local key = "tencentcloud-vod:rate:" .. c.endpoint
    return locked(dict, key, function()
      ngx.update_time()
      local now = ngx.now()
      local rate = dict:get(key .. ":rate")
      local interval = rate and 1.05 / rate or rl.interval
      local tat = dict:get(key) or now            -- when the next token is free
      if tat < now then tat = now end
      local wait = tat - now - (rl.burst - 1) * interval
      dict:set(key, tat + interval, 3600)
      return wait > 0 and wait or 0
    end)
  end

  local function rate_wait(client, c, action)
    if not c.rate_limit then return end
    local wait = c.rate_limit.shared_dict and shared_wait(c, action) or rate_limit_wait(client)
    if wait > 0 then ngx.sleep(wait) end
  end

  -- An answer from the API tells the rate whether the quota is short: the
  -- client's own bucket adapts, or the one all workers share in the dict.
  local function rate_feedback(client, c, action, code)
    if not c.rate_limit or (code and code:find("^ClientError%.")) then return end
    local throttled = code ~= nil and code:find("^RequestLimitExceeded") ~= nil
    if not c.rate_limit.shared_dict then return adapt_rate(client, throttled) end
    if not c.rate_limit.adaptive then return end
    local dict = dict_of(c, action)
    local key = "tencentcloud-vod:rate:" .. c.endpoint
    locked(dict, key, function()
      ngx.update_time()
      local state, rate = adapt_rate(client, throttled, dict:get(key .. ":state"), ngx.now())
      dict:set(key .. ":state", state, 3600)
      dict:set(key .. ":rate", rate, 3600)
    end)
  end

  -- The proxy the C side decided (the option, or the environment nginx let
  -- through with `env`): cosockets can only tunnel through an http:// one.
  local function proxy_conf(client, c, action)
    local p = private and private.proxy(client)
    if not p then return nil end
    if p.scheme ~= "http" then
      local named = p.source == "option" and "option 'proxy'"
        or ("the environment variable " .. p.source .. " (option 'proxy')")
      fail("ClientError.InvalidOption", action, ("%s names a %s proxy (%s), which nginx cosockets "
        .. "cannot use: only an http:// proxy works here (HTTP CONNECT); pass proxy = "
        .. "\"http://host:port\" or proxy = false"):format(named, p.scheme, p.shown),
        { option = "proxy", attempts = 0 })
    end
    local target = c.host:find(":", 1, true) and ("[" .. c.host .. "]") or c.host
    return {
      host = p.host, port = p.port, hostport = p.hostport,
      authorization = p.user and ("Basic " .. ngx.encode_base64(p.user .. ":" .. (p.password or ""))),
      -- the CONNECT request, the same for every new connection of this client
      connect = nil, target = target .. ":" .. c.port,
    }
  end

  local function conf(client, action)
    local c = conf_of[client]
    if not c then
      c = settings(client)
      c.connect_ms = c.connect_timeout * 1000
      c.rw_ms = c.timeout * 1000
      c.tls = c.scheme == "https"
      c.retries = c.retries ~= false
      -- one pool per host, port, server name and verification (always on)
      c.pool = ("tencentcloud-vod:%s:%s:%d:%s:verify"):format(c.scheme, c.host, c.port, c.host)
      local px = proxy_conf(client, c, action)
      if px then
        local lines = { "CONNECT ", px.target, " HTTP/1.1\r\nHost: ", px.target, "\r\n" }
        if px.authorization then
          lines[#lines + 1] = "Proxy-Authorization: " .. px.authorization .. "\r\n"
        end
        lines[#lines + 1] = "\r\n"
        px.connect = concat(lines)
        -- tunnels differ by proxy and by credentials (hashed: the key may be logged)
        c.pool = c.pool .. ":via:" .. px.hostport
          .. (px.authorization and (":" .. ngx.md5(px.authorization)) or "")
        px.authorization = nil
        c.via = px
      end
      conf_of[client] = c
    end
    return c
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

  local function where(c)
    return c.scheme .. "://" .. c.endpoint .. (c.via and (" via proxy " .. c.via.hostport) or "")
  end
  local NOT_SENT = { ambiguous = false }      -- failed before a byte of the request left
  local MAY_HAVE_ARRIVED = { ambiguous = true }

  -- Opens the tunnel on a new connection to the proxy: CONNECT, then the
  -- proxy's answer. Nothing of the request has left yet.
  local function tunnel(sock, c, action)
    local px = c.via
    local function proxy_fail(code, msg, fields)
      sock:close()
      fields = fields or {}
      fields.ambiguous, fields.proxy = false, px.hostport
      fail(code, action, msg .. " (" .. where(c) .. ")", fields)
    end
    local ok, err = sock:send(px.connect)
    local line
    if ok then line, err = sock:receive("*l") end
    if not line then
      if err == "timeout" then proxy_fail("ClientError.Timeout", "the proxy did not answer the CONNECT in time") end
      proxy_fail("ClientError.Network", "the proxy closed the connection during the CONNECT: " .. tostring(err))
    end
    local status = tonumber(line:match("^HTTP/1%.%d (%d%d%d)"))
    if not status then proxy_fail("ClientError.Proxy", "the proxy's answer to CONNECT is not HTTP") end
    repeat                                        -- the headers, up to the empty line
      local h, herr = sock:receive("*l")
      if not h then proxy_fail("ClientError.Network", "the proxy closed the connection during the CONNECT: "
        .. tostring(herr)) end
    until h == ""
    if status == 407 then
      proxy_fail("ClientError.ProxyAuth", "the proxy refused the credentials (407 to CONNECT)",
        { http_status = 407 })
    elseif status < 200 or status > 299 then
      proxy_fail("ClientError.Proxy", "the proxy refused the tunnel (" .. status .. " to CONNECT)",
        { http_status = status })
    end
  end

  local function connect(c, action)
    local sock = tcp()
    sock:settimeouts(c.connect_ms, c.rw_ms, c.rw_ms)
    local ok, err
    if c.via then
      ok, err = sock:connect(c.via.host, c.via.port, { pool = c.pool })
    else
      ok, err = sock:connect(c.host, c.port, { pool = c.pool })
    end
    if not ok then
      local fields = c.via and { ambiguous = false, proxy = c.via.hostport } or NOT_SENT
      if err == "timeout" then
        fail("ClientError.Timeout", action, "connect timed out (" .. where(c) .. ")", fields)
      elseif err:find("resolv", 1, true) then
        fail("ClientError.DNS", action, err .. " (" .. where(c) .. "; nginx needs a 'resolver' directive)",
          fields)
      end
      fail("ClientError.Connect", action, err .. " (" .. where(c) .. ")", fields)
    end
    if c.via and sock:getreusedtimes() == 0 then tunnel(sock, c, action) end
    if c.tls and sock:getreusedtimes() == 0 then
      -- false: no session object wanted; with nil, lua-resty-core asserts on
      -- a failed verification after the handshake yielded (a 500, not our error)
      local session, herr = sock:sslhandshake(false, c.host, true)
      if not session then
        sock:close()
        if herr == "timeout" then
          fail("ClientError.Timeout", action, "TLS handshake timed out (" .. where(c) .. ")", NOT_SENT)
        end
        -- "18: self-signed certificate", "certificate host mismatch": verification,
        -- which no retry changes; anything else: the handshake itself failed
        local verify = herr and (herr:find("^%d+: ") or herr:find("host mismatch", 1, true))
        fail(verify and "ClientError.TLSVerify" or "ClientError.TLS", action,
          "TLS handshake failed: " .. tostring(herr) .. " (" .. where(c) .. ")", NOT_SENT)
      end
    end
    return sock
  end

  local function request_bytes(req)
    local out, n = { "POST / HTTP/1.1\r\n" }, 1
    for name, value in pairs(req.headers) do
      out[n + 1], out[n + 2], out[n + 3], out[n + 4] = name, ": ", value, "\r\n"
      n = n + 4
    end
    out[n + 1] = "Content-Length: " .. #req.body .. "\r\n\r\n"
    out[n + 2] = req.body
    return out
  end

  -- Reads one response. Returns status, body, keepalive; or nil, err, got
  -- (got: whether any byte of the response arrived).
  local function read_response(sock, c, action)
    local line, err = sock:receive("*l")
    if not line then return nil, err, false end
    local status = tonumber(line:match("^HTTP/1%.%d (%d%d%d)"))
    if not status then
      sock:close()
      fail("ClientError.MalformedResponse", action, "not an HTTP response (" .. where(c) .. ")",
        MAY_HAVE_ARRIVED)
    end
    local length, chunked, keepalive, date = nil, false, line:sub(1, 8) == "HTTP/1.1", nil
    while true do
      local h, herr = sock:receive("*l")
      if not h then return nil, herr, true end
      if h == "" then break end
      local name, value = h:match("^([^:]+):%s*(.-)%s*$")
      if name then
        name = name:lower()
        if name == "content-length" then length = tonumber(value)
        elseif name == "transfer-encoding" then chunked = value:lower():find("chunked", 1, true) ~= nil
        elseif name == "date" then date = value
        elseif name == "connection" then
          local v = value:lower()
          if v:find("close", 1, true) then keepalive = false
          elseif v:find("keep-alive", 1, true) then keepalive = true end
        end
      end
    end
    local cap = c.max_response_size
    local function too_large()
      sock:close()
      fail("ClientError.ResponseTooLarge", action, "response body larger than the cap of "
        .. cap .. " bytes (" .. where(c) .. ")", { http_status = status, ambiguous = true })
    end
    local body
    if chunked then
      local parts, total = {}, 0
      while true do
        local size_line, cerr = sock:receive("*l")
        if not size_line then return nil, cerr, true end
        local size = tonumber(size_line:match("^%s*(%x+)"), 16)
        if not size then
          sock:close()
          fail("ClientError.MalformedResponse", action, "bad chunk size in the response (" .. where(c) .. ")",
            MAY_HAVE_ARRIVED)
        end
        if size == 0 then
          repeat                                  -- trailers, up to the empty line
            local t, terr = sock:receive("*l")
            if not t then return nil, terr, true end
          until t == ""
          break
        end
        total = total + size
        if total > cap then too_large() end
        local data, derr = sock:receive(size)
        if not data then return nil, derr, true end
        parts[#parts + 1] = data
        local crlf, lerr = sock:receive(2)
        if not crlf then return nil, lerr, true end
      end
      body = concat(parts)
    elseif length then
      if length > cap then too_large() end
      local berr
      body, berr = sock:receive(length)
      if not body then return nil, berr, true end
    else                                          -- until the server closes
      local parts, total = {}, 0
      keepalive = false
      while true do
        local data, derr = sock:receiveany(65536)
        if not data then
          if derr == "closed" then break end
          return nil, derr, true
        end
        total = total + #data
        if total > cap then too_large() end
        parts[#parts + 1] = data
      end
      body = concat(parts)
    end
    return status, body, keepalive, date
  end

  -- One exchange on a connection: returns status, body, date, or raises an
  -- error object (ambiguous = whether the request may have arrived).
  local function exchange(c, action, bytes, read_only)
    -- A kept-alive connection may have died unseen. Only a read-only action
    -- is sent again on a new one; a create could be created twice.
    for attempt = 1, 2 do
      local sock = connect(c, action)
      local reused = sock:getreusedtimes() > 0
      local status, body, keepalive, date
      local sent, serr = sock:send(bytes)
      local got = false
      if sent then
        status, body, keepalive, date = read_response(sock, c, action)
        if not status then serr, got = body, keepalive end
      end
      if status then
        if keepalive then sock:setkeepalive(KEEPALIVE_IDLE_MS, KEEPALIVE_POOL_SIZE) else sock:close() end
        return status, body, date
      end
      sock:close()
      -- only a reused connection that died unanswered (not a timeout)
      local died = serr ~= "timeout" and not got and reused
      if not (read_only and died and attempt == 1) then
        if serr == "timeout" then
          fail("ClientError.Timeout", action, "timed out waiting for the response (" .. where(c) .. ")",
            MAY_HAVE_ARRIVED)
        end
        local msg = got and "the connection closed before the whole response arrived"
          or "the connection closed before any answer; the request may have reached the server, "
             .. "and it was not sent again"
        fail("ClientError.Network", action, msg .. ": " .. tostring(serr) .. " (" .. where(c) .. ")",
          MAY_HAVE_ARRIVED)
      end
    end
  end

  -- Credentials fetched lazily (a credentials function, the CVM role): C
  -- decides when a refresh is due and reads the answer; here the bytes move
  -- through a cosocket. One fetch at a time per client in this worker: the
  -- others go on with still-valid credentials, or wait for the fetch.
  local fetching = setmetatable({}, { __mode = "k" })   -- client -> true while a fetch runs
  local METADATA_MAX_BODY = 65536

  -- GET http://host:port/path with a deadline for the whole exchange.
  local function metadata_get(host, port, path, host_header, connect_timeout, timeout)
    local sock = tcp()
    ngx.update_time()
    local deadline = ngx.now() + timeout
    sock:settimeouts(connect_timeout * 1000, timeout * 1000, timeout * 1000)
    local ok, err = sock:connect(host, port)
    if not ok then
      if err == "timeout" then return nil, ("timed out after %d ms"):format(timeout * 1000) end
      return nil, err
    end
    ok, err = sock:send("GET " .. path .. " HTTP/1.0\r\nHost: " .. host_header
      .. "\r\nAccept: */*\r\nConnection: close\r\n\r\n")
    if not ok then sock:close() return nil, err end
    local parts, total = {}, 0
    while true do
      ngx.update_time()
      local left = deadline - ngx.now()
      if left <= 0 then sock:close() return nil, ("timed out after %d ms"):format(timeout * 1000) end
      sock:settimeouts(connect_timeout * 1000, left * 1000, left * 1000)
      local data, rerr = sock:receiveany(16384)
      if not data then
        if rerr == "closed" then break end
        sock:close()
        if rerr == "timeout" then return nil, ("timed out after %d ms"):format(timeout * 1000) end
        return nil, rerr
      end
      total = total + #data
      if total > METADATA_MAX_BODY then
        sock:close()
        return nil, "response larger than " .. METADATA_MAX_BODY .. " bytes"
      end
      parts[#parts + 1] = data
    end
    sock:close()
    local resp = concat(parts)
    local status = tonumber(resp:match("^HTTP/%d%.%d (%d%d%d)"))
    local head_end = resp:find("\r\n\r\n", 1, true)
    if not status or not head_end then return nil, "not an HTTP response" end
    return status, resp:sub(head_end + 4)
  end

  local function fetch_credentials(client, kind, fn)
    if kind == "function" then
      return credentials_from_function(client, pcall(fn))
    end
    repeat
      local host, port, path, host_header, connect_timeout, timeout, url = metadata_request(client)
      client:debug("> GET " .. url .. " (credentials)")
      local status, body = metadata_get(host, port, path, host_header, connect_timeout, timeout)
    until not metadata_response(client, status, body)
  end

  local function ensure_credentials(client, force)
    local kind, valid, fn = credentials_due(client, force)
    if not kind then return end
    local running = fetching[client]
    if running then
      if valid then return end                  -- another request is refreshing them
      -- wait for it: two metadata GETs at most, each within its own timeout
      local wait = kind == "cvm" and 2 * select(6, metadata_request(client)) + 1 or 30
      ngx.update_time()
      local deadline = ngx.now() + wait
      repeat
        ngx.sleep(0.01)
        ngx.update_time()
      until fetching[client] ~= running or ngx.now() > deadline
      if running.err then error(running.err, 0) end   -- it failed: so do its waiters
      if fetching[client] == running then
        fail("ClientError.Credentials", nil, "timed out waiting for the credentials another request "
          .. "is fetching", { attempts = 0 })
      end
      return ensure_credentials(client)
    end
    running = {}
    fetching[client] = running
    local ok, err = pcall(fetch_credentials, client, kind, fn)
    fetching[client] = nil
    if not ok then
      running.err = err
      error(err, 0)
    end
  end

  -- A call: the same policy as the libcurl path (the C core decides).
  local function request(client, action, params, opts)
    check_phase(action)
    local c = conf(client, action)
    ensure_credentials(client)
    local idempotent, session_id, read_only, generated, paced = request_policy(client, action, params)
    if generated then       -- every attempt of this call carries the same one
      opts = { check = not opts or opts.check, session_id = session_id }
    end
    ngx.update_time()
    local start = ngx.now()
    local attempts, retries, throttles, skew_fixed, first_ambiguous = 0, 0, 0, false, nil
    while true do
      if not paced then rate_wait(client, c, action) end   -- PullEvents: the server paces it
      local bytes = request_bytes(build(client, action, params, opts))  -- signed afresh
      attempts = attempts + 1
      local ok, status, body, date = pcall(exchange, c, action, bytes, read_only)
      local err
      if ok then
        local parsed, res = pcall(parse, client, action, status, body)
        if parsed then
          if not paced then rate_feedback(client, c, action, nil) end
          return res
        end
        err = res
      else
        err = status
      end
      if not is_error(err) then error(err, 0) end         -- a bug, not a failed attempt
      if not paced then rate_feedback(client, c, action, err.code) end
      if err.ambiguous and not first_ambiguous then first_ambiguous = err.code end
      if c.retries and not skew_fixed and err.code == "AuthFailure.SignatureExpire"
          and date and learn_clock(client, date) then
        skew_fixed = true                                  -- a clock off by > 5 min: once
      else
        ngx.update_time()
        local delay, throttle = retry_plan(client, err, retries, ngx.now() - start, idempotent, throttles)
        if not delay then
          error(finish_error(client, err, attempts, first_ambiguous, session_id, idempotent), 0)
        end
        if throttle then
          throttles = throttles + 1
          client:debug(("throttled (%s) on attempt %d: waiting %.3fs for the quota's next window")
            :format(err.code, attempts, delay))
        else
          retries = retries + 1
          client:debug(("retry %d after %s in %.3fs"):format(retries, err.code, delay))
        end
        ngx.sleep(delay)
      end
    end
  end

  local function table_arg(v, fname)
    if type(v) ~= "table" then
      error(("bad argument #1 to '%s' (table expected, got %s)"):format(fname, type(v)), 3)
    end
  end

  -- every action of the model: checked by it in C (build_request), sent here
  for method, action in pairs(private.actions) do
    methods[method] = function(client, params)
      table_arg(params, method)
      return request(client, action, params)
    end
  end

  function methods.refresh_credentials(client)
    check_phase("refresh_credentials")
    ensure_credentials(client, true)
  end

  local UNCHECKED = { check = false }
  function methods.call(client, action, params)
    if type(action) ~= "string" then
      error(("bad argument #1 to 'call' (string expected, got %s)"):format(type(action)), 2)
    end
    if params ~= nil and type(params) ~= "table" then
      error(("bad argument #2 to 'call' (table expected, got %s)"):format(type(params)), 2)
    end
    return request(client, action, params or {}, UNCHECKED)
  end

  function methods.wait_task(client, task_id, opts)
    local params, interval, timeout, progress = wait_plan(client, task_id, opts)
    ngx.update_time()
    local start = ngx.now()
    while true do
      local task = request(client, "DescribeTaskDetail", params)
      if progress then progress(task, task_of(client, task)) end
      local status = task.Status
      if status == "FINISH" or status == "ABORTED" then
        return check_task(client, task_id, task)
      end
      ngx.update_time()
      if ngx.now() - start + interval > timeout then
        fail("ClientError.WaitTimeout", "DescribeTaskDetail", ("task %s still %s after %gs")
          :format(task_id, status or "(no status)", timeout), { task_id = task_id, task = task })
      end
      ngx.sleep(interval)
    end
  end

  -- the PULL loop (tencentcloud/vod/events.lua) on nginx's clock and sleep,
  -- stopping when the worker exits; its errors also go to the error log
  local events_env = {
    now = function() ngx.update_time() return ngx.now() end,
    sleep = ngx.sleep,
    exiting = ngx.worker.exiting,
    log = function(line) ngx.log(ngx.ERR, line) end,
  }
  function methods.consume_events(client, handler, opts)
    return require("tencentcloud.vod.events").consume(client, handler, opts, events_env)
  end

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
