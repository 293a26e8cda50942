-- GET vpn-connection/{id} of a random stored id per request (not one hot id).
-- Environment: BENCH_IDS = file of ids (one a line, all the same length),
-- BENCH_BASE = "/v5/<project>/vpn-connection/".
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local random_path = dofile(here .. "random_ids.lua")

request = function()
    return wrk.format("GET", random_path())
end
