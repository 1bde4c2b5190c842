/* THE route table. Literal segments must come before parameter segments at
 * the same depth (first match wins). */
#include "api/api.h"

const struct route api_routes[] = {
	/* ops */
	{ HTTP_GET, "/healthz", api_health_live, AUTH_PUBLIC, 0, ROUTE_PROBE },
	{ HTTP_GET, "/readyz", api_health_ready, AUTH_PUBLIC, 0, ROUTE_PROBE },
	{ HTTP_GET, "/metrics", api_metrics, AUTH_PUBLIC, 0, ROUTE_PROBE },
	{ HTTP_GET, "/api/openapi.json", api_docs_openapi, AUTH_PUBLIC, 0, 0 },
	{ HTTP_GET, "/docs", api_docs_page, AUTH_PUBLIC, 0, 0 },
	{ HTTP_GET, "/docs/:asset", api_docs_asset, AUTH_PUBLIC, 0, 0 },

	/* the storefront (web/, embedded) */
	{ HTTP_GET, "/", api_web_page, AUTH_PUBLIC, 0, 0 },
	{ HTTP_GET, "/static/:version/:file", api_web_static, AUTH_PUBLIC, 0, 0 },

	/* auth and profile */
	{ HTTP_POST, "/api/auth/register", api_auth_register, AUTH_PUBLIC, 0, ROUTE_AUTH_RATE },
	{ HTTP_POST, "/api/auth/login", api_auth_login, AUTH_PUBLIC, 0, ROUTE_AUTH_RATE },
	{ HTTP_POST, "/api/auth/logout", api_auth_logout, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/auth/logout-all", api_auth_logout_all, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/auth/refresh", api_auth_refresh, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/auth/forgot-password", api_auth_forgot_password, AUTH_PUBLIC, 0, ROUTE_AUTH_RATE },
	{ HTTP_POST, "/api/auth/reset-password", api_auth_reset_password, AUTH_PUBLIC, 0, ROUTE_AUTH_RATE },
	{ HTTP_GET, "/api/auth/me", api_users_me, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/users/me", api_users_me, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/users/me", api_users_update_me, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/users/me/addresses", api_addresses_list, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/users/me/addresses", api_addresses_create, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/users/me/addresses/:id", api_addresses_get, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/users/me/addresses/:id", api_addresses_update, AUTH_USER, 0, 0 },
	{ HTTP_DELETE, "/api/users/me/addresses/:id", api_addresses_delete, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/users/me/sessions", api_users_sessions_list, AUTH_USER, 0, 0 },
	{ HTTP_DELETE, "/api/users/me/sessions/:id", api_users_sessions_end, AUTH_USER, 0, 0 },

	/* catalog */
	{ HTTP_GET, "/api/products", api_products_list, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/products", api_products_create, AUTH_SELLER, 0, 0 },
	{ HTTP_POST, "/api/products/seed", api_products_seed, AUTH_ADMIN, 0, 0 },
	{ HTTP_GET, "/api/products/:id", api_products_get, AUTH_PUBLIC, 0, 0 },
	{ HTTP_PUT, "/api/products/:id", api_products_put, AUTH_SELLER, 0, 0 },
	{ HTTP_PATCH, "/api/products/:id", api_products_patch, AUTH_SELLER, 0, 0 },
	{ HTTP_DELETE, "/api/products/:id", api_products_delete, AUTH_SELLER, 0, 0 },
	{ HTTP_POST, "/api/products/:id/sale", api_products_sale, AUTH_SELLER, 0, 0 },
	{ HTTP_POST, "/api/products/:id/image", api_products_image, AUTH_SELLER, MC_MAX_IMAGE_BODY, 0 },
	{ HTTP_POST, "/api/products/:id/image-upload", api_products_image_upload, AUTH_SELLER, 0, 0 },
	{ HTTP_GET, "/api/categories", api_categories_list, AUTH_PUBLIC, 0, 0 },

	/* reviews: buyers write (the domain checks the purchase), anyone reads, admins moderate */
	{ HTTP_POST, "/api/products/:id/review", api_reviews_post, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/products/:id/reviews", api_reviews_post, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/products/:id/reviews", api_reviews_list, AUTH_PUBLIC, 0, 0 },
	{ HTTP_DELETE, "/api/products/:id/reviews/:reviewId", api_reviews_delete, AUTH_ADMIN, 0, 0 },

	/* media: content-addressed files, public */
	{ HTTP_GET, "/media/products/:file", api_media_product, AUTH_PUBLIC, 0, 0 },

	/* cart: guests by cookie, users by token; every seed's variant */
	{ HTTP_GET, "/api/cart", api_cart_get, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/cart", api_cart_add, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/cart/add", api_cart_add, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/cart/items", api_cart_add, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/cart/remove", api_cart_remove, AUTH_PUBLIC, 0, 0 },
	{ HTTP_POST, "/api/cart/clear", api_cart_clear, AUTH_PUBLIC, 0, 0 },
	{ HTTP_PUT, "/api/cart/items/:productId", api_cart_set, AUTH_PUBLIC, 0, 0 },
	{ HTTP_DELETE, "/api/cart/items/:productId", api_cart_delete, AUTH_PUBLIC, 0, 0 },
	{ HTTP_PUT, "/api/cart/:productId", api_cart_set, AUTH_PUBLIC, 0, 0 },
	{ HTTP_DELETE, "/api/cart/:productId", api_cart_delete, AUTH_PUBLIC, 0, 0 },
	/* A user's cart by id; /api/cart/:userId is the seed's alias (its shape
	 * clashes with /api/cart/:productId, so the document lists it only as
	 * x-mercato-aliases). */
	{ HTTP_GET, "/api/users/:userId/cart", api_cart_user_get, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/users/:userId/cart", api_cart_user_post, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/cart/:userId", api_cart_user_get, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/cart/:userId", api_cart_user_post, AUTH_USER, 0, 0 },

	/* wishlist: always the caller's own */
	{ HTTP_POST, "/api/wishlist", api_wishlist_add, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/wishlist", api_wishlist_list, AUTH_USER, 0, 0 },
	{ HTTP_DELETE, "/api/wishlist/:productId", api_wishlist_remove, AUTH_USER, 0, 0 },

	/* checkout and orders */
	{ HTTP_POST, "/api/checkout", api_checkout, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/orders", api_checkout, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/orders", api_orders_list, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/orders/:id", api_orders_get, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/orders/:id", api_orders_set_status, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/orders/:id/status", api_orders_set_status, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/orders/:id/cancel", api_orders_cancel, AUTH_USER, 0, 0 },
	{ HTTP_POST, "/api/orders/:id/refund", api_orders_refund, AUTH_ADMIN, 0, 0 },
	{ HTTP_POST, "/api/orders/:id/confirm", api_orders_confirm, AUTH_USER, 0, 0 },

	/* payments (mock processor) */
	{ HTTP_POST, "/api/payments", api_payments_create, AUTH_USER, 0, 0 },
	{ HTTP_GET, "/api/payments/:id", api_payments_get, AUTH_USER, 0, 0 },

	/* coupons */
	{ HTTP_POST, "/api/coupons", api_coupons_create, AUTH_SELLER, 0, 0 },
	{ HTTP_GET, "/api/coupons", api_coupons_list, AUTH_SELLER, 0, 0 },
	{ HTTP_GET, "/api/coupons/apply", api_coupons_apply, AUTH_USER, 0, 0 },
	{ HTTP_PATCH, "/api/coupons/:id", api_coupons_update, AUTH_SELLER, 0, 0 },

	/* background jobs (the email outbox) */
	{ HTTP_GET, "/api/admin/jobs", api_jobs_list, AUTH_ADMIN, 0, 0 },
	{ HTTP_POST, "/api/admin/jobs/:id/retry", api_jobs_retry, AUTH_ADMIN, 0, 0 },
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
