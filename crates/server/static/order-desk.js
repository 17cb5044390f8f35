// The desk's order panel in the contact window (docs/ORDERS.md). The
// operator finds items, builds the basket, offers extras, chooses delivery
// and payment, reads the order back and creates it; every change asks the
// server for a quote (prices for this client's type, promotions, the credit
// gate, offer prompts, alternatives, delivery cost): nothing is priced here.
(function () {
  'use strict';
  var box = document.getElementById('order-panel');
  if (!box || !window.fetch) return;
  var contactId = Number(box.getAttribute('data-contact'));
  var customerId = Number(box.getAttribute('data-customer'));
  var csrf = box.getAttribute('data-csrf') || '';
  var T = {};
  try { T = JSON.parse(box.getAttribute('data-texts') || '{}'); } catch (e) { T = {}; }
  function t(k) { return T[k] || k; }
  function $(id) { return document.getElementById(id); }

  // ------------------------------------------------------------- state
  var lines = []; // [{sku, qty, name}]
  var names = {}; // sku -> name, from search results and suggestions
  var offers = {}; // sku -> {sku, why, accepted}
  var seen = {}; // sku -> the suggestion as the quote gave it
  var quote = null;
  var requestKey = 'desk-' + contactId + '-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  var created = false;

  function money(minor) {
    var n = Number(minor || 0);
    var neg = n < 0;
    n = Math.abs(n);
    var whole = String(Math.floor(n / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
    var frac = String(n % 100);
    if (frac.length < 2) frac = '0' + frac;
    return (neg ? '−' : '') + whole + ',' + frac + '\u00a0₸';
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function button(label, attrs, onClick) {
    var b = el('button', Object.assign({ type: 'button' }, attrs || {}), label);
    b.addEventListener('click', onClick);
    return b;
  }
  function api(method, url, body) {
    var opts = { method: method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf } };
    if (body !== undefined) {
      opts.headers['content-type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }
  function errorText(e) {
    var code = t('ord-err-' + e.code);
    return (e.field ? e.field + ': ' : '') + (code === 'ord-err-' + e.code ? e.code : code);
  }
  function showErrors(list) {
    var ul = $('od-errors');
    ul.textContent = '';
    (list || []).forEach(function (e) {
      ul.appendChild(el('li', { 'data-field': e.field || '', 'data-code': e.code || '' }, typeof e === 'string' ? e : errorText(e)));
    });
    ul.hidden = !(list && list.length);
  }

  // ------------------------------------------------------------- the draft
  function slot() {
    var date = $('od-date').value;
    if (!date || $('od-slot-label').hidden) return [null, null];
    var parts = $('od-slot').value.split('-');
    var from = new Date(date + 'T' + ('0' + parts[0]).slice(-2) + ':00:00');
    var until = new Date(date + 'T' + ('0' + parts[1]).slice(-2) + ':00:00');
    if (isNaN(from.getTime()) || isNaN(until.getTime())) return [null, null];
    return [from.getTime(), until.getTime()];
  }
  function terms() {
    var v = $('od-terms').value;
    if (v === 'deferred') return 'deferred:' + Math.max(1, Math.floor(Number($('od-days').value) || 0));
    return v;
  }
  function offerList() {
    return Object.keys(offers).map(function (k) { return offers[k]; });
  }
  function offeredCount() {
    return offerList().length;
  }
  function draft() {
    var s = slot();
    var method = $('od-delivery-method').value;
    return {
      customer_id: customerId,
      contact_id: contactId,
      lines: lines.map(function (l) { return { sku: l.sku, qty: l.qty }; }),
      receiver: { name: $('od-receiver-name').value.trim(), phone: $('od-receiver-phone').value.trim() },
      delivery: {
        method: method,
        address: $('od-address-label').hidden ? '' : $('od-address').value.trim(),
        pickup_point: $('od-pickup-label').hidden ? '' : $('od-pickup-point').value.trim(),
        slot_from: s[0],
        slot_until: s[1]
      },
      payment: { method: $('od-payment-method').value, terms: terms() },
      offers: offerList(),
      read_back: $('od-readback-done').checked,
      request_key: requestKey
    };
  }

  // ------------------------------------------------------------- quoting
  var quoting = false, quoteAgain = false, timer = null;
  function requote() {
    clearTimeout(timer);
    timer = setTimeout(runQuote, 150);
  }
  function runQuote() {
    if (created) return;
    if (quoting) { quoteAgain = true; return; }
    quoting = true;
    box.setAttribute('data-quoting', '1');
    api('POST', '/api/v1/orders/quote', draft()).then(function (r) {
      if (r.ok && r.data) {
        quote = r.data;
        render();
      } else {
        showErrors([t('ord-failed') + ' (' + r.status + ')' + (r.data && r.data.message ? ': ' + r.data.message : '')]);
      }
    }).catch(function () {
      showErrors([t('ord-failed')]);
    }).then(function () {
      quoting = false;
      if (quoteAgain) { quoteAgain = false; runQuote(); return; }
      box.setAttribute('data-quoting', '0');
      box.setAttribute('data-quoted', String(Number(box.getAttribute('data-quoted') || '0') + 1));
    });
  }

  function gateOpen() {
    return !quote || !quote.gate || quote.gate.open !== false;
  }

  function render() {
    renderGate();
    renderLines();
    renderPromotions();
    renderSuggestions();
    renderTotals();
    renderReadback();
    updateCreate();
  }

  function renderGate() {
    var g = quote && quote.gate;
    var boxEl = $('od-gate');
    if (!g || g.open !== false) { boxEl.hidden = true; box.setAttribute('data-gate', 'open'); return; }
    box.setAttribute('data-gate', 'blocked');
    boxEl.hidden = false;
    var ul = $('od-gate-reasons');
    ul.textContent = '';
    (g.reasons || []).forEach(function (r) {
      var text = r === 'overdue' ? t('ord-gate-overdue') + ': ' + money(g.overdue)
        : r === 'over-limit' ? t('ord-gate-over-limit') + ' ' + money(g.over_by) : r;
      ul.appendChild(el('li', { 'data-reason': r }, text));
    });
    var b = $('od-redirect');
    b.textContent = g.redirect === 'manager' ? t('od-gate-redirect-manager') : t('od-gate-redirect-finance');
    b.setAttribute('data-redirect', g.redirect || 'finance');
  }

  function lineFor(sku) {
    for (var i = 0; i < lines.length; i++) if (lines[i].sku === sku) return lines[i];
    return null;
  }

  function renderLines() {
    var body = $('od-lines').querySelector('tbody');
    body.textContent = '';
    var priced = {};
    var promoNames = {};
    ((quote && quote.promotions) || []).forEach(function (p) { promoNames[p.id] = p.name; });
    ((quote && quote.lines) || []).forEach(function (p) {
      priced[p.sku] = p;
      if (p.name) names[p.sku] = p.name;
    });
    var alts = (quote && quote.alternatives) || {};
    var lineErrors = {};
    ((quote && quote.errors) || []).forEach(function (e) {
      var m = /^lines\[(\d+)\]/.exec(e.field || '');
      if (m && lines[Number(m[1])]) lineErrors[lines[Number(m[1])].sku] = e.code;
    });
    if (!lines.length) {
      var tr0 = el('tr', { class: 'muted' });
      tr0.appendChild(el('td', { colspan: '7' }, t('od-empty')));
      body.appendChild(tr0);
    }
    lines.forEach(function (l) {
      var p = priced[l.sku];
      var tr = el('tr', { 'data-sku': l.sku, 'data-test': 'od-line' });
      tr.appendChild(el('td', null, l.sku));
      var nameTd = el('td', null, names[l.sku] || l.sku);
      tr.appendChild(nameTd);
      var qtyTd = el('td');
      var qty = el('input', { type: 'number', min: '1', max: '1000000', value: String(l.qty), class: 'od-qty', 'data-test': 'od-qty', size: '5' });
      qty.addEventListener('change', function () {
        var n = Math.floor(Number(qty.value));
        if (n > 0) { l.qty = n; requote(); } else { qty.value = String(l.qty); }
      });
      qtyTd.appendChild(qty);
      tr.appendChild(qtyTd);
      tr.appendChild(el('td', null, p ? money(p.unit_price) : '…'));
      var disc = el('td', { class: 'od-discount' });
      if (p) {
        var parts = [];
        if (p.tier_discount) parts.push(t('od-tier') + ' −' + money(p.tier_discount));
        if (p.promotion_discount) parts.push(t('od-promo') + (p.promotion ? ' «' + (promoNames[p.promotion] || p.promotion) + '»' : '') + ' −' + money(p.promotion_discount));
        disc.textContent = parts.join('; ') || '—';
        if (p.promotion) tr.setAttribute('data-promotion', p.promotion);
      }
      tr.appendChild(disc);
      tr.appendChild(el('td', null, p ? money(p.total) : '…'));
      var act = el('td');
      act.appendChild(button(t('od-remove'), { class: 'od-remove', 'data-test': 'od-remove' }, function () {
        lines = lines.filter(function (x) { return x.sku !== l.sku; });
        requote();
      }));
      tr.appendChild(act);
      body.appendChild(tr);
      if (lineErrors[l.sku]) {
        tr.setAttribute('data-error', lineErrors[l.sku]);
        nameTd.appendChild(el('div', { class: 'error' }, t('ord-err-' + lineErrors[l.sku])));
      }
      var a = alts[l.sku];
      if (a && a.length) {
        tr.setAttribute('data-out-of-stock', '1');
        var altTr = el('tr', { class: 'od-alternatives', 'data-for': l.sku, 'data-test': 'od-alternatives' });
        var td = el('td', { colspan: '7' }, t('od-alternatives') + ' ');
        a.forEach(function (x) {
          names[x.sku] = x.name || names[x.sku];
          var span = el('span', { class: 'od-alternative', 'data-sku': x.sku }, (x.name || x.sku) + ' (' + x.available + ') ');
          span.appendChild(button(t('od-replace'), { class: 'od-replace', 'data-test': 'od-replace', 'data-sku': x.sku }, function () {
            replaceLine(l.sku, x.sku);
          }));
          td.appendChild(span);
          td.appendChild(document.createTextNode(' '));
        });
        altTr.appendChild(td);
        body.appendChild(altTr);
      }
    });
  }

  function replaceLine(oldSku, newSku) {
    var l = lineFor(oldSku);
    if (!l) return;
    var existing = lineFor(newSku);
    if (existing) {
      existing.qty += l.qty;
      lines = lines.filter(function (x) { return x.sku !== oldSku; });
    } else {
      l.sku = newSku;
    }
    requote();
  }

  function renderPromotions() {
    var list = (quote && quote.promotions) || [];
    var ul = $('od-promotions');
    ul.textContent = '';
    list.forEach(function (p) {
      ul.appendChild(el('li', { 'data-promotion': p.id, 'data-sku': p.sku || '' }, p.name + (p.sku ? ' — ' + (names[p.sku] || p.sku) : '')));
    });
    $('od-promotions-box').hidden = !list.length;
  }

  function threshold() {
    return (quote && quote.offers && Number(quote.offers.threshold)) || 0;
  }

  function renderSuggestions() {
    var list = ((quote && quote.suggestions) || []).slice();
    list.forEach(function (s) { seen[s.sku] = s; });
    // What was offered stays listed (the quote stops suggesting it), so it can still be added.
    Object.keys(offers).forEach(function (sku) {
      if (seen[sku] && !list.some(function (s) { return s.sku === sku; })) list.push(seen[sku]);
    });
    var ul = $('od-suggestions');
    ul.textContent = '';
    list.forEach(function (s) {
      names[s.sku] = s.name || names[s.sku];
      var offered = !!offers[s.sku];
      var inBasket = !!lineFor(s.sku);
      var li = el('li', { 'data-sku': s.sku, 'data-why': s.why, 'data-offered': offered ? '1' : '0', 'data-test': 'od-suggestion' });
      li.appendChild(el('strong', null, s.name || s.sku));
      li.appendChild(document.createTextNode(' · ' + t('ord-why-' + s.why) + ' · ' + money(s.price) + ' · ' + s.available + ' '));
      var off = button(t('od-offered'), { class: 'od-offer', 'data-test': 'od-offer' }, function () {
        if (!offers[s.sku]) offers[s.sku] = { sku: s.sku, why: s.why, accepted: false };
        render();
        requote();
      });
      off.disabled = offered;
      li.appendChild(off);
      li.appendChild(document.createTextNode(' '));
      var add = button(t('od-add'), { class: 'od-suggestion-add', 'data-test': 'od-suggestion-add' }, function () {
        offers[s.sku] = { sku: s.sku, why: s.why, accepted: true };
        addLine(s.sku, s.name, 1);
      });
      add.disabled = inBasket;
      li.appendChild(add);
      ul.appendChild(li);
    });
    // Offers already made stay counted even when the quote stops suggesting them.
    var n = offeredCount();
    var th = threshold();
    var counter = $('od-offer-count');
    counter.textContent = '(' + t('od-offered-count') + ' ' + n + ' / ' + th + ')';
    counter.setAttribute('data-count', String(n));
    counter.setAttribute('data-threshold', String(th));
    counter.className = n >= th ? 'ok' : 'muted';
    $('od-offers').hidden = !list.length && !n;
  }

  function renderTotals() {
    var dl = $('od-totals');
    dl.textContent = '';
    if (!quote) return;
    [['ord-goods-total', 'goods_total'], ['ord-discount-total', 'discount_total'], ['ord-delivery-cost', 'delivery_cost'],
      ['ord-vat-total', 'vat_total'], ['ord-total', 'total']].forEach(function (p) {
      dl.appendChild(el('dt', null, t(p[0])));
      dl.appendChild(el('dd', { 'data-total': p[1] }, money(quote[p[1]])));
    });
  }

  function selectedText(id) {
    var s = $(id);
    return s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : '';
  }

  function renderReadback() {
    var d = draft();
    var parts = [];
    parts.push(t('od-readback-lines') + ': ' + lines.map(function (l) { return (names[l.sku] || l.sku) + ' × ' + l.qty; }).join(', '));
    var where = selectedText('od-delivery-method');
    if (d.delivery.address) where += ', ' + d.delivery.address;
    if (d.delivery.pickup_point) where += ', ' + d.delivery.pickup_point;
    if (d.delivery.slot_from) where += ', ' + $('od-date').value + ' ' + selectedText('od-slot');
    parts.push(t('ord-delivery-cost') + ': ' + where + (quote ? ' — ' + money(quote.delivery_cost) : ''));
    parts.push(t('ord-receiver') + ': ' + d.receiver.name + ', ' + d.receiver.phone);
    var pay = selectedText('od-payment-method') + ', ' + selectedText('od-terms');
    if (d.payment.terms.indexOf('deferred:') === 0) pay += ' ' + d.payment.terms.slice(9);
    parts.push(t('ord-payment') + ': ' + pay);
    if (quote) parts.push(t('ord-total') + ': ' + money(quote.total));
    $('od-readback').textContent = parts.join('. ') + '.';
  }

  function updateCreate() {
    var ok = !created && lines.length > 0 && gateOpen() && $('od-readback-done').checked && !!quote;
    $('od-create').disabled = !ok;
  }

  // ------------------------------------------------------------- actions
  function addLine(sku, name, qty) {
    if (name) names[sku] = name;
    var l = lineFor(sku);
    if (l) l.qty += qty; else lines.push({ sku: sku, qty: qty });
    // The basket changed after the read-back: it has to be read again.
    $('od-readback-done').checked = false;
    requote();
  }

  function search() {
    var q = $('od-search').value.trim();
    if (!q) return;
    var url = '/api/v1/catalogue/search?q=' + encodeURIComponent(q) + '&customer_id=' + customerId + '&limit=20';
    api('GET', url).then(function (r) {
      var table = $('od-results');
      var body = table.querySelector('tbody');
      body.textContent = '';
      table.hidden = false;
      if (!r.ok || !Array.isArray(r.data)) {
        showErrors([t('ord-failed') + ' (' + r.status + ')']);
        return;
      }
      if (!r.data.length) {
        var tr0 = el('tr', { class: 'muted' });
        tr0.appendChild(el('td', { colspan: '6' }, t('od-no-results')));
        body.appendChild(tr0);
      }
      r.data.forEach(function (it) {
        names[it.sku] = it.name;
        var tr = el('tr', { 'data-sku': it.sku, 'data-available': String(it.available), 'data-test': 'od-result-row' });
        tr.appendChild(el('td', null, it.sku));
        tr.appendChild(el('td', null, it.name + (it.unit ? ', ' + it.unit : '')));
        tr.appendChild(el('td', { class: 'od-price' }, money(it.price)));
        tr.appendChild(el('td', { class: 'od-available' }, it.available));
        tr.appendChild(el('td', null, (it.promotions || []).map(function (p) { return p.name; }).join(', ')));
        var td = el('td');
        var qty = el('input', { type: 'number', min: '1', value: '1', size: '4', class: 'od-result-qty', 'data-test': 'od-result-qty' });
        td.appendChild(qty);
        td.appendChild(button(t('od-add'), { class: 'od-result-add', 'data-test': 'od-result-add' }, function () {
          var n = Math.floor(Number(qty.value));
          if (n > 0) addLine(it.sku, it.name, n);
        }));
        tr.appendChild(td);
        body.appendChild(tr);
      });
    });
  }

  function redirect() {
    var b = $('od-redirect');
    b.disabled = true;
    api('POST', '/api/v1/contacts/' + contactId + '/credit-redirect', {}).then(function (r) {
      if (r.ok) {
        $('od-redirected').hidden = false;
        box.setAttribute('data-redirected', '1');
        // The contact is no longer the operator's: show the window as it is now.
        setTimeout(function () { window.location.reload(); }, 800);
      } else {
        b.disabled = false;
        showErrors([t('ord-failed') + ' (' + r.status + ')' + (r.data && r.data.message ? ': ' + r.data.message : '')]);
      }
    });
  }

  function create() {
    if (!quote || !lines.length) return;
    var th = threshold();
    if (offeredCount() < th && !window.confirm(t('od-offers-confirm'))) return;
    var b = $('od-create');
    b.disabled = true;
    showErrors([]);
    api('POST', '/api/v1/orders', draft()).then(function (r) {
      if (r.ok && r.data && r.data.id) {
        created = true;
        showCreated(r.data);
        return;
      }
      var d = r.data || {};
      if (d.error === 'credit-blocked' && d.gate) {
        quote = Object.assign({}, quote || {}, { gate: d.gate });
        render();
      } else if (d.errors && d.errors.length) {
        showErrors(d.errors);
        if (d.error === 'out-of-stock') requote();
      } else {
        showErrors([t('ord-failed') + ' (' + r.status + ')' + (d.message ? ': ' + d.message : '')]);
      }
      updateCreate();
    }).catch(function () {
      showErrors([t('ord-failed')]);
      updateCreate();
    });
  }

  function showCreated(o) {
    var p = $('od-result');
    p.textContent = '';
    p.setAttribute('data-order', String(o.id));
    p.setAttribute('data-status', o.status);
    p.appendChild(document.createTextNode(t('od-created') + ' № '));
    p.appendChild(el('strong', { class: 'od-order-number' }, o.id));
    p.appendChild(document.createTextNode(' · '));
    p.appendChild(el('span', { class: 'od-order-status' }, t('ord-status-' + o.status)));
    p.appendChild(document.createTextNode(' · ' + money(o.total) + ' · '));
    p.appendChild(el('a', { href: '/orders/' + o.id, id: 'od-order-link', 'data-test': 'od-order-link' }, t('od-open-order')));
    p.hidden = false;
    box.setAttribute('data-created', String(o.id));
    $('od-create').disabled = true;
  }

  // ------------------------------------------------------------- wiring
  function showDeliveryFields() {
    var m = $('od-delivery-method').value;
    $('od-address-label').hidden = !(m === 'courier' || m === 'post');
    $('od-pickup-label').hidden = m !== 'pickup_point';
    $('od-date-label').hidden = m !== 'courier';
    $('od-slot-label').hidden = m !== 'courier';
  }
  // The terms a payment method allows (retail::order::PaymentMethod::allows).
  var ALLOWED = { card_link: ['prepaid'], cash_on_delivery: ['on_delivery'], bank_transfer: ['prepaid', 'deferred'] };
  function showTerms() {
    var allowed = ALLOWED[$('od-payment-method').value] || ['prepaid'];
    var sel = $('od-terms');
    Array.prototype.forEach.call(sel.options, function (o) {
      o.disabled = allowed.indexOf(o.value) < 0;
      o.hidden = o.disabled;
    });
    if (allowed.indexOf(sel.value) < 0) sel.value = allowed[0];
    $('od-days-label').hidden = sel.value !== 'deferred';
  }

  $('od-receiver-name').value = box.getAttribute('data-receiver-name') || '';
  $('od-receiver-phone').value = box.getAttribute('data-receiver-phone') || '';
  var tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  $('od-date').value = tomorrow.getFullYear() + '-' + ('0' + (tomorrow.getMonth() + 1)).slice(-2) + '-' + ('0' + tomorrow.getDate()).slice(-2);
  showDeliveryFields();
  showTerms();

  $('od-search-form').addEventListener('submit', function (e) { e.preventDefault(); search(); });
  $('od-redirect').addEventListener('click', redirect);
  $('od-create').addEventListener('click', create);
  $('od-delivery-method').addEventListener('change', function () { showDeliveryFields(); requote(); });
  $('od-payment-method').addEventListener('change', function () { showTerms(); requote(); });
  $('od-terms').addEventListener('change', function () { showTerms(); requote(); });
  ['od-address', 'od-pickup-point', 'od-date', 'od-slot', 'od-days', 'od-receiver-name', 'od-receiver-phone'].forEach(function (id) {
    $(id).addEventListener('change', requote);
  });
  $('od-readback-done').addEventListener('change', function () { renderReadback(); updateCreate(); });

  // The first quote: the credit gate and the offer prompts before any item is chosen.
  box.setAttribute('data-quoted', '0');
  runQuote();
})();
