/* Settings from the command line: the input, split at NUL bytes, is argv.
 * Whatever config_load accepts must satisfy the validators' promises (the
 * From address goes into every email header as it is). */
#include "config.h"
#include "core/limits.h"
#include "core/parse.h"
#include "fuzz.h"

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_cstr(data, size), *argv[MAX_ARGS + 2] = { (char *)"mercato" };
	int argc = 1;
	struct config c;

	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i += strlen(copy + i) + 1)
		argv[argc++] = copy + i;
	argv[argc] = NULL;
	if (!config_load(&c, &argc, argv)) {
		for (const char *p = c.smtp_from; *p; p++)
			if (*p < ' ' || *p > '~')
				abort();
		if (c.port < 1 || c.port > 65535 || strlen(c.digest_time) != 5 || !*c.data_dir || !*c.host ||
		    mc_parse_list(c.trusted_proxies, NULL, MC_PROXY_ADDR_LEN, MC_LIST_ITEMS_MAX) < 0 ||
		    (strcmp(c.env, "production") && strcmp(c.env, "development")) || argv[argc])
			abort();
		config_release(&c);
	}
	free(copy);
	return 0;
}
