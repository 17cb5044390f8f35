// The order desk's acceptance scenario in a real browser (issue 6,
// docs/ORDERS.md): during a call contact an operator takes an order for a
// regional key client. A client with overdue debt is blocked by the credit
// gate and the contact is redirected; for a good client the desk shows
// promotions and offer prompts, the operator offers 3 extras, adds one,
// replaces an out-of-stock line by its alternative, chooses delivery and
// payment, reads the order back and creates it; the customer's notice is
// recorded; the operator confirms and records the payment, the store manager
// picks, packs and ships it with carrier and tracking number, and the
// customer's timeline shows each change.
//
// The test brings its own data, so it does not depend on the demo's
// catalogue's exact items: an operator and a queue (API, as admin), a small
// catalogue with an out-of-stock item and its alternative (`switchboard
// catalogue import` of a CSV into the demo's database), two regional clients
// with their receivables (API, as the demo's supervisor) and two call
// contacts (API). The promoted item is one of the demo catalogue's items
// under a promotion running now, found through the search API.
//
// Run from tests/e2e:  SWITCHBOARD_BIN=/abs/path/to/switchboard node --test orders.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, Demo, LAUNCH_OPTIONS, PAGE_TIMEOUT_MS, STARTUP_TIMEOUT_MS } from './demo.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.join(HERE, 'artifacts');

const demo = new Demo();
let baseUrl = null;
let browser = null;

function findLogin(name) {
  const user = demo.logins.find((u) => u.login === name);
  assert.ok(user, `demo did not print a login "${name}" (printed: ${demo.logins.map((u) => u.login).join(', ')})`);
  return user;
}
function loginWithRole(role) {
  const user = demo.logins.find((u) => u.roles.includes(role));
  assert.ok(user, `demo printed no login with role ${role}`);
  return user;
}

async function newPage() {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const page = await context.newPage();
  page.on('dialog', (d) => d.accept());
  return { context, page };
}

