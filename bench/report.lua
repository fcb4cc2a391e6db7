-- wrk reporter: one JSON line with throughput, latency percentiles (ms) and errors.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.3f, "p95": %.3f, ' ..
    '"p99": %.3f, "max": %.3f, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "bytes": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
