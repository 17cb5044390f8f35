// The web chat in the contact window. Without this file the conversation is
// shown as rendered and the composer posts a plain form; with it, new
// messages and the visitor's typing appear live (the desk's event stream
// says "chat" / "chat-typing" for this contact; the messages themselves are
// fetched from the API, through the usual role check), the composer sends
// without reloading, and the operator's typing reaches the visitor.
(function () {
  'use strict';
  var box = document.getElementById('chat');
  if (!box || !window.fetch) return;
  var id = box.getAttribute('data-contact');
  var lastSeq = Number(box.getAttribute('data-last-seq') || '0');
  var log = document.getElementById('chat-log');
  var typingEl = document.getElementById('chat-typing');
  var form = document.getElementById('chat-form');
  var csrfInput = form && form.querySelector('input[name=csrf]');
  var csrf = csrfInput ? csrfInput.value : '';

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function when(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  }

  function append(m) {
    if (m.seq <= lastSeq || log.querySelector('[data-seq="' + m.seq + '"]')) return;
    var li = document.createElement('li');
    li.className = 'chat-msg chat-' + m.from;
    li.setAttribute('data-seq', String(m.seq));
    li.setAttribute('data-from', m.from);
    var meta = document.createElement('span');
    meta.className = 'muted';
    meta.textContent = when(m.at) + (m.name ? ' · ' + m.name : '');
    var text = document.createElement('span');
    text.className = 'chat-text';
    text.textContent = m.text;
    li.appendChild(meta);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(text);
    if (m.file) {
      var a = document.createElement('a');
      a.className = 'chat-file';
      a.href = '/desk/contacts/' + id + '/attachments/' + m.file.id;
      a.textContent = m.file.name;
      li.appendChild(document.createTextNode(' '));
      li.appendChild(a);
    }
    log.appendChild(li);
    lastSeq = Math.max(lastSeq, m.seq);
    box.setAttribute('data-last-seq', String(lastSeq));
    if (m.from === 'visitor') showTyping(false);
  }

  var fetching = false, again = false;
  function catchUp() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch('/api/v1/contacts/' + id + '/chat?after=' + lastSeq, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) { (d.messages || []).forEach(append); })
      .catch(function () { /* the next event catches up */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; catchUp(); }
      });
  }

  var typingTimer = null;
  function showTyping(on) {
    if (!typingEl) return;
    typingEl.hidden = !on;
    if (typingTimer) clearTimeout(typingTimer);
    // A lost "stopped typing" must not leave the indicator on forever.
    if (on) typingTimer = setTimeout(function () { typingEl.hidden = true; }, 8000);
  }

  function data(e) {
    try { return JSON.parse(e.data); } catch (_) { return {}; }
  }

  if (window.EventSource) {
    var source = new EventSource('/desk/events');
    source.addEventListener('hello', function () { box.setAttribute('data-chat-live', 'open'); catchUp(); });
    source.addEventListener('chat', function (e) { if (String(data(e).contact) === id) catchUp(); });
    source.addEventListener('chat-typing', function (e) {
      var d = data(e);
      if (String(d.contact) === id) showTyping(!!d.on);
    });
    source.addEventListener('resync', catchUp);
    window.addEventListener('beforeunload', function () { source.close(); });
  }

  if (!form) return;
  var textarea = form.querySelector('textarea[name=text]');
  var sentTypingAt = 0, idleTimer = null;
  function typing(on) {
    var body = 'on=' + (on ? '1' : '0') + '&csrf=' + encodeURIComponent(csrf);
    fetch('/desk/contacts/' + id + '/chat/typing', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf }, body: body
    }).catch(function () {});
  }
  textarea.addEventListener('input', function () {
    var now = Date.now();
    if (now - sentTypingAt > 3000) { sentTypingAt = now; typing(true); }
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { sentTypingAt = 0; typing(false); }, 4000);
  });
  form.addEventListener('submit', function (e) {
    var text = textarea.value.trim();
    e.preventDefault();
    if (!text) return;
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    fetch('/api/v1/contacts/' + id + '/chat', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ text: text })
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function () {
        textarea.value = '';
        if (idleTimer) clearTimeout(idleTimer);
        sentTypingAt = 0;
        // Fetched in order with anything the visitor sent meanwhile.
        catchUp();
        form.removeAttribute('data-error');
      })
      .catch(function (status) { form.setAttribute('data-error', String(status)); })
      .then(function () { button.disabled = false; textarea.focus(); });
  });
  // Enter sends, Shift+Enter is a new line.
  textarea.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });
})();