async function signIn(page, user) {
  await page.goto('/login');
  await page.fill('input[name=login]', user.login);
  await page.fill('input[name=password]', user.password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
  assert.equal(await page.locator('nav#rooms').count(), 1, `${user.login} signed in`);
}

// JSON calls ride on a browser session: cookie plus a CSRF token from a page form.
function apiOf(ctx) {
  return async (method, url, body, { expect = 'ok' } = {}) => {
    const csrf = await ctx.page.locator('input[name=csrf]').first().inputValue();
    const r = await ctx.page.request.fetch(url, { method, data: body, headers: { 'x-csrf-token': csrf } });
    const text = await r.text();
    if (expect === 'ok') assert.ok(r.ok(), `${method} ${url}: ${r.status()} ${text}`);
    const json = text ? JSON.parse(text) : null;
    return expect === 'ok' ? json : { status: r.status(), json };
  };
}

// The test's own catalogue: the promoted item with complements (offer
// prompts), an out-of-stock item with an in-stock alternative.
const CATALOGUE_CSV = [
  'sku,name_ru,name_kk,category,unit,vat,price_retail,price_key,price_regional,stock,alternatives,complements',
  'E2E-FLOUR,Мука пшеничная E2E высший сорт 10 кг,Бидай ұны E2E 10 кг,,pcs,12,5200.00,4900.00,4800.00,main:200,,E2E-YEAST;E2E-SUGAR;E2E-SALT;E2E-OIL',
  'E2E-YEAST,Дрожжи E2E сухие 100 г,Ашытқы E2E 100 г,,pcs,12,450.00,420.00,410.00,main:300,,',
  'E2E-SUGAR,Сахар E2E 1 кг,Қант E2E 1 кг,,pcs,12,600.00,560.00,550.00,main:300,,',
  'E2E-SALT,Соль E2E 1 кг,Тұз E2E 1 кг,,pcs,12,150.00,140.00,135.00,main:300,,',
  'E2E-OIL,Масло подсолнечное E2E 1 л,Күнбағыс майы E2E 1 л,,pcs,12,900.00,850.00,830.00,main:300,,',
  'E2E-RICE,Рис E2E 1 кг,Күріш E2E 1 кг,,pcs,12,700.00,660.00,650.00,main:0,E2E-RICE2,',
  'E2E-RICE2,Рис E2E длиннозёрный 1 кг,Ұзын күріш E2E 1 кг,,pcs,12,750.00,700.00,690.00,main:50,,',
].join('\n');

function importCatalogue(db) {
  const file = path.join(demo.dataDir, 'e2e-catalogue.csv');
  fs.writeFileSync(file, `${CATALOGUE_CSV}\n`);
  execFileSync(BIN, ['catalogue', 'import', file, '--database', db], { stdio: 'pipe', timeout: 120_000 });
}

describe('the order desk in a real browser', { timeout: 20 * 60_000 }, () => {
  before(
    async () => {
      baseUrl = await demo.start({ prefix: 'switchboard-e2e-orders-' });
      browser = await chromium.launch(LAUNCH_OPTIONS);
    },
    { timeout: STARTUP_TIMEOUT_MS + 60_000 },
  );

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      await demo.stop();
    }
  });

  test('a call order for a regional key client: credit gate, promotions, offers, delivery, payment, shipping, timeline', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const admin = await newPage();
    const sup = await newPage();
    const op = await newPage();
    const sm = await newPage();
    try {
      // --- Set-up: an operator and a queue of their own, catalogue, clients, call contacts.
      await signIn(admin.page, findLogin('admin'));
      await admin.page.goto('/admin/users');
      const adminApi = apiOf(admin);
      const stamp = Date.now();
      const login = `orders.op.${stamp}`;
      const password = 'orders-operator-pass';
      const user = await adminApi('POST', '/api/v1/users', { login, name: 'Жанар Заказова', password, roles: ['operator'] });
      const queue = await adminApi('POST', '/api/v1/queues', {
        code: `orders${stamp}`, name_ru: 'Заказы по телефону', name_kk: 'Телефон арқылы тапсырыстар', name_en: 'Phone orders',
      });
      await adminApi('POST', `/api/v1/queues/${queue.id}/members`, { user_id: user.id });
      // Blocked clients without a manager go to the finance queue (order settings); the demo may have it already.
      const queues = await adminApi('GET', '/api/v1/queues');
      const list = Array.isArray(queues) ? queues : queues.queues;
      if (!list.some((q) => q.code === 'finance')) {
        await adminApi('POST', '/api/v1/queues', { code: 'finance', name_ru: 'Финансовый отдел', name_kk: 'Қаржы бөлімі', name_en: 'Finance' });
      }

      const dbFile = path.join(demo.dataDir, 'switchboard.db');
      importCatalogue(`sqlite://${dbFile}`);

      await signIn(sup.page, findLogin('supervisor1'));
      await sup.page.goto('/desk');
      const supApi = apiOf(sup);
      const customer = async (name, phone) => (await supApi('POST', '/api/v1/customers', {
        full_name: name, client_type: 'regional', consent: true, identities: [{ kind: 'phone', value: phone }],
      })).customer;
      const debtor = await customer('ТОО «Должник Караганда» E2E', `+7701${String(stamp).slice(-7)}`);
      const good = await customer('ТОО «Надёжный Шымкент» E2E', `+7702${String(stamp).slice(-7)}`);
      await supApi('PUT', `/api/v1/customers/${debtor.id}/account`, { balance: 90_000_00, overdue: 40_000_00, credit_limit: 100_000_00 });
      await supApi('PUT', `/api/v1/customers/${good.id}/account`, { balance: 0, overdue: 0, credit_limit: 5_000_000_00 });
      const found = await supApi('GET', `/api/v1/catalogue/search?q=${encodeURIComponent('а')}&customer_id=${good.id}&limit=200`);
      const promotedItem = found.find((i) => i.promotions && i.promotions.length && i.available > 10);
      assert.ok(promotedItem, 'the demo catalogue has a promoted item in stock');
      const promoted = promotedItem.sku;
      const call = async (customerId, subject) => supApi('POST', '/api/v1/contacts', {
        channel: 'voice', contact_type: 'information', subject, queue_id: queue.id, customer_id: customerId,
      });
      const blockedCall = await call(debtor.id, 'Хочу заказать муку');
      const goodCall = await call(good.id, 'Заказ на неделю');

      // --- The operator goes ready and takes the debtor's call.
      const page = op.page;
      const opApi = apiOf(op);
      await signIn(page, { login, password });
      await page.goto('/desk');
      await page.selectOption('#state-form select[name=state]', 'ready');
      await Promise.all([page.waitForNavigation(), page.click('#state-form button[type=submit]')]);
      const accept = async (contactId) => {
        const row = page.locator(`#my-work tr[data-contact="${contactId}"][data-status=offered]`);
        for (let i = 0; i < 30 && (await row.count()) === 0; i += 1) {
          await page.waitForTimeout(500);
          await page.goto('/desk');
        }
        await Promise.all([page.waitForNavigation(), row.locator('button.accept').click()]);
        assert.match(page.url(), new RegExp(`/desk/contacts/${contactId}$`));
      };
      await accept(blockedCall.id);

      // The credit gate blocks: reasons shown, creating disabled, redirect hands the contact over.
      const panel = page.locator('#order-panel');
      await panel.waitFor();
      await page.waitForSelector('#order-panel[data-gate=blocked]');
      assert.equal(await page.locator('#od-gate').isVisible(), true, 'the gate is shown');
      assert.equal(await page.locator('#od-gate-reasons li[data-reason=overdue]').count(), 1, 'overdue named');
      assert.match(await page.locator('#od-gate-reasons').innerText(), /40\s000,00/, 'the overdue amount');
      assert.equal(await page.locator('#od-create').isDisabled(), true, 'creating is disabled');
      await page.screenshot({ path: path.join(ARTIFACTS, 'orders-credit-gate.png'), fullPage: true });
      const reloaded = page.waitForNavigation().catch((e) => e);
      await page.click('#od-redirect');
      await page.waitForFunction(() => document.getElementById('order-panel')?.dataset.redirected === '1'
        || !document.getElementById('od-errors')?.hidden);
      assert.equal(await panel.getAttribute('data-redirected'), '1', `redirected: ${await page.locator('#od-errors').innerText()}`);
      await reloaded;
      const moved = await opApi('GET', `/api/v1/contacts/${blockedCall.id}`);
      assert.notEqual(moved.operator_id, user.id, `the contact left the operator: ${JSON.stringify(moved)}`);
      assert.ok(moved.queue_id !== queue.id || moved.operator_id !== null, 'handed to finance or the manager');
      assert.ok(moved.hops.length >= 1, 'the hand-over is on the trace');
      assert.equal(await page.locator('#order-panel').count(), 0, 'no order panel on a contact that is not ours');

      // --- The good client's call.
      await page.goto('/desk');
      await accept(goodCall.id);
      await page.waitForSelector('#order-panel[data-gate=open]');
      assert.equal(await page.locator('#od-receiver-name').inputValue(), 'ТОО «Надёжный Шымкент» E2E', 'receiver prefilled');

      // Search by SKU shows the client's price and live stock; add 5.
      const quoted = async () => Number(await panel.getAttribute('data-quoted'));
      const settle = async (before) => {
        await page.waitForFunction((n) => {
          const p = document.getElementById('order-panel');
          return Number(p.dataset.quoted) > n && p.dataset.quoting === '0';
        }, before);
      };
      const find = async (q) => {
        await page.fill('#od-search', q);
        await page.click('#od-search-go');
      };
      await find(promoted);
      const hit = page.locator(`#od-results tr[data-sku="${promoted}"]`);
      await hit.waitFor();
      assert.equal(await hit.getAttribute('data-available'), String(promotedItem.available), 'live stock');
      const regional = (promotedItem.price / 100).toFixed(2).replace('.', ',');
      const shown = (await hit.locator('.od-price').innerText()).replace(/\s/g, '');
      assert.ok(shown.includes(regional), `the client's price ${regional} is shown: ${shown}`);
      let n = await quoted();
      await hit.locator('.od-result-qty').fill('5');
      await hit.locator('.od-result-add').click();
      await settle(n);
      const line = page.locator(`#od-lines tr[data-sku="${promoted}"]`);
      await line.waitFor();
      assert.ok(await line.getAttribute('data-promotion'), 'the promotion applies to the line');
      assert.match(await line.locator('.od-discount').innerText(), /−/, 'the discount is shown');
      assert.ok((await page.locator('#od-promotions li').count()) >= 1, 'promotions for the basket shown');

      // An out-of-stock item: its alternative replaces it in one click.
      await find('E2E-RICE');
      const rice = page.locator('#od-results tr[data-sku="E2E-RICE"]');
      await rice.waitFor();
      n = await quoted();
      await rice.locator('.od-result-add').click();
      await settle(n);
      const alt = page.locator('tr.od-alternatives[data-for="E2E-RICE"] .od-replace[data-sku="E2E-RICE2"]');
      await alt.waitFor();
      n = await quoted();
      await alt.click();
      await settle(n);
      assert.equal(await page.locator('#od-lines tr[data-sku="E2E-RICE"]').count(), 0, 'the out-of-stock line is gone');
      assert.equal(await page.locator('#od-lines tr[data-sku="E2E-RICE2"]').count(), 1, 'replaced by the alternative');

      // Offer prompts: offer three, add one of them.
      await page.waitForFunction(() => document.querySelectorAll('#od-suggestions li[data-sku]').length >= 3);
      const offered = [];
      while (offered.length < 3) {
        const s = page.locator('#od-suggestions li[data-sku][data-offered="0"]').first();
        const sku = await s.getAttribute('data-sku');
        n = await quoted();
        await s.locator('.od-offer').click();
        await settle(n);
        offered.push(sku);
      }
      const counter = page.locator('#od-offer-count');
      assert.equal(await counter.getAttribute('data-count'), '3', 'offered 3');
      const threshold = Number(await counter.getAttribute('data-threshold'));
      assert.ok(threshold >= 1, `a threshold is shown (${threshold})`);
      n = await quoted();
      await page.locator(`#od-suggestions li[data-sku="${offered[0]}"] .od-suggestion-add`).click();
      await settle(n);
      assert.equal(await page.locator(`#od-lines tr[data-sku="${offered[0]}"]`).count(), 1, 'the accepted extra is in the basket');
      assert.equal(await counter.getAttribute('data-count'), '3', 'still 3 offered');

      // Delivery and payment.
      await page.selectOption('#od-delivery-method', 'courier');
      await page.fill('#od-address', 'Шымкент, проспект Тауке хана 12, склад 3');
      await page.selectOption('#od-slot', '12-15');
      await page.fill('#od-receiver-phone', '+7 702 555 11 22');
      await page.locator('#od-receiver-phone').dispatchEvent('change');
      n = await quoted();
      await page.selectOption('#od-payment-method', 'bank_transfer');
      await settle(n);
      assert.deepEqual(
        await page.locator('#od-terms option:not([disabled])').evaluateAll((os) => os.map((o) => o.value)),
        ['prepaid', 'deferred'],
        'a bank transfer is prepaid or deferred',
      );
      n = await quoted();
      await page.selectOption('#od-payment-method', 'card_link');
      await settle(n);
      assert.equal(await page.locator('#od-terms').inputValue(), 'prepaid');
      assert.notEqual(await page.locator('#od-totals dd[data-total=delivery_cost]').innerText(), '', 'delivery cost shown');

      // Read-back, then create.
      assert.equal(await page.locator('#od-create').isDisabled(), true, 'not before the read-back');
      const readback = await page.locator('#od-readback').innerText();
      assert.match(readback, /Тауке хана 12/, 'the read-back has the address');
      assert.match(readback, /× 5/, 'and the quantities');
      await page.check('#od-readback-done');
      assert.equal(await page.locator('#od-create').isDisabled(), false);
      await page.screenshot({ path: path.join(ARTIFACTS, 'orders-desk-panel.png'), fullPage: true });
      await page.click('#od-create');
      const result = page.locator('#od-result[data-order]');
      await result.waitFor();
      const orderId = Number(await result.getAttribute('data-order'));
      assert.equal(await result.getAttribute('data-status'), 'new');

      const order = await opApi('GET', `/api/v1/orders/${orderId}`);
      assert.equal(order.customer_id, good.id);
      assert.equal(order.contact_id, goodCall.id, 'the order belongs to the call contact');
      assert.equal(order.source, 'call');
      assert.equal(order.lines.length, 3, `the promoted item, the rice alternative, the extra: ${JSON.stringify(order.lines)}`);
      assert.equal(order.offers_count, 3, 'the offers went with the order');
      assert.ok(order.read_back_at, 'read back');
      const noticeKey = (x) => x.template || x.template_key || x.key || '';
      assert.ok(order.notices.some((x) => noticeKey(x) === 'order-created'), `the customer's notice: ${JSON.stringify(order.notices)}`);

      // The order page: the notice is listed; the operator confirms and records the payment.
      await page.click('#od-order-link');
      await page.waitForSelector('#order[data-status=new]');
      await page.locator('#order-notices li[data-template="order-created"]').waitFor();
      const act = async (p, action, fill = async () => {}) => {
        const form = p.locator(`form.order-action[data-action=${action}]`);
        await form.waitFor();
        await fill(form);
        const loaded = Number(await p.locator('#order').getAttribute('data-loaded'));
        await form.locator(`button[data-test=order-do-${action}]`).click();
        await p.waitForFunction((l) => Number(document.getElementById('order').dataset.loaded) > l, loaded);
        assert.equal(await p.locator('#order-error').isHidden(), true, `${action}: ${await p.locator('#order-error').innerText()}`);
      };
      assert.equal(await page.locator('form.order-action[data-action=pick]').count(), 0, 'operators do not fulfil');
      await act(page, 'confirm');
      await page.waitForSelector('#order[data-status=confirmed]');
      await act(page, 'pay');
      await page.waitForSelector('#order[data-status=paid]');
      assert.equal(await page.locator('form.order-action[data-action=pick]').count(), 0, 'still not the operator’s');

      // --- The store manager picks, packs and ships it.
      const manager = demo.logins.find((u) => u.login === 'manager1') ?? loginWithRole('store_manager');
      await signIn(sm.page, manager);
      await sm.page.goto('/orders');
      await sm.page.locator(`#orders-rows tr[data-order="${orderId}"][data-status=paid]`).waitFor();
      await sm.page.goto(`/orders/${orderId}`);
      await sm.page.waitForSelector('#order[data-status=paid]');
      await act(sm.page, 'pick');
      await act(sm.page, 'pack');
      await act(sm.page, 'ship', async (form) => {
        await form.locator('[data-test=order-carrier]').fill('Kazpost');
        await form.locator('[data-test=order-tracking]').fill('KZ123456789KZ');
      });
      await sm.page.waitForSelector('#order[data-status=shipped]');
      assert.match(await sm.page.locator('#order-shipping').innerText(), /Kazpost, KZ123456789KZ/);
      const kinds = await sm.page.locator('#order-history li').evaluateAll((ls) => ls.map((l) => l.dataset.kind));
      for (const k of ['order.created', 'order.confirmed', 'order.paid', 'order.picked', 'order.packed', 'order.shipped']) {
        assert.ok(kinds.includes(k), `history has ${k}: ${kinds}`);
      }
      const told = await sm.page.locator('#order-notices li').evaluateAll((ls) => ls.map((l) => l.dataset.template));
      assert.ok(told.includes('order-shipped'), `the customer is told it shipped: ${told}`);
      await sm.page.screenshot({ path: path.join(ARTIFACTS, 'orders-order-page.png'), fullPage: true });

      // --- The customer's timeline shows each change.
      await page.goto(`/desk/customers/${good.id}`);
      const changes = await page
        .locator(`#timeline li.order-change[data-order="${orderId}"]`)
        .evaluateAll((ls) => ls.map((l) => l.dataset.kind));
      assert.deepEqual(
        changes,
        ['order.created', 'order.confirmed', 'order.paid', 'order.picked', 'order.packed', 'order.shipped'],
        'every change on the timeline, in order',
      );
      assert.match(await page.locator('#timeline').innerText(), /Kazpost, KZ123456789KZ/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'orders-timeline.png'), fullPage: true });
    } finally {
      await admin.context.close();
      await sup.context.close();
      await op.context.close();
      await sm.context.close();
    }
  });
});
