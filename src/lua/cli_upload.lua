-- tencentcloud.vod.cli_upload: what `tcvod upload FILE` adds to the command
-- line: sizes with a suffix (--part-size 16M), and the progress bar drawn on
-- stderr while client:upload runs. No command-line parsing here (cli_args.lua)
-- and no API call (cli.lua runs the upload).
local M = {}

local floor = math.floor

-- The multiples a size may end with: binary, as COS states its limits (a
-- part of 1 MiB to 5 GiB). "8M" is 8 MiB; "8MB" is refused rather than
-- guessed (10^6 or 2^20?).
local UNITS = { [""] = 1, b = 1, k = 1024, kib = 1024, m = 1024 ^ 2, mib = 1024 ^ 2,
  g = 1024 ^ 3, gib = 1024 ^ 3 }

-- A size in bytes from "16777216", "16M", "16MiB", "512K", "1G" (case does
-- not count); nil and "form" or "range" for anything else ("8MB" too:
-- 10^6 or 2^20 would be a guess).
function M.parse_size(text)
  local digits, unit = text:match("^(%d+)(%a*)$")
  local mult = digits and UNITS[unit:lower()]
  if not mult then return nil, "form" end
  if #digits > 15 or tonumber(digits) * mult > 2 ^ 53 then return nil, "range" end
  local n = tonumber(digits) * mult
  if math.tointeger then n = math.tointeger(n) end
  return n
end

-- True when the process's stderr is a terminal. Plain Lua has no isatty: the
-- shell's `test -t 2` asks for the descriptor the child inherits, ours.
function M.stderr_is_tty()
  local ok = os.execute("test -t 2")
  return ok == true or ok == 0
end

local SIZE_UNITS = { "B", "KiB", "MiB", "GiB", "TiB" }

-- The unit a size is shown in (the total's, so done and total read alike).
local function unit_of(n)
  local i, div = 1, 1
  while n >= 1024 * div and i < #SIZE_UNITS do
    i, div = i + 1, div * 1024
  end
  return SIZE_UNITS[i], div
end

local function amount(n, div)
  if div == 1 then return ("%d"):format(n) end
  return ("%.1f"):format(n / div)
end

local function rate_text(rate)
  local unit, div = unit_of(rate)
  return ("%s %s/s"):format(div == 1 and ("%d"):format(floor(rate)) or amount(rate, div), unit)
end

local function clock(s)
  s = floor(s + 0.5)
  if s >= 3600 then return ("%d:%02d:%02d"):format(floor(s / 3600), floor(s / 60) % 60, s % 60) end
  return ("%d:%02d"):format(floor(s / 60), s % 60)
end

local BAR = 16        -- the bar's width: a line stays under 80 columns
local WINDOW = 10     -- seconds of samples the rate is measured over

-- One line, for what (media or cover): done of total (nil: unknown), the
-- rate, and time left (or, when finished, the time it took).
local function line_of(st, done, finished, now)
  local total = st.total
  local parts = { ("%-5s"):format(st.what) }
  if total then
    local frac = total > 0 and math.min(done / total, 1) or 1
    local fill = floor(frac * BAR)
    local unit, div = unit_of(total)
    parts[#parts + 1] = ("[%s%s] %3d%%"):format(("#"):rep(fill), ("."):rep(BAR - fill), floor(frac * 100))
    parts[#parts + 1] = (" %s/%s %s"):format(amount(done, div), amount(total, div), unit)
  else
    local unit, div = unit_of(done)
    parts[#parts + 1] = (" %s %s"):format(amount(done, div), unit)
  end
  -- the rate between the window's first second and its last (the bytes seen
  -- by the end of each): bytes a resumed upload had before it began do not count
  local s = st.samples
  local first, last = s[1], s[#s]
  local rate = last[1] > first[1] and last[2] > first[2] and (last[2] - first[2]) / (last[1] - first[1])
  if finished then
    if rate then parts[#parts + 1] = " " .. rate_text(rate) end
    parts[#parts + 1] = " in " .. clock(now - st.started)
  elseif rate then
    parts[#parts + 1] = " " .. rate_text(rate)
    if total then parts[#parts + 1] = " " .. clock((total - done) / rate) .. " left" end
  else
    parts[#parts + 1] = " --.- B/s"
  end
  return table.concat(parts, " ")
end

-- A progress bar on out (a file), redrawn in place ("\r", then spaces over
-- what the last line had beyond this one). now() is the clock in seconds
-- (default os.time: whole seconds, so the rate shows once a second has gone).
-- sizes = { media = bytes, cover = bytes or nil }: what each will be, shown
-- before the library's first report (which comes when a part is in COS).
--   bar:update(done, total, what)   the upload's progress function
--   bar:finish()                    ends the line in progress with a newline
function M.bar(out, sizes, now)
  now = now or os.time
  local b = { drawn = 0 }
  local cur                     -- the line in progress: { what, total, started, done, samples }

  local function draw(text)
    if text == b.text then return end
    local pad = b.drawn > #text and (" "):rep(b.drawn - #text) or ""
    out:write("\r", text, pad)
    out:flush()
    b.text, b.drawn = text, #text
  end

  local function begin(what, total)
    local t = now()
    cur = { what = what, total = total, started = t, samples = { { t, 0 } } }
    b.text, b.drawn = nil, 0
    draw(line_of(cur, 0, false, t))
  end

  local function close(done)
    if not cur then return end
    local text = line_of(cur, done or cur.done or 0, done ~= nil, now())
    draw(text)
    out:write("\n")
    out:flush()
    cur = nil
  end

  function b.start() begin("media", sizes.media) end

  function b.update(done, total, what)
    if cur and cur.what ~= what then          -- the media is in: the cover begins
      close(cur.total or cur.done)
    end
    if not cur then begin(what, total or sizes[what]) end
    if total then cur.total = total end
    local t = now()
    local s = cur.samples
    if s[#s][1] == t then s[#s][2] = done else s[#s + 1] = { t, done } end   -- a sample a second
    while #s > 2 and t - s[1][1] > WINDOW do table.remove(s, 1) end
    cur.done = done
    if cur.total and done >= cur.total then
      close(done)
      if what == "media" and sizes.cover then begin("cover", sizes.cover) end
    else
      draw(line_of(cur, done, false, t))
    end
  end

  -- the upload is over (or failed): a line still open ends where it stood
  function b.finish()
    if cur then
      out:write("\n")
      out:flush()
      cur = nil
    end
  end

  return b
end

return M
