-- wrk script: camera ingest over HTTPS, each request a batch of reads.
--   wrk -t2 -c64 -d15s --latency -s bench/wrk_ingest.lua https://HOST:PORT/api/v1/reads -- API_KEY [TAG] [BATCH] [PLATES] [PACE_MS]
-- API_KEY is a camera's "ck_..." key (custodian bench http-setup prints one). Event ids are
-- unique per run, thread and request: "wrk-TAG-THREAD-N" (TAG defaults to the time; give a
-- new one to each run against the same store, or reads come back as duplicates). BATCH
-- reads per request, default 100. PLATES: "zipf" (default) draws each read's vehicle from a
-- fleet of 200,000 with Zipf-skewed frequencies (P(k) ~ 1/k: commuters seen daily, most
-- vehicles rarely), as city cameras see them and as `custodian bench store` generates them;
-- "uniform" makes every read a plate never seen before (the store's worst case: each new
-- plate is also added to the wildcard and fuzzy indexes). The body is built per request
-- in request(). PACE_MS: each connection waits this long after an answer before its next
-- request (0, the default: flat out); run_http_bench.sh paces ingest to a target rate so
-- that search latency is measured at that ingest load.
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  api_key = args[1] or error("usage: ... -- API_KEY [TAG] [BATCH]")
  tag = args[2] or tostring(os.time())
  batch = tonumber(args[3] or "100")
  plates = args[4] or "zipf"
  pace_ms = tonumber(args[5] or "0")
  if plates ~= "zipf" and plates ~= "uniform" then error("PLATES is zipf or uniform") end
  counter = 0
  math.randomseed(os.time() + 7919 * (thread_id or 0))
  headers = {["Authorization"] = "Bearer " .. api_key, ["Content-Type"] = "application/json"}
end

-- A California-style plate: digit, three letters, three digits.
local function uniform_plate()
  return string.char(48 + math.random(1, 9), 64 + math.random(1, 26), 64 + math.random(1, 26),
                     64 + math.random(1, 26), 48 + math.random(0, 9), 48 + math.random(0, 9),
                     48 + math.random(0, 9))
end

-- Vehicle k of the fleet (1..FLEET) always has the same plate, the same in every thread.
local FLEET = 200000
local function fleet_plate(k)
  local x = (k * 48271) % 2147483647
  local c = {}
  c[1] = 49 + x % 9; x = math.floor(x / 9)
  for i = 2, 4 do c[i] = 65 + x % 26; x = math.floor(x / 26) end
  for i = 5, 7 do c[i] = 48 + x % 10; x = math.floor(x / 10) end
  return string.char(c[1], c[2], c[3], c[4], c[5], c[6], c[7])
end

local function plate()
  if plates == "uniform" then return uniform_plate() end
  return fleet_plate(math.floor(FLEET ^ math.random()))  -- log-uniform rank: P(k) ~ 1/k
end

function request()
  local now_ms = os.time() * 1000
  local reads = {}
  for i = 1, batch do
    counter = counter + 1
    reads[i] = string.format(
      '{"event_id":"wrk-%s-%d-%d","captured_at":%d,"plate":"%s","confidence":0.%d,"country":"us","region":"CA"}',
      tag, thread_id or 0, counter, now_ms, plate(), math.random(60, 99))
  end
  return wrk.format("POST", nil, headers, '{"reads":[' .. table.concat(reads, ",") .. ']}')
end

function delay()
  return pace_ms
end
