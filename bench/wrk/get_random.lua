-- GET vpn-connection/{id} of a random stored id per request (not one hot id).
-- Environment: BENCH_IDS = file of ids (one a line), BENCH_BASE = "/v5/<project>/vpn-connection/"
local ids, n = {}, 0
for line in io.lines(os.getenv("BENCH_IDS")) do
    n = n + 1
    ids[n] = line
end
local base = os.getenv("BENCH_BASE")
math.randomseed(os.time())

request = function()
    return wrk.format("GET", base .. ids[math.random(n)])
end
