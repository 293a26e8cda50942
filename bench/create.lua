-- bench/create.lua: wrk script that POSTs vpn-connection create bodies, one per line of the
-- file named by $BODIES (rotating over many gateways so no gateway's capacity runs out).
local bodies = {}
local n = 0
local i = 0

for line in io.lines(os.getenv("BODIES")) do
    n = n + 1
    bodies[n] = line
end

function setup(thread)
    thread:set("offset", math.random(n))
end

function request()
    i = i + 1
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
                      bodies[(i + (offset or 0)) % n + 1])
end
