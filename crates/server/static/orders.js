// The order room: the list (`/orders`, its filters in the query string) and
// one order (`/orders/{id}`: lines, totals, history, what the customer was
// told, and the actions the viewer's role allows). Everything is read from
// and changed through the orders API (docs/ORDERS.md); the server decides.
(function () {
  'use strict';
  if (!window.fetch) return;
  function $(id) { return document.getElementById(id); }
  var host = $('order') || $('orders-list');
  if (!host) return;
  var T = {};
  try { T = JSON.parse(host.getAttribute('data-texts') || '{}'); } catch (e) { T = {}; }
  function t(k) { return T[k] || k; }

  function money(minor) {
    var n = Number(minor || 0);
    var neg = n < 0;
    n = Math.abs(n);
    var whole = String(Math.floor(n / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
    var frac = String(n % 100);
    if (frac.length < 2) frac = '0' + frac;
    return (neg ? '−' : '') + whole + ',' + frac + '\u00a0₸';
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function when(ms) {
    if (!ms) return '—';
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }
  function statusLabel(s) { return t('ord-status-' + s); }

  // ------------------------------------------------------------- the list
  if (host.id === 'orders-list') {
    var params = new URLSearchParams(window.location.search);
    var q = new URLSearchParams();
    if (params.get('status')) q.set('status', params.get('status'));
    if (/^\d+$/.test(params.get('customer_id') || '')) q.set('customer_id', params.get('customer_id'));
    q.set('limit', '500');
    var from = params.get('from') ? Date.parse(params.get('from') + 'T00:00:00Z') : NaN;
    var until = params.get('until') ? Date.parse(params.get('until') + 'T00:00:00Z') + 24 * 3600 * 1000 : NaN;
    getJson('/api/v1/orders?' + q.toString()).then(function (r) {
      var state = $('orders-state');
      var body = $('orders-rows');
      if (!r.ok || !Array.isArray(r.data)) {
        state.textContent = t('ord-failed') + ' (' + r.status + ')';
        state.className = 'error';
        return;
      }
      var rows = r.data.filter(function (o) {
        return !(from && o.created_at < from) && !(until && o.created_at >= until);
      });
      rows.forEach(function (o) {
        var tr = el('tr', { 'data-order': String(o.id), 'data-status': o.status, 'data-test': 'orders-row' });
        var a = el('a', { href: '/orders/' + o.id }, '№ ' + o.id);
        var td = el('td');
        td.appendChild(a);
        tr.appendChild(td);
        tr.appendChild(el('td', null, when(o.created_at)));
        var who = o.customer_name ? o.customer_name : '№ ' + o.customer_id;
        tr.appendChild(el('td', { 'data-customer': String(o.customer_id) }, who));
        tr.appendChild(el('td', null, o.source || ''));
        tr.appendChild(el('td', { class: 'order-status' }, statusLabel(o.status)));
        tr.appendChild(el('td', null, money(o.total)));
        body.appendChild(tr);
      });
      state.textContent = rows.length ? '' : t('ord-none');
      host.setAttribute('data-loaded', String(rows.length));
    });
    return;
  }

  // ------------------------------------------------------------- one order
  var id = host.getAttribute('data-order');
  var canManage = host.getAttribute('data-can-manage') === 'true';
  var csrf = host.getAttribute('data-csrf') || '';
  // The next steps from each status (retail::order::apply); the server has the last word.
  var NEXT = {
    new: ['confirm', 'cancel'],
    confirmed: ['pay', 'pick', 'cancel'],
    paid: ['pick', 'cancel'],
    picked: ['pack', 'cancel'],
    packed: ['ship', 'deliver', 'cancel'],
    shipped: ['deliver', 'cancel'],
    delivered: ['close'],
    closed: [],
    cancelled: []
  };
  var OPERATOR_ACTIONS = ['confirm', 'pay', 'cancel'];

  function possible(o) {
    return (NEXT[o.status] || []).filter(function (a) {
      if (OPERATOR_ACTIONS.indexOf(a) < 0 && !canManage) return false;
      var terms = (o.payment && o.payment.terms) || '';
      var method = (o.delivery && o.delivery.method) || '';
      if (a === 'pay' && terms !== 'prepaid') return false;
      if (a === 'pick' && o.status === 'confirmed' && terms === 'prepaid') return false;
      if (a === 'ship' && method === 'self_pickup') return false;
      if (a === 'deliver' && o.status === 'packed' && method !== 'self_pickup') return false;
      return true;
    });
  }

  function field(form, label, input) {
    var l = el('label', null, label + ' ');
    l.appendChild(input);
    form.appendChild(l);
    form.appendChild(document.createTextNode(' '));
    return input;
  }

  function actionForm(o, action) {
    var form = el('form', { class: 'inline order-action', 'data-action': action, 'data-test': 'order-action-' + action });
    var extra = {};
    if (action === 'confirm' && o.confirmation_contact_id) {
      var cb = el('input', { type: 'checkbox', name: 'call_done', 'data-test': 'order-call-done' });
      var l = el('label');
      l.appendChild(cb);
      l.appendChild(document.createTextNode(' ' + t('ord-call-done')));
      form.appendChild(l);
      extra.call_done = function () { return cb.checked; };
    }
    if (action === 'pay') {
      var amount = field(form, t('ord-amount'), el('input', { name: 'amount', size: '10', 'data-test': 'order-amount' }));
      amount.value = ((o.total - (o.paid || 0)) / 100).toFixed(2);
      extra.amount = function () { return Math.round(Number(amount.value.replace(/\s/g, '').replace(',', '.')) * 100); };
    }
    if (action === 'ship') {
      var carrier = field(form, t('ord-carrier'), el('input', { name: 'carrier', required: 'required', maxlength: '100', 'data-test': 'order-carrier' }));
      var tracking = field(form, t('ord-tracking'), el('input', { name: 'tracking', maxlength: '100', 'data-test': 'order-tracking' }));
      extra.carrier = function () { return carrier.value.trim(); };
      extra.tracking = function () { return tracking.value.trim(); };
    }
    if (action === 'cancel') {
      var sel = el('select', { name: 'reason', 'data-test': 'order-cancel-reason' });
      ['customer', 'stock', 'delivery_problem'].forEach(function (r) { sel.appendChild(el('option', { value: r }, t('ord-reason-' + r))); });
      field(form, t('ord-cancel-reason'), sel);
      extra.reason = function () { return sel.value; };
    }
    var b = el('button', { type: 'submit', 'data-test': 'order-do-' + action }, t('ord-action-' + action));
    form.appendChild(b);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { action: action };
      Object.keys(extra).forEach(function (k) { body[k] = extra[k](); });
      b.disabled = true;
      fetch('/api/v1/orders/' + id + '/actions', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (err) { data = { message: text }; }
          if (r.ok && data && data.id) {
            showError('');
            // The answer is the order as it is now; read it again for history and notices.
            load();
          } else {
            b.disabled = false;
            showError(t('ord-failed') + ' (' + r.status + (data && data.error ? ', ' + data.error : '') + ')' + (data && data.message ? ': ' + data.message : ''));
          }
        });
      }).catch(function () { b.disabled = false; showError(t('ord-failed')); });
    });
    return form;
  }

  function showError(text) {
    var p = $('order-error');
    p.textContent = text;
    p.hidden = !text;
  }

  function describe(payload) {
    if (!payload || typeof payload !== 'object') return '';
    var bits = [];
    if (payload.from) bits.push(statusLabel(payload.from) + ' → ' + statusLabel(payload.status || ''));
    if (payload.carrier) bits.push(payload.carrier + (payload.tracking ? ' ' + payload.tracking : ''));
    if (payload.amount) bits.push(money(payload.amount));
    if (payload.reason) bits.push(t('ord-reason-' + payload.reason));
    return bits.join(', ');
  }

  function render(o) {
    $('order-state').hidden = true;
    $('order-head').hidden = false;
    host.setAttribute('data-status', o.status);
    $('order-status').textContent = statusLabel(o.status);
    $('order-status').setAttribute('data-status', o.status);
    var cust = $('order-customer');
    cust.textContent = '';
    cust.appendChild(el('a', { href: '/desk/customers/' + o.customer_id }, (o.customer_name || '') + ' № ' + o.customer_id));
    if (o.client_type) cust.appendChild(document.createTextNode(' · ' + o.client_type));
    var contact = $('order-contact');
    contact.textContent = '';
    contact.appendChild(el('a', { href: '/desk/contacts/' + o.contact_id }, '№ ' + o.contact_id));
    $('order-source').textContent = o.source || '';
    var r = o.receiver || {};
    $('order-receiver').textContent = [r.name, r.phone].filter(Boolean).join(', ');
    var d = o.delivery || {};
    var where = [t('ord-delivery-' + d.method), d.address, d.pickup_point].filter(Boolean).join(', ');
    if (d.slot_from) where += ', ' + when(d.slot_from) + ' – ' + when(d.slot_until);
    $('order-delivery').textContent = where;
    var p = o.payment || {};
    var terms = p.terms || '';
    var termsText = terms.indexOf('deferred:') === 0 ? t('ord-terms-deferred') + ' ' + terms.slice(9) : t('ord-terms-' + terms);
    $('order-payment').textContent = t('ord-payment-' + p.method) + ', ' + termsText;
    $('order-shipping').textContent = [o.carrier, o.tracking].filter(Boolean).join(', ') || '—';
    $('order-shipping').setAttribute('data-tracking', o.tracking || '');

    var body = $('order-lines').querySelector('tbody');
    body.textContent = '';
    (o.lines || []).forEach(function (l) {
      var tr = el('tr', { 'data-sku': l.sku });
      tr.appendChild(el('td', null, l.sku));
      tr.appendChild(el('td', null, l.name || ''));
      tr.appendChild(el('td', null, l.qty + (l.unit ? ' ' + l.unit : '')));
      tr.appendChild(el('td', null, money(l.unit_price)));
      var disc = (l.tier_discount || 0) + (l.promotion_discount || 0);
      tr.appendChild(el('td', null, disc ? '−' + money(disc) + (l.promotion_id ? ' (' + l.promotion_id + ')' : '') : '—'));
      tr.appendChild(el('td', null, money(l.total)));
      body.appendChild(tr);
    });
    var dl = $('order-totals');
    dl.textContent = '';
    [['ord-goods-total', 'goods_total'], ['ord-discount-total', 'discount_total'], ['ord-delivery-cost', 'delivery_cost'],
      ['ord-vat-total', 'vat_total'], ['ord-total', 'total'], ['ord-paid', 'paid'], ['ord-refunded', 'refunded']].forEach(function (x) {
      dl.appendChild(el('dt', null, t(x[0])));
      dl.appendChild(el('dd', { 'data-total': x[1] }, money(o[x[1]])));
    });
    $('order-lines-card').hidden = false;

    var forms = $('order-action-forms');
    forms.textContent = '';
    possible(o).forEach(function (a) { forms.appendChild(actionForm(o, a)); });
    $('order-actions').hidden = !forms.childNodes.length;

    var notices = $('order-notices');
    notices.textContent = '';
    (o.notices || []).forEach(function (n) {
      var key = n.template || n.template_key || n.key || '';
      var li = el('li', { class: 'order-notice', 'data-template': key, 'data-status': n.status || '' });
      li.textContent = when(n.at || n.created_at) + ': «' + (n.body || n.text || key) + '»' + (n.status ? ' (' + n.status + ')' : '');
      notices.appendChild(li);
    });
    $('order-notices-card').hidden = false;

    var history = $('order-history');
    history.textContent = '';
    (o.history || []).forEach(function (h) {
      var li = el('li', { class: 'order-event', 'data-kind': h.kind });
      var what = h.kind === 'order.created' ? statusLabel('new') : statusLabel((h.kind || '').replace(/^order\./, ''));
      var extra = describe(h.payload);
      li.textContent = when(h.at) + ': ' + what + (extra ? ' — ' + extra : '');
      history.appendChild(li);
    });
    $('order-history-card').hidden = false;

    var pays = $('order-payments');
    pays.textContent = '';
    (o.payments || []).forEach(function (x) {
      pays.appendChild(el('li', { 'data-kind': x.kind }, when(x.at) + ': ' + (x.kind === 'refund' ? t('ord-refunded') : t('ord-paid')) + ' ' + money(x.amount) + (x.method ? ' · ' + x.method : '') + (x.note ? ' · ' + x.note : '')));
    });
    $('order-payments-card').hidden = !(o.payments && o.payments.length);
    host.setAttribute('data-loaded', String(Number(host.getAttribute('data-loaded') || '0') + 1));
  }

  function load() {
    getJson('/api/v1/orders/' + id).then(function (r) {
      if (r.ok && r.data) { render(r.data); return; }
      var s = $('order-state');
      s.hidden = false;
      s.className = 'error';
      s.textContent = t('ord-failed') + ' (' + r.status + ')' + (r.data && r.data.message ? ': ' + r.data.message : '');
    });
  }
  load();
})();
