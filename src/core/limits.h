/* Every limit Mercato enforces, in one place, each with its reason. */
#ifndef MC_LIMITS_H
#define MC_LIMITS_H

/* HTTP */
#define MC_MAX_BODY            (1024 * 1024)      /* default request body: JSON bodies are small; 413 beyond */
#define MC_MAX_IMAGE_BODY      (5 * 1024 * 1024)  /* product image upload (DESIGN: at most 5 MiB) */
#define MC_MAX_HEADER_BYTES    (16 * 1024)        /* per-connection memory in libmicrohttpd, headers included (431/413 beyond), as Node.js allows: it zeroes all of it for every request of a keep-alive connection, and 256 connections hold it at once */
#define MC_MAX_CONNECTIONS     4096               /* concurrent sockets; keeps fds well under RLIMIT_NOFILE */
#define MC_LISTEN_BACKLOG      1024               /* connections the kernel queues before accept: a burst of new clients waits, not refused */
#define MC_DRAIN_MS            1000               /* a stopping server lets requests in flight finish this long */
#define MC_DRAIN_POLL_MS       20                 /* how often a draining loop looks whether its connections are gone */
#define MC_CONN_IDLE_TIMEOUT   30                 /* seconds a connection may sit without sending a byte */
#define MC_BODY_BUDGET         (64 * 1024 * 1024) /* request bodies buffered at once, all connections: 503 beyond (slow uploads cannot pin memory) */
#define MC_REQUEST_ID_MAX      64                 /* X-Request-Id accepted from clients up to this length */
#define MC_MAX_PATH_SEGMENTS   8                  /* deepest route is /api/orders/:id/status (4); 8 leaves room */
#define MC_MAX_PATH_PARAMS     4                  /* at most two parameters in any route */
#define MC_MAX_QUERY_VALUE     256                /* any single query-string value */
#define MC_MAX_ROUTES          160                /* size of the route table (router_init refuses more) */
#define MC_REQUEST_SPARES      16                 /* finished request contexts (~4 KiB each) a thread keeps for its next requests (http/spares.h): a calloc of that size per request made glibc consolidate its fastbins every time, 5% of a cached read */
#define MC_HTTP_RES_HEADERS    12                 /* extra headers on one answer: three RateLimit-* on every limited route, then at most five (a product: ETag, Cache-Control; a cart: Set-Cookie, Location) */
#define MC_LIST_ITEMS_MAX      16                 /* trusted proxies, and CORS origins: a deployment has a handful; more is a start-up error */
#define MC_PROXY_ADDR_LEN      64                 /* bytes of a trusted proxy address with its NUL: INET6_ADDRSTRLEN (46) fits */
#define MC_ORIGIN_LEN          128                /* bytes of a CORS origin (scheme://host:port) with its NUL */

/* JSON and buffers */
#define MC_JSON_MAX_DEPTH      16                 /* our bodies nest 3 deep at most; deep nesting is an attack */
#define MC_STRBUF_MAX          (64 * 1024 * 1024) /* any one strbuf: bodies stop at 5 MiB, a 100-item page is ~100 KB; a runaway writer fails instead of eating memory */

/* Lists */
#define MC_PAGE_DEFAULT        20
#define MC_PAGE_MAX            100                /* DESIGN section 4 */
#define MC_OFFSET_MAX          1000000            /* deeper offsets are scans nobody needs */

/* Accounts */
#define MC_PASSWORD_MIN        8                  /* NIST SP 800-63B floor */
#define MC_PASSWORD_MAX        128                /* bounds the hashing work per request */
#define MC_NAME_MAX            100                /* display names */
#define MC_EMAIL_MAX           254                /* RFC 5321 path limit */
#define MC_PWHASH_OPSLIMIT     2                  /* argon2id t=2: OWASP floor */
#define MC_PWHASH_MEMLIMIT     (19u * 1024 * 1024)/* argon2id m=19 MiB: OWASP floor */
#define MC_PWHASH_WAIT_MS      2000               /* wait for a hashing slot before answering 503 */
#define MC_FAILED_LOGIN_MAX    10                 /* failed logins per account ... */
#define MC_FAILED_LOGIN_WINDOW (15 * 60)          /* ... per 15 minutes (DESIGN section 5) */

