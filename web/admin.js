// Admin pages: every order (status changes, cancel, refund), every coupon,
// and the email jobs with a retry for dead ones.
import { api, h, field, option, notice, action, toast, when, table, session, role, render, go } from './app.js';
import { tabs, couponsTab, ordersTab } from './seller.js';

async function jobsTab({ params }) {
  const status = h('div');
  const filter = params.get('status') || '';
  const data = await api('GET', '/api/admin/jobs?limit=50' + (filter ? '&status=' + encodeURIComponent(filter) : ''));
  const pick = field('Status', { options: ['', 'queued', 'running', 'done', 'dead'].map((s) => option(s, s || 'All', s === filter)) }, 'select');
  pick.input.addEventListener('change', () => go('/admin/jobs' + (pick.input.value ? '?status=' + pick.input.value : '')));
  return [
    h('div', { class: 'row' }, pick.el),
    status,
    data.items.length ? table(['Job', 'Kind', 'Status', 'Attempts', 'Next run', 'Last error', ''], data.items.map((j) => h('tr', { 'data-job-id': j.id },
        h('td', null, '#' + j.id), h('td', null, j.kind), h('td', null, j.status),
        h('td', null, j.attempts + ' of ' + j.maxAttempts), h('td', null, when(j.runAt)),
        h('td', null, j.lastError || ''),
        h('td', null, j.status === 'dead' ? h('button', { type: 'button', onclick: action(async () => {
          await api('POST', '/api/admin/jobs/' + j.id + '/retry');
          toast('Job #' + j.id + ' queued again');
          render();
        }, status) }, 'Retry') : null))))
      : h('p', null, 'No jobs here.'),
  ];
}

export default async function adminPage({ match, params }) {
  if (!session) return go('/signin?next=/admin');
  if (role() !== 'admin') return [h('h1', null, 'Admin'), notice('This page is for administrators.', true)];
  const tab = match[1] || '';
  let body;
  if (tab === 'coupons') body = await couponsTab();
  else if (tab === 'jobs') body = await jobsTab({ params });
  else body = await ordersTab({ admin: true, params });
  return [
    h('h1', null, 'Admin'),
    tabs('/admin', [['', 'All orders'], ['coupons', 'Coupons'], ['jobs', 'Email jobs']], tab === 'orders' ? '' : tab),
    body,
  ];
}
