// Seller pages: my products (create, edit, stock, image, timed sale), my
// coupons, and the orders holding my lines. The coupon and order tables are
// shared with the admin pages.
import { api, h, field, option, notice, action, toast, money, toMinor, fromMinor, when, productImage, table,
  ordersTable, session, role, render, go, flash, ApiError, cancelButton } from './app.js';

const isoSeconds = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
// <input type="datetime-local"> wants local time without a zone.
const localInput = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const DAY = 86400000;

export function tabs(base, list, current) {
  return h('nav', { class: 'tabs', 'aria-label': 'Sections' }, list.map(([key, text]) =>
    h('a', { href: '#' + base + (key ? '/' + key : ''), 'aria-current': key === current ? 'page' : null }, text)));
}

// ---- products ----------------------------------------------------------------

async function productsTab() {
  const status = h('div');
  const mine = role() === 'admin' ? '' : '&seller=' + session.user.id;
  const data = await api('GET', '/api/products?limit=100' + mine);
  return [
    h('p', null, h('a', { class: 'button', href: '#/seller/new' }, 'New product')),
    status,
    data.items.length ? table(['', 'Product', 'Price', 'Stock', 'Sale', ''], data.items.map((p) => h('tr', { 'data-product-id': p.id },
        h('td', null, productImage(p, 'thumb small')),
        h('td', null, h('a', { href: '#/product/' + p.id }, p.name), h('div', { class: 'muted' }, p.category || '')),
        h('td', null, money(p.effectivePrice, p.currency)),
        h('td', null, String(p.stock)),
        h('td', null, p.onSale ? '−' + p.salePercentage + '% until ' + when(p.saleEnd)
          : p.saleStart ? 'from ' + when(p.saleStart) : '—'),
        h('td', null, h('a', { href: '#/seller/edit?id=' + p.id }, 'Edit ' + p.name), ' ',
          h('button', { type: 'button', class: 'danger', onclick: action(async () => {
            await api('DELETE', '/api/products/' + p.id);
            toast('Deleted ' + p.name);
            render();
          }, status) }, 'Delete')))))
      : h('p', null, 'You have no products yet.'),
  ];
}

async function productForm(id) {
  const p = id ? await api('GET', '/api/products/' + id) : null;
  const name = field('Name', { required: true, maxlength: 200, value: p ? p.name : '' });
  const description = field('Description', { maxlength: 4000, value: p ? p.description : '' }, 'textarea');
  const price = field('Price (₹)', { required: true, inputmode: 'decimal', value: p ? fromMinor(p.price) : '' });
  const category = field('Category', { maxlength: 100, value: p ? p.category : '' });
  const stock = field('Stock', { type: 'number', min: 0, required: true, value: p ? p.stock : 10 });
  const image = field('Image', { type: 'file', accept: 'image/png,image/jpeg,image/webp' });
  const pct = field('Sale percentage', { type: 'number', min: 1, max: 90, value: p && p.salePercentage ? p.salePercentage : '' });
  const start = field('Sale starts', { type: 'datetime-local', value: p && p.saleStart ? localInput(new Date(p.saleStart)) : '' });
  const end = field('Sale ends', { type: 'datetime-local', value: p && p.saleEnd ? localInput(new Date(p.saleEnd)) : '' });
  const status = h('div');
  const form = h('form', { class: 'stack', onsubmit: action(async () => {
    const minor = toMinor(price.input.value);
    if (minor === null) throw new ApiError(400, { detail: 'Price must be a number like 499 or 499.50' });
    const body = { name: name.input.value.trim(), description: description.input.value, price: minor,
      category: category.input.value.trim(), stock: Number(stock.input.value) };
    const saved = p ? await api('PATCH', '/api/products/' + p.id, body) : await api('POST', '/api/products', body);
    const file = image.input.files[0];
    if (file) await api('POST', '/api/products/' + saved.id + '/image', file);
    if (pct.input.value) {
      const from = start.input.value ? new Date(start.input.value) : new Date(Date.now() - 60000);
      const to = end.input.value ? new Date(end.input.value) : new Date(Date.now() + 7 * DAY);
      await api('POST', '/api/products/' + saved.id + '/sale',
        { saleStart: isoSeconds(from), saleEnd: isoSeconds(to), salePercentage: Number(pct.input.value) });
    }
    flash('Saved ' + body.name + '.');
    go('/seller');
  }, status) },
  name.el, description.el, price.el, category.el, stock.el, image.el,
  h('fieldset', null, h('legend', null, 'Timed sale (optional)'), pct.el, start.el, end.el,
    h('p', { class: 'muted' }, 'Empty start: now. Empty end: in 7 days.')),
  status, h('button', { type: 'submit' }, 'Save product'));
  return [h('h2', null, p ? 'Edit ' + p.name : 'New product'), p ? productImage(p, 'thumb small') : null, form];
}

// ---- coupons (sellers: their own; admins: all) ------------------------------

