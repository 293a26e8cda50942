-- GET vpn-connection/{id} of a random stored id per request (not one hot id).
-- Environment: BENCH_IDS = file of ids (one a line, all the same length),
-- BENCH_BASE = "/v5/<project>/vpn-connection/".
-- The ids stay one string (sliced per request), not a table of a million strings: LuaJIT's
-- collector walking such a table stalled wrk for tens of milliseconds, which showed up as the
-- server's p99.
local f = assert(io.open(os.getenv("BENCH_IDS"), "rb"))
local all = f:read("*a")
f:close()
local width = assert(all:find("\n"), "BENCH_IDS: one id a line") -- an id and its newline
local n = math.floor(#all / width)
local base = os.getenv("BENCH_BASE")
math.randomseed(os.time())

request = function()
    local at = (math.random(n) - 1) * width
    return wrk.format("GET", base .. all:sub(at + 1, at + width - 1))
end
