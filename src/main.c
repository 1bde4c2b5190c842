/* mercato: subcommand dispatch; start-up and shutdown only. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "api/api.h"
#include "api/authn.h"
#include "api/catalog_cache.h"
#include "config.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/parse.h"
#include "domain/account.h"
#include "domain/checkout.h"
#include "domain/cluster.h"
#include "domain/coupons.h"
#include "domain/import.h"
#include "domain/notify.h"
#include "domain/orders.h"
#include "domain/password.h"
#include "domain/seed.h"
#include "jobs/scheduler.h"
#include "jobs/worker.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/store.h"

static void S_usage(FILE *f)
{
	fprintf(f,
		"usage: mercato COMMAND [--setting VALUE ...]\n\n"
		"commands:\n"
		"  serve                 migrate, then serve the HTTP API\n"
		"  migrate               apply pending database migrations\n"
		"  worker                deliver queued emails until SIGTERM (PostgreSQL deployments;\n"
		"                        on SQLite serve runs it)\n"
		"  scheduler [--run-once expire_unpaid|sale_start_notifications|promo_digest|cleanup]\n"
		"                        run the timed jobs until SIGTERM, or one of them now\n"
		"  user create --email E --password P --role admin|seller|buyer --name N\n"
		"                        create an account (the only way to create admins)\n"
		"  seed                  migrate, then add the demo sellers, buyers and products\n"
		"                        (idempotent; password " SEED_PASSWORD ")\n"
		"  import fakestore FILE [--seller EMAIL] [--stock N]\n"
		"                        import products from a Fake Store API JSON file\n"
		"                        (default seller seller1@mercato.dev, stock %d)\n"
		"  backup PATH           write a consistent copy of the SQLite database to PATH,\n"
		"                        safe while serving (PostgreSQL: use pg_dump)\n"
		"  help                  this text and every setting\n\n",
		IMPORT_STOCK_DEFAULT);
}

/* Opens the database (creating the SQLite file's directory) and migrates. */
static int S_open_store(const struct config *cfg)
{
	char err[512];
	int applied = 0;

	if (!strncmp(cfg->db, "sqlite:", 7)) {
		char dir[512];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", cfg->db + 7);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (*dir && fs_mkdirs(dir)) {
				fprintf(stderr, "mercato: cannot create %s: %s\n", dir, strerror(errno));
				return -1;
			}
		}
	}
	if (store_init(cfg->db, err, sizeof(err))) {
		fprintf(stderr, "mercato: %s\n", err);
		return -1;
	}
	if (migrate_run(store_db(), &applied) != DB_DONE) {
		fprintf(stderr, "mercato: migrations failed (see log)\n");
		return -1;
	}
	return 0;
}

static void S_raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Blocks the stop signals in this thread and every thread it starts, so
 * only the caller's sigwait() sees them. */
static void S_block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void S_wait_stop_signal(sigset_t *set)
{
	int sig = 0;

	sigwait(set, &sig);
	log_info("main", "signal %d: shutting down", sig);
}

struct jobs {
	struct worker *worker;
	struct scheduler *scheduler;
};

static int S_jobs_start(const struct config *cfg, int worker, int scheduler, struct jobs *j)
{
	memset(j, 0, sizeof(*j));
	if ((worker && worker_start(cfg, &j->worker)) || (scheduler && scheduler_start(cfg, &j->scheduler))) {
		fprintf(stderr, "mercato: cannot start the background jobs\n");
		if (j->worker)
			worker_stop(j->worker);
		return -1;
	}
	return 0;
}

static void S_jobs_stop(struct jobs *j)
{
	if (j->worker)
		worker_stop(j->worker);
	if (j->scheduler)
		scheduler_stop(j->scheduler);
}

