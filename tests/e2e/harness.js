// The browser tests' harness: a mercato server (the sanitizer build, SQLite,
// a fresh data directory, demo data and an admin), headless chromium through
// playwright-core, an API client for setting up state, and screenshots.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.MERCATO_BIN || path.join(ROOT, 'build', 'asan', 'mercato');
const CHROMIUM = process.env.MERCATO_CHROMIUM || '/usr/bin/chromium';
// build/screenshots by default, so a test run leaves the tree clean;
// `make screenshots` points it at docs/screenshots/ to refresh the README's.
const SHOTS = process.env.MERCATO_SCREENSHOTS_DIR || path.join(ROOT, 'build', 'screenshots');
const DEMO_PASSWORD = 'mercato-demo';
const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-1' };
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Polls a condition until it holds or the time is up (a starting process).
async function waitFor(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Server {
  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mercato-e2e-'));
    this.port = await freePort();
    this.base = 'http://127.0.0.1:' + this.port;
    this.env = {
      ...process.env,
      MERCATO_DB: 'sqlite:' + path.join(this.dir, 'mercato.db'),
      MERCATO_PORT: String(this.port),
      MERCATO_HOST: '127.0.0.1',
      MERCATO_DATA_DIR: path.join(this.dir, 'data'),
      MERCATO_ENV: 'development',
      MERCATO_THREADS: '4',
      MERCATO_ACCESS_LOG: '0',
      MERCATO_AUTH_RATE: '1000000',
      MERCATO_RATE: '1000000',
      MERCATO_RATE_BURST: '1000000',
      ASAN_OPTIONS: 'detect_leaks=1:log_path=' + path.join(this.dir, 'asan'),
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:log_path=' + path.join(this.dir, 'ubsan'),
    };
    const cli = (...args) => execFileSync(BIN, args, { env: this.env, stdio: 'pipe' });
    cli('seed');
    cli('user', 'create', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin', '--name', 'Shop Admin');
    this.log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    this.proc = spawn(BIN, ['serve'], { env: this.env, stdio: ['ignore', this.log, this.log] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    await waitFor('the server', async () => (await fetch(this.base + '/healthz')).ok);
  }

  // Stops the server; throws on a non-zero exit or any sanitizer report.
  async stop() {
    if (!this.proc) return;
    this.proc.kill('SIGTERM');
    const { code } = await this.exited;
    fs.closeSync(this.log);
    const reports = fs.readdirSync(this.dir).filter((f) => /^(asan|ubsan)/.test(f))
      .map((f) => fs.readFileSync(path.join(this.dir, f), 'utf8'));
    if (reports.length) throw new Error('sanitizer reports:\n' + reports.join('\n'));
    if (code !== 0) {
      throw new Error('server exited with ' + code + ':\n' + fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-4000));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // The API directly, for setting up state the test is not about.
  async api(method, p, body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    const data = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(method + ' ' + p + ' -> ' + r.status + ' ' + text);
    return data;
  }

  async login(email, password = DEMO_PASSWORD) {
    return (await this.api('POST', '/api/auth/login', { email, password })).token;
  }
}

// A small valid PNG (solid colour) for the image upload.
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// The demo catalog's pictures live on another host, out of reach here: the
// browser gets a local placeholder for them instead.
const PLACEHOLDER = png(8, 8, [214, 222, 232]);

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

// A fresh browser profile (own cookies and sessionStorage) on the shop.
async function newPage(browser, server) {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: server.base, locale: 'en-IN' });
  await context.route((url) => url.origin !== server.base, (route) =>
    route.fulfill({ status: 200, contentType: 'image/png', body: PLACEHOLDER }));
  const page = await context.newPage();
  page.cspErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy/i.test(msg.text())) page.cspErrors.push(msg.text());
  });
  page.on('pageerror', (err) => page.cspErrors.push('page error: ' + err.message));
  return page;
}

// Saves the page at desktop and phone width: SHOTS/NAME-{desktop,phone}.png.
async function screenshot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.locator('#toast').evaluate((el) => { el.textContent = ''; });
  await page.screenshot({ path: path.join(SHOTS, name + '-desktop.png'), animations: 'disabled' });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, name + '-phone.png'), animations: 'disabled' });
  await page.setViewportSize(DESKTOP);
}

const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const money = (minor) => inr.format(minor / 100);

module.exports = { Server, launch, newPage, screenshot, png, money, ADMIN, DEMO_PASSWORD };
