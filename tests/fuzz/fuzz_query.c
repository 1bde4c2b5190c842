/* Query strings and cookies as the server reads them: the input becomes a
 * real HTTP request (split at a NUL byte: query string, then Cookie header)
 * parsed by libmicrohttpd over a socket pair, and the handler reads it the
 * way the API does: the product list filter and sort, paging, and the guest
 * cart cookie. */
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "core/limits.h"
#include "fuzz.h"
#include "store/products.h"

static struct MHD_Daemon *daemon_;
static int handled;

static enum MHD_Result S_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct http_req req = { .conn = conn, .path = url, .method = HTTP_GET, .method_name = method };
	struct MHD_Response *r;
	struct product_filter f;
	int64_t limit, offset;
	char session[33];
	mc_error err;
	enum MHD_Result ret;

	mc_error_init(&err);
	if (!api_products_filter(&req, &f, &err)) {
		if (f.limit < 1 || f.limit > MC_PAGE_MAX || f.offset < 0 || f.offset > MC_OFFSET_MAX ||
		    (f.min_price >= 0 && f.max_price >= 0 && f.min_price > f.max_price) ||
		    (f.q && strlen(f.q) > 4 * MC_MAX_QUERY_VALUE))
			abort();
	} else if (!err.nfields) {
		abort();
	}
	mc_error_release(&err);
	mc_error_init(&err);
	api_query_page(&req, &limit, &offset, &err);
	mc_error_release(&err);
	if (api_guest_session(&req, session) && strlen(session) != 32)
		abort();
	handled = 1;
	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, S_access, NULL,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MC_MAX_HEADER_BYTES, MHD_OPTION_END);
	if (!daemon_)
		abort();
	return 0;
}

static unsigned S_connections(void)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

static void S_append(char **p, const char *s, size_t n)
{
	memcpy(*p, s, n);
	*p += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *query, *cookie, *req, *p, sink[4096];
	size_t cookie_len;
	int sv[2];

	if (size > 8192)
		return 0;
	fuzz_split(data, size, &query, &cookie, &cookie_len);
	p = req = malloc(size + 128);
	if (!req)
		abort();
	S_append(&p, "GET /api/products?", 18);
	S_append(&p, query, strlen(query));
	S_append(&p, " HTTP/1.1\r\nHost: f\r\nConnection: close\r\nCookie: ", 46);
	S_append(&p, cookie, strlen(cookie));
	S_append(&p, "\r\n\r\n", 4);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		abort();
	if (write(sv[1], req, (size_t)(p - req)) != p - req)
		abort();
	if (MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
		abort();
	handled = 0;
	/* Until libmicrohttpd has answered and closed its end (Connection: close). */
	for (int i = 0; i < 64; i++) {
		ssize_t n;

		MHD_run(daemon_);
		n = read(sv[1], sink, sizeof(sink));
		if (n == 0)
			break;
	}
	close(sv[1]);
	/* A request still waiting for its body ends with the closed socket. */
	for (int i = 0; i < 64 && S_connections(); i++)
		MHD_run(daemon_);
	if (S_connections())
		abort();
	free(req);
	free(query);
	free(cookie);
	return 0;
}
