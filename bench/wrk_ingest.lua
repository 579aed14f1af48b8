-- wrk script: camera ingest over HTTPS, each request a batch of reads.
--   wrk -t2 -c64 -d15s --latency -s bench/wrk_ingest.lua https://HOST:PORT/api/v1/reads -- API_KEY [TAG] [BATCH]
-- API_KEY is a camera's "ck_..." key (custodian bench http-setup prints one). Event ids are
-- unique per run, thread and request: "wrk-TAG-THREAD-N" (TAG defaults to the time; give a
-- new one to each run against the same store, or reads come back as duplicates). BATCH
-- reads per request, default 100. The body is built per request in request().
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  api_key = args[1] or error("usage: ... -- API_KEY [TAG] [BATCH]")
  tag = args[2] or tostring(os.time())
  batch = tonumber(args[3] or "100")
  counter = 0
  math.randomseed(os.time() + 7919 * (thread_id or 0))
  headers = {["Authorization"] = "Bearer " .. api_key, ["Content-Type"] = "application/json"}
end

-- A California-style plate: digit, three letters, three digits.
local function plate()
  return string.char(48 + math.random(1, 9), 64 + math.random(1, 26), 64 + math.random(1, 26),
                     64 + math.random(1, 26), 48 + math.random(0, 9), 48 + math.random(0, 9),
                     48 + math.random(0, 9))
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
