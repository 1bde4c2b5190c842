-- Shared by the scenario scripts (loaded with dofile in every wrk Lua state).
-- Parameters come from the environment, set by bench/run:
--   BENCH_PRODUCTS  product ids are 1..N
--   BENCH_TOKENS    file with one bearer token per line (write scenarios)
-- done() prints ONE machine-readable line that bench/run parses:
--   BENCH requests=.. duration_us=.. p50_us=.. p99_us=.. connect=.. read=.. write=..
--         status=.. timeout=.. orders=.. stalls=.. failed=.. reads=..

bench = {}
bench.products = tonumber(os.getenv("BENCH_PRODUCTS") or "10000")

-- The fixed set of 50 catalog pages the list and mixed scenarios cycle through:
-- pages of the newest-first listing, every category, every sort order, the
-- sale and price filters. All limit=20.
local cats = { "Electronics", "Books", "Home", "Kitchen", "Garden", "Toys", "Sports", "Beauty",
	       "Grocery", "Fashion" }
local urls = {}
for page = 0, 19 do
	urls[#urls + 1] = "/api/products?limit=20&offset=" .. page * 20
end
for _, c in ipairs(cats) do
	urls[#urls + 1] = "/api/products?limit=20&category=" .. c
end
for _, s in ipairs({ "price", "-price", "rating", "name" }) do
	urls[#urls + 1] = "/api/products?limit=20&sort=" .. s
	urls[#urls + 1] = "/api/products?limit=20&offset=20&sort=" .. s
end
for page = 0, 2 do
	urls[#urls + 1] = "/api/products?limit=20&onSale=true&offset=" .. page * 20
end
urls[#urls + 1] = "/api/products?limit=20&onSale=true&sort=price"
urls[#urls + 1] = "/api/products?limit=20&minPrice=1000&maxPrice=5000"
urls[#urls + 1] = "/api/products?limit=20&minPrice=100000&sort=-price"
for i = 1, 6 do
	urls[#urls + 1] = "/api/products?limit=20&category=" .. cats[i] .. "&sort=" ..
		({ "price", "-price", "rating", "name", "newest", "price" })[i]
end
bench.list_urls = urls -- 50 URLs; the first one is also the nginx baseline's list body

-- Per-thread state. setup() runs in the main state, once per wrk thread.
local threads = {}
function setup(thread)
	thread:set("id", #threads)
	threads[#threads + 1] = thread
end

-- Thread state: the slice of tokens this thread owns (tokens i with i % nthreads == id).
function bench.tokens()
	local path = os.getenv("BENCH_TOKENS")
	local all = {}
	if path then
		for line in io.lines(path) do
			if #line > 0 then all[#all + 1] = line end
		end
	end
	local n = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
	local mine = {}
	for i, t in ipairs(all) do
		if (i - 1) % n == (id or 0) then mine[#mine + 1] = t end
	end
	return mine
end

function bench.seed()
	math.randomseed(12345 + 7919 * (id or 0))
end

-- Counters a thread keeps (read from the main state in done()); reads counts
-- the catalog answers (200 or 304) of the scenarios that mix them with writes.
orders, stalls, failed, reads = 0, 0, 0, 0

function done(summary, latency, requests)
	local o, s, f, r = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		o = o + (t:get("orders") or 0)
		s = s + (t:get("stalls") or 0)
		f = f + (t:get("failed") or 0)
		r = r + (t:get("reads") or 0)
	end
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f connect=%d read=%d write=%d " ..
		"status=%d timeout=%d orders=%d stalls=%d failed=%d reads=%d\n",
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect,
		e.read, e.write, e.status, e.timeout, o, s, f, r))
end

-- Users that write (cart_add, checkout, mixed): a user has at most one request
-- in flight, so its steps happen in order. Requests carry X-Request-Id
-- "u<user>-<step>", which the server echoes; response() uses it to find the
-- user again (wrk does not say which request a response answers).
-- A user adds 3 lines (one unit each of 3 distinct products), then checks out.
-- The products come from the whole catalog, or with bench.hot = H from the
-- H newest (ids N-H+1..N: the first pages of the newest-first listing).
local users, ready, head, tail = {}, {}, 1, 0

function bench.users_init()
	for i, t in ipairs(bench.tokens()) do
		users[i] = { auth = "Bearer " .. t, step = 0, n = 0 }
		tail = tail + 1
		ready[tail] = i
	end
	bench.nusers = #users
end

-- The next write of a ready user, or nil when every user has a request in flight.
function bench.user_request()
	if head > tail then
		return nil
	end
	local i = ready[head]
	ready[head] = nil
	head = head + 1
	local u = users[i]
	local hdr = { ["Authorization"] = u.auth, ["X-Request-Id"] = "u" .. i .. "-" .. u.step }
	if u.step < 3 then
		-- 7919 is prime, so the 3 steps of one order name 3 distinct products.
		local k = (i * 131 + u.n * 3 + u.step) * 7919
		local pid = bench.hot and bench.products - k % bench.hot or 1 + k % bench.products
		hdr["Content-Type"] = "application/json"
		return wrk.format("POST", "/api/cart", hdr, '{"productId":' .. pid .. ',"quantity":1}')
	end
	return wrk.format("POST", "/api/checkout", hdr)
end

-- Call from response(); returns true when the response belonged to a user,
-- and counts any other 200 or 304 as a catalog read.
function bench.user_response(status, headers)
	local rid = headers["X-Request-Id"] or headers["x-request-id"]
	if not rid or rid:byte(1) ~= 117 then -- 'u'
		if status == 200 or status == 304 then
			reads = reads + 1
		end
		return false
	end
	local i = tonumber(rid:match("^u(%d+)-"))
	local u = i and users[i]
	if not u then
		return false
	end
	if status >= 200 and status < 300 then
		if u.step == 3 then
			orders = orders + 1
			u.step, u.n = 0, u.n + 1
		else
			u.step = u.step + 1
		end
	else
		-- Counted (wrk counts it too); an add is retried, a failed checkout starts over.
		failed = failed + 1
		if u.step == 3 then
			u.step, u.n = 0, u.n + 1
		end
	end
	tail = tail + 1
	ready[tail] = i
	return true
end

-- The mixed scenarios: 80% anonymous catalog reads (half the list requests
-- in turn, half details at random), 20% user writes. Defines request() and
-- response() over the two tables, which init() fills.
function bench.mix(lists, details)
	local li = 0

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
end
