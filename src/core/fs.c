#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (!n || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

mc_rc fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t used = 0;
	mc_rc rc = MC_ERR_INTERNAL;
	/* O_NONBLOCK: a FIFO in place of a file must not hang us; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), saved;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? MC_ERR_NOT_FOUND : MC_ERR_INTERNAL;
	if (fstat(fd, &st))
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = MC_ERR_NOT_FOUND;
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = MC_ERR_TOO_LARGE;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	/* Reads what fstat saw; a file growing meanwhile is cut there. */
	while (used < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + used, (size_t)st.st_size - used);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (!r)
			break;
		used += (size_t)r;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
	rc = MC_OK;
out:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return rc;
}

int fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char tmp[4096];
	size_t done = 0;
	int fd, n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t w = write(fd, (const char *)data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) || fsync(fd))
		goto fail;
	n = close(fd);
	fd = -1;
	if (!n && !rename(tmp, path))
		return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int fs_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
