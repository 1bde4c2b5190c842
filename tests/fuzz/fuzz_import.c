/* The Fake Store catalog import: any file is either refused with a message
 * or gives items that each satisfy the rules import promises. */
#include "core/limits.h"
#include "domain/import.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_list l;
	mc_error err;

	mc_error_init(&err);
	if (!import_fakestore_parse((const char *)data, size, &l, &err)) {
		for (size_t i = 0; i < l.n; i++) {
			const struct import_item *it = &l.items[i];

			if (it->price < 0 || it->price > MC_PRICE_MAX || !it->title || !it->description ||
			    !it->category || it->rating_count < 0 || it->rating_sum < 0)
				abort();
		}
		import_list_release(&l);
	} else if (!err.detail[0] && !err.nfields) {
		abort();
	}
	mc_error_release(&err);
	return 0;
}
