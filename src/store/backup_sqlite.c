/* Online backup of a SQLite database (`mercato backup`): apart from the
 * driver, which it does not need. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "store/db.h"

/* Copies with SQLite's online backup API: one step copies every page under
 * one read transaction, so the copy is a snapshot of the last commit while
 * WAL writers go on. It is written beside dest, turned into a single
 * rollback-journal file, flushed, then renamed into place. */
int db_sqlite_backup(const char *src_path, const char *dest, char *errbuf, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	char tmp[4096];
	int rc = DB_ERR, step, fd;

	if (snprintf(tmp, sizeof(tmp), "%s.partial", dest) >= (int)sizeof(tmp)) {
		snprintf(errbuf, errlen, "backup path too long");
		return DB_ERR;
	}
	/* Never creates the source: a wrong path is an error, not an empty backup. */
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot open %s: %s", src_path, src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, MC_DB_BUSY_TIMEOUT_MS);
	/* Owner-only, like the database: it holds password hashes. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(errbuf, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot create %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(errbuf, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* A lock on the source waits in its busy handler (MC_DB_BUSY_TIMEOUT_MS). */
	step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		snprintf(errbuf, errlen, "backup: %s", sqlite3_errstr(step));
		goto out;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(errbuf, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_close(dst);
	dst = NULL;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		snprintf(errbuf, errlen, "backup: %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, dest)) {
		snprintf(errbuf, errlen, "backup: %s: %s", dest, strerror(errno));
		goto out;
	}
	rc = DB_DONE;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc)
		unlink(tmp);
	return rc;
}
