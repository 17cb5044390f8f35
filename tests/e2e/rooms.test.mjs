// Real-browser end-to-end test: every demo login signs in through the login
// form in headless Chromium and sees exactly the rooms its roles allow; an
// operator works a contact; a planner goes from a history to a published
// schedule that an operator then finds on the desk.
//
// Run from tests/e2e:  SWITCHBOARD_BIN=/abs/path/to/switchboard node --test
// (see README.md). The server is started here as `switchboard demo` on a
// fresh data dir and a free loopback port, and is always killed at the end.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Demo, LAUNCH_OPTIONS, PAGE_TIMEOUT_MS, STARTUP_TIMEOUT_MS } from './demo.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(HERE, 'artifacts');




// Role -> rooms it opens. Every signed-in user also has `profile`.
const ROLE_ROOMS = {
  operator: ['desk', 'orders'],
  senior_operator: ['desk', 'orders', 'wallboard', 'kb-editor', 'scripts', 'templates'],
  quality_specialist: ['quality', 'reports', 'kb-editor', 'scripts', 'templates'],
  resource_planner: ['planning', 'wallboard', 'reports'],
  supervisor: ['desk', 'orders', 'returns', 'analytics', 'quality', 'planning', 'wallboard', 'reports', 'queues', 'service-levels', 'topics', 'skills',
    'kb-editor', 'scripts', 'templates'],
  head_of_centre: ['quality', 'planning', 'wallboard', 'reports', 'users'],
  store_manager: ['orders', 'returns', 'analytics', 'reports', 'seller', 'return-windows'],
  administrator: ['queues', 'service-levels', 'topics', 'skills', 'kb-editor', 'scripts', 'templates', 'mailboxes', 'gateways',
    'users', 'audit', 'seller', 'return-windows'],
};
const ALL_ROLES = Object.keys(ROLE_ROOMS);

// Room -> URL path.
const ROOM_PATH = {
  desk: '/desk',
  orders: '/orders',
  returns: '/orders/returns',
  analytics: '/orders/analytics',
  seller: '/admin/seller',
  'return-windows': '/admin/return-windows',
  quality: '/quality',
  planning: '/planning',
  wallboard: '/wallboard',
  reports: '/reports',
  queues: '/admin/queues',
  'service-levels': '/admin/service-levels',
  topics: '/admin/topics',
  skills: '/admin/skills',
  'kb-editor': '/admin/kb',
  scripts: '/admin/scripts',
  templates: '/admin/templates',
  mailboxes: '/admin/mailboxes',
  gateways: '/admin/gateways',
  users: '/admin/users',
  audit: '/admin/audit',
  profile: '/profile',
};

// Users whose every allowed room is opened, plus one room they must not open.
const ROOM_ACCESS_CHECKS = [
  { login: 'operator1', forbidden: '/admin/users' },
  { login: 'admin', forbidden: '/desk' },
];


function expectedRooms(roles) {
  const rooms = new Set(['profile']);
  for (const role of roles) {
    assert.ok(Object.hasOwn(ROLE_ROOMS, role), `unknown role id "${role}"`);
    for (const room of ROLE_ROOMS[role]) rooms.add(room);
  }
  return rooms;
}

const sorted = (set) => [...set].sort();


// ---------------------------------------------------------------------------
// The server under test.

const demo = new Demo();
let baseUrl = null;
const logins = demo.logins; // { login, password, roles: [] }
const startServer = () => demo.start();
const stopServer = () => demo.stop();

// ---------------------------------------------------------------------------
// Browser helpers.

let browser = null;

