-- wrk script for bench/run.py: bearer-token requests, optional JSON body, bounded by time (wrk -d)
-- and by count (BENCH_MAX_REQUESTS per thread), and a JSON summary with the 95th percentile.
--   BENCH_TOKEN         the API token
--   BENCH_PATHS         request paths separated by "|" (taken in turn)
--   BENCH_METHOD        GET (default) or POST
--   BENCH_BODY          JSON body for POST
--   BENCH_MAX_REQUESTS  stop a thread after this many responses (default 100000)
local token = os.getenv("BENCH_TOKEN") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "100000")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/healthz", "[^|]+") do
  table.insert(paths, p)
end
local counter = 0
local responses = 0

request = function()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
  if body then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, paths[(counter % #paths) + 1], headers, body)
end

response = function(status, headers, response_body)
  responses = responses + 1
  if responses >= max_requests then
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