/* Catalog */
#define MC_PRODUCT_NAME_MAX    200                /* characters; long enough for any real title */
#define MC_PRODUCT_DESC_MAX    5000               /* characters; a page of text */
#define MC_CATEGORY_MAX        64                 /* characters */
#define MC_URL_MAX             2048               /* de-facto browser URL limit */
#define MC_PRICE_MAX           100000000000LL     /* 1e9 major units: beyond any real price, far from overflow */
#define MC_STOCK_MAX           1000000000LL       /* units per product */
#define MC_SALE_PCT_MIN        1                  /* DESIGN: salePercentage 1..90; a sale never gives a product away */
#define MC_SALE_PCT_MAX        90
#define MC_COUPON_PCT_MIN      1                  /* DESIGN: discountPercentage 1..100 */
#define MC_COUPON_PCT_MAX      100
#define MC_SEARCH_TERMS_MAX    8                  /* words in a search query */
#define MC_CACHE_ENTRIES       16384              /* cached catalog responses per node: every product page of a 10k catalog fits */
#define MC_CACHE_BYTES         (12 * 1024 * 1024) /* bytes of cached responses per node (~0.8 KB a product page): keeps RSS small */
#define MC_CACHE_POLL_US       1000000            /* how often a node re-reads the catalog version (1 s) */
#define MC_REVOCATION_POLL_US  250000             /* how often a node re-reads the revocation version: a token revoked on another node is refused here within this (DESIGN section 9 allows a second), and it costs one read per poll instead of one per request */
#define MC_STOCK_TRACKED       32768              /* products whose live stock a node splices into cached responses (3x the 10k catalog the cache holds); a response showing another is not cached */
#define MC_STOCK_DIRTY         1024               /* products this node changed awaiting a re-read; more re-reads them all */
#define MC_RATING_COUNT_MAX    1000000000LL       /* ratings of one product: beyond any real shop; rate * count stays exact */
#define MC_REVIEW_COMMENT_MAX  2000               /* characters of a review comment: a few paragraphs (issue 6) */
#define MC_MEDIA_BASE_MAX      1024               /* characters of the S3 endpoint or public media URL: room for the key after it within MC_URL_MAX */
#define MC_IMPORT_FILE_MAX     (16 * 1024 * 1024) /* Fake Store import file: the real catalogue is ~10 KB; bounds memory */

/* Carts and orders */
#define MC_CART_QTY_MAX        999                /* units of one product in a cart (DESIGN section 6) */
#define MC_CART_LINES_MAX      100                /* distinct products in one cart: bounds every per-order loop and sum; the 101st is 409 cart_full */
#define MC_ORDER_TOTAL_MAX     1000000000000LL    /* minor units a cart or order may total (10^10 major units): 10 lines at MC_PRICE_MAX, and every
						     sum of a cart stays 10^6 times below int64 overflow */
#define MC_IDEM_KEY_MAX        255                /* Idempotency-Key length (Stripe's limit) */
#define MC_IDEM_TTL            (24 * 3600)        /* stored results are replayed for 24 h */
#define MC_CANCEL_REASON_MAX   500                /* characters */
#define MC_COUPON_FAILS_MAX    20                 /* coupon previews that did not apply, per user ... */
#define MC_COUPON_FAILS_WINDOW 600                /* ... per 10 minutes: more than a shopper mistypes; a guesser gets 2 a minute */

/* Address books */
#define MC_ADDRESSES_MAX       10                 /* saved addresses per user: home, work, family; bounds the book */
#define MC_ADDRESS_LINE_MAX    200                /* characters of a street line, a city or a region */
#define MC_POSTAL_CODE_MAX     16                 /* characters: the longest national formats are ~10 */
#define MC_PHONE_MAX           32                 /* characters: E.164 is 15 digits, plus spacing and an extension */

/* Media in an S3-compatible store */
#define MC_S3_CONNECT_TIMEOUT  5                  /* seconds to reach the store: a request thread waits on it */
#define MC_S3_TIMEOUT          30                 /* seconds for one object (5 MiB at >= 1.4 Mbit/s) */
#define MC_S3_ERROR_BODY_MAX   (64 * 1024)        /* bytes of a store's answer to a PUT or DELETE kept (an XML error) */
#define MC_UPLOAD_URL_TTL      300                /* a presigned upload URL lives 5 minutes (one key, one product) */

/* Tokens */
#define MC_JWT_MAX             2048               /* longer Authorization values are refused unparsed */
#define MC_JWT_SECRET_MIN      32                 /* HS256 key bytes; shorter is refused in production */
#define MC_TOKEN_LEEWAY        30                 /* seconds a token outlives its exp: nodes' clocks (NTP-synced) may differ this much */
#define MC_JTI_LEN             32                 /* hex characters of a 128-bit token id */
#define MC_TOKEN_CACHE_LEN     320                /* bytes of a cached token with its NUL: ours are ~220; longer ones are verified every time */
#define MC_TOKEN_CACHE_SLOTS   2048               /* verified tokens kept per HTTP thread, in pairs (even number), one per active client: a miss costs an HMAC and a revocation read (64 slots thrashed with 200 clients) */
#define MC_OPAQUE_TOKEN_BYTES  32                 /* random bytes of a refresh token or reset link: 256 bits, beyond guessing */
#define MC_OPAQUE_TOKEN_LEN    64                 /* hex characters of one, and of the SHA-256 the database keeps instead */
#define MC_RESET_TTL           (30 * 60)          /* a password-reset link works for 30 minutes, once */
#define MC_STOREFRONT_URL_MAX  512                /* bytes of MERCATO_STOREFRONT_URL: a reset link (it, the path and a token) stays far below MC_URL_MAX */
#define MC_RESET_EMAILS_MAX    3                  /* reset emails per account ... */
#define MC_RESET_EMAILS_WINDOW 3600               /* ... per hour; more requests still answer 202 and send nothing (no mailbox flooding) */
#define MC_SESSIONS_MAX        32                 /* active sessions per account: a sign-in past it ends the least recently used (bounds the rows a user can make) */
#define MC_SESSION_ENDED_KEEP  (31 * 86400)       /* an ended session's row outlives every access token issued in it (MERCATO_JWT_TTL is at most 30 days): they stay revoked */
#define MC_USER_AGENT_MAX      200                /* bytes of User-Agent a session keeps: it only labels the session in a list */

