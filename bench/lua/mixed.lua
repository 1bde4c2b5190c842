-- mixed: 80% anonymous browsing (half list pages, half product details),
-- 20% writes by signed-in users, each doing add, add, add, checkout in turn:
-- 15% cart adds and 5% checkouts overall.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local lists, details = {}, {}
local li = 0

function init(args)
	bench.seed()
	bench.users_init()
	for k, u in ipairs(bench.list_urls) do
		lists[k] = wrk.format("GET", u)
	end
	for k = 1, bench.products do
		details[k] = wrk.format("GET", "/api/products/" .. k)
	end
end

local function browse(r)
	if r < 0.4 then
		li = li % #lists + 1
		return lists[li]
	end
	return details[math.random(#details)]
end

function request()
	local r = math.random()
	if r < 0.8 then
		return browse(r)
	end
	local w = bench.user_request()
	if w then
		return w
	end
	stalls = stalls + 1 -- every user busy: browse instead
	return browse(0.5)
end

function response(status, headers, body)
	bench.user_response(status, headers)
end
