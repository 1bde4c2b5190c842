-- The long-run memory torture's request mix (tests/torture/memory.py): the
-- catalog (lists, searches, details, misses), guest carts (add, read,
-- clear), signed-in reads, and the errors: bad JSON, unknown routes, wrong
-- methods, bad tokens, oversized query values. TORTURE_TOKEN is a buyer's
-- bearer token; TORTURE_PRODUCTS the highest product id.
local products = tonumber(os.getenv("TORTURE_PRODUCTS") or "50")
local token = os.getenv("TORTURE_TOKEN") or ""
local reqs = {}

local function add(weight, method, path, headers, body)
	for _ = 1, weight do
		reqs[#reqs + 1] = { method, path, headers, body }
	end
end

local json = { ["Content-Type"] = "application/json" }
local signed = { ["Authorization"] = "Bearer " .. token }
for i = 0, 9 do
	add(3, "GET", "/api/products?limit=20&offset=" .. i * 5)
end
for _, s in ipairs({ "price", "-price", "rating", "name", "newest" }) do
	add(2, "GET", "/api/products?limit=10&sort=" .. s)
end
add(3, "GET", "/api/products?q=shirt&limit=5")
add(3, "GET", "/api/products?q=zzzz" .. string.rep("%C3%A9", 10))
add(2, "GET", "/api/products?minPrice=5&maxPrice=1")
add(2, "GET", "/api/products?q=" .. string.rep("x", 400))
for i = 1, products + 5 do
	add(1, "GET", "/api/products/" .. i)
end
for c = 1, 20 do
	local cookie = { ["Cookie"] = string.format("cart_session=%032x", c), ["Content-Type"] = "application/json" }
	add(2, "POST", "/api/cart", cookie, '{"productId":' .. (c % products + 1) .. ',"qty":1}')
	add(1, "GET", "/api/cart", cookie)
	add(1, "POST", "/api/cart/clear", cookie)
end
add(4, "GET", "/api/cart", signed)
add(4, "GET", "/api/orders", signed)
add(2, "GET", "/api/users/me", signed)
add(3, "GET", "/api/orders", { ["Authorization"] = "Bearer not.a.token" })
add(3, "POST", "/api/cart", json, '{"productId": [1, {"x": ')
add(3, "POST", "/api/cart", json, '{"productId": 1, "productId": 2}')
add(2, "GET", "/api/nothing/here")
add(2, "DELETE", "/api/products")
add(2, "GET", "/healthz")
add(1, "GET", "/api/openapi.json")

function request()
	local r = reqs[math.random(#reqs)]
	return wrk.format(r[1], r[2], r[3], r[4])
end
