#include "domain/password.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/log.h"

static sem_t slots;
static int slots_ready;
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

_Static_assert(crypto_pwhash_STRBYTES <= 128, "hash buffer");

/* A real hash of a random password: verifying against it costs what a real
 * login costs. Made on first need, not at start-up (19 MiB of work). */
static void S_make_dummy(void)
{
	unsigned char rnd[16];
	char pw[33];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw), MC_PWHASH_OPSLIMIT, MC_PWHASH_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13))
		log_error("password", "cannot compute the dummy hash (out of memory?)");
}

mc_rc password_init(int n)
{
	if (slots_ready)
		return MC_OK;
	if (sodium_init() < 0)
		return MC_ERR_INTERNAL;
	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	if (sem_init(&slots, 0, (unsigned)n))
		return MC_ERR_INTERNAL;
	slots_ready = 1;
	return MC_OK;
}

mc_rc password_check_rules(const char *field, const char *pw, mc_error *err)
{
	size_t n = strlen(pw);

	if (n < MC_PASSWORD_MIN || n > MC_PASSWORD_MAX) {
		mc_error_field(err, field, "must be %d to %d bytes long", MC_PASSWORD_MIN, MC_PASSWORD_MAX);
		return MC_ERR_INVALID;
	}
	return MC_OK;
}

static mc_rc S_acquire(mc_error *err)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += MC_PWHASH_WAIT_MS / 1000;
	ts.tv_nsec += (long)(MC_PWHASH_WAIT_MS % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(&slots, &ts)) {
		if (errno == EINTR)
			continue;
		err->retry_after = 1;
		return mc_fail(err, MC_ERR_BUSY, "busy", "the server is busy; retry shortly");
	}
	return MC_OK;
}

mc_rc password_hash(const char *pw, char out[128], mc_error *err)
{
	mc_rc rc = S_acquire(err);
	int failed;

	if (rc)
		return rc;
	failed = crypto_pwhash_str_alg(out, pw, strlen(pw), MC_PWHASH_OPSLIMIT, MC_PWHASH_MEMLIMIT,
				       crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&slots);
	if (failed) {
		log_error("password", "crypto_pwhash_str failed (out of memory?)");
		return MC_ERR_INTERNAL;
	}
	return MC_OK;
}

mc_rc password_verify(const char *hash, const char *pw, mc_error *err)
{
	mc_rc rc = S_acquire(err);
	int ok;

	if (rc)
		return rc;
	if (!hash)
		pthread_once(&dummy_once, S_make_dummy);
	ok = crypto_pwhash_str_verify(hash ? hash : dummy_hash, pw, strlen(pw)) == 0;
	sem_post(&slots);
	return ok && hash ? MC_OK : MC_ERR_UNAUTHORIZED;
}
