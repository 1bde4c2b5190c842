-- cart_add: authenticated POST /api/cart {productId, quantity: 1}.
-- Consecutive requests go to different users (the thread's token pool);
-- each user cycles over 4 products, so a cart holds at most 4 lines and a
-- line grows by one unit every 4 * users requests (bench/run empties the
-- carts before the scenario; 999 units is the per-line limit).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local reqs, i = {}, 0

function init(args)
	local tokens = bench.tokens()
	local n = #tokens
	for slot = 0, 3 do
		for u = 1, n do
			local pid = 1 + ((u * 4 + slot) * 7919) % bench.products
			reqs[slot * n + u] = wrk.format("POST", "/api/cart", {
				["Authorization"] = "Bearer " .. tokens[u],
				["Content-Type"] = "application/json",
			}, '{"productId":' .. pid .. ',"quantity":1}')
		end
	end
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end
