-- wrk script for bench/gateway.sh: POSTs an Anthropic Messages request with a gateway key.
-- Environment: BENCH_KEY (sent as x-api-key), BENCH_STREAM=1 (asks for a stream),
-- BENCH_DELAY_MS (pause per connection between requests: paced load instead of max throughput),
-- BENCH_LABEL (echoed in the result line), BENCH_PLAIN=1 (a bare GET, for the /healthz floor).
local stream = os.getenv("BENCH_STREAM") == "1"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local label = os.getenv("BENCH_LABEL") or "-"

local plain = os.getenv("BENCH_PLAIN") == "1" -- a GET without a body: Tally's own HTTP floor (/healthz)

wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["x-api-key"] = os.getenv("BENCH_KEY") or "none"
-- the fake upstream (static nginx) cannot read bodies, so this header picks the SSE answer
if stream then wrk.headers["x-bench-stream"] = "1" end
wrk.body = '{"model":"claude-sonnet-4-5-20250929","max_tokens":1024,"stream":' .. (stream and "true" or "false") ..
  ',"messages":[{"role":"user","content":"Summarise the build log in one sentence."}]}'

if plain then
  wrk.method = "GET"
  wrk.body = nil
  wrk.headers = {}
end

if delay_ms > 0 then
  -- exponential pauses (mean delay_ms): the connections do not fall into step, so the arrivals are
  -- close to a Poisson stream at connections / (delay + latency) requests per second
  math.randomseed(os.time())
  function delay() return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5) end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  -- one machine-readable line; latencies in microseconds
  io.write(string.format("RESULT %s requests=%d rps=%.1f p50=%d p90=%d p99=%d max=%d errors=%d status_errors=%d\n",
    label, summary.requests, summary.requests / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
