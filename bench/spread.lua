-- wrk script for the spread rows: each request picks one of the paths listed (one per
-- line, most read first) in the file named by BENCH_PATHS, uniformly or, when BENCH_ZIPF
-- is set, with Zipf's law of that exponent (the path of rank k with weight 1 / k^s), then
-- reports like report.lua. Each wrk thread draws from its own seed.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local s = tonumber(os.getenv("BENCH_ZIPF") or "")
local cdf = nil
if s then
  cdf = {}
  local total = 0
  for k = 1, #paths do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
  for k = 1, #paths do cdf[k] = cdf[k] / total end
end

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter * 7919)
end

init = function(args)
  math.randomseed(seed or 1)
end

local function pick()
  if not cdf then return paths[math.random(#paths)] end
  local u, lo, hi = math.random(), 1, #paths
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return paths[lo]
end

request = function()
  return wrk.format("GET", pick())
end

dofile(os.getenv("BENCH_REPORT_LUA"))
