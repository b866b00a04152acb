-- Soak: 20 000 calls against the fake endpoint with faults mixed in. No
-- memory growth (RSS and the Lua heap), and no task lost or duplicated: the
-- tasks the fake endpoint created equal the successful creates plus the
-- ambiguous failures the caller was told about. Not run under valgrind (too
-- slow there); spec/run.sh runs it on Lua 5.4 and on LuaJIT.
local fake = require "support.fake"
local vod = require "tencentcloud.vod"

local CALLS = tonumber(os.getenv("VOD_SOAK_CALLS") or "") or 20000
-- Under AddressSanitizer (spec/tools/asan.sh) RSS measures its quarantine,
-- which holds up to 256 MB of freed memory (20 000 calls: +41 MB, and +0.3 MB
-- with quarantine_size_mb=0): there LeakSanitizer judges leaks instead.
local UNDER_ASAN = (os.getenv("ASAN_OPTIONS") or "") ~= ""
local FAULT_EVERY = 50
local FAULTS = {
  { mode = "http502" }, { mode = "notjson" }, { mode = "close_before" }, { mode = "close_mid" },
  { mode = "throttle" }, { mode = "norequestid" }, { mode = "nested", depth = 300 },
  { mode = "bigbody", size = 200000 }, { mode = "delay", seconds = 0.4 },
}

local function rss_kb()
  local f = io.open("/proc/self/statm")
  local pages = f and tonumber(f:read("*a"):match("^%d+%s+(%d+)"))
  if f then f:close() end
  return pages and pages * 4 or 0
end

describe("soak #soak", function()
  setup(function() fake.start() end)

  it(CALLS .. " calls with faults: no memory growth, no task lost or duplicated", function()
    fake.reset()
    fake.config { rate_limit = 0, processing_polls = 1 }
    local client = fake.client {
      rate_limit = false, timeout = 0.25, max_response_size = 65536,
      retries = { max = 2, base_delay = 0.001, max_delay = 0.005 },
    }
    local run = tostring(os.time()) .. tostring(math.random(1e6))
    local created, told, describes, other_errors = 0, 0, 0, {}
    local task_ids = {}
    local heap0, rss0
    math.randomseed(42)
    for i = 1, CALLS do
      if i % FAULT_EVERY == 0 then
        local f = FAULTS[math.random(#FAULTS)]
        fake.control_external("fault", { mode = f.mode, count = 1, depth = f.depth, size = f.size,
                                         seconds = f.seconds })
      end
      if #task_ids > 0 and math.random() < 0.3 then
        local ok, res = pcall(client.describe_task_detail, client,
          { TaskId = task_ids[math.random(#task_ids)] })
        if ok then describes = describes + 1
        elseif not (vod.is_error(res) and res.code == "ClientError.ResponseTooLarge") then
          -- every other fault on a read-only query is retried away
          other_errors[#other_errors + 1] = tostring(res)
        end
      else
        local ok, res = pcall(client.create_aigc_subject, client, {
          SubAppId = 221073, SubjectName = "soak", SubjectImages = { "https://example.com/s.png" },
          SessionId = "soak-" .. run .. "-" .. i,
        })
        if ok then
          created = created + 1
          if #task_ids < 100 then task_ids[#task_ids + 1] = res.TaskId end
        elseif vod.is_error(res) and res.ambiguous then
          told = told + 1                  -- the caller was told it may have happened
        else
          other_errors[#other_errors + 1] = tostring(res)
        end
      end
      if i == 2000 then                   -- after warm-up: buffers at their size
        collectgarbage("collect")
        heap0, rss0 = collectgarbage("count"), rss_kb()
      elseif i % 500 == 0 then
        -- RSS must show what is kept, not how much garbage the collector lets
        -- pile up: after the other specs the heap holds megabytes, and Lua
        -- 5.1's collector waits for it to double, whose peak RSS then keeps
        -- (+6 MB in one run of the whole suite, -0.3 MB in the next)
        collectgarbage("collect")
      end
    end
    collectgarbage("collect")
    local heap_growth, rss_growth = collectgarbage("count") - heap0, rss_kb() - rss0
    local s = fake.stats()
    print(("\nsoak: %d calls, %d creates ok, %d ambiguous told, %d describes ok, %d tasks at the "
      .. "endpoint, %d requests; Lua heap %+.0f KB, RSS %+d KB after warm-up")
      :format(CALLS, created, told, describes, s.tasks_created, s.requests, heap_growth, rss_growth))
    assert.same({}, other_errors)
    assert.equal(created + told, s.tasks_created)
    assert.truthy(told > 0, "the faults should have produced some ambiguous creates")
    assert.truthy(heap_growth < 256, ("Lua heap grew %.0f KB"):format(heap_growth))
    if not UNDER_ASAN then
      assert.truthy(rss_growth < 4096, ("RSS grew %d KB"):format(rss_growth))
    end
  end)
end)
