-- Shared by the bench's wrk scripts (loaded with dofile): done() prints one machine-readable
-- line, BENCH_RESULT {...}, with request and error counts, latency percentiles (microseconds)
-- and wrk's own CPU time (utime/stime clock ticks from /proc/self/stat, all threads).
function done(summary, latency, requests)
  local f = io.open("/proc/self/stat", "r")
  local stat = f and f:read("*a") or ""
  if f then f:close() end
  local fields = {}
  for w in (stat:match("%) (.*)$") or ""):gmatch("%S+") do fields[#fields + 1] = w end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f,"utime":%s,"stime":%s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    fields[12] or "0", fields[13] or "0"))
end
