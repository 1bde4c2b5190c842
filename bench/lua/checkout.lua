-- checkout: every virtual user adds 3 lines (POST /api/cart), then
-- POST /api/checkout, and starts over. One request in flight per user.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local idle

function init(args)
	bench.users_init()
	idle = wrk.format("GET", "/healthz")
end

function request()
	local r = bench.user_request()
	if r then
		return r
	end
	stalls = stalls + 1 -- every user busy: bench/run keeps connections below users
	return idle
end

function response(status, headers, body)
	bench.user_response(status, headers)
end