static int S_serve(struct config *cfg)
{
	struct http_server_opts opts = {
		.host = cfg->host,
		.port = (int)cfg->port,
		.threads = (int)cfg->threads,
		.routes = api_routes,
		.nroutes = api_nroutes,
		.authenticate = api_authenticate,
		.auth_rate_per_min = cfg->auth_rate,
		.rate_per_sec = cfg->rate,
		.rate_burst = cfg->rate_burst,
		.trusted_proxies = cfg->trusted_proxies,
		.cors_origins = cfg->cors_origins,
		.access_log = (int)cfg->access_log,
		.max_conn_per_ip = cfg->max_conn_per_ip,
		.request_timeout = cfg->request_timeout,
	};
	struct http_server *srv = NULL;
	struct token_key key;
	struct jobs jobs;
	mc_error kerr;
	char err[256];
	sigset_t set;
	int embedded = !strncmp(cfg->db, "sqlite:", 7);

	if (token_key_load(cfg->jwt_secret, (int)cfg->production, cfg->data_dir, &key, err, sizeof(err))) {
		fprintf(stderr, "mercato: %s\n", err);
		return 1;
	}
	if (S_open_store(cfg))
		return 1;
	metrics_init();
	mc_error_init(&kerr);
	if (cluster_check_key(&key, &kerr)) {
		fprintf(stderr, "mercato: %s\n", kerr.detail);
		mc_error_release(&kerr);
		return 1;
	}
	mc_error_release(&kerr);
	opts.batch_enable = store_batch_enable;
	opts.batch_joined = store_batch_joined;
	opts.batch_commit = store_batch_commit;
	opts.durable_wait = store_durable_wait;
	if (api_init(cfg, &key) || catalog_cache_init())
		return 1;
	S_raise_fd_limit();
	S_block_stop_signals(&set);
	if (http_server_start(&opts, &srv, err, sizeof(err))) {
		fprintf(stderr, "mercato: %s\n", err);
		return 1;
	}
	/* One node on SQLite: the worker, the scheduler and the WAL checkpoints
	 * run in this process. */
	if (embedded && store_checkpointer_start()) {
		fprintf(stderr, "mercato: cannot start the checkpoint thread\n");
		http_server_stop(srv);
		return 1;
	}
	if (S_jobs_start(cfg, embedded, embedded, &jobs)) {
		http_server_stop(srv);
		store_checkpointer_stop();
		return 1;
	}
	log_info("main", "serving on http://%s:%ld (%s, %s)", cfg->host, cfg->port, cfg->env,
		 embedded ? "sqlite with the worker and scheduler" : "postgresql");
	S_wait_stop_signal(&set);
	http_server_stop(srv);
	S_jobs_stop(&jobs);
	store_checkpointer_stop();
	catalog_cache_release();
	api_release();
	sodium_memzero(&key, sizeof(key));
	log_info("main", "stopped");
	return 0;
}

/* A subcommand's options: each takes one value. */
struct cli_opt {
	const char *name;   /* "--email" */
	const char **value; /* set when given; NULL otherwise */
};

/* Reads a subcommand's arguments: its options (each with a value) and at
 * most npos positional arguments, the first nreq of them required. Anything
 * else (an unknown flag, a missing value, a stray argument) is a usage
 * error: the caller prints its usage and exits 2. */
