/* The router over the real route table: the first byte picks the method, the
 * rest is the path. A match must be of the method asked (GET for HEAD), have
 * as many parameters as its pattern, and each parameter must be a non-empty
 * segment of the path without a '/'. */
#include "api/api.h"
#include "fuzz.h"
#include "http/router.h"

static struct router router;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char errbuf[256];

	if (router_init(&router, api_routes, api_nroutes, errbuf, sizeof(errbuf)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned method;
	struct router_match m;
	char *path, allow[128];
	int want = 0;

	if (!size)
		return 0;
	method = 1u << (data[0] % 7);
	path = fuzz_cstr(data + 1, size - 1);
	if (!router_match(&router, method, path, &m)) {
		if (!m.route || (m.route->method != method && !(method == HTTP_HEAD && m.route->method == HTTP_GET)))
			abort();
		for (const char *p = m.route->pattern; *p; p++)
			want += *p == ':';
		if (m.nparams != want)
			abort();
		for (int i = 0; i < m.nparams; i++)
			if (!*m.params[i] || strchr(m.params[i], '/') || !strstr(path, m.params[i]))
				abort();
	} else if (m.route) {
		abort();
	}
	router_allow_header(m.allowed, allow, sizeof(allow));
	free(path);
	return 0;
}
