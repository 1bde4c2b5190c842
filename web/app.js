// Mercato storefront: the router, the buyer pages and the helpers the seller
// and admin pages (seller.js, admin.js, loaded on demand) share. Talks only to
// the public API. Every piece of data reaches the page as text (textContent
// via h()), never as markup.

const SESSION_KEY = 'mercato.session';
const PAGE_SIZE = 12;
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const toastBox = document.getElementById('toast');

// ---- session ---------------------------------------------------------------
// The API authenticates with bearer tokens; the token and the refresh token
// that renews it live in sessionStorage (this tab only, gone when it closes). See docs/ARCHITECTURE.md for the
// trade-off against an HttpOnly cookie.

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && typeof s.token === 'string' && s.user ? s : null;
  } catch {
    return null;
  }
}

export let session = loadSession();

function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function role() {
  return session ? session.user.role : 'guest';
}

// ---- API -------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || '';
  }
}

async function send(method, path, body, headers) {
  const h = { Accept: 'application/json', ...headers };
  let payload;
  if (session) h.Authorization = 'Bearer ' + session.token;
  if (body instanceof Blob) {
    payload = body;
    h['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin' });
  const text = r.status === 204 ? '' : await r.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  return { r, data };
}

// One refresh at a time: a refresh token works once, and sending it twice
// would end the session (the server takes a reused token for a stolen one).
let renewing = null;
function renewSession() {
  if (!renewing) {
    const old = session;
    renewing = send('POST', '/api/auth/refresh', { refreshToken: old.refreshToken }, {}).then(({ r, data }) => {
      if (!r.ok || !data || session !== old) return false;
      setSession({ ...old, token: data.token, refreshToken: data.refreshToken });
      return true;
    }, () => false).finally(() => { renewing = null; });
  }
  return renewing;
}

// One call to the API. `body` is JSON, or a Blob sent as is (image uploads).
// An expired access token is renewed once with the refresh token, then the
// call is repeated.
export async function api(method, path, body, headers = {}) {
  let { r, data } = await send(method, path, body, headers);
  if (r.status === 401 && session && session.refreshToken && data && data.code === 'token_expired' && await renewSession()) {
    ({ r, data } = await send(method, path, body, headers));
  }
  if (!r.ok) {
    if (r.status === 401 && session) {
      setSession(null);
      flash('Your session has ended. Please sign in again.', true);
      go('/signin');
    }
    throw new ApiError(r.status, data);
  }
  return data;
}

// ---- DOM helpers -------------------------------------------------------------

// h('a', {href: '#/'}, 'text', child...): attributes are set one by one,
// `on*` become listeners, strings become text nodes.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'for') el.htmlFor = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  return el;
}

function append(el, kids) {
  for (const kid of kids) {
    if (kid === null || kid === undefined || kid === false) continue;
    if (Array.isArray(kid)) append(el, kid);
    else if (kid instanceof Node) el.appendChild(kid);
    else el.appendChild(document.createTextNode(String(kid)));
  }
}

let fieldSeq = 0;
// A labelled form field: the label's text is the field's accessible name.
export function field(label, attrs = {}, tag = 'input') {
  const id = attrs.id || 'f' + ++fieldSeq;
  const kids = attrs.options || [];
  const a = { ...attrs, id };
  delete a.options;
  const input = h(tag, a, ...kids);
  return { input, el: h('div', null, h('label', { for: id }, label), input) };
}

export function option(value, text, selected) {
  return h('option', { value, selected: selected ? 'selected' : null }, text);
}

export function notice(text, error) {
  return h('p', { class: error ? 'notice error' : 'notice', role: error ? 'alert' : 'status' }, text);
}

let toastTimer = 0;
export function toast(text) {
  toastBox.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toastBox.textContent = ''; }, 4000);
}

// A message shown at the top of the next page rendered.
let flashed = null;
export function flash(text, error) {
  flashed = { text, error };
}

export function go(path) {
  const target = '#' + path;
  if (location.hash === target) render();
  else location.hash = target;
}

// Disables a button while its action runs; shows the API's message on failure.
export function action(fn, where) {
  return async (ev) => {
    if (ev) ev.preventDefault();
    const btn = ev && (ev.submitter || ev.currentTarget);
    const button = btn instanceof HTMLButtonElement ? btn : null;
    if (button) button.disabled = true;
    try {
      await fn(ev);
    } catch (e) {
      const msg = e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message;
      if (where) where.replaceChildren(notice(msg, true));
      else toast(msg);
    } finally {
      if (button && button.isConnected) button.disabled = false;
    }
  };
}

// ---- formatting --------------------------------------------------------------

