-- wrk script: one JSON line with throughput, latency percentiles (microseconds) and errors.
-- Usage: wrk -s bench/report.lua --latency -H "Cookie: ..." -d 10s -c 4 -t 2 URL
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(95.0), latency:percentile(99.0),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