export async function couponsTab() {
  const status = h('div');
  const data = await api('GET', '/api/coupons?limit=100');
  const now = new Date();
  const code = field('Code', { required: true, maxlength: 64, autocomplete: 'off' });
  const pct = field('Discount percentage', { type: 'number', min: 1, max: 100, required: true, value: 10 });
  const from = field('Valid from', { type: 'datetime-local', required: true, value: localInput(now) });
  const to = field('Valid to', { type: 'datetime-local', required: true, value: localInput(new Date(now.getTime() + 30 * DAY)) });
  const limit = field('Usage limit', { type: 'number', min: 1, required: true, value: 100 });
  const create = h('form', { class: 'stack panel', onsubmit: action(async () => {
    await api('POST', '/api/coupons', { code: code.input.value.trim(), discountPercentage: Number(pct.input.value),
      validFrom: isoSeconds(new Date(from.input.value)), validTo: isoSeconds(new Date(to.input.value)),
      usageLimit: Number(limit.input.value) });
    flash('Coupon ' + code.input.value.trim().toUpperCase() + ' created.');
    render();
  }, status) }, h('h2', null, 'New coupon'), code.el, pct.el, from.el, to.el, limit.el, h('button', { type: 'submit' }, 'Create coupon'));
  return [
    status,
    data.items.length ? table(['Code', 'Discount', 'Valid', 'Used', 'Active', ''], data.items.map((c) => h('tr', null,
        h('td', null, c.code), h('td', null, c.discountPercentage + '%'),
        h('td', null, when(c.validFrom) + ' – ' + when(c.validTo)),
        h('td', null, c.usedCount + ' of ' + c.usageLimit),
        h('td', null, c.isActive ? 'yes' : 'no'),
        h('td', null, h('button', { type: 'button', class: 'secondary', onclick: action(async () => {
          await api('PATCH', '/api/coupons/' + c.id, { isActive: !c.isActive });
          render();
        }, status) }, (c.isActive ? 'Deactivate ' : 'Activate ') + c.code)))))
      : h('p', null, 'No coupons yet.'),
    create,
  ];
}

// ---- orders ------------------------------------------------------------------

// The status moves offered per state (the server decides what is allowed).
const MOVES = {
  pending_payment: [['paid', 'Mark paid']],
  paid: [['processing', 'Mark processing'], ['shipped', 'Mark shipped']],
  processing: [['shipped', 'Mark shipped']],
  shipped: [['delivered', 'Mark delivered']],
};

export async function ordersTab({ admin, params }) {
  const status = h('div');
  const filter = params.get('status') || '';
  const data = await api('GET', '/api/orders?limit=50' + (filter ? '&status=' + encodeURIComponent(filter) : ''));
  const move = (o, to, text) => h('button', { type: 'button', onclick: action(async () => {
    await api('PATCH', '/api/orders/' + o.id + '/status', { status: to });
    toast('Order #' + o.id + ' is ' + to);
    render();
  }, status) }, text);
  const actions = (o) => {
    const list = (MOVES[o.status] || []).filter(([to]) => admin || to !== 'paid').map(([to, text]) => move(o, to, text));
    if (admin && ['pending_payment', 'paid', 'processing'].includes(o.status)) list.push(cancelButton(o, render, status));
    if (admin && o.status === 'delivered') {
      list.push(h('button', { type: 'button', class: 'danger', onclick: action(async () => {
        await api('POST', '/api/orders/' + o.id + '/refund', { reason: 'refunded by the shop' });
        toast('Order #' + o.id + ' refunded');
        render();
      }, status) }, 'Refund'));
    }
    return list.flatMap((b) => [b, ' ']);
  };
  const statuses = ['', 'pending_payment', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'];
  const pick = field('Status', { options: statuses.map((s) => option(s, s || 'All', s === filter)) }, 'select');
  pick.input.addEventListener('change', () => go((admin ? '/admin/orders' : '/seller/orders') + (pick.input.value ? '?status=' + pick.input.value : '')));
  return [
    h('div', { class: 'row' }, pick.el),
    status,
    data.items.length ? ordersTable(data.items, actions)
      : h('p', null, 'No orders here.'),
  ];
}

// ---- page ----------------------------------------------------------------------

export default async function sellerPage({ match, params }) {
  if (!session) return go('/signin?next=/seller');
  if (role() !== 'seller' && role() !== 'admin') return [h('h1', null, 'Seller'), notice('This page is for sellers.', true)];
  const tab = match[1] || '';
  let body;
  if (tab === 'new') body = await productForm(null);
  else if (tab === 'edit') body = await productForm(Number(params.get('id')));
  else if (tab === 'coupons') body = await couponsTab();
  else if (tab === 'orders') body = await ordersTab({ admin: false, params });
  else body = await productsTab();
  return [
    h('h1', null, 'Seller'),
    tabs('/seller', [['', 'My products'], ['coupons', 'My coupons'], ['orders', 'My orders']], tab === 'new' || tab === 'edit' ? '' : tab),
    body,
  ];
}
