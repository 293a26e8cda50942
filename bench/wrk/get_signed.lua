-- GET with AK/SK: requests signed in advance by bench.py (the server runs with a widened
-- --max-skew so the signatures stay valid for the run). One request a line:
-- "<path>\t<X-Sdk-Date>\t<Authorization>". Environment: BENCH_SIGNED = that file.
-- The requests are formatted in init(): only then has wrk set the Host header they are signed for.
local reqs, n = {}, 0

init = function(args)
    for line in io.lines(os.getenv("BENCH_SIGNED")) do
        local path, date, auth = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
        n = n + 1
        reqs[n] = wrk.format("GET", path, {["X-Sdk-Date"] = date, ["Authorization"] = auth})
    end
    math.randomseed(os.time())
end

request = function()
    return reqs[math.random(n)]
end
