-- GET vpn-connection/{id} of a random stored id, each request signed here as an SDK signs it
-- (SDK-HMAC-SHA256: the algorithm of tests/api/test_auth.py and bench.py's sign()), with
-- libcrypto's SHA256/HMAC through LuaJIT's FFI. The server verifies every request.
-- Environment: BENCH_IDS, BENCH_BASE (as get_random.lua), BENCH_AK, BENCH_SK.
local ffi = require("ffi")
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len, const unsigned char *d,
                    size_t n, unsigned char *out, unsigned int *out_len);
]]
local crypto = ffi.load("libcrypto.so.3")
local digest = ffi.new("unsigned char[32]")
local digest_len = ffi.new("unsigned int[1]")

-- hex of a 32-byte digest through a 512-byte pair table: wrk's one thread must not be the
-- bottleneck of the measurement
local pairs_hex = ffi.new("char[512]")
for b = 0, 255 do
    local h = string.format("%02x", b)
    pairs_hex[2 * b], pairs_hex[2 * b + 1] = h:byte(1), h:byte(2)
end
local hexbuf = ffi.new("char[64]")

local function hex(bytes)
    for i = 0, 31 do
        hexbuf[2 * i] = pairs_hex[2 * bytes[i]]
        hexbuf[2 * i + 1] = pairs_hex[2 * bytes[i] + 1]
    end
    return ffi.string(hexbuf, 64)
end

local function sha256_hex(s)
    crypto.SHA256(s, #s, digest)
    return hex(digest)
end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local random_path = dofile(here .. "random_ids.lua")
local ak, sk = os.getenv("BENCH_AK"), os.getenv("BENCH_SK")
local empty_hash = sha256_hex("")
local date, date_at = nil, -1

request = function()
    local now = os.time()
    if now ~= date_at then -- X-Sdk-Date has whole seconds
        date, date_at = os.date("!%Y%m%dT%H%M%SZ", now), now
    end
    local path = random_path()
    local host = wrk.headers["Host"]
    local canon = "GET\n" .. path .. "/\n\nhost:" .. host .. "\nx-sdk-date:" .. date ..
                      "\n\nhost;x-sdk-date\n" .. empty_hash
    local sts = "SDK-HMAC-SHA256\n" .. date .. "\n" .. sha256_hex(canon)
    crypto.HMAC(crypto.EVP_sha256(), sk, #sk, sts, #sts, digest, digest_len)
    return wrk.format("GET", path, {
        ["X-Sdk-Date"] = date,
        ["Authorization"] = "SDK-HMAC-SHA256 Access=" .. ak ..
            ", SignedHeaders=host;x-sdk-date, Signature=" .. hex(digest)
    })
end