static int S_args(int argc, char **argv, struct cli_opt *opts, const char **pos, int nreq, int npos)
{
	int n = 0;

	for (struct cli_opt *o = opts; o && o->name; o++)
		*o->value = NULL;
	for (int i = 0; i < argc; i++) {
		struct cli_opt *o = opts;

		if (strncmp(argv[i], "--", 2)) {
			if (n == npos) {
				fprintf(stderr, "mercato: unexpected argument '%s'\n", argv[i]);
				return -1;
			}
			pos[n++] = argv[i];
			continue;
		}
		while (o && o->name && strcmp(o->name, argv[i]))
			o++;
		if (!o || !o->name) {
			fprintf(stderr, "mercato: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "mercato: %s needs a value\n", argv[i]);
			return -1;
		}
		*o->value = argv[++i];
	}
	if (n < nreq) {
		fprintf(stderr, "mercato: missing argument\n");
		return -1;
	}
	return 0;
}

/* worker, scheduler: the background jobs of a PostgreSQL deployment. */
static int S_run_jobs(struct config *cfg, int worker, int scheduler)
{
	struct jobs jobs;
	sigset_t set;

	if (S_open_store(cfg))
		return 1;
	S_block_stop_signals(&set);
	if (S_jobs_start(cfg, worker, scheduler, &jobs))
		return 1;
	S_wait_stop_signal(&set);
	S_jobs_stop(&jobs);
	log_info("main", "stopped");
	return 0;
}

/* scheduler [--run-once NAME] */
static int S_scheduler(struct config *cfg, int argc, char **argv)
{
	const char *name;
	struct cli_opt opts[] = { { "--run-once", &name }, { NULL, NULL } };
	mc_rc rc;

	if (S_args(argc, argv, opts, NULL, 0, 0)) {
		fprintf(stderr, "usage: mercato scheduler [--run-once NAME]\n");
		return 2;
	}
	if (!name)
		return S_run_jobs(cfg, 0, 1);
	if (S_open_store(cfg))
		return 1;
	rc = scheduler_run_once(cfg, name);
	if (rc == MC_ERR_NOT_FOUND)
		fprintf(stderr, "mercato: no scheduled job named '%s'\n", name);
	else if (rc)
		fprintf(stderr, "mercato: %s failed (see the log)\n", name);
	return rc == MC_ERR_NOT_FOUND ? 2 : rc ? 1 : 0;
}

static int S_user_create(struct config *cfg, int argc, char **argv)
{
	struct account_new in = { 0 };
	const char *role;
	struct cli_opt opts[] = {
		{ "--email", &in.email }, { "--password", &in.password }, { "--role", &role }, { "--name", &in.name },
		{ NULL, NULL },
	};
	struct user u;
	mc_error err;
	mc_rc rc;

	if (S_args(argc, argv, opts, NULL, 0, 0) || !in.email || !in.password || !role) {
		fprintf(stderr, "usage: mercato user create --email E --password P --role admin|seller|buyer [--name N]\n");
		return 2;
	}
	if (!in.name)
		in.name = in.email;
	in.role = role_parse(role);
	if (S_open_store(cfg))
		return 1;
	mc_error_init(&err);
	rc = account_register(&in, 1, &u, &err);
	if (rc) {
		fprintf(stderr, "mercato: cannot create the account: %s\n", err.detail[0] ? err.detail : "error");
		mc_error_release(&err);
		return rc == MC_ERR_INTERNAL ? 1 : 2;
	}
	printf("created %s %s (id %lld)\n", role_name(u.role), u.email, (long long)u.id);
	return 0;
}

static int S_seed(struct config *cfg)
{
	struct seed_counts n;
	mc_error err;
	mc_rc rc;

	if (S_open_store(cfg))
		return 1;
	mc_error_init(&err);
	rc = seed_demo(clock_now(), &n, &err);
	if (rc) {
		fprintf(stderr, "mercato: seed failed: %s\n", err.detail[0] ? err.detail : "see the log");
		mc_error_release(&err);
		return 1;
	}
	printf("seed: %d users and %d products created\n", n.users_created, n.products_created);
	return 0;
}

/* import fakestore FILE [--seller EMAIL] [--stock N] */
static int S_import(struct config *cfg, int argc, char **argv)
{
	const char *file = NULL, *seller, *stock_s;
	struct cli_opt opts[] = { { "--seller", &seller }, { "--stock", &stock_s }, { NULL, NULL } };
	int64_t stock = IMPORT_STOCK_DEFAULT;
	struct import_counts n;
	int bad;
	mc_error err;
	mc_rc rc;

	bad = S_args(argc, argv, opts, &file, 1, 1);
	if (!bad && stock_s)
		bad = mc_parse_i64(stock_s, 0, MC_STOCK_MAX, &stock) != MC_OK;
	if (bad) {
		fprintf(stderr, "usage: mercato import fakestore FILE [--seller EMAIL] [--stock 0..%lld]\n",
			MC_STOCK_MAX);
		return 2;
	}
	if (S_open_store(cfg))
		return 1;
	mc_error_init(&err);
	rc = import_fakestore_file(file, seller, stock, &n, &err);
	if (rc) {
		fprintf(stderr, "mercato: import failed: %s\n", err.detail[0] ? err.detail : "see the log");
		mc_error_release(&err);
		return rc == MC_ERR_INTERNAL ? 1 : 2;
	}
	if (n.seller_created)
		printf("created the demo seller seller1@mercato.dev (password " SEED_PASSWORD ")\n");
	printf("import: %d products created, %d already present\n", n.created, n.existing);
	return 0;
}

/* backup PATH: a consistent copy of a live SQLite database. PostgreSQL
 * has its own tool for that. */
static int S_backup(const struct config *cfg, int argc, char **argv)
{
	const char *dest = NULL;
	char err[512], dir[4096];
	char *slash;

	if (S_args(argc, argv, NULL, &dest, 1, 1)) {
		fprintf(stderr, "usage: mercato backup PATH\n");
		return 2;
	}
	if (strncmp(cfg->db, "sqlite:", 7)) {
		fprintf(stderr, "mercato: backup copies SQLite databases; on PostgreSQL use pg_dump "
				"(see the README, Backups)\n");
		return 2;
	}
	if (db_sqlite_backup(cfg->db + 7, dest, err, sizeof(err))) {
		fprintf(stderr, "mercato: %s\n", err);
		return 1;
	}
	/* The rename into place survives a power loss once the directory is flushed. */
	snprintf(dir, sizeof(dir), "%s", dest);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	if (fs_sync_dir(slash ? dir : ".")) {
		fprintf(stderr, "mercato: cannot flush the directory of %s: %s\n", dest, strerror(errno));
		return 1;
	}
	printf("backup: %s\n", dest);
	return 0;
}

/* Commands that take no arguments of their own. */
static int S_bare(const char *cmd)
{
	static const char *const bare[] = { "serve", "migrate", "worker", "seed", "help", "--help", "-h" };

	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
		if (!strcmp(cmd, bare[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	const char *cmd;
	int ret = 2;

	/* A fixed threshold keeps glibc from raising it after the first 19 MiB
	 * argon2 buffer is freed; otherwise every thread's arena keeps one
	 * (measured: 221 MiB peak RSS after 50 concurrent logins). */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (config_load(&cfg, &argc, argv))
		return 2;
	cmd = argc > 1 ? argv[1] : "help";
	notify_init(cfg.mail_max_attempts);
	checkout_configure(cfg.max_open_orders);
	order_configure(cfg.cod_max);
	if (sodium_init() < 0 || password_init((int)cfg.threads) || coupon_init()) {
		fprintf(stderr, "mercato: cannot initialise cryptography\n");
		ret = 1;
		goto out;
	}
	/* Subcommands without arguments refuse any: a mistyped setting must
	 * not run on defaults. */
	if (S_bare(cmd) && argc > 2 && S_args(argc - 2, argv + 2, NULL, NULL, 0, 0)) {
		fprintf(stderr, "usage: mercato %s [--setting VALUE ...] (see mercato help)\n", cmd);
	} else if (!strcmp(cmd, "serve")) {
		ret = S_serve(&cfg);
	} else if (!strcmp(cmd, "migrate")) {
		ret = S_open_store(&cfg) ? 1 : 0;
	} else if (!strcmp(cmd, "worker")) {
		ret = S_run_jobs(&cfg, 1, 0);
	} else if (!strcmp(cmd, "scheduler")) {
		ret = S_scheduler(&cfg, argc - 2, argv + 2);
	} else if (!strcmp(cmd, "user") && argc > 2 && !strcmp(argv[2], "create")) {
		ret = S_user_create(&cfg, argc - 3, argv + 3);
	} else if (!strcmp(cmd, "seed")) {
		ret = S_seed(&cfg);
	} else if (!strcmp(cmd, "import") && argc > 2 && !strcmp(argv[2], "fakestore")) {
		ret = S_import(&cfg, argc - 3, argv + 3);
	} else if (!strcmp(cmd, "backup")) {
		ret = S_backup(&cfg, argc - 2, argv + 2);
	} else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		S_usage(stdout);
		config_print_help();
		ret = 0;
	} else {
		fprintf(stderr, "mercato: unknown command '%s'\n", cmd);
		S_usage(stderr);
	}
out:
	coupon_release();
	store_shutdown();
	config_release(&cfg);
	return ret;
}
