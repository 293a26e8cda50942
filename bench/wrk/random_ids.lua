-- Shared by get_random.lua and get_signed.lua: returns a function that gives
-- BENCH_BASE .. <a random id of BENCH_IDS> (one id a line, all the same length).
-- The ids are kept outside the Lua heap (one malloc'd block, sliced per request): as a table
-- of a million strings, or even as one 37 MB string, they made LuaJIT's collector stall wrk for
-- tens of milliseconds, which showed up as every server's p99.
local ffi = require("ffi")
ffi.cdef [[void *malloc(size_t size);]]
local f = assert(io.open(os.getenv("BENCH_IDS"), "rb"))
local all = f:read("*a")
f:close()
local width = assert(all:find("\n"), "BENCH_IDS: one id a line") -- an id and its newline
local n = math.floor(#all / width)
local ids = ffi.cast("char *", assert(ffi.C.malloc(#all)))
ffi.copy(ids, all, #all)
all = nil
collectgarbage()
local base = os.getenv("BENCH_BASE")
math.randomseed(os.time())

return function()
    return base .. ffi.string(ids + (math.random(n) - 1) * width, width - 1)
end
