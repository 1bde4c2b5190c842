/* Who a request is: its id, for the logs and the answer, and its client's
 * address behind trusted proxies, for rate limits and connection caps. */
#include "http/identity.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int S_request_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (n >= MC_REQUEST_ID_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return 0;
	}
	return n > 0;
}

/* Request ids need to be unique, not secret: a per-thread splitmix64 stream
 * from a random seed, instead of a getrandom(2) call per request. */
static uint64_t S_next_id(void)
{
	static __thread uint64_t state;
	uint64_t z;

	if (!state)
		randombytes_buf(&state, sizeof(state));
	z = (state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int S_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int S_zeros(const char *s, size_t n)
{
	return strspn(s, "0") >= n;
}

/* W3C Trace Context: "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"
 * (later versions may append "-..."); the trace id names the request, so
 * our log lines join the caller's trace. Version ff and all-zero ids are
 * invalid by the spec. */
static int S_trace_id(const char *tp, char *out, size_t len)
{
	size_t n = strlen(tp);

	if (n < 55 || (n > 55 && tp[55] != '-') || !S_hex(tp, 2) || !strncmp(tp, "ff", 2) || tp[2] != '-' ||
	    !S_hex(tp + 3, 32) || S_zeros(tp + 3, 32) || tp[35] != '-' || !S_hex(tp + 36, 16) ||
	    S_zeros(tp + 36, 16) || tp[52] != '-' || !S_hex(tp + 53, 2))
		return 0;
	snprintf(out, len, "%.32s", tp + 3);
	return 1;
}

/* A fresh id's 16 hex digits and NUL, without printf's cost. */
static void S_hex16(char out[17], uint64_t v)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '\0';
}

void http_req_identify(struct http_req *req)
{
	const char *given = http_req_header(req, "X-Request-Id");
	const char *tp = http_req_header(req, "traceparent");

	if (tp && S_trace_id(tp, req->request_id, sizeof(req->request_id)))
		return;
	if (given && S_request_id_ok(given)) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", given);
		return;
	}
	S_hex16(req->request_id, S_next_id());
}

int http_addr_listed(const char *v, char list[][MC_PROXY_ADDR_LEN], int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], v))
			return 1;
	return 0;
}

void http_addr_text(const struct sockaddr *sa, char *out, size_t len)
{
	snprintf(out, len, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

void http_forwarded_client(const char *xff, char proxies[][MC_PROXY_ADDR_LEN], int nproxies, char *client,
			   size_t len)
{
	char hop[64];

	/* Walk from the right: the last hop not a trusted proxy is the client. */
	for (const char *end = xff + strlen(xff); end > xff;) {
		const char *start = end;
		size_t n;

		while (start > xff && start[-1] != ',')
			start--;
		n = (size_t)(end - start);
		while (n && (*start == ' ' || *start == '\t'))
			start++, n--;
		while (n && (start[n - 1] == ' ' || start[n - 1] == '\t'))
			n--;
		if (n && n < sizeof(hop)) {
			memcpy(hop, start, n);
			hop[n] = '\0';
			snprintf(client, len, "%s", hop);
			if (!http_addr_listed(hop, proxies, nproxies))
				return;
		}
		end = start > xff ? start - 1 : xff;
	}
}

void http_req_client(struct http_req *req, const char *peer, char proxies[][MC_PROXY_ADDR_LEN], int nproxies)
{
	size_t n = strnlen(peer, sizeof(req->client_ip) - 1);
	const char *xff;

	memcpy(req->client_ip, peer, n);
	req->client_ip[n] = '\0';
	if (!nproxies || !http_addr_listed(req->client_ip, proxies, nproxies))
		return;
	xff = http_req_header(req, "X-Forwarded-For");
	if (xff)
		http_forwarded_client(xff, proxies, nproxies, req->client_ip, sizeof(req->client_ip));
}
