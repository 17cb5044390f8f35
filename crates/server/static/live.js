// Live updates and keyboard shortcuts. The pages work without this file;
// with it, a page that declares `data-live` listens to its server-sent-event
// stream and, when something it shows changes, fetches itself again and
// swaps in the fresh [data-refresh] sections (never the one being typed in).
(function () {
  'use strict';
  var root = document.querySelector('[data-live]');
  var pageContact = root && root.getAttribute('data-live-contact');

  function listed(id) {
    return document.querySelector('[data-refresh] [data-contact="' + id + '"]') !== null;
  }

  function busy(el) {
    var a = document.activeElement;
    return a && el.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) && a.value !== '';
  }

  var timer = null;
  function refresh() {
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      fetch(location.href, { credentials: 'same-origin', headers: { 'x-live-refresh': '1' } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html');
          document.querySelectorAll('[data-refresh]').forEach(function (el) {
            var next = el.id && fresh.getElementById(el.id);
            if (next && !busy(el)) el.replaceWith(document.importNode(next, true));
          });
          var n = Number(document.body.getAttribute('data-live-refreshes') || '0') + 1;
          document.body.setAttribute('data-live-refreshes', String(n));
        })
        .catch(function () { /* the next event or a reload will catch up */ });
    }, 150);
  }

  function data(e) {
    try { return JSON.parse(e.data); } catch (_) { return {}; }
  }

  if (root && window.EventSource) {
    var wants = (root.getAttribute('data-live-on') || 'offer contact queue alert resync').split(' ');
    var source = new EventSource(root.getAttribute('data-live'));
    source.addEventListener('hello', function () { document.body.setAttribute('data-live', 'open'); });
    wants.forEach(function (name) {
      source.addEventListener(name, function (e) {
        var d = data(e);
        if (name === 'contact' && !(d.mine || listed(d.contact) || String(d.contact) === pageContact)) return;
        refresh();
      });
    });
    // Screen pop: an answered call opens its contact (and the caller's card within it).
    source.addEventListener('pop', function (e) {
      var d = data(e);
      if (d.contact && String(d.contact) !== pageContact) window.location.assign('/desk/contacts/' + d.contact);
    });
    window.addEventListener('beforeunload', function () { source.close(); });
  }

  // Alt+A accept, Alt+T transfer, Alt+W wrap-up. `code` names the physical
  // key, so the shortcuts work in the Russian and Kazakh layouts too.
  document.addEventListener('keydown', function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var target = null;
    if (e.code === 'KeyA') {
      target = document.querySelector('button.accept');
      if (target) { e.preventDefault(); target.click(); }
      return;
    }
    if (e.code === 'KeyT') target = document.querySelector('#transfer-form select, #transfer-form input[name=reason]');
    if (e.code === 'KeyW') target = document.querySelector('#wrapup-form input:not([type=hidden]), #wrapup-form textarea, #wrapup-form select');
    if (target) {
      e.preventDefault();
      target.scrollIntoView({ block: 'center' });
      target.focus();
    }
  });
})();
