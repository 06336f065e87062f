-- wrk script for bench/run.py: after wrk's own report, print one machine-readable
-- line (latencies in microseconds; "status" counts non-2xx/3xx responses).
-- loadtest/mix.lua loads this file for summary_json() and adds its own members.

function summary_json(summary, latency, extra)
  local e = summary.errors
  return string.format(
    '{"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"connect": %.0f, "read": %.0f, "write": %.0f, "timeout": %.0f, "status": %.0f, ' ..
    '"p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "mean_us": %.1f, "max_us": %.0f%s}',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, extra or "")
end

done = function(summary, latency, requests)
  io.write("WRK-JSON " .. summary_json(summary, latency) .. "\n")
end
