-- wrk script for the mixed-load rows: cycles over the paths listed (one per line) in the
-- file named by BENCH_PATHS, then reports like report.lua.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local counter = 0

-- Each wrk thread starts at a different point of the list.
setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter * 37)
end

local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[((n + (offset or 0)) % #paths) + 1])
end

dofile(os.getenv("BENCH_REPORT_LUA"))
