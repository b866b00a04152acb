-- tencentcloud.vod.cli_args: the command line of `tcvod`, parsed against the
-- tables below, and the help texts made from the same tables. No I/O here:
-- parse() returns a table or raises a usage error (a table with `usage`).
-- Every action of the API is a command too: the model's side of that is in
-- cli_actions.lua.
local vod = require "tencentcloud.vod"
local actions = require "tencentcloud.vod.cli_actions"

local M = {}

-- The defaults the help shows are the library's own (vod.defaults()).
local D = vod.defaults()

-- kind: "string", "int" (decimal digits, exact), "number", "flag" (no value),
-- "list" (a string, repeatable). opt: the vod.new option it feeds.
-- No command flag has the name of a global one: a flag means one thing,
-- before or after the command.
M.GLOBAL = {
  { "region", "string", "REGION", "region sent as X-TC-Region (default: TENCENTCLOUD_REGION)", opt = "region" },
  { "site", "string", "intl|china", ("the API's site: intl (vod.intl.tencentcloudapi.com) or china "
    .. "(vod.tencentcloudapi.com); default %s"):format(D.site), opt = "site" },
  { "endpoint", "string", "HOST[:PORT]", "another endpoint (overrides --site)", opt = "endpoint" },
  { "scheme", "string", "https|http", ("http only for a local endpoint (default %s)"):format(D.scheme), opt = "scheme" },
  { "ca-file", "string", "FILE", "PEM trust anchors (default: the system store)", opt = "ca_file" },
  { "timeout", "number", "SECONDS", ("per request (default %g)"):format(D.timeout), opt = "timeout" },
  { "connect-timeout", "number", "SECONDS", ("to connect (default %g)"):format(D.connect_timeout),
    opt = "connect_timeout" },
  { "language", "string", "zh-CN|en-US", "language of the API's error messages", opt = "language" },
  { "profile", "string", "NAME", ("section of the credentials file (default: TENCENTCLOUD_PROFILE, else %s)")
    :format(D.profile), opt = "profile" },
  { "credentials-file", "string", "FILE", "the credentials file (default: TENCENTCLOUD_CREDENTIALS_FILE, ~/.tencentcloud/credentials, /etc/tencentcloud/credentials)", opt = "credentials_file" },
  { "metadata-url", "string", "URL", ("the CVM metadata service for the instance role's credentials "
    .. "(default %s)"):format(D.metadata_url), opt = "metadata_url" },
  { "no-cvm-role", "flag", nil, "do not ask the CVM metadata service for credentials", opt = "cvm_role", value = false },
  { "proxy", "string", "URL", "proxy for the API: http://, https://, socks5://, socks5h:// (default: the environment)", opt = "proxy" },
  { "plain", "flag", nil, "one readable line (Key=Value ...) instead of JSON" },
  { "compact", "flag", nil, "JSON on one line, as the codec writes it (default: indented, keys sorted)" },
  { "debug", "flag", nil, "log each request and response on stderr (secrets redacted)", opt = "debug" },
  { "help", "flag", nil, "this help (also -h)" },
  { "version", "flag", nil, "print the version" },
}

local WAIT = actions.WAIT

