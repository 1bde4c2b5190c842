// A small typed Mercato client over the types openapi-typescript generates
// from docs/openapi.json (scripts/run_contract.sh writes them to
// build/contract/mercato-api.d.ts and type-checks this file with tsc --strict).
// It covers the main flows; the checks at the bottom fail the build when the
// document gives any operation a body type TypeScript cannot use.
import type { components, operations, paths } from "../../build/contract/mercato-api";

type Schemas = components["schemas"];
type Method = "get" | "post" | "put" | "patch" | "delete";
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON request body of an operation (never when it takes none). */
type JsonBody<O> = O extends { requestBody?: infer RB }
  ? NonNullable<RB> extends { content: { "application/json": infer B } } ? B : never
  : never;

/** The union of an operation's 2xx JSON response bodies. */
type Ok<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 ? R[S] extends { content: { "application/json": infer B } } ? B : never : never }[keyof R]
  : never;

type PathParams<O> = O extends { parameters: { path?: infer PP } } ? NonNullable<PP> : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export class MercatoError extends Error {
  constructor(readonly status: number, readonly problem: Schemas["Problem"] | null) {
    super(problem ? `${status} ${problem.code}: ${problem.detail}` : `HTTP ${status}`);
  }
}

export class Mercato {
  token: string | null = null;

  constructor(readonly baseUrl = "http://127.0.0.1:8080") {}

  async call<P extends keyof paths, M extends Method>(
    method: M,
    path: P,
    opts: { params?: PathParams<Op<P, M>>; query?: Query<Op<P, M>>; body?: JsonBody<Op<P, M>>; headers?: Record<string, string> } = {},
  ): Promise<Ok<Op<P, M>>> {
    const params: Record<string, unknown> = opts.params ?? {};
    let url = this.baseUrl + String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query.set(k, String(v));
    if (query.size) url += "?" + query.toString();
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(url, { method: method.toUpperCase(), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    if (!r.ok) throw new MercatoError(r.status, r.headers.get("Content-Type")?.startsWith("application/problem+json") ? await r.json() : null);
    return (r.status === 204 ? undefined : await r.json()) as Ok<Op<P, M>>;
  }

  // --- the main flows --------------------------------------------------------

  async register(body: Schemas["RegisterRequest"]): Promise<Schemas["AuthSession"]> {
    const s = await this.call("post", "/api/auth/register", { body });
    this.token = s.token;
    return s;
  }

  async login(email: string, password: string): Promise<Schemas["User"]> {
    const s = await this.call("post", "/api/auth/login", { body: { email, password } });
    this.token = s.token;
    return s.user;
  }

  async logout(): Promise<void> {
    await this.call("post", "/api/auth/logout");
    this.token = null;
  }

  products(query: Query<Op<"/api/products", "get">> = {}): Promise<Schemas["ProductList"]> {
    return this.call("get", "/api/products", { query });
  }

  createProduct(body: Schemas["ProductCreate"]): Promise<Schemas["Product"]> {
    return this.call("post", "/api/products", { body });
  }

  addToCart(productId: number, qty = 1): Promise<Schemas["Cart"]> {
    return this.call("post", "/api/cart/items", { body: { productId, qty } });
  }

  userCart(userId: number): Promise<Schemas["Cart"]> {
    return this.call("get", "/api/users/{userId}/cart", { params: { userId } });
  }

  checkout(idempotencyKey: string, body: Schemas["CheckoutRequest"] = {}): Promise<Schemas["CheckoutReceipt"]> {
    return this.call("post", "/api/checkout", { body, headers: { "Idempotency-Key": idempotencyKey } });
  }

  pay(orderId: number, method: Schemas["PaymentRequest"]["method"]): Promise<Schemas["PaymentCreated"]> {
    return this.call("post", "/api/payments", { body: { orderId, method } });
  }

  orders(): Promise<Schemas["OrderList"]> {
    return this.call("get", "/api/orders");
  }

  order(id: number): Promise<Schemas["Order"]> {
    return this.call("get", "/api/orders/{id}", { params: { id } });
  }
}

/** A buyer's whole visit; compiled, not run, by the contract check. */
export async function buyerFlow(shop: Mercato, email: string): Promise<Schemas["OrderStatus"]> {
  await shop.register({ name: "Asha", email, password: "correct horse" });
  await shop.login(email, "correct horse");
  const first = (await shop.products({ limit: 5, sort: "price" })).items[0];
  if (!first) throw new Error("empty catalog");
  const cart = await shop.addToCart(first.id, 2);
  const receipt = await shop.checkout(crypto.randomUUID(), { expectedTotal: cart.total });
  const paid = await shop.pay(receipt.id, "UPI");
  const mine = await shop.orders();
  await shop.logout();
  return mine.items.some((o) => o.id === receipt.id) ? paid.orderStatus : (await shop.order(receipt.id)).status;
}

// --- the contract's own checks ----------------------------------------------

// The document's bodies must be concrete: a string is not a product.
export function wrongBodies(shop: Mercato): void {
  // @ts-expect-error a string is not a ProductCreate
  void shop.createProduct("a product");
  // @ts-expect-error price is required
  void shop.createProduct({ name: "No price" });
  // @ts-expect-error a cart line needs a productId
  void shop.call("post", "/api/cart/items", { body: { qty: 1 } });
}

/** true when T is unknown (or any): a body type a client cannot use. */
type IsUnknown<T> = unknown extends T ? true : false;
type AnyBody<O> = O extends { responses: infer R }
  ? { [S in keyof R]: R[S] extends { content?: infer C } ? NonNullable<C>[keyof NonNullable<C>] : never }[keyof R]
  : never;
type RequestBody<O> = O extends { requestBody?: infer RB }
  ? NonNullable<RB> extends { content: infer C } ? C[keyof C] : never
  : never;
/** The operations whose request or response bodies are unknown, by name. */
type UnknownBodies = {
  [K in keyof operations]: IsUnknown<RequestBody<operations[K]>> extends true
    ? `${K} request body`
    : IsUnknown<AnyBody<operations[K]>> extends true ? `${K} response body` : never;
}[keyof operations];
// When an operation's body is unknown, tsc's error names it here.
export function noUnknownBodies<T extends never>(): void {}
noUnknownBodies<UnknownBodies>();
