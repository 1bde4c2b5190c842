// The storefront in a real browser: the buyer's path from seed 000, a
// seller's product with an image and a sale, an admin shipping an order, a
// coupon at checkout, an out-of-stock checkout, and the page's own promises
// (request count, security headers, no CSP violations). Every wait is on
// what the page shows.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Server, launch, newPage, screenshot, png, money, ADMIN, DEMO_PASSWORD } = require('./harness.js');

const WAIT = 15000;
let server;
let browser;
let seq = 0;
// Each run has a fresh database: a counter keeps names apart.
const unique = (what) => what + ' No. ' + ++seq;

before(async () => {
  server = new Server();
  await server.start();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const see = (locator) => locator.waitFor({ state: 'visible', timeout: WAIT });
const card = (page, name) => page.locator('article.card', { has: page.getByRole('link', { name, exact: true }) });
const orderRow = (page, id) => page.locator('tr[data-order-id="' + id + '"]');

async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/#/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await see(page.getByRole('button', { name: 'Sign out' }));
}

async function newBuyer() {
  const email = 'buyer' + ++seq + '@e2e.test';
  const r = await server.api('POST', '/api/auth/register', { name: 'Test Buyer', email, password: 'buyer-password-1' });
  return { email, password: 'buyer-password-1', token: r.token };
}

// A product of the demo seller with its own stock, so tests do not share it.
async function sellerProduct(fields = {}) {
  const token = await server.login('seller1@mercato.dev');
  const p = await server.api('POST', '/api/products', { name: unique('Steel Kettle'), price: 129900, category: 'Kitchen',
    stock: 10, description: 'A kettle for the tests.', ...fields }, token);
  return { ...p, sellerToken: token };
}

// One unit of p ordered through the API, paid with UPI if `pay`.
async function buy(buyer, p, pay) {
  await server.api('POST', '/api/cart', { productId: p.id, qty: 1 }, buyer.token);
  const order = await server.api('POST', '/api/checkout', { expectedTotal: p.effectivePrice }, buyer.token);
  if (pay) await server.api('POST', '/api/payments', { orderId: order.id, method: 'UPI' }, buyer.token);
  return order;
}

test('the catalog renders in at most 3 requests besides images, under a strict CSP', async () => {
  const page = await newPage(browser, server);
  const res = await page.goto('/');
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers()['cache-control'], 'no-cache');
  assert.ok(res.headers().etag);
  await see(page.locator('#grid article.card').first());
  assert.equal(await page.locator('#grid article.card').count(), 12);
  // Everything fetched before the grid was on screen, images aside.
  const before = await page.evaluate(() => {
    const mark = performance.getEntriesByName('rendered:/')[0].startTime;
    return performance.getEntriesByType('resource')
      .filter((e) => e.startTime <= mark && e.initiatorType !== 'img').map((e) => e.name);
  });
  assert.ok(before.length + 1 <= 3, 'the page plus ' + before.join(', '));
  const script = before.find((u) => u.includes('/static/'));
  const asset = await page.request.get(script);
  assert.equal(asset.headers()['cache-control'], 'public, max-age=31536000, immutable');
  // Search and filters reach the API and the grid.
  await page.getByLabel('Search').fill('chess');
  await page.getByLabel('Search').press('Enter');
  await see(page.getByRole('heading', { name: /Results for/ }));
  await see(page.locator('#grid article.card').first());
  for (const name of await page.locator('#grid article.card h2').allTextContents()) assert.match(name, /chess/i);
  await page.goto('/');
  await see(page.locator('#grid article.card').first());
  await screenshot(page, 'catalog');
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('seed 000: a guest adds two products, creates an account, checks out and pays with UPI', async () => {
  const page = await newPage(browser, server);
  await page.goto('/');
  const cards = page.locator('#grid article.card');
  await see(cards.nth(1));
  const ids = [Number(await cards.nth(0).getAttribute('data-product-id')), Number(await cards.nth(1).getAttribute('data-product-id'))];
  const products = await Promise.all(ids.map((id) => server.api('GET', '/api/products/' + id)));
  const expected = products[0].effectivePrice + products[1].effectivePrice;

  // The product page, then the grid's own button for the second one.
  await page.getByRole('link', { name: products[0].name, exact: true }).click();
  await see(page.getByRole('heading', { name: products[0].name }));
  await screenshot(page, 'product');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await see(page.getByRole('link', { name: 'Cart (1)' }));
  await page.getByRole('link', { name: 'Shop' }).click();
  await card(page, products[1].name).getByRole('button', { name: 'Add to cart' }).click();
  await see(page.getByRole('link', { name: 'Cart (2)' }));

  await page.getByRole('link', { name: /^Cart/ }).click();
  await see(page.locator('#cart-total').getByText(money(expected)));
  assert.equal(await page.getByRole('button', { name: 'Remove' }).count(), 2);
  await screenshot(page, 'cart');
  await page.getByRole('button', { name: 'Checkout' }).click();

  // Not signed in: the sign-in page, then "create an account".
  await see(page.getByRole('heading', { name: 'Sign in' }));
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill('Priya Raman');
  await page.getByLabel('Email').fill('priya@e2e.test');
  await page.getByLabel('Password').fill('priya-password-1');
  await screenshot(page, 'create-account');
  await page.getByRole('button', { name: 'Create account' }).click();

  // The merge report, and the merged cart at checkout.
  await see(page.getByText('Your guest cart was merged into your account: 2 products (2 items).'));
  await see(page.getByRole('heading', { name: 'Checkout' }));
  await see(page.locator('#checkout-total').getByText(money(expected)));
  await screenshot(page, 'checkout');
  await page.getByRole('button', { name: 'Place order' }).click();

  // The receipt: order number and total; then pay with UPI.
  const heading = page.getByRole('heading', { name: /^Order #\d+$/ });
  await see(heading);
  const orderId = (await heading.textContent()).replace('Order #', '');
  assert.equal(await page.locator('#order-number').textContent(), orderId);
  assert.equal(await page.locator('#order-total').textContent(), money(expected));
  await see(page.locator('#order-status').getByText('pending_payment'));
  await page.getByLabel('UPI').check();
  await screenshot(page, 'receipt');
  await page.getByRole('button', { name: 'Pay' }).click();
  await see(page.locator('#order-status').getByText('processing', { exact: true }));
  await see(page.getByRole('link', { name: 'Cart', exact: true }));

  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await see(orderRow(page, orderId).getByText('processing'));
  await screenshot(page, 'orders');
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('a seller creates a product with an image and a sale and finds it in the grid', async () => {
  const page = await newPage(browser, server);
  await signIn(page, 'seller1@mercato.dev');
  await page.getByRole('link', { name: 'Seller' }).click();
  await see(page.getByRole('heading', { name: 'Seller' }));
  await page.getByRole('link', { name: 'New product' }).click();
  const name = 'Brass Diya, Hand-Polished';
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Description').fill('Hand-polished <b>brass</b> lamp.');
  await page.getByLabel('Price (₹)').fill('799.50');
  await page.getByLabel('Category').fill('Home');
  await page.getByLabel('Stock').fill('25');
  await page.getByLabel('Image').setInputFiles({ name: 'diya.png', mimeType: 'image/png', buffer: png(48, 48, [201, 140, 40]) });
  await page.getByLabel('Sale percentage').fill('20');
  await screenshot(page, 'seller-new-product');
  await page.getByRole('button', { name: 'Save product' }).click();
  await see(page.getByText('Saved ' + name + '.'));
  await see(page.getByRole('link', { name: 'Edit ' + name }));
  await screenshot(page, 'seller-products');

  await page.getByRole('link', { name: 'Shop' }).click();
  await page.getByLabel('Search').fill(name);
  await page.getByLabel('Search').press('Enter');
  const c = card(page, name);
  await see(c);
  await see(c.getByText('Sale −20%'));
  await see(c.getByText(/^Sale ends in /));
  await see(c.getByText(money(63960))); // 799.50 less 20%
  assert.match(await c.locator('img').getAttribute('src'), /^\/media\/products\//);
  assert.ok(await c.locator('img').evaluate((img) => img.complete && img.naturalWidth === 48));
  // The description is text, not markup.
  await c.getByRole('link', { name, exact: true }).click();
  await see(page.getByText('Hand-polished <b>brass</b> lamp.'));
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('an admin ships an order and the buyer sees it shipped', async () => {
  const buyer = await newBuyer();
  const order = await buy(buyer, await sellerProduct(), true);

  const admin = await newPage(browser, server);
  await signIn(admin, ADMIN.email, ADMIN.password);
  await admin.getByRole('link', { name: 'Admin' }).click();
  const row = orderRow(admin, order.id);
  await see(row.getByText('processing'));
  await screenshot(admin, 'admin-orders');
  await row.getByRole('button', { name: 'Mark shipped' }).click();
  await see(orderRow(admin, order.id).getByText('shipped', { exact: true }));
  await admin.getByRole('link', { name: 'Email jobs' }).click();
  await see(admin.locator('tr[data-job-id]').first());
  await screenshot(admin, 'admin-jobs');
  assert.deepEqual(admin.cspErrors, []);
  await admin.context().close();

  const page = await newPage(browser, server);
  await signIn(page, buyer.email, buyer.password);
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await see(orderRow(page, order.id).getByText('shipped', { exact: true }));
  assert.equal(await orderRow(page, order.id).getByRole('button', { name: 'Cancel order' }).count(), 0);
  await page.context().close();
});

test('a coupon created by the admin is applied at checkout', async () => {
  const admin = await newPage(browser, server);
  await signIn(admin, ADMIN.email, ADMIN.password);
  await admin.getByRole('link', { name: 'Admin' }).click();
  await admin.getByRole('link', { name: 'Coupons' }).click();
  const code = 'FESTIVE15';
  await admin.getByLabel('Code').fill(code);
  await admin.getByLabel('Discount percentage').fill('15');
  await admin.getByRole('button', { name: 'Create coupon' }).click();
  await see(admin.getByRole('cell', { name: code, exact: true }));
  await screenshot(admin, 'admin-coupons');
  await admin.context().close();

  const buyer = await newBuyer();
  const p = await sellerProduct();
  await server.api('POST', '/api/cart', { productId: p.id, qty: 2 }, buyer.token);
  const preview = await server.api('GET', '/api/coupons/apply?code=' + code, undefined, buyer.token);
  assert.equal(preview.valid, true);

  const page = await newPage(browser, server);
  await signIn(page, buyer.email, buyer.password);
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await see(page.locator('#checkout-total').getByText(money(2 * p.effectivePrice)));
  await page.getByLabel('Coupon code').fill('nope-' + code);
  await page.getByRole('button', { name: 'Apply' }).click();
  await see(page.getByText('cannot be used'));
  await page.getByLabel('Coupon code').fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Apply' }).click();
  await see(page.getByText('Coupon ' + code + ' applied'));
  await see(page.locator('#checkout-total').getByText(money(preview.payableAmount)));
  await page.getByRole('button', { name: 'Place order' }).click();
  await see(page.getByRole('heading', { name: /^Order #\d+$/ }));
  assert.equal(await page.locator('#order-total').textContent(), money(preview.payableAmount));
  await see(page.getByText('Discount (' + code + ')'));
  await page.context().close();
});

test('a checkout of a product that sold out shows a clear message', async () => {
  const p = await sellerProduct({ stock: 3 });
  const page = await newPage(browser, server);
  const buyer = await newBuyer();
  await signIn(page, buyer.email, buyer.password);
  await page.goto('/#/product/' + p.id);
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await see(page.getByRole('link', { name: 'Cart (2)' }));
  // Meanwhile the seller's last units go elsewhere.
  await server.api('PATCH', '/api/products/' + p.id, { stock: 0 }, p.sellerToken);

  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Place order' }).click();
  const alert = page.getByRole('alert');
  await see(alert);
  assert.match(await alert.textContent(), /^Out of stock: only 0 of Steel Kettle No\. \d+ left\. Update your cart and place the order again\.$/);
  await see(alert.getByRole('link', { name: 'Update your cart' }));
  await screenshot(page, 'checkout-out-of-stock');
  const orders = await server.api('GET', '/api/orders', undefined, buyer.token);
  assert.equal(orders.total, 0);
  await page.context().close();
});

test('a buyer keeps a wishlist, reviews what they bought and cancels an unpaid order', async () => {
  const buyer = await newBuyer();
  const p = await sellerProduct();
  const paid = await buy(buyer, p, true);
  const unpaid = await buy(buyer, p, false);

  const page = await newPage(browser, server);
  await signIn(page, buyer.email, buyer.password);
  await page.goto('/#/product/' + p.id);
  await page.getByRole('button', { name: 'Add to wishlist' }).click();
  await see(page.getByText('Saved to your wishlist'));
  await page.getByRole('link', { name: 'Wishlist' }).click();
  await see(card(page, p.name));
  await screenshot(page, 'wishlist');
  await card(page, p.name).getByRole('button', { name: 'Remove' }).click();
  await see(page.getByText('Nothing saved yet.'));

  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await orderRow(page, unpaid.id).getByRole('button', { name: 'Cancel order' }).click();
  await see(orderRow(page, unpaid.id).getByText('cancelled'));
  await page.getByRole('link', { name: 'Order #' + paid.id }).click();
  await page.getByRole('link', { name: 'Write a review' }).click();
  await see(page.getByRole('heading', { name: p.name }));
  await page.getByLabel('Rating').selectOption('4');
  await page.getByLabel('Comment').fill('Boils fast. <img src=x onerror=alert(1)>');
  await page.getByRole('button', { name: 'Post review' }).click();
  await see(page.getByText('Thank you for your review.'));
  await see(page.getByText('Boils fast. <img src=x onerror=alert(1)>'));
  await see(page.getByText('★ 4.0 (1 review)'));
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('the category filter lists the categories from the API, and the footer links the API docs', async () => {
  const p = await sellerProduct({ category: unique('Lanterns') });
  const expected = (await server.api('GET', '/api/categories?limit=100')).items.map((c) => c.name);
  assert.ok(expected.includes(p.category));
  const page = await newPage(browser, server);
  const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/categories', { timeout: WAIT });
  await page.goto('/');
  assert.equal((await listed).status(), 200);
  const select = page.getByLabel('Category');
  await select.locator('option[value="' + expected[expected.length - 1] + '"]').waitFor({ state: 'attached', timeout: WAIT });
  assert.deepEqual(await select.locator('option').allTextContents(), ['All categories', ...expected]);
  await select.selectOption(p.category);
  // The unfiltered grid shows the new product too: wait for the filtered one.
  await page.waitForFunction(() => document.querySelectorAll('#grid article.card').length === 1, null,
    { timeout: WAIT });
  await see(card(page, p.name));
  assert.equal(await page.locator('#grid article.card').count(), 1);
  assert.equal(await page.getByRole('link', { name: 'API docs' }).getAttribute('href'), '/docs');
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('a buyer checks out to a new shipping address, saved to the address book and shown on the receipt', async () => {
  const buyer = await newBuyer();
  const p = await sellerProduct();
  await server.api('POST', '/api/cart', { productId: p.id, qty: 1 }, buyer.token);
  const page = await newPage(browser, server);
  await signIn(page, buyer.email, buyer.password);
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByLabel('Ship to').selectOption({ label: 'A new address…' });
  await page.getByLabel('Name').fill('Asha <b>Rao</b>');
  await page.getByLabel('Address line 1').fill('12 MG Road');
  await page.getByLabel('City').fill('Bengaluru');
  await page.getByLabel('Postal code').fill('560001');
  await page.getByLabel('Country').fill('IN');
  await screenshot(page, 'checkout-address');
  await page.getByRole('button', { name: 'Place order' }).click();
  await see(page.getByRole('heading', { name: /^Order #\d+$/ }));
  const shipTo = page.locator('#ship-to');
  await see(shipTo);
  assert.deepEqual(await shipTo.locator('div').allTextContents(), ['Asha <b>Rao</b>', '12 MG Road', 'Bengaluru 560001', 'IN']);
  const book = await server.api('GET', '/api/users/me/addresses', undefined, buyer.token);
  assert.deepEqual(book.items.map((a) => [a.name, a.city, a.isDefault]), [['Asha <b>Rao</b>', 'Bengaluru', true]]);
  // The next checkout offers the saved address first.
  await server.api('POST', '/api/cart', { productId: p.id, qty: 1 }, buyer.token);
  await page.goto('/#/checkout');
  await see(page.getByRole('button', { name: 'Place order' }));
  assert.equal(await page.getByLabel('Ship to').inputValue(), String(book.items[0].id));
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

test('forgot password shows the answer of the API; a reset link with a bad token is refused', async () => {
  const buyer = await newBuyer();
  // The same answer for every address, known or not.
  const { message } = await server.api('POST', '/api/auth/forgot-password', { email: 'nobody' + ++seq + '@e2e.test' });
  const page = await newPage(browser, server);
  await page.goto('/#/signin');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByLabel('Email').fill(buyer.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await see(page.getByRole('status').getByText(message, { exact: true }));
  // A link with a bad token: the API's refusal is shown, and nothing changes.
  await page.goto('/#/reset?token=not-a-real-token');
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await see(page.getByRole('alert'));
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});

// The buyer's access token re-signed (with the development key in the
// server's data directory) to have expired an hour ago.
function expired(token) {
  const [head, body] = token.split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  claims.iat -= 7200;
  claims.exp = claims.iat + 3600;
  const signed = head + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const key = fs.readFileSync(path.join(server.dir, 'data', 'jwt.secret')).subarray(0, 32);
  return signed + '.' + crypto.createHmac('sha256', key).update(signed).digest('base64url');
}

test('an expired access token is renewed once with the refresh token, without signing out', async () => {
  const buyer = await newBuyer();
  const p = await sellerProduct();
  const order = await buy(buyer, p, false);
  const page = await newPage(browser, server);
  await signIn(page, buyer.email, buyer.password);
  const stored = JSON.parse(await page.evaluate(() => sessionStorage.getItem('mercato.session')));
  const stale = expired(stored.token);
  const me = await fetch(server.base + '/api/auth/me', { headers: { Authorization: 'Bearer ' + stale } });
  assert.equal((await me.json()).code, 'token_expired');
  await page.evaluate((s) => sessionStorage.setItem('mercato.session', s), JSON.stringify({ ...stored, token: stale }));
  const refreshes = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/auth/refresh')) refreshes.push(r); });
  await page.goto('/#/orders');
  await page.reload();
  await see(orderRow(page, order.id));
  await see(page.getByRole('button', { name: 'Sign out' }));
  const renewed = JSON.parse(await page.evaluate(() => sessionStorage.getItem('mercato.session')));
  assert.notEqual(renewed.token, stale);
  assert.notEqual(renewed.refreshToken, stored.refreshToken);
  assert.equal(refreshes.length, 1);
  assert.deepEqual(page.cspErrors, []);
  await page.context().close();
});
