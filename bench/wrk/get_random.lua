-- GET vpn-connection/{id} of a random stored id per request (not one hot id).
-- Environment: BENCH_IDS = file of ids (one a line, all the same length),
-- BENCH_BASE = "/v5/<project>/vpn-connection/"; BENCH_CLOSE set: "Connection: close" on every
-- request, so each one opens a new connection (bench/tls.py: a handshake per request).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local random_path = dofile(here .. "random_ids.lua")
local headers = os.getenv("BENCH_CLOSE") and { ["Connection"] = "close" } or nil

request = function()
    return wrk.format("GET", random_path(), headers)
end
