/* Small file-system helpers for the data directory and operator-given files. */
#ifndef MC_FS_H
#define MC_FS_H

#include <stddef.h>

#include "core/result.h"

/* mkdir -p with mode 0755; 0 on success, -1 with errno set. */
int fs_mkdirs(const char *path);

/* Reads a whole regular file of at most `max` bytes into a malloc'd,
 * NUL-terminated buffer. MC_ERR_NOT_FOUND when it does not exist (or is not
 * a regular file), MC_ERR_TOO_LARGE beyond max, MC_ERR_INTERNAL otherwise
 * (errno tells why). */
mc_rc fs_read_file(const char *path, size_t max, char **out, size_t *len);

/* Writes data to a temporary file beside `path` (flushed to disk, then
 * given `mode`) and renames it into place, so a reader never sees a
 * half-written file. 0 on success, -1 with errno set. */
int fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Flushes a directory's entries (the renames into it) to disk. 0, or -1
 * with errno set. */
int fs_sync_dir(const char *path);

#endif
