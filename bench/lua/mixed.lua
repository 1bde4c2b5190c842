-- mixed: 80% anonymous browsing (half list pages, half product details),
-- 20% writes by signed-in users, each doing add, add, add, checkout in turn:
-- 15% cart adds and 5% checkouts overall.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local lists, details = {}, {}

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

bench.mix(lists, details)
