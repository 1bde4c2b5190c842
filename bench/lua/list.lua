-- list: GET /api/products cycling through the 50 catalog pages of common.lua.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local reqs, i = {}, 0

function init(args)
	for k, u in ipairs(bench.list_urls) do
		reqs[k] = wrk.format("GET", u)
	end
	i = (id or 0) * 17 -- threads start at different pages
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end
