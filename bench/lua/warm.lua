-- warm-up: fetches each catalog page of common.lua once, over one connection,
-- then stops: afterwards every list page is in the server's catalog cache.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local reqs, i, got = {}, 0, 0

function init(args)
	for k, u in ipairs(bench.list_urls) do
		reqs[k] = wrk.format("GET", u)
	end
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end

function response(status, headers, body)
	got = got + 1
	if got >= #reqs then -- all pages cached; idle until wrk's duration ends
		wrk.thread:stop()
	end
end