const moneyFormats = new Map();
// Minor units to text: 59900 INR -> "₹599.00".
export function money(minor, currency = 'INR') {
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-IN', { style: 'currency', currency });
    moneyFormats.set(currency, f);
  }
  return f.format(minor / 100);
}

// "499", "499.5", "499.50" -> 49950; null for anything else. No floating point.
export function toMinor(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text || '');
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

export function fromMinor(minor) {
  return (minor / 100).toFixed(2);
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString('en-IN', { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

function countdownText(endIso) {
  const left = Math.max(0, Math.floor((Date.parse(endIso) - Date.now()) / 1000));
  const d = Math.floor(left / 86400);
  const hh = String(Math.floor((left % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((left % 3600) / 60)).padStart(2, '0');
  const ss = String(left % 60).padStart(2, '0');
  return left === 0 ? 'Sale ended' : 'Sale ends in ' + (d ? d + 'd ' : '') + hh + ':' + mm + ':' + ss;
}

// One ticker for every sale countdown on the page.
setInterval(() => {
  for (const el of document.querySelectorAll('.countdown[data-end]')) el.textContent = countdownText(el.dataset.end);
}, 1000);

// The product's picture, or its initial on a plain tile when it has none
// (or the picture does not load).
export function productImage(p, cls = 'thumb') {
  const tile = () => h('div', { class: cls + ' placeholder', 'aria-hidden': 'true' }, (p.name || '?').slice(0, 1));
  if (!p.imageUrl) return tile();
  const img = h('img', { class: cls, alt: p.name, loading: 'lazy', decoding: 'async', width: 300, height: 300 });
  img.addEventListener('error', () => img.replaceWith(tile()), { once: true });
  img.src = p.imageUrl;
  return img;
}

function priceBlock(p) {
  return h('div', null,
    h('span', { class: 'price' }, money(p.effectivePrice, p.currency), p.onSale ? h('s', null, money(p.price, p.currency)) : null),
    p.onSale ? [' ', h('span', { class: 'badge' }, 'Sale −' + p.salePercentage + '%')] : null,
    p.onSale && p.saleEnd ? h('div', { class: 'countdown', 'data-end': p.saleEnd }, countdownText(p.saleEnd)) : null);
}

function ratingText(r) {
  return r && r.count ? '★ ' + Number(r.average).toFixed(1) + ' (' + r.count + (r.count === 1 ? ' review)' : ' reviews)') : 'No reviews yet';
}

// ---- navigation --------------------------------------------------------------

let cartCount = null;

function renderNav(path) {
  const link = (href, text) => h('a', { href: '#' + href, 'aria-current': path === href ? 'page' : null }, text);
  const items = [link('/', 'Shop'), link('/cart', cartCount ? 'Cart (' + cartCount + ')' : 'Cart')];
  if (session) {
    items.push(link('/wishlist', 'Wishlist'), link('/orders', 'Orders'));
    if (role() === 'seller' || role() === 'admin') items.push(link('/seller', 'Seller'));
    if (role() === 'admin') items.push(link('/admin', 'Admin'));
    items.push(h('span', { class: 'muted' }, session.user.name),
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'));
  } else {
    items.push(link('/signin', 'Sign in'));
  }
  nav.replaceChildren(...items);
}

export async function refreshCartCount(cart) {
  try {
    const c = cart || await api('GET', '/api/cart');
    cartCount = c.itemCount || 0;
  } catch {
    cartCount = null;
  }
  renderNav(currentPath());
}

async function signOut() {
  try {
    await api('POST', '/api/auth/logout');
  } catch {
    // The token is dropped below either way.
  }
  setSession(null);
  cartCount = null;
  flash('You are signed out.');
  go('/');
  refreshCartCount();
}

// ---- catalog -----------------------------------------------------------------

let categories = null;
const wide = matchMedia('(min-width: 641px)');
wide.addEventListener('change', () => {
  for (const d of document.querySelectorAll('.filters details')) d.open = wide.matches;
});

// The first page of categories (name order) fills the filter; the one in use
// is already there.
async function loadCategories(select, chosen) {
  if (!categories) categories = (await api('GET', '/api/categories?limit=100')).items.map((c) => c.name);
  for (const c of categories) if (c !== chosen) select.appendChild(option(c, c, false));
}

function catalogHash(params) {
  const q = new URLSearchParams();
  for (const [k, v] of params) if (v) q.set(k, v);
  const s = q.toString();
  return '/' + (s ? '?' + s : '');
}

export function productCard(p, extra) {
  return h('article', { class: 'card', 'data-product-id': p.id },
    h('a', { href: '#/product/' + p.id, tabindex: '-1', 'aria-hidden': 'true' }, productImage(p)),
    h('div', { class: 'body' },
      h('h2', null, h('a', { href: '#/product/' + p.id }, p.name)),
      priceBlock(p),
      h('div', { class: 'rating' }, ratingText(p.rating)),
      p.inStock ? null : h('div', { class: 'muted' }, 'Out of stock'),
      h('div', { class: 'actions' }, extra || addToCartButton(p))));
}

function addToCartButton(p, qtyInput) {
  return h('button', {
    type: 'button', disabled: !p.inStock,
    onclick: action(async () => {
      const qty = qtyInput ? Number(qtyInput.value) : 1;
      const cart = await api('POST', '/api/cart', { productId: p.id, qty });
      toast('Added ' + p.name + ' to your cart');
      refreshCartCount(cart);
    }),
  }, 'Add to cart');
}

async function catalogPage({ params }) {
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const q = new URLSearchParams({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  for (const k of ['q', 'category', 'sort']) if (params.get(k)) q.set(k, params.get(k));
  for (const k of ['minPrice', 'maxPrice']) {
    const v = toMinor(params.get(k));
    if (v !== null) q.set(k, v);
  }
  if (params.get('onSale')) q.set('onSale', 'true');
  const data = await api('GET', '/api/products?' + q);

  const search = field('Search', { type: 'search', name: 'q', value: params.get('q') || '', placeholder: 'Tea, lamps, toys…' });
  const category = field('Category', { name: 'category', options: [option('', 'All categories'),
    params.get('category') ? option(params.get('category'), params.get('category'), true) : null] }, 'select');
  const minPrice = field('Min price', { type: 'number', name: 'minPrice', min: 0, step: '0.01', value: params.get('minPrice') || '' });
  const maxPrice = field('Max price', { type: 'number', name: 'maxPrice', min: 0, step: '0.01', value: params.get('maxPrice') || '' });
  const sortBy = params.get('sort') || '';
  const sort = field('Sort', { name: 'sort', options: [
    option('', 'Newest', sortBy === ''), option('price', 'Price: low to high', sortBy === 'price'),
    option('-price', 'Price: high to low', sortBy === '-price'), option('rating', 'Rating', sortBy === 'rating'),
    option('name', 'Name', sortBy === 'name')] }, 'select');
  const onSaleId = 'f' + ++fieldSeq;
  const onSale = h('input', { type: 'checkbox', id: onSaleId, name: 'onSale', checked: !!params.get('onSale') });
  const form = h('form', { class: 'filters', role: 'search',
    onsubmit: (ev) => {
      ev.preventDefault();
      go(catalogHash([['q', search.input.value.trim()], ['category', category.input.value], ['minPrice', minPrice.input.value],
        ['maxPrice', maxPrice.input.value], ['sort', sort.input.value], ['onSale', onSale.checked ? '1' : '']]));
    } },
  search.el,
  // Folded on phones unless in use, so the products come first.
  h('details', { open: wide.matches || params.has('category') || params.has('minPrice') || params.has('maxPrice') ||
    params.has('sort') || params.has('onSale') },
  h('summary', null, 'Filters and sort'),
  h('div', { class: 'filter-fields' }, category.el, minPrice.el, maxPrice.el, sort.el,
    h('div', { class: 'check' }, onSale, h('label', { for: onSaleId }, 'On sale')))),
  h('button', { type: 'submit' }, 'Filter'));
  for (const el of [category.input, sort.input, onSale]) el.addEventListener('change', () => form.requestSubmit());

  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const pageLink = (n, text) => {
    const p = new URLSearchParams(params);
    p.set('page', n);
    return h('a', { class: 'button secondary', href: '#' + catalogHash(p) }, text);
  };
  const view = [
    h('h1', null, params.get('q') ? 'Results for “' + params.get('q') + '”' : 'Shop'),
    form,
    data.items.length ? h('div', { class: 'grid', id: 'grid' }, data.items.map((p) => productCard(p)))
      : h('p', { id: 'grid' }, 'No products match. Try another search.'),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      page > 1 ? pageLink(page - 1, 'Previous') : null,
      h('span', null, 'Page ' + page + ' of ' + pages + ' (' + data.total + ' products)'),
      page < pages ? pageLink(page + 1, 'Next') : null),
  ];
  return { view, after: () => loadCategories(category.input, params.get('category')).catch(() => {}) };
}

// ---- product -----------------------------------------------------------------

async function productPage({ match }) {
  const id = match[1];
  const [p, reviews] = await Promise.all([api('GET', '/api/products/' + id),
    api('GET', '/api/products/' + id + '/reviews?limit=20').catch(() => ({ items: [] }))]);
  const qty = field('Quantity', { type: 'number', min: 1, max: Math.max(1, Math.min(999, p.stock)), value: 1, inputmode: 'numeric' });
  const status = h('div');
  const buy = h('div', { class: 'row' }, qty.el, addToCartButton(p, qty.input));
  const wish = session ? h('button', { type: 'button', class: 'secondary', onclick: action(async () => {
    await api('POST', '/api/wishlist', { productId: p.id });
    toast('Saved to your wishlist');
  }, status) }, 'Add to wishlist') : null;
  const list = reviews.items.length
    ? h('ul', { class: 'lines' }, reviews.items.map((r) => h('li', null, h('div', { class: 'grow' },
      h('strong', null, '★'.repeat(r.rating) + ' ' + ((r.reviewer && r.reviewer.name) || 'A buyer')),
      h('p', null, r.comment || ''), h('div', { class: 'muted' }, when(r.createdAt))))))
    : h('p', { class: 'muted' }, 'No reviews yet.');
  return [
    h('div', { class: 'product' },
      productImage(p),
      h('div', null,
        h('h1', null, p.name),
        priceBlock(p),
        h('p', { class: 'rating' }, ratingText(p.rating)),
        h('p', null, p.description || ''),
        h('p', { class: 'muted' }, (p.category ? p.category + ' · ' : '') + 'Sold by ' + (p.sellerName || 'Mercato') + ' · ' +
          (p.inStock ? p.stock + ' in stock' : 'Out of stock')),
        buy, h('p', null, wish), status)),
    h('h2', null, 'Reviews'),
    list,
    session ? reviewForm(p) : h('p', null, h('a', { href: '#/signin' }, 'Sign in'), ' to review a product you bought.'),
  ];
}

function reviewForm(p) {
  const rating = field('Rating', { name: 'rating', options: [5, 4, 3, 2, 1].map((n) => option(n, n + ' stars', n === 5)) }, 'select');
  const comment = field('Comment', { name: 'comment', maxlength: 2000 }, 'textarea');
  const status = h('div');
  return h('form', { class: 'stack panel', onsubmit: action(async () => {
    await api('POST', '/api/products/' + p.id + '/reviews', { rating: Number(rating.input.value), comment: comment.input.value });
    flash('Thank you for your review.');
    render();
  }, status) },
  h('h2', null, 'Write a review'), rating.el, comment.el, status, h('button', { type: 'submit' }, 'Post review'));
}

// ---- cart ----------------------------------------------------------------------

function cartLine(line, onChange, status) {
  const qty = field('Quantity', { type: 'number', min: 1, max: 999, value: line.qty, inputmode: 'numeric' });
  qty.input.addEventListener('change', action(async () => {
    const n = Number(qty.input.value);
    if (!Number.isInteger(n) || n < 1) throw new Error('quantity must be a whole number from 1');
    onChange(await api('PUT', '/api/cart/items/' + line.productId, { qty: n }));
  }, status));
  return h('li', { 'data-product-id': line.productId },
    productImage(line, 'thumb small'),
    h('div', { class: 'grow' },
      h('a', { href: '#/product/' + line.productId }, line.name),
      h('div', null, money(line.unitPrice, line.currency) + ' each'),
      line.priceChanged ? h('div', { class: 'notice error' }, 'Price changed' +
        (line.previousPrice !== undefined ? ' from ' + money(line.previousPrice, line.currency) : '') +
        ' to ' + money(line.unitPrice, line.currency)) : null),
    qty.el,
    h('div', { class: 'price' }, money(line.lineTotal, line.currency)),
    h('button', { type: 'button', class: 'danger', onclick: action(async () => {
      onChange(await api('DELETE', '/api/cart/items/' + line.productId));
    }, status) }, 'Remove'));
}

async function cartPage() {
  const box = h('div');
  const status = h('div');
  const draw = (cart) => {
    refreshCartCount(cart);
    if (!cart.items.length) {
      box.replaceChildren(h('p', null, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse the shop')));
      return;
    }
    box.replaceChildren(
      h('ul', { class: 'lines' }, cart.items.map((l) => cartLine(l, draw, status))),
      h('div', { class: 'totals' },
        h('dl', null, h('dt', null, 'Items'), h('dd', null, String(cart.itemCount)),
          h('dt', { class: 'total-row' }, 'Total'), h('dd', { class: 'total-row', id: 'cart-total' }, money(cart.total, cart.currency))),
        h('button', { type: 'button', onclick: () => go(session ? '/checkout' : '/signin?next=/checkout') }, 'Checkout'),
        session ? null : h('p', { class: 'muted' }, 'You will sign in or create an account first; your cart comes with you.')));
  };
  draw(await api('GET', '/api/cart'));
  return [h('h1', null, 'Your cart'), status, box];
}

// ---- sign in / create account ------------------------------------------------

function afterAuth(res, next) {
  setSession({ token: res.token, refreshToken: res.refreshToken, user: res.user });
  const merged = (res.cartMerge && res.cartMerge.merged) || [];
  if (merged.length) {
    const units = merged.reduce((n, m) => n + m.quantity, 0);
    const capped = merged.filter((m) => m.capped).length;
    flash('Your guest cart was merged into your account: ' + merged.length + (merged.length === 1 ? ' product' : ' products') +
      ' (' + units + (units === 1 ? ' item' : ' items') + ')' + (capped ? '; ' + capped + ' limited by stock' : '') + '.');
  } else {
    flash('Welcome, ' + res.user.name + '.');
  }
  go(next && next.startsWith('/') ? next : '/');
  refreshCartCount();
}

function signinPage({ params }) {
  const next = params.get('next') || '/';
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div');
  return [
    h('h1', null, 'Sign in'),
    h('form', { class: 'stack', onsubmit: action(async () => {
      afterAuth(await api('POST', '/api/auth/login', { email: email.input.value.trim(), password: password.input.value }), next);
    }, status) }, email.el, password.el, status, h('p', null, h('button', { type: 'submit' }, 'Sign in'))),
    h('p', null, h('a', { href: '#/forgot' }, 'Forgot password?')),
    h('p', null, 'New here? ', h('a', { href: '#/register?next=' + encodeURIComponent(next) }, 'Create an account')),
  ];
}

function forgotPage() {
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const status = h('div');
  return [
    h('h1', null, 'Forgot password'),
    h('p', null, 'We will email you a link to choose a new password.'),
    h('form', { class: 'stack', onsubmit: action(async () => {
      const r = await api('POST', '/api/auth/forgot-password', { email: email.input.value.trim() });
      status.replaceChildren(notice(r.message));
    }, status) }, email.el, status, h('p', null, h('button', { type: 'submit' }, 'Send the link'))),
    h('p', null, h('a', { href: '#/signin' }, 'Back to sign in')),
  ];
}

// The emailed link: #/reset?token=...
function resetPage({ params }) {
  const token = params.get('token') || '';
  if (!token) return [h('h1', null, 'Choose a new password'), notice('This link is incomplete. Ask for a new one.', true),
    h('p', null, h('a', { href: '#/forgot' }, 'Forgot password?'))];
  const password = field('New password', { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true, minlength: 8 });
  const status = h('div');
  return [
    h('h1', null, 'Choose a new password'),
    h('form', { class: 'stack', onsubmit: action(async () => {
      await api('POST', '/api/auth/reset-password', { token, newPassword: password.input.value });
      flash('Your password is changed. Sign in with it.');
      go('/signin');
    }, status) }, password.el, status, h('p', null, h('button', { type: 'submit' }, 'Set the password'))),
  ];
}

function registerPage({ params }) {
  const next = params.get('next') || '/';
  const name = field('Name', { name: 'name', autocomplete: 'name', required: true, maxlength: 100 });
  const email = field('Email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const sellId = 'f' + ++fieldSeq;
  const sell = h('input', { type: 'checkbox', id: sellId });
  const status = h('div');
  return [
    h('h1', null, 'Create account'),
    h('form', { class: 'stack', onsubmit: action(async () => {
      const body = { name: name.input.value.trim(), email: email.input.value.trim(), password: password.input.value };
      if (sell.checked) body.role = 'seller';
      afterAuth(await api('POST', '/api/auth/register', body), next);
    }, status) }, name.el, email.el, password.el,
    h('p', null, sell, ' ', h('label', { for: sellId, class: 'inline' }, 'I want to sell on Mercato')),
    status, h('p', null, h('button', { type: 'submit' }, 'Create account'))),
    h('p', null, 'Have an account? ', h('a', { href: '#/signin?next=' + encodeURIComponent(next) }, 'Sign in')),
  ];
}

// ---- checkout ------------------------------------------------------------------

function checkoutError(e) {
  if (e.code === 'out_of_stock') {
    return h('div', { class: 'notice error', role: 'alert' }, 'Out of stock: ' + e.message + '. ',
      h('a', { href: '#/cart' }, 'Update your cart'), ' and place the order again.');
  }
  if (e.code === 'cart_changed') return notice('Your cart changed: ' + e.message + '. The new total is shown below.', true);
  return notice(e.message, true);
}

// An address on one line, for the address book's choices.
function addressLine(a) {
  return [a.name, a.line1, a.line2, a.city, a.state, a.postalCode, a.country].filter(Boolean).join(', ');
}

// Where the order goes: none, a saved address (the default chosen first), or
// a new one saved to the address book when the order is placed. `chosenId()`
// answers the address id to send (saving a new address first), or null.
function shippingChoice(book) {
  const NEW = 'new';
  const saved = book.find((a) => a.isDefault);
  const shipTo = field('Ship to', { name: 'shipTo', options: [option('', 'No shipping address', !saved),
    book.map((a) => option(String(a.id), addressLine(a), a === saved)), option(NEW, 'A new address…', false)] }, 'select');
  const fields = {
    name: field('Name', { name: 'name', autocomplete: 'shipping name', maxlength: 100 }),
    line1: field('Address line 1', { name: 'line1', autocomplete: 'shipping address-line1', maxlength: 200 }),
    city: field('City', { name: 'city', autocomplete: 'shipping address-level2', maxlength: 200 }),
    postalCode: field('Postal code', { name: 'postalCode', autocomplete: 'shipping postal-code', maxlength: 16 }),
    country: field('Country', { name: 'country', autocomplete: 'shipping country', maxlength: 2, placeholder: 'IN', value: 'IN' }),
  };
  const form = h('div', { class: 'stack', hidden: true }, Object.values(fields).map((f) => f.el),
    h('p', { class: 'muted' }, 'Saved to your address book when you place the order.'));
  shipTo.input.addEventListener('change', () => { form.hidden = shipTo.input.value !== NEW; });
  const el = h('fieldset', { class: 'panel' }, h('legend', null, 'Shipping address (optional)'), shipTo.el, form);
  async function chosenId() {
    if (shipTo.input.value !== NEW) return shipTo.input.value ? Number(shipTo.input.value) : null;
    const body = {};
    for (const [k, f] of Object.entries(fields)) if (f.input.value.trim()) body[k] = f.input.value.trim();
    const a = await api('POST', '/api/users/me/addresses', body);
    // Chosen from now on, so a second attempt does not save it twice.
    shipTo.input.insertBefore(option(String(a.id), addressLine(a), true), shipTo.input.lastElementChild);
    shipTo.input.value = String(a.id);
    form.hidden = true;
    return a.id;
  }
  return { el, chosenId };
}

async function checkoutPage() {
  if (!session) return go('/signin?next=/checkout');
  const [cart, book] = await Promise.all([api('GET', '/api/cart'), api('GET', '/api/users/me/addresses')]);
  if (!cart.items.length) return [h('h1', null, 'Checkout'), h('p', null, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse the shop'))];
  let coupon = null;
  const status = h('div');
  const couponStatus = h('div', { id: 'coupon-status' });
  const summary = h('dl');
  const drawSummary = () => {
    const rows = [h('dt', null, 'Subtotal'), h('dd', null, money(cart.total, cart.currency))];
    if (coupon && coupon.valid) {
      rows.push(h('dt', null, 'Coupon ' + coupon.code + ' (' + coupon.discountPercentage + '% off)'),
        h('dd', null, '−' + money(coupon.discountApplied, cart.currency)));
    }
    rows.push(h('dt', { class: 'total-row' }, 'To pay'),
      h('dd', { class: 'total-row', id: 'checkout-total' }, money(coupon && coupon.valid ? coupon.payableAmount : cart.total, cart.currency)));
    summary.replaceChildren(...rows);
  };
  drawSummary();
  const code = field('Coupon code', { name: 'couponCode', autocomplete: 'off', maxlength: 64 });
  const couponForm = h('form', { class: 'row', onsubmit: action(async () => {
    const c = code.input.value.trim();
    if (!c) {
      coupon = null;
      drawSummary();
      couponStatus.replaceChildren();
      return;
    }
    coupon = await api('GET', '/api/coupons/apply?code=' + encodeURIComponent(c));
    couponStatus.replaceChildren(coupon.valid
      ? notice('Coupon ' + coupon.code + ' applied: you save ' + money(coupon.discountApplied, cart.currency) + '.')
      : notice('Coupon ' + c + ' cannot be used' + (coupon.reason ? ' (' + coupon.reason + ')' : '') + '.', true));
    drawSummary();
  }, couponStatus) }, code.el, h('button', { type: 'submit', class: 'secondary' }, 'Apply'));
  const shipping = shippingChoice(book.items);
  const place = h('button', { type: 'button', onclick: action(async () => {
    const body = { expectedTotal: cart.total };
    if (coupon && coupon.valid) body.couponCode = coupon.code;
    const addressId = await shipping.chosenId();
    if (addressId) body.shippingAddressId = addressId;
    try {
      // One key per attempt: a repeated request is one order; a new attempt
      // (after fixing the cart) is a new one.
      const order = await api('POST', '/api/checkout', body, { 'Idempotency-Key': crypto.randomUUID() });
      flash('Thank you! Your order is placed.');
      refreshCartCount();
      go('/orders/' + order.id);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      status.replaceChildren(checkoutError(e));
      if (e.code === 'cart_changed') {
        const fresh = await api('GET', '/api/cart');
        cart.total = fresh.total;
        drawSummary();
      }
    }
  }, status) }, 'Place order');
  return [
    h('h1', null, 'Checkout'),
    h('ul', { class: 'lines' }, cart.items.map((l) => h('li', null, productImage(l, 'thumb small'),
      h('div', { class: 'grow' }, l.name, h('div', { class: 'muted' }, l.qty + ' × ' + money(l.unitPrice, l.currency))),
      h('div', { class: 'price' }, money(l.lineTotal, l.currency))))),
    h('div', { class: 'totals' }, couponForm, couponStatus, shipping.el, summary, status, place),
  ];
}

// ---- orders --------------------------------------------------------------------

const BUYER_CANCELLABLE = ['pending_payment', 'paid', 'processing'];

export function cancelButton(o, done, status) {
  return h('button', { type: 'button', class: 'danger', onclick: action(async () => {
    await api('PATCH', '/api/orders/' + o.id + '/cancel', { reason: 'cancelled from the web shop' });
    toast('Order #' + o.id + ' cancelled');
    done();
  }, status) }, 'Cancel order');
}

// A seller's view of another's order carries only its own share.
function orderTotal(o) {
  return money(o.sellerSubtotal ?? o.payableAmount, o.currency);
}

// A table with a header row; `rows` are <tr> elements. Each cell also
// carries its column's name, which phones show beside it (one card per row).
export function table(headings, rows) {
  for (const row of rows) [...row.children].forEach((td, i) => { if (headings[i]) td.dataset.label = headings[i]; });
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, headings.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows)));
}

// Orders, one row each, with `actions(order)` in the last column.
export function ordersTable(orders, actions) {
  return table(['Order', 'Placed', 'Items', 'Total', 'Status', ''], orders.map((o) => h('tr', { 'data-order-id': o.id },
    h('td', null, h('a', { href: '#/orders/' + o.id }, 'Order #' + o.id)),
    h('td', null, when(o.createdAt)),
    h('td', null, o.items.map((l) => l.name + ' × ' + l.qty).join(', ')),
    h('td', null, orderTotal(o)),
    h('td', null, h('span', { class: 'badge status' }, o.status)),
    h('td', null, actions(o)))));
}

async function ordersPage() {
  if (!session) return go('/signin?next=/orders');
  const status = h('div');
  const data = await api('GET', '/api/orders?limit=50');
  if (!data.items.length) return [h('h1', null, 'Your orders'), h('p', null, 'No orders yet. ', h('a', { href: '#/' }, 'Start shopping'))];
  return [
    h('h1', null, 'Your orders'), status,
    ordersTable(data.items, (o) => (o.userId === session.user.id && BUYER_CANCELLABLE.includes(o.status) ? cancelButton(o, render, status) : null)),
  ];
}

function payForm(o, status) {
  const id = 'pay' + o.id;
  const methods = [['UPI', 'UPI'], ['CARD', 'Card'], ['COD', 'Cash on delivery']];
  return h('form', { class: 'panel', onsubmit: action(async (ev) => {
    const method = new FormData(ev.currentTarget).get('method');
    const r = await api('POST', '/api/payments', { orderId: o.id, method });
    flash(r.message || (r.status === 'success' ? 'Payment received.' : 'Payment recorded.'));
    render();
  }, status) },
  h('fieldset', null, h('legend', null, 'Payment method'),
    methods.map(([value, text], i) => h('label', { for: id + value },
      h('input', { type: 'radio', name: 'method', value, id: id + value, checked: i === 0 }), text))),
  h('button', { type: 'submit' }, 'Pay'));
}

// One line each: name, street, town, country, phone.
function shippingLines(a) {
  return [a.name, a.line1, a.line2, [a.city, a.state, a.postalCode].filter(Boolean).join(' '), a.country, a.phone]
    .filter(Boolean).map((t) => h('div', null, t));
}

async function orderPage({ match }) {
  if (!session) return go('/signin?next=/orders/' + match[1]);
  const o = await api('GET', '/api/orders/' + match[1]);
  const status = h('div');
  const own = o.userId === session.user.id;
  const reviewable = ['paid', 'processing', 'shipped', 'delivered'].includes(o.status);
  return [
    h('h1', null, 'Order #' + o.id),
    h('p', null, 'Status: ', h('span', { class: 'badge status', id: 'order-status' }, o.status),
      ' · Payment: ' + (o.paymentStatus || '') + ' · Placed ' + when(o.createdAt)),
    status,
    h('section', { class: 'totals', 'aria-label': 'Receipt' },
      h('h2', null, 'Receipt'),
      h('p', null, 'Order number ', h('strong', { id: 'order-number' }, String(o.id))),
      h('ul', { class: 'lines' }, o.items.map((l) => h('li', null,
        h('div', { class: 'grow' }, h('a', { href: '#/product/' + l.productId }, l.name), h('div', { class: 'muted' }, l.qty + ' × ' + money(l.unitPrice, o.currency))),
        h('div', { class: 'price' }, money(l.lineTotal, o.currency)),
        own && reviewable ? h('a', { href: '#/product/' + l.productId }, 'Write a review') : null))),
      h('dl', null,
        h('dt', null, 'Subtotal'), h('dd', null, money(o.originalTotal, o.currency)),
        o.discountApplied ? [h('dt', null, 'Discount' + (o.couponCode ? ' (' + o.couponCode + ')' : '')), h('dd', null, '−' + money(o.discountApplied, o.currency))] : null,
        h('dt', { class: 'total-row' }, 'Total'), h('dd', { class: 'total-row', id: 'order-total' }, orderTotal(o)))),
    o.shippingAddress ? h('section', { class: 'totals', 'aria-label': 'Shipping address' },
      h('h2', null, 'Ship to'), h('address', { id: 'ship-to' }, shippingLines(o.shippingAddress))) : null,
    own && o.status === 'pending_payment' && o.paymentStatus !== 'pending' ? payForm(o, status) : null,
    own && BUYER_CANCELLABLE.includes(o.status) ? h('p', null, cancelButton(o, render, status)) : null,
    o.cancelReason ? h('p', { class: 'muted' }, 'Cancelled by ' + (o.cancelledBy || '') + ': ' + o.cancelReason) : null,
    h('p', null, h('a', { href: '#/orders' }, 'All your orders')),
  ];
}

// ---- wishlist --------------------------------------------------------------------

async function wishlistPage() {
  if (!session) return go('/signin?next=/wishlist');
  const status = h('div');
  const data = await api('GET', '/api/wishlist?limit=100');
  return [
    h('h1', null, 'Your wishlist'), status,
    data.items.length ? h('div', { class: 'grid' }, data.items.map((w) => productCard(w.product, [
      addToCartButton(w.product), ' ',
      h('button', { type: 'button', class: 'danger', onclick: action(async () => {
        await api('DELETE', '/api/wishlist/' + w.productId);
        render();
      }, status) }, 'Remove')])))
      : h('p', null, 'Nothing saved yet. Use “Add to wishlist” on a product page.'),
  ];
}

// ---- router ----------------------------------------------------------------------

const lazy = (file) => async (ctx) => (await import(file)).default(ctx);

const routes = [
  [/^\/$/, catalogPage],
  [/^\/product\/(\d+)$/, productPage],
  [/^\/cart$/, cartPage],
  [/^\/signin$/, signinPage],
  [/^\/register$/, registerPage],
  [/^\/forgot$/, forgotPage],
  [/^\/reset$/, resetPage],
  [/^\/checkout$/, checkoutPage],
  [/^\/orders$/, ordersPage],
  [/^\/orders\/(\d+)$/, orderPage],
  [/^\/wishlist$/, wishlistPage],
  [/^\/seller(?:\/(\w+))?$/, lazy('./seller.js')],
  [/^\/admin(?:\/(\w+))?$/, lazy('./admin.js')],
];

function currentPath() {
  return (location.hash.slice(1) || '/').split('?')[0];
}

let renderSeq = 0;

export async function render() {
  const seq = ++renderSeq;
  const raw = location.hash.slice(1) || '/';
  const [path, qs] = raw.split('?');
  const params = new URLSearchParams(qs || '');
  renderNav(path);
  let view;
  let after = null;
  try {
    const hit = routes.find(([re]) => re.test(path));
    if (!hit) view = [h('h1', null, 'Not found'), h('p', null, h('a', { href: '#/' }, 'Back to the shop'))];
    else view = await hit[1]({ params, match: path.match(hit[0]) });
  } catch (e) {
    if (seq !== renderSeq) return;
    view = [h('h1', null, 'Sorry'), notice(e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message, true)];
  }
  if (seq !== renderSeq || view === undefined) return;
  if (view && view.view) {
    after = view.after;
    view = view.view;
  }
  const top = flashed ? notice(flashed.text, flashed.error) : null;
  flashed = null;
  main.replaceChildren(...[top].concat(view).flat(Infinity).filter(Boolean));
  document.title = (main.querySelector('h1') ? main.querySelector('h1').textContent + ' · ' : '') + 'Mercato';
  performance.mark('rendered:' + path);
  if (after) after();
}

window.addEventListener('hashchange', () => {
  render();
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
});

render().then(() => refreshCartCount());
