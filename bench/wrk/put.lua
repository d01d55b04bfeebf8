-- wrk script for the write workloads (W1, W2, W2b): PUT /v2/keys/bench/k<N> with a form body
-- value=<256 bytes>, N uniform over the key space. Args: [keys] (default 10000).
dofile((os.getenv("KVD_BENCH_LUA_DIR") or ".") .. "/report.lua")

local keys = 10000
local body = "value=" .. string.rep("v", 256)
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  keys = tonumber(args[1]) or keys
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function request()
  return wrk.format("PUT", "/v2/keys/bench/k" .. math.random(0, keys - 1), nil, body)
end
