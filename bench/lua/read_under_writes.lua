-- read_under_writes: mixed's shape (80% anonymous catalog reads, 20% writes of
-- signed-in users doing add, add, add, checkout), with reads and writes on the
-- same 100 products: the newest, which fill the first 5 pages of the
-- newest-first listing. Every order moves the stock shown in details and list
-- pages that readers keep asking for, so this measures catalog reads while
-- the figures they show change (docs/PERFORMANCE.md).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

bench.hot = math.min(100, bench.products)

local lists, details = {}, {}

function init(args)
	bench.seed()
	bench.users_init()
	for page = 0, math.ceil(bench.hot / 20) - 1 do
		lists[#lists + 1] = wrk.format("GET", "/api/products?limit=20&offset=" .. page * 20)
	end
	for k = 1, bench.hot do
		details[k] = wrk.format("GET", "/api/products/" .. (bench.products - k + 1))
	end
end

bench.mix(lists, details)
