/* X-Forwarded-For behind trusted proxies: whatever the header, the client
 * address chosen is one of its hops (trimmed, shorter than 64 bytes, without
 * a comma) or stays the peer's. */
#include "fuzz.h"
#include "http/identity.h"

static char proxies[][MC_PROXY_ADDR_LEN] = { "10.0.0.1", "10.0.0.2", "::1" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xff = fuzz_cstr(data, size), client[64] = "10.0.0.1";

	http_forwarded_client(xff, proxies, 3, client, sizeof(client));
	if (strcmp(client, "10.0.0.1") && (!strstr(xff, client) || strchr(client, ',') || client[0] == ' ' ||
					   client[0] == '\t'))
		abort();
	free(xff);
	return 0;
}