local function with(t, extra)
  local r = {}
  for _, v in ipairs(t) do r[#r + 1] = v end
  for _, v in ipairs(extra) do r[#r + 1] = v end
  return r
end

M.COMMANDS = {
  -- the action CreateAigcSubject, its parameters as flags (tcvod
  -- CreateAigcSubject ...), with short forms of its own: { flag, parameter, metavar }
  ["create-aigc-subject"] = {
    order = 1,
    action = "CreateAigcSubject",
    synopsis = "create-aigc-subject (--SubjectImages URL... | --SubjectVideos URL) [--SubjectName NAME]\n" ..
      "                           [--Name VALUE]... [--wait] [options]",
    summary = "create an AIGC subject (CreateAigcSubject); prints its TaskId",
    args = {},
    short = {
      { "sub-app-id", "SubAppId", "N" },
      { "name", "SubjectName", "NAME" },
      { "image", "SubjectImages", "URL" },
      { "video", "SubjectVideos", "URL" },
      { "voice-id", "VoiceId", "ID" },
      { "session-id", "SessionId", "ID" },
      { "session-context", "SessionContext", "TEXT" },
      { "priority", "TasksPriority", "N" },
    },
    note = "The API wants at least one image or video (SubjectImages: 1 to 3 URLs; SubjectVideos:\n" ..
      "at most 1); nothing else is required. A SessionId repeated within 3 days is refused.\n",
    wait_note = "With --wait, the output is the finished task (--plain: TaskId=... Status=FINISH\n" ..
      "SubjectId=... RequestId=...).\n",
    flags = WAIT,
  },
  task = {
    order = 2,
    synopsis = "task TASK_ID [--sub-app-id N] [--wait] [options]",
    summary = "show a task (DescribeTaskDetail); --wait polls until it ends",
    args = { "TASK_ID" },
    flags = with({
      { "sub-app-id", "int", "N", "SubAppId the task belongs to", param = "SubAppId" },
    }, WAIT),
  },
  call = {
    order = 3,
    synopsis = "call ACTION ['{json}' | -] [options]",
    summary = "any VOD action with a JSON object of parameters (- reads stdin; default {})",
    args = { "ACTION", "[JSON]" },
    flags = {},
  },
  events = {
    order = 4,
    synopsis = "events [--sub-app-id N] [--confirm] [--max N] [--run-timeout SECONDS] [--type EVENTTYPE]... [options]",
    summary = "task events (PullEvents), one JSON line each; --confirm confirms them",
    args = {},
    flags = {
      { "sub-app-id", "int", "N", "SubAppId whose events to pull" },
      { "confirm", "flag", nil, "confirm each event once printed (without it the API delivers it again after 30 s)" },
      { "max", "int", "N", "stop after N events" },
      -- how long to run (consume_events' timeout); --timeout is the request's
      { "run-timeout", "number", "SECONDS", "stop after this long (default: until interrupted)" },
      { "type", "list", "EVENTTYPE", "only events of this type (repeat the flag); others are left unconfirmed" },
    },
  },
  help = {
    order = 5,
    synopsis = "help [COMMAND | ACTION]",
    summary = "this help, or a command's or an action's (its parameters)",
    args = { "[COMMAND]" },
    flags = {},
  },
}

M.EXIT_CODES = [[
Exit status:
  0  success
  1  the API answered with an error (also: the task failed or was aborted
     during --wait; ClientError.MaybeCreated)
  2  usage or configuration: a bad flag or argument, a parameter the library
     refuses (ClientError.InvalidParameter), a bad option
     (ClientError.InvalidOption), no usable credentials (ClientError.Credentials);
     nothing was sent
  3  no usable answer: DNS, connect, TLS, certificate, timeout, network,
     HTTP status, malformed or too large response, proxy; --wait timed out;
     any other failure on this side
]]

local CREDENTIALS = [[
Credentials are found as the library finds them (TENCENTCLOUD_SECRET_ID,
TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN, then the places the
library knows); tcvod never takes a secret on its command line.
]]

-- A usage error: raised as a table so main() can tell it from a bug.
local function usage(command, fmt, ...)
  error({ usage = fmt:format(...), command = command }, 0)
end
M.usage = usage

local distance = actions.distance

-- " (did you mean 'x'?)" for the closest of names, when it is close.
function M.suggest(word, names, prefix)
  local best, bestd
  for _, n in ipairs(names) do
    local d = n:sub(1, #word) == word and 0 or distance(word, n)   -- a prefix, or a typo
    if not bestd or d < bestd then best, bestd = n, d end
  end
  if best and bestd <= math.max(2, math.floor(#word / 3)) then
    return (" (did you mean '%s%s'?)"):format(prefix or "", best)
  end
  return ""
end

local function find(list, name)
  for _, f in ipairs(list) do
    if f[1] == name then return f end
  end
end

local function command_names()
  local names = {}
  for n in pairs(M.COMMANDS) do names[#names + 1] = n end
  table.sort(names, function(a, b) return M.COMMANDS[a].order < M.COMMANDS[b].order end)
  return names
end

-- The commands, then every action's API name and kebab-case form.
local function all_names()
  local names = command_names()
  for _, n in ipairs(actions.names()) do names[#names + 1] = n end
  return names
end

-- The action a command word names (nil for the commands above, which win:
-- create-aigc-subject is the friendly command, CreateAigcSubject the action).
function M.action_of(word)
  if M.COMMANDS[word] then return nil end
  return actions.resolve(word)
end

-- " (did you mean 'x'?)" for a word that is no command and no action.
function M.suggest_command(word)
  return M.suggest(word, all_names())
end

-- The flags a command or an action takes besides the global ones.
local function command_flags(r)
  local c = r.command and M.COMMANDS[r.command]
  if c then return c.flags end
  if r.action then return actions.flags(r.action) end
  return {}
end

local WAIT_FLAGS = { wait = true, interval = true, ["wait-timeout"] = true }

-- The parameter a flag names for the action of r (--SubjectName, or a
-- command's short form --name), and the metavar of a short form.
local function param_of(r, name)
  if not r.action then return nil end
  local c = M.COMMANDS[r.command]
  local p = actions.param(r.action, name)
  for _, a in ipairs(c and c.short or {}) do
    if a[1] == name then return actions.param(r.action, a[2]), a[3] end
    if p and a[2] == name then return p, a[3] end
  end
  return p
end

local function convert(command, spec, text)
  local name, kind = spec[1], spec[2]
  if kind == "int" then
    local digits = text:match("^[+-]?%d+$") and text:gsub("^%+", "")
    local n = digits and tonumber(digits)
    if not n then usage(command, "--%s must be an integer, got '%s'", name, text) end
    if math.type then
      if math.type(n) == "integer" then return n end
    elseif ("%.0f"):format(n) == digits:gsub("^(%-?)0+(%d)", "%1%2") then
      return n
    end
    -- beyond what this Lua holds exactly (2^63 on 5.4, 2^53 on LuaJIT): never rounded
    usage(command, "--%s is out of range, got '%s'", name, text)
  elseif kind == "number" then
    local n = tonumber(text)
    if not n or text:find("^%s") or n ~= n then
      usage(command, "--%s must be a number of seconds, got '%s'", name, text)
    end
    return n
  end
  return text
end

-- parse(argv) -> { command = name, args = {...}, values = { flag = value } },
-- and for an action (or a command built on one, create-aigc-subject) also
-- action = vod.describe_action's table, params = { Name = value } (the API
-- parameters its flags give) and flag_of = { Name = the flag that gave it }.
-- Global flags go before or after the command; a command's flags after it.
function M.parse(argv)
  local r = { args = {}, values = {} }
  local spec_of, i, rest = nil, 1, false
  local function flags_here()
    local names = {}
    for _, f in ipairs(M.GLOBAL) do names[#names + 1] = f[1] end
    for _, f in ipairs(command_flags(r)) do names[#names + 1] = f[1] end
    local c = r.command and M.COMMANDS[r.command]
    for _, a in ipairs(c and c.short or {}) do names[#names + 1] = a[1] end
    return names
  end
  local function action_usage(fmt, ...) usage(r.command, fmt, ...) end
  while i <= #argv do
    local a = argv[i]
    if rest or a == "-" or a:sub(1, 1) ~= "-" then
      if not r.command then
        local c = M.COMMANDS[a]
        if not c then
          r.action = M.action_of(a)
          if not r.action then
            usage(nil, "unknown command '%s'%s", a, M.suggest_command(a))
          end
        elseif c.action then
          r.action = actions.resolve(c.action)
        end
        if r.action then r.params, r.flag_of = {}, {} end
        r.command = a
      else
        r.args[#r.args + 1] = a
      end
    elseif a == "--" then
      rest = true
    elseif a == "-h" then
      r.values.help = true
    else
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:match("^%-%-(.+)$")
      if not name then usage(r.command, "unknown option '%s'", a) end
      spec_of = find(command_flags(r), name) or find(M.GLOBAL, name)
      local param, param_metavar
      if not spec_of then param, param_metavar = param_of(r, name) end
      if not spec_of and not param then
        if not r.command then
          for _, c in ipairs(command_names()) do
            if find(M.COMMANDS[c].flags, name) or find(M.COMMANDS[c].short or {}, name) then
              usage(nil, "--%s is an option of %s: put it after the command", name, c)
            end
          end
          if name:find("^%u") then
            usage(nil, "--%s looks like a parameter of an action: put it after the action", name)
          end
        end
        if r.action then
          if WAIT_FLAGS[name] then
            usage(r.command, "--%s is for a create action (one that starts a task); %s is %s", name,
              r.action.action, r.action.kind == "query" and "a query" or "not a create")
          end
          local names = flags_here()
          for _, p in ipairs(r.action.params) do names[#names + 1] = p.name end
          usage(r.command, "unknown %s '--%s'%s%s", name:find("^%u") and "parameter" or "option", name,
            name:find("^%u") and (" of " .. r.action.action) or "", actions.suggest_flag(name, names))
        end
        usage(r.command, "unknown option '--%s'%s", name, M.suggest(name, flags_here(), "--"))
      end
      local kind = param and "param" or spec_of[2]
      if kind == "param" then
        local flag = "--" .. name
        if not value then
          i = i + 1
          value = argv[i]
          if value == nil or value:sub(1, 2) == "--" then
            usage(r.command, "--%s needs a value (%s; --%s=VALUE for one that starts with --)",
              name, param_metavar or actions.metavar(param), name)
          end
        end
        local first = r.flag_of[param.name]
        if first and not param.list and first ~= flag then
          usage(r.command, "%s is given twice (also as %s)", flag, first)
        end
        r.params[param.name] = actions.value(action_usage, param, value, r.params[param.name], flag)
        r.flag_of[param.name] = first or flag
      elseif kind == "flag" then
        if value then usage(r.command, "--%s takes no value", name) end
        r.values[name] = true
      else
        if not value then
          i = i + 1
          value = argv[i]
          if value == nil or value:sub(1, 2) == "--" then
            usage(r.command, "--%s needs a value (%s)", name, spec_of[3])
          end
        end
        if kind == "list" then
          local l = r.values[name] or {}
          l[#l + 1] = value
          r.values[name] = l
        else
          if r.values[name] ~= nil then usage(r.command, "--%s is given twice", name) end
          r.values[name] = convert(r.command, spec_of, value)
        end
      end
    end
    i = i + 1
  end
  if r.values.help or r.values.version then return r end
  if not r.command then usage(nil, "no command given") end
  local want = M.COMMANDS[r.command] and M.COMMANDS[r.command].args or {}
  local required = 0
  for _, a in ipairs(want) do
    if a:sub(1, 1) ~= "[" then required = required + 1 end
  end
  if #r.args < required then
    usage(r.command, "%s needs %s", r.command, want[#r.args + 1])
  end
  if #r.args > #want then
    usage(r.command, "unexpected argument '%s'%s", r.args[#want + 1],
      r.action and " (an action's parameters are flags: --Name VALUE)" or "")
  end
  if r.action then
    -- the model's required parameters, before anything else is tried
    local missing = {}
    for _, p in ipairs(r.action.params) do
      if p.required and r.params[p.name] == nil then missing[#missing + 1] = "--" .. p.name end
    end
    if #missing == 1 then
      usage(r.command, "%s is required", missing[1])
    elseif #missing > 1 then
      usage(r.command, "%s and %s are required", table.concat(missing, ", ", 1, #missing - 1),
        missing[#missing])
    end
  end
  if not r.values.wait and (r.values.interval or r.values["wait-timeout"]) then
    usage(r.command, "--%s needs --wait", r.values.interval and "interval" or "wait-timeout")
  end
  return r
end

-- The vod.new options the global flags give (only those given).
function M.client_options(values)
  local o = {}
  for _, f in ipairs(M.GLOBAL) do
    if f.opt and values[f[1]] ~= nil then
      if f.value ~= nil then o[f.opt] = f.value else o[f.opt] = values[f[1]] end
    end
  end
  return o
end

-- The flag that gave an API parameter (the top of err.param's path), for
-- error hints: as typed on the command line.
function M.flag_for(r, param)
  if not r or not param then return nil end
  local top = param:match("^[%w]+")
  if not top then return nil end
  if r.flag_of and r.flag_of[top] then return r.flag_of[top] end
  for _, f in ipairs(r.command and M.COMMANDS[r.command] and M.COMMANDS[r.command].flags or {}) do
    if f.param == top then return "--" .. f[1] end
  end
end

local function flag_lines(list)
  local out = {}
  for _, f in ipairs(list) do
    local left = "--" .. f[1] .. (f[3] and (" " .. f[3]) or "")
    out[#out + 1] = ("  %-28s %s"):format(left, f[4])
  end
  return table.concat(out, "\n")
end

function M.help(command)
  local c = command and M.COMMANDS[command]
  local d = command and not c and M.action_of(command)
  if d then
    return actions.help(d, command, flag_lines, flag_lines(M.GLOBAL), M.EXIT_CODES)
  end
  if c and c.action then
    return actions.help(actions.resolve(c.action), command, flag_lines, flag_lines(M.GLOBAL),
      M.EXIT_CODES, c)
  end
  if c then
    local flags = #c.flags > 0 and ("\nOptions:\n" .. flag_lines(c.flags) .. "\n") or ""
    local extra = ""
    if command == "task" then
      extra = "\nWithout --wait the exit status is 0 whatever the task's state (it is in the\n" ..
        "output); with --wait, a failed or aborted task exits 1.\n"
    elseif command == "events" then
      extra = "\nEach event pulled (PullEvents) is printed on stdout as one line of JSON (--plain:\n" ..
        "EventType=... EventHandle=... TaskId=... FileUrl=...), as client:consume_events\n" ..
        "gives it. Delivery is at least once: an event left unconfirmed, or whose\n" ..
        "confirmation was lost, comes back. A summary goes to stderr at the end.\n" ..
        ("--run-timeout is how long to run; the request timeout (--timeout, before or\n" ..
        "after the command) must be %g s or more: the API holds a pull up to 5 s.\n")
          :format(D.consume_events.min_client_timeout)
    elseif command == "call" then
      extra = "\nThe parameters are sent as given, unchecked. Example:\n" ..
        "  tcvod call DescribeTaskDetail '{\"TaskId\": \"221073-CreateAigcSubject-...\", \"SubAppId\": 221073}'\n" ..
        "The same, checked by the model: tcvod DescribeTaskDetail --TaskId ... --SubAppId 221073\n"
    end
    return ("Usage: tcvod %s\n\n%s.\n%s%s\nGlobal options:\n%s\n\n%s"):format(
      c.synopsis, (c.summary:gsub("^%l", string.upper)), flags, extra, flag_lines(M.GLOBAL),
      M.EXIT_CODES)
  end
  local cmds = {}
  for _, n in ipairs(command_names()) do
    cmds[#cmds + 1] = ("  %-22s %s"):format(n, M.COMMANDS[n].summary)
    if n == "create-aigc-subject" then
      cmds[#cmds + 1] = "  ACTION [--Name VALUE]..."
      cmds[#cmds + 1] = ("  %-22s %s"):format("", "any action listed below, by its API name or in")
      cmds[#cmds + 1] = ("  %-22s %s"):format("", "kebab-case, its parameters as flags (tcvod help ACTION)")
    end
  end
  local count, list = actions.list_text()
  return ("Usage: tcvod [options] COMMAND [ARGS] [options]\n" ..
    "       tcvod [options] ACTION [--Name VALUE]... [options]\n\n" ..
    "The Tencent Cloud VOD API from the command line. Prints the API's Response\n" ..
    "as JSON on stdout (--plain: one Key=Value line); errors go to stderr.\n\n" ..
    "Commands:\n%s\n\nGlobal options (before or after the command):\n%s\n\n%s\n%s\n" ..
    "'tcvod COMMAND --help' shows a command's options, 'tcvod help ACTION' an\n" ..
    "action's parameters.\n\nActions (%d, API name and kebab-case form):\n%s\n"):format(
      table.concat(cmds, "\n"), flag_lines(M.GLOBAL), CREDENTIALS, M.EXIT_CODES, count, list)
end

return M
