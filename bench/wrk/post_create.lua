-- POST vpn-connection: seed-shaped creates spread over spare gateways, each with the next free
-- tunnel /30 of its gateway (one wrk thread, so the counters are exact).
-- Environment: BENCH_SPARE = "vgw_id eip_id cgw_id" lines, BENCH_BASE = "/v5/<project>/vpn-connection"
local gws, n = {}, 0
for line in io.lines(os.getenv("BENCH_SPARE")) do
    local v, e, c = line:match("^(%S+) (%S+) (%S+)$")
    n = n + 1
    gws[n] = {v, e, c}
end
local base = os.getenv("BENCH_BASE")
local i = 0
local tmpl = '{"vpn_connection":{"vgw_id":"%s","vgw_ip":"%s","cgw_id":"%s","style":"POLICY",' ..
    '"peer_subnets":["192.168.0.0/24"],"tunnel_local_address":"169.254.%d.%d/30",' ..
    '"tunnel_peer_address":"169.254.%d.%d/30","policy_rules":[{"rule_index":1,' ..
    '"source":"10.0.0.0/24","destination":["192.168.0.0/24"]}],"psk":"Abcd1234!x"}}'

request = function()
    local g = gws[(i % n) + 1]
    local slot = math.floor(i / n) -- the slot-th /30 of this gateway (< 1000)
    i = i + 1
    local b = slot * 4
    local hi, lo = math.floor(b / 256), b % 256
    local body = string.format(tmpl, g[1], g[2], g[3], hi, lo + 1, hi, lo + 2)
    return wrk.format("POST", base, {["Content-Type"] = "application/json"}, body)
end
