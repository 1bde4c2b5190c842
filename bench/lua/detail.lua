-- detail: GET /api/products/:id with ids drawn uniformly from 1..BENCH_PRODUCTS.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local reqs = {}

function init(args)
	bench.seed()
	for k = 1, bench.products do
		reqs[k] = wrk.format("GET", "/api/products/" .. k)
	end
end

function request()
	return reqs[math.random(#reqs)]
end
