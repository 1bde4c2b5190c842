/* Shared by the libFuzzer targets: each file defines LLVMFuzzerTestOneInput
 * over one place where Mercato reads untrusted bytes. */
#ifndef MC_FUZZ_H
#define MC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a NUL-terminated string (malloc'd; it may hold earlier NULs). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits the input at its first NUL byte: the part before (a string) and
 * the rest. With no NUL, *rest is empty. Both are malloc'd copies. */
static inline void fuzz_split(const uint8_t *data, size_t size, char **head, char **rest, size_t *rest_len)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n = nul ? (size_t)(nul - data) : size;

	*head = fuzz_cstr(data, n);
	*rest_len = nul ? size - n - 1 : 0;
	*rest = fuzz_cstr(nul ? nul + 1 : data + size, *rest_len);
}

#endif
