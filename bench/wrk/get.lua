-- wrk script for the read workloads (W3 quorum, W4 plain): GET /v2/keys/bench/k<N>, N uniform
-- over the key space. Args: [keys] (default 10000), [query] appended as is (e.g. ?quorum=true).
dofile((os.getenv("KVD_BENCH_LUA_DIR") or ".") .. "/report.lua")

local keys = 10000
local query = ""
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  keys = tonumber(args[1]) or keys
  query = args[2] or ""
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", "/v2/keys/bench/k" .. math.random(0, keys - 1) .. query)
end