/* Rate limiting */
#define MC_RATE_BUCKETS        4096               /* tracked client IPs per limiter; oldest evicted */

/* Database */
#define MC_DB_STMT_CACHE       256                /* distinct SQL statements cached per connection (power of 2) */
#define MC_DB_MAX_PARAMS       32                 /* bound parameters in one statement */
#define MC_DB_BUSY_TIMEOUT_MS  10000              /* SQLite waits this long for the write lock */
#define MC_DB_CONNECT_TIMEOUT  "5"                /* seconds for one PostgreSQL connect: a reconnect never hangs a thread long */
#define MC_DB_RECONNECT_MIN_MS 100                /* first wait after a failed reconnect; doubles per failure */
#define MC_DB_RECONNECT_MAX_MS 1000               /* longest wait between reconnects: back within a second of the database */
#define MC_DB_IDLE_PROBE_US    1000000            /* a connection idle this long is checked for a server goodbye before use */
#define MC_BATCH_MAX           64                 /* requests in one write batch: bounds the wait of its first answer and the write lock's hold */
#define MC_STORE_AFTER_TXN     4                  /* distinct actions waiting for one transaction's end (cache flush, a test delay) */
#define MC_PG_PIPELINE         16                 /* savepoint commands and started statements waiting for one round trip (db_send): a request's release, the next one's savepoint and a few writes, with room; more waits for a round trip of its own */
#define MC_SAVEPOINT_SQL_LEN   64                 /* bytes of one savepoint command ("ROLLBACK TO SAVEPOINT sp12") */
#define MC_SQLITE_TXN_STMTS    16                 /* transaction commands a SQLite connection keeps prepared: BEGIN, BEGIN IMMEDIATE, COMMIT, ROLLBACK, and three savepoint verbs at depths 2 to 5 */
#define MC_SQLITE_CACHE_KIB    1024               /* page cache per connection: hot reads come from the response cache */
#define MC_SQLITE_CKPT_PAGES   4000               /* WAL pages before a checkpoint (SQLite: 1000): a hot page (stock, carts) is copied once per round; 16 MB of WAL */

/* Background jobs and email */
#define MC_JOB_BATCH           8                  /* jobs a worker claims at once: few round trips; a crash re-sends at most these */
#define MC_JOB_ERROR_MAX       300                /* bytes of last_error kept: one SMTP reply line */
#define MC_JOB_BACKOFF_MAX_MS  (6 * 3600 * 1000LL)/* longest wait between two attempts: a retry still lands the same day */
#define MC_SMTP_CONNECT_TIMEOUT 10                /* seconds to reach the SMTP server */
#define MC_SMTP_TIMEOUT        25                 /* seconds for one delivery; MC_JOB_BATCH of them fit the default job lease */
#define MC_SCHED_LEASE_MS      (10 * 60 * 1000)   /* a scheduler's hold on a running timed job; another node takes over after it */
#define MC_SCHED_LEASE_WAIT_MS (15 * 60 * 1000)   /* --run-once waits this long for another node's run to finish */
#define MC_SCHED_BATCH         100                /* rows one timed-job transaction handles: short write locks */
#define MC_SCHED_EVERY_EXPIRE  60                 /* seconds between unpaid-order expiry runs */
#define MC_SCHED_EVERY_SALES   60                 /* seconds between sale-start checks: emails within a minute of the start */
#define MC_SCHED_EVERY_CLEANUP 3600               /* seconds between cleanup runs */
#define MC_SCHED_RETRY         2                  /* seconds before a run the unreachable database refused is tried again */
#define MC_SALE_NOTIFY_WINDOW  (24 * 3600)        /* older sale starts are not announced: no stale news after an outage */
#define MC_DIGEST_THROTTLE     (20 * 3600)        /* one promotional digest per user per 20 h, whatever the schedule */
#define MC_DIGEST_PRODUCTS     10                 /* products listed in a digest */
#define MC_GUEST_CART_IDLE     (90 * 86400)       /* guest carts untouched this long are deleted (DESIGN section 6) */
#define MC_JOB_DONE_KEEP       (7 * 86400)        /* delivered jobs stay visible to admins this long */

#endif