async function newPage() {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

// Fills the login form and submits it; resolves after the resulting navigation.
async function submitLogin(page, login, password) {
  const response = await page.goto('/login');
  assert.ok(response, 'no response for /login');
  assert.equal(response.status(), 200, 'GET /login status');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
}

async function signIn(page, user) {
  await submitLogin(page, user.login, user.password);
  const where = `${user.login} after sign-in at ${page.url()}`;
  assert.equal(await page.locator('form#login-form').count(), 0, `${where}: still on the login page`);
  assert.equal(await page.locator('nav#rooms').count(), 1, `${where}: no nav#rooms`);
}

async function navRooms(page) {
  return new Set(await page.locator('nav#rooms a[data-room]').evaluateAll((as) => as.map((a) => a.dataset.room)));
}

function findLogin(name) {
  const user = logins.find((u) => u.login === name);
  assert.ok(user, `demo did not print a login "${name}" (printed: ${logins.map((u) => u.login).join(', ')})`);
  return user;
}

// ---------------------------------------------------------------------------

describe('switchboard demo in a real browser', { timeout: 20 * 60_000 }, () => {
  before(
    async () => {
      baseUrl = await startServer();
      browser = await chromium.launch(LAUNCH_OPTIONS);
    },
    { timeout: STARTUP_TIMEOUT_MS + 60_000 },
  );

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      await stopServer();
    }
  });

  test('demo prints at least 20 logins covering all 8 roles', () => {
    assert.ok(logins.length >= 20, `expected >= 20 demo logins, got ${logins.length}`);
    const names = logins.map((u) => u.login);
    assert.equal(new Set(names).size, names.length, 'demo logins are not unique');
    const seen = new Set(logins.flatMap((u) => u.roles));
    for (const role of seen) assert.ok(ALL_ROLES.includes(role), `unknown role id "${role}"`);
    assert.deepEqual(sorted(seen), sorted(new Set(ALL_ROLES)), 'roles covered by the demo logins');
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('every demo login signs in and sees exactly the rooms of its roles', async (t) => {
    assert.ok(logins.length > 0, 'no demo logins');
    for (const user of logins) {
      await t.test(`${user.login} (${user.roles.join(',')})`, async () => {
        const expected = expectedRooms(user.roles);
        const { context, page } = await newPage();
        try {
          await signIn(page, user);
          const rooms = await navRooms(page);
          assert.deepEqual(sorted(rooms), sorted(expected), `rooms in nav#rooms for ${user.login}`);
        } finally {
          await context.close();
        }
      });
    }
  });

  for (const check of ROOM_ACCESS_CHECKS) {
    test(`${check.login} opens each allowed room (200) and is refused ${check.forbidden} (403)`, async () => {
      const user = findLogin(check.login);
      const { context, page } = await newPage();
      try {
        await signIn(page, user);
        for (const room of sorted(expectedRooms(user.roles))) {
          const url = ROOM_PATH[room];
          const response = await page.goto(url);
          assert.ok(response, `no response for ${url}`);
          assert.equal(response.status(), 200, `${user.login} GET ${url} (room ${room}) -> ${page.url()}`);
          assert.equal(await page.locator('form#login-form').count(), 0, `${user.login} GET ${url}: got the login page`);
        }
        const response = await page.goto(check.forbidden);
        assert.ok(response, `no response for ${check.forbidden}`);
        assert.equal(response.status(), 403, `${user.login} GET ${check.forbidden} -> ${page.url()}`);
      } finally {
        await context.close();
      }
    });
  }

  test('a wrong password shows the login page again with an error', async () => {
    const user = findLogin('operator1');
    const { context, page } = await newPage();
    try {
      await submitLogin(page, user.login, `${user.password}-wrong`);
      assert.equal(await page.locator('form#login-form').count(), 1, 'login form shown again');
      assert.ok((await page.locator('.error').count()) >= 1, 'an .error element is shown');
      assert.equal(await page.locator('nav#rooms a[data-room]').count(), 0, 'no rooms after a failed sign-in');
    } finally {
      await context.close();
    }
  });

  // The operator's whole contact: ready → offered → accept → script → knowledge
  // search by another word form → transfer with a reason → a second operator
  // in that department resolves it with a wrap-up → the customer card shows it.
  test('an operator works a contact end to end and a second operator resolves it', async () => {
    const first = await newPage();
    const second = await newPage();
    try {
      const { page } = first;
      await signIn(page, findLogin('operator1'));
      await page.goto('/desk');
      await page.selectOption('#state-form select[name=state]', 'ready');
      await Promise.all([page.waitForNavigation(), page.click('#state-form button[type=submit]')]);
      const offered = page.locator('#my-work tr[data-status=offered]').first();
      assert.equal(await offered.count(), 1, 'a contact is offered after going ready');
      const id = await offered.getAttribute('data-contact');
      await Promise.all([page.waitForNavigation(), offered.locator('button.accept').click()]);
      assert.match(page.url(), new RegExp(`/desk/contacts/${id}`));

      // Run a script to its end.
      await Promise.all([page.waitForNavigation(), page.locator('button.script-start').first().click()]);
      for (let step = 0; (await page.locator('#script-ended').count()) === 0; step += 1) {
        assert.ok(step < 60, 'the script ends');
        const kind = await page.locator('.script-node').getAttribute('data-kind');
        if (kind === 'question') {
          await Promise.all([page.waitForNavigation(), page.locator('button.script-option').first().click()]);
        } else if (kind === 'input') {
          await page.fill('.script-answer input[name=text]', '12345');
          await Promise.all([page.waitForNavigation(), page.click('button.script-enter')]);
        } else {
          await Promise.all([page.waitForNavigation(), page.click('button.script-continue')]);
        }
      }

      // Knowledge search with a word form the article does not use.
      await page.goto('/desk/kb');
      await page.fill('#kb-search input[name=q]', 'доставкой заказов');
      await Promise.all([page.waitForNavigation(), page.click('#kb-search button[type=submit]')]);
      const hit = page.locator('#kb-hits .hit').first();
      assert.equal(await hit.count(), 1, 'an article is found');
      const title = (await hit.locator('h3 a').innerText()).toLowerCase();
      assert.ok(title.includes('доставк') && !title.includes('доставкой'), `found by stemming: "${title}"`);
      assert.ok((await hit.locator('mark').count()) >= 1, 'matches are marked');

      // Redirect to the complaints department with a reason.
      await page.goto(`/desk/contacts/${id}`);
      const queues = await page
        .locator('#transfer-form select[name=queue_id] option')
        .evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent })));
      const complaints = queues.find((q) => /Жалобы|Шағымдар|Complaints/.test(q.text));
      assert.ok(complaints, `complaints queue offered: ${JSON.stringify(queues)}`);
      await page.selectOption('#transfer-form select[name=queue_id]', complaints.value);
      await page.fill('#transfer-form input[name=reason]', 'Нужен отдел претензий');
      await Promise.all([page.waitForNavigation(), page.click('#transfer-form button[type=submit]')]);

      // The second operator serves complaints; older complaints come first.
      const p2 = second.page;
      await signIn(p2, findLogin('operator7'));
      await p2.goto('/desk');
      await p2.selectOption('#state-form select[name=state]', 'ready');
      await Promise.all([p2.waitForNavigation(), p2.click('#state-form button[type=submit]')]);
      const resolve = async (contactId, summary) => {
        await p2.goto(`/desk/contacts/${contactId}`);
        await p2.fill('#wrapup-form textarea[name=summary]', summary);
        await p2.fill('#wrapup-form input[name=outcome]', 'resolved');
        for (const field of await p2.locator('#wrapup-form input[name^=field_]').all()) await field.fill('доставка');
        await p2.check('#wrapup-form input[name=fcr]');
        await Promise.all([p2.waitForNavigation(), p2.click('#wrapup-form button[type=submit]')]);
        assert.equal(await p2.locator('#wrapup-done').count(), 1, `contact ${contactId} resolved`);
      };
      let mine = false;
      for (let round = 0; !mine; round += 1) {
        assert.ok(round < 40, 'the redirected contact reaches the second operator');
        await p2.goto('/desk');
        const rows = await p2
          .locator('#my-work tr[data-contact]')
          .evaluateAll((rs) => rs.map((r) => ({ id: r.dataset.contact, status: r.dataset.status })));
        const ours = rows.find((r) => r.id === id);
        if (ours && ours.status === 'offered') {
          await Promise.all([p2.waitForNavigation(), p2.locator(`tr[data-contact="${id}"] button.accept`).click()]);
          mine = true;
          break;
        }
        // Clear older work first, as an operator would.
        const other = rows.find((r) => r.id !== id);
        assert.ok(other, `nothing offered to operator7 (rows ${JSON.stringify(rows)})`);
        if (other.status === 'offered') {
          await Promise.all([p2.waitForNavigation(), p2.locator(`tr[data-contact="${other.id}"] button.accept`).click()]);
        }
        await resolve(other.id, 'Разобрались с жалобой');
      }
      await resolve(id, 'Жалоба рассмотрена, клиенту ответили');

      // The customer card shows the contact with its redirect.
      await p2.goto(`/desk/contacts/${id}`);
      const customer = p2.locator('#contact a[href^="/desk/customers/"]');
      assert.equal(await customer.count(), 1, 'the contact has a customer');
      await Promise.all([p2.waitForNavigation(), customer.click()]);
      const item = p2.locator(`#timeline .timeline-item[data-contact="${id}"]`);
      assert.equal(await item.count(), 1, 'the contact is on the customer timeline');
      assert.match(await item.innerText(), /Нужен отдел претензий/);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await p2.screenshot({ path: path.join(ARTIFACTS, 'customer-card.png'), fullPage: true });
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });

  test('an offer appears on the desk without a reload and keyboard shortcuts accept and wrap up', async () => {
    const admin = await newPage();
    const op = await newPage();
    const sup = await newPage();
    try {
      // JSON calls ride on a browser session: cookie plus the page's CSRF token.
      const api = async (ctx, method, url, body) => {
        const csrf = await ctx.page.locator('input[name=csrf]').first().inputValue();
        const r = await ctx.page.request.fetch(url, { method, data: body, headers: { 'x-csrf-token': csrf } });
        assert.ok(r.ok(), `${method} ${url}: ${r.status()} ${await r.text()}`);
        return r.status() === 204 ? null : r.json();
      };
      await signIn(admin.page, findLogin('admin'));
      await admin.page.goto('/admin/users');
      const login = `live.op.${Date.now()}`;
      const password = 'live-operator-pass';
      const user = await api(admin, 'POST', '/api/v1/users', { login, name: 'Айгерим Live', password, roles: ['operator'] });
      const queue = await api(admin, 'POST', '/api/v1/queues', {
        code: `live${Date.now()}`, name_ru: 'Живая очередь', name_kk: 'Тірі кезек', name_en: 'Live queue',
      });
      await api(admin, 'POST', `/api/v1/queues/${queue.id}/members`, { user_id: user.id });

      // The new operator goes ready with nothing waiting, then just watches.
      const page = op.page;
      await signIn(page, { login, password });
      await page.goto('/desk');
      await page.selectOption('#state-form select[name=state]', 'ready');
      await Promise.all([page.waitForNavigation(), page.click('#state-form button[type=submit]')]);
      assert.equal(await page.locator('#my-work tr[data-status=offered]').count(), 0, 'nothing offered yet');
      await page.waitForFunction(() => document.body.dataset.live === 'open');
      await page.evaluate(() => { window.__sameDocument = true; });

      // A supervisor registers a contact in that queue.
      await signIn(sup.page, findLogin('supervisor1'));
      await sup.page.goto('/desk');
      const contact = await api(sup, 'POST', '/api/v1/contacts', {
        channel: 'chat', contact_type: 'information', subject: 'Когда придёт мой заказ?', queue_id: queue.id,
      });

      const row = page.locator(`#my-work tr[data-contact="${contact.id}"][data-status=offered]`);
      await row.waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the offer arrived without a reload');

      // Alt+A accepts the offer; Alt+W and Alt+T jump to the wrap-up and transfer forms.
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Alt+KeyA')]);
      assert.match(page.url(), new RegExp(`/desk/contacts/${contact.id}$`));
      await page.waitForFunction(() => document.querySelector('script[src="/static/live.js"]') !== null);
      await page.keyboard.press('Alt+KeyW');
      assert.equal(await page.evaluate(() => Boolean(document.activeElement?.closest('#wrapup-form'))), true, 'Alt+W');
      await page.keyboard.press('Alt+KeyT');
      assert.equal(await page.evaluate(() => Boolean(document.activeElement?.closest('#transfer-form'))), true, 'Alt+T');
    } finally {
      await admin.context.close();
      await op.context.close();
      await sup.context.close();
    }
  });

  // The planner's path through the room: import a CSV history, forecast it
  // (chart with history, backtest and forecast; backtest table), staff it,
  // draft a schedule and publish it; then an operator in that schedule finds
  // their shifts through the desk's "My schedule" link.
  test('a planner imports, forecasts, staffs, schedules and publishes; an operator sees their shifts', async () => {
    const planner = await newPage();
    const operator = await newPage();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-history-'));
    try {
      // Five weeks, Monday–Friday 09:00–17:45 in 15-minute intervals (a backtest
      // needs four operating weeks before it), a daily and weekly shape, a little noise.
      const rows = ['timestamp,calls'];
      const first = Date.UTC(2026, 8, 7); // Monday 7 September 2026
      for (let d = 0; d < 35; d += 1) {
        const day = new Date(first + d * 86_400_000);
        const wd = (day.getUTCDay() + 6) % 7;
        if (wd >= 5) continue;
        for (let slot = 0; slot < 36; slot += 1) {
          const shape = 1 + 0.6 * Math.sin((Math.PI * slot) / 35);
          const level = 18 * shape * [1.2, 1.05, 1, 0.95, 0.9][wd] + (((d * 7 + slot * 13) % 5) - 2);
          const hh = String(9 + Math.floor(slot / 4)).padStart(2, '0');
          const mm = String((slot % 4) * 15).padStart(2, '0');
          rows.push(`${day.toISOString().slice(0, 10)} ${hh}:${mm},${Math.round(level)}`);
        }
      }
      const file = path.join(tmp, 'e2e-history.csv');
      fs.writeFileSync(file, `${rows.join('\n')}\n`);
      const scheduleName = `E2E schedule ${Date.now()}`;

      const { page } = planner;
      await signIn(page, findLogin('planner1'));
      await page.goto('/planning');
      await page.setInputFiles('#plan-import input[type=file][name=file]', file);
      await Promise.all([page.waitForNavigation(), page.click('#plan-import form[enctype="multipart/form-data"] button[type=submit]')]);
      assert.match(page.url(), /\/planning\/series\/\d+$/, `the history page (${page.url()})`);
      assert.equal(await page.locator('#history-chart').count(), 1, 'the daily chart');

      // Forecast the next five operating days with the model the backtest chooses.
      await page.selectOption('#forecast-form select[name=method]', 'auto');
      await page.fill('#forecast-form input[name=horizon_days]', '5');
      await Promise.all([page.waitForNavigation(), page.click('#forecast-form button[type=submit]')]);
      assert.match(page.url(), /\/planning\/forecasts\/\d+$/, `the forecast page (${page.url()})`);
      assert.ok((await page.locator('#backtest tr[data-model]').count()) >= 5, 'every model in the backtest table');
      assert.equal(await page.locator('#backtest tr.chosen').count(), 1, 'one model chosen');
      for (const series of ['hist', 'bt', 'fc']) {
        const points = await page.locator(`#forecast-chart polyline.${series}`).getAttribute('points');
        assert.ok(points && points.trim().split(/\s+/).length > 10, `the chart draws "${series}": ${points}`);
      }
      assert.equal(await page.locator('#forecast-legend .key').count(), 3, 'history, backtest and forecast in the legend');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'planning-forecast.png'), fullPage: true });

      // Staffing with the form's defaults (80/20, occupancy 85 %, shrinkage 30 %).
      await Promise.all([page.waitForNavigation(), page.click('#staffing-form button[type=submit]')]);
      assert.match(page.url(), /\/planning\/staffing\/\d+$/, `the staffing page (${page.url()})`);
      assert.equal(await page.locator('#staffing-table tr').count(), 1 + 36, 'a row per interval of the first day shown');

      // Draft a schedule and publish it.
      await page.fill('#generate-form input[name=name]', scheduleName);
      await Promise.all([page.waitForNavigation(), page.click('#generate-form button[type=submit]')]);
      assert.match(page.url(), /\/planning\/schedules\/\d+$/, `the schedule page (${page.url()})`);
      assert.equal(await page.locator('#publish-form').count(), 1, 'a draft can be published');
      const working = await page
        .locator('#roster-grid tr[data-operator]')
        .evaluateAll((trs) => trs.filter((tr) => tr.querySelector('td.cell-S')).map((tr) => tr.dataset.operator));
      const printed = new Set(logins.map((u) => u.login));
      const who = working.find((login) => printed.has(login) && /^operator\d+$/.test(login)) ?? working.find((login) => printed.has(login));
      assert.ok(who, `a demo operator works on the first day (working: ${working.join(', ')})`);
      await Promise.all([page.waitForNavigation(), page.click('#publish-form button[type=submit]')]);
      assert.equal(await page.locator('#publish-form').count(), 0, 'published: no publish button any more');
      await page.screenshot({ path: path.join(ARTIFACTS, 'planning-schedule.png'), fullPage: true });

      // The operator follows the desk's link to their own shifts in that schedule.
      const op = operator.page;
      await signIn(op, findLogin(who));
      await op.goto('/desk');
      await Promise.all([op.waitForNavigation(), op.click('#desk-links a#my-schedule-link')]);
      assert.match(op.url(), /\/desk\/schedule$/);
      const shifts = await op
        .locator('#my-shifts tr[data-date]')
        .evaluateAll((trs) => trs.map((tr) => ({ date: tr.dataset.date, text: tr.innerText })));
      const ours = shifts.filter((s) => s.text.includes(scheduleName));
      assert.ok(ours.length >= 1, `${who} sees shifts of "${scheduleName}": ${JSON.stringify(shifts)}`);
      assert.ok(ours.every((s) => /\d\d:\d\d–\d\d:\d\d/.test(s.text)), 'each with its times');
      assert.equal(ours[0].date, '2026-10-12', 'the first shift is on the first forecast day (Monday after the history)');
    } finally {
      await planner.context.close();
      await operator.context.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('screenshot of the admin users page', async () => {
    const user = findLogin('admin');
    const { context, page } = await newPage();
    try {
      await signIn(page, user);
      const response = await page.goto('/admin/users');
      assert.equal(response?.status(), 200, 'GET /admin/users');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, 'admin-users.png');
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(fs.statSync(file).size > 0, 'screenshot written');
    } finally {
      await context.close();
    }
  });
});
