/*! Switchboard web chat widget. Plain JavaScript, no dependencies.
 * Embed: <script src="https://HOST/chat/widget.js" data-queue="CODE" data-lang="ru|kk|en" async></script>
 * Optional: data-topics="Доставка|Оплата|Возврат" (a topic select instead of a text field),
 *           data-title="Shop support" (the panel's title).
 * Protocol: docs/CHAT.md. Renders into an open shadow root on <div id="switchboard-chat">. */
(function () {
  'use strict';
  if (window.__switchboardChat) return;
  window.__switchboardChat = true;

  // ------------------------------------------------------------------ setup
  var script = document.currentScript;
  if (!script || !/\/chat\/widget\.js/.test(script.src || '')) {
    var all = document.querySelectorAll('script[src*="/chat/widget.js"]');
    script = all[all.length - 1];
  }
  if (!script) return;
  var ORIGIN = new URL(script.src, location.href).origin;
  var data = script.dataset || {};
  var QUEUE = data.queue || '';
  var LANG = { ru: 1, kk: 1, en: 1 }[data.lang] ? data.lang : 'ru';
  var TOPICS = (data.topics || '').split('|').map(function (s) { return s.trim(); }).filter(Boolean);
  var MAX_FILE = 5 * 1024 * 1024;
  var FILE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'application/pdf', 'text/plain'];
  var FILE_ACCEPT = '.png,.jpg,.jpeg,.gif,.pdf,.txt,' + FILE_TYPES.join(',');
  var PING_MS = 10000;
  var TYPING_IDLE_MS = 3000;
  var KEY = 'switchboard-chat:' + ORIGIN + ':' + QUEUE;
  var LOCALES = { ru: 'ru-RU', kk: 'kk-KZ', en: 'en-GB' };

  // ------------------------------------------------------------------ texts
  var DICT = {
    ru: {
      title: 'Чат с поддержкой', open: 'Открыть чат', close: 'Свернуть чат',
      hello: 'Здравствуйте! Напишите нам — оператор ответит в этом окне.',
      name: 'Имя', email: 'E-mail', phone: 'Телефон', topic: 'Тема', topicAny: 'Выберите тему',
      first: 'Ваш вопрос', message: 'Сообщение',
      consent: 'Я согласен(на) на обработку моих персональных данных (имя, контакты, переписка) для ответа на обращение.',
      start: 'Начать чат', send: 'Отправить', attach: 'Прикрепить файл',
      contactHint: 'Укажите e-mail или телефон.',
      required: 'Заполните это поле.', badEmail: 'Похоже, в адресе e-mail ошибка.',
      invalid: 'Проверьте это поле.', tooLong: 'Слишком длинный текст.', noQueue: 'Чат временно недоступен.',
      tooMany: 'Слишком много попыток. Повторите через минуту.',
      needConsent: 'Без согласия на обработку данных мы не сможем ответить.',
      offlineTitle: 'Сейчас операторов нет на связи',
      offlineHint: 'Оставьте сообщение — мы ответим на ваш e-mail.',
      offlineSend: 'Оставить сообщение',
      offlineDone: 'Спасибо! Сообщение принято, номер обращения {n}. Ответ придёт на e-mail.',
      loading: 'Подключаемся…', retry: 'Повторить',
      netError: 'Нет связи с сервером. Проверьте подключение к интернету.',
      serverError: 'Не удалось отправить. Попробуйте ещё раз.',
      queue: 'Вы в очереди: {p}-й', wait: 'ожидание около {m} мин', waitSoon: 'ожидание меньше минуты',
      queueWait: 'Ищем свободного оператора…',
      joined: 'Оператор {name} подключился к чату', operator: 'Оператор', you: 'Вы', system: 'Система',
      typing: '{name} печатает…',
      contact: 'Обращение №{n}',
      connecting: 'Соединение…', lost: 'Связь потеряна. Переподключаемся…', restored: 'Связь восстановлена',
      pending: 'отправляется',
      end: 'Завершить чат', endConfirm: 'Завершить', ended: 'Чат завершён. Спасибо за обращение!',
      again: 'Новый чат',
      transcript: 'Прислать переписку на e-mail', transcriptSend: 'Прислать',
      transcriptSent: 'Переписка отправлена на {e}.',
      fileTooBig: 'Файл больше 5 МБ — его нельзя отправить.',
      fileType: 'Можно отправить только PNG, JPEG, GIF, PDF или TXT.',
      fileFail: 'Файл не отправлен. Попробуйте ещё раз.', uploading: 'Отправка файла…',
      expired: 'Сессия чата истекла. Начните новый чат.',
      placeholder: 'Напишите сообщение…', keys: 'Enter — отправить, Shift+Enter — новая строка',
      powered: 'Switchboard'
    },
    kk: {
      title: 'Қолдау қызметімен чат', open: 'Чатты ашу', close: 'Чатты жию',
      hello: 'Сәлеметсіз бе! Бізге жазыңыз — оператор осы терезеде жауап береді.',
      name: 'Аты-жөні', email: 'E-mail', phone: 'Телефон', topic: 'Тақырып', topicAny: 'Тақырыпты таңдаңыз',
      first: 'Сұрағыңыз', message: 'Хабарлама',
      consent: 'Өтінішке жауап беру үшін дербес деректерімнің (аты-жөні, байланыс деректері, хат алмасу) өңделуіне келісемін.',
      start: 'Чатты бастау', send: 'Жіберу', attach: 'Файл тіркеу',
      contactHint: 'E-mail немесе телефон нөмірін көрсетіңіз.',
      required: 'Бұл өрісті толтырыңыз.', badEmail: 'E-mail мекенжайында қате бар сияқты.',
      invalid: 'Бұл өрісті тексеріңіз.', tooLong: 'Мәтін тым ұзын.', noQueue: 'Чат уақытша қолжетімсіз.',
      tooMany: 'Тым көп әрекет. Бір минуттан кейін қайталаңыз.',
      needConsent: 'Деректерді өңдеуге келісімсіз біз жауап бере алмаймыз.',
      offlineTitle: 'Қазір операторлар желіде жоқ',
      offlineHint: 'Хабарлама қалдырыңыз — біз e-mail арқылы жауап береміз.',
      offlineSend: 'Хабарлама қалдыру',
      offlineDone: 'Рақмет! Хабарлама қабылданды, өтініш нөмірі {n}. Жауап e-mail-ге келеді.',
      loading: 'Қосылып жатырмыз…', retry: 'Қайталау',
      netError: 'Сервермен байланыс жоқ. Интернет қосылымын тексеріңіз.',
      serverError: 'Жіберу мүмкін болмады. Қайта көріңіз.',
      queue: 'Кезектегі орныңыз: {p}', wait: 'шамамен {m} мин күту', waitSoon: 'бір минуттан аз күту',
      queueWait: 'Бос операторды іздеп жатырмыз…',
      joined: '{name} операторы чатқа қосылды', operator: 'Оператор', you: 'Сіз', system: 'Жүйе',
      typing: '{name} жазып жатыр…',
      contact: '№{n} өтініш',
      connecting: 'Қосылуда…', lost: 'Байланыс үзілді. Қайта қосылып жатырмыз…', restored: 'Байланыс қалпына келді',
      pending: 'жіберілуде',
      end: 'Чатты аяқтау', endConfirm: 'Аяқтау', ended: 'Чат аяқталды. Өтінішіңізге рақмет!',
      again: 'Жаңа чат',
      transcript: 'Хат алмасуды e-mail-ге жіберу', transcriptSend: 'Жіберу',
      transcriptSent: 'Хат алмасу {e} мекенжайына жіберілді.',
      fileTooBig: 'Файл 5 МБ-тан үлкен — оны жіберу мүмкін емес.',
      fileType: 'Тек PNG, JPEG, GIF, PDF немесе TXT файлдарын жіберуге болады.',
      fileFail: 'Файл жіберілмеді. Қайта көріңіз.', uploading: 'Файл жіберілуде…',
      expired: 'Чат сессиясының мерзімі өтті. Жаңа чат бастаңыз.',
      placeholder: 'Хабарлама жазыңыз…', keys: 'Enter — жіберу, Shift+Enter — жаңа жол',
      powered: 'Switchboard'
    },
    en: {
      title: 'Chat with support', open: 'Open chat', close: 'Minimise chat',
      hello: 'Hello! Write to us — an operator will answer in this window.',
      name: 'Name', email: 'E-mail', phone: 'Phone', topic: 'Topic', topicAny: 'Choose a topic',
      first: 'Your question', message: 'Message',
      consent: 'I agree to the processing of my personal data (name, contacts, messages) to answer my request.',
      start: 'Start chat', send: 'Send', attach: 'Attach a file',
      contactHint: 'Give an e-mail or a phone number.',
      required: 'Please fill in this field.', badEmail: 'This e-mail address looks wrong.',
      invalid: 'Please check this field.', tooLong: 'This text is too long.', noQueue: 'The chat is not available right now.',
      tooMany: 'Too many attempts. Please try again in a minute.',
      needConsent: 'We cannot answer without your consent to data processing.',
      offlineTitle: 'No operators are online right now',
      offlineHint: 'Leave a message and we will answer by e-mail.',
      offlineSend: 'Leave a message',
      offlineDone: 'Thank you! Your message is received, request number {n}. The answer will come by e-mail.',
      loading: 'Connecting…', retry: 'Retry',
      netError: 'Cannot reach the server. Please check your connection.',
      serverError: 'Could not send. Please try again.',
      queue: 'Your place in the queue: {p}', wait: 'about {m} min to wait', waitSoon: 'less than a minute to wait',
      queueWait: 'Looking for a free operator…',
      joined: 'Operator {name} joined the chat', operator: 'Operator', you: 'You', system: 'System',
      typing: '{name} is typing…',
      contact: 'Request #{n}',
      connecting: 'Connecting…', lost: 'Connection lost. Reconnecting…', restored: 'Connection restored',
      pending: 'sending',
      end: 'End chat', endConfirm: 'End', ended: 'The chat has ended. Thank you for contacting us!',
      again: 'New chat',
      transcript: 'E-mail me the transcript', transcriptSend: 'Send',
      transcriptSent: 'The transcript was sent to {e}.',
      fileTooBig: 'The file is larger than 5 MB and cannot be sent.',
      fileType: 'Only PNG, JPEG, GIF, PDF or TXT files can be sent.',
      fileFail: 'The file was not sent. Please try again.', uploading: 'Sending the file…',
      expired: 'The chat session has expired. Please start a new chat.',
      placeholder: 'Type a message…', keys: 'Enter to send, Shift+Enter for a new line',
      powered: 'Switchboard'
    }
  };
  var T = DICT[LANG];
  function t(key, vars) {
    var s = T[key] || DICT.ru[key] || key;
    if (vars) for (var k in vars) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }

  // ------------------------------------------------------------------ styles
  var CSS = [
    ':host{all:initial!important;display:block!important;position:static!important}',
    '*,*::before,*::after{box-sizing:border-box}',
    '#sb-root{--sb-accent:#2f5d8a;--sb-accent-d:#244a6f;--sb-ink:#1d2430;--sb-muted:#667085;--sb-line:#dfe3e8;',
    '--sb-bg:#fff;--sb-soft:#f4f6f8;--sb-own:#2f5d8a;--sb-err:#b42318;',
    'font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--sb-ink);',
    'position:fixed;right:20px;bottom:20px;z-index:2147483000;-webkit-font-smoothing:antialiased}',
    'button,input,select,textarea{font:inherit;color:inherit;margin:0}',
    '#sb-open{display:flex;align-items:center;gap:8px;border:0;border-radius:28px;padding:0 20px 0 16px;height:52px;',
    'background:var(--sb-accent);color:#fff;font-weight:600;cursor:pointer;box-shadow:0 6px 20px rgba(16,24,40,.22)}',
    '#sb-open:hover{background:var(--sb-accent-d)}',
    '#sb-open svg{width:22px;height:22px;fill:currentColor}',
    '#sb-open .sb-badge{min-width:18px;height:18px;border-radius:9px;background:#d92d20;font-size:11px;line-height:18px;text-align:center;padding:0 5px}',
    '#sb-panel{width:372px;height:min(600px,calc(100vh - 40px));display:flex;flex-direction:column;background:var(--sb-bg);',
    'border:1px solid var(--sb-line);border-radius:14px;overflow:hidden;box-shadow:0 16px 48px rgba(16,24,40,.24)}',
    '[hidden]{display:none!important}',
    '#sb-head{display:flex;align-items:center;gap:10px;padding:12px 12px 12px 16px;background:#1f2a37;color:#fff}',
    '#sb-head .sb-title{flex:1;min-width:0}',
    '#sb-head strong{display:block;font-size:15px;font-weight:600}',
    '#sb-head small{display:block;font-size:12px;color:#c6cfd9;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}',
    '.sb-dot{width:8px;height:8px;border-radius:50%;background:#98a2b3;flex:none}',
    '[data-conn=open] .sb-dot{background:#32d583}[data-conn=lost] .sb-dot{background:#f79009}[data-conn=connecting] .sb-dot{background:#fdb022}',
    '.sb-icon{border:0;background:transparent;color:inherit;width:32px;height:32px;border-radius:8px;cursor:pointer;font-size:18px;line-height:1}',
    '.sb-icon:hover{background:rgba(255,255,255,.12)}',
    '#sb-body{flex:1;min-height:0;display:flex;flex-direction:column}',
    '.sb-scroll{flex:1;overflow:auto;padding:16px}',
    '.sb-intro{margin:0 0 14px;color:var(--sb-muted)}',
    'form.sb-form label{display:block;margin:0 0 10px;font-size:13px;font-weight:500}',
    'form.sb-form label>span{display:block;margin-bottom:4px}',
    'form.sb-form input:not([type=checkbox]),form.sb-form select,form.sb-form textarea,#sb-input{width:100%;border:1px solid #cfd5dc;border-radius:8px;',
    'padding:8px 10px;background:#fff;outline:none;font-weight:400}',
    'form.sb-form textarea{min-height:72px;resize:vertical}',
    '.sb-row{display:flex;gap:8px}.sb-row>label{flex:1;min-width:0}',
    'input:focus,select:focus,textarea:focus{border-color:var(--sb-accent)!important;box-shadow:0 0 0 3px rgba(47,93,138,.18)}',
    'form.sb-form label.sb-check{display:flex;gap:8px;align-items:flex-start;font-weight:400;font-size:12px;color:var(--sb-muted)}',
    '.sb-check input{margin-top:2px;flex:none;width:16px;height:16px;accent-color:var(--sb-accent)}',
    '.sb-btn{display:inline-flex;align-items:center;justify-content:center;border:0;border-radius:8px;padding:9px 16px;',
    'background:var(--sb-accent);color:#fff;font-weight:600;cursor:pointer}',
    '.sb-btn:hover{background:var(--sb-accent-d)}.sb-btn:disabled{opacity:.55;cursor:default}',
    '.sb-btn.sb-ghost{background:transparent;color:var(--sb-accent);border:1px solid var(--sb-line)}',
    '.sb-btn.sb-ghost:hover{background:var(--sb-soft)}',
    'form.sb-form .sb-btn{width:100%;margin-top:4px;height:40px}',
    '.sb-error{color:var(--sb-err);font-size:12px;margin:4px 0 8px;font-weight:400}',
    '.sb-note{margin:6px 0 14px;padding:10px 12px;border-radius:8px;background:var(--sb-soft);color:var(--sb-muted);font-size:13px}',
    '.sb-note.sb-ok{background:#ecfdf3;color:#05603a}',
    '#sb-queue{margin:0;padding:10px 16px;background:#eef4fa;color:#1f3b57;font-size:13px;border-bottom:1px solid #dbe6f1}',
    '#sb-queue b{display:block;font-size:15px}#sb-queue .sb-wait{color:#48617a}',
    '#sb-conn{padding:6px 16px;background:#fffaeb;color:#93370d;font-size:12px;border-bottom:1px solid #fedf89}',
    '#sb-log{flex:1;overflow:auto;padding:14px 14px 6px;background:var(--sb-soft);display:flex;flex-direction:column;gap:8px}',
    '.sb-msg{max-width:84%;align-self:flex-start;display:flex;flex-direction:column}',
    '.sb-msg .sb-who{font-size:11px;color:var(--sb-muted);margin:0 4px 2px}',
    '.sb-msg .sb-bubble{padding:8px 11px;border-radius:12px 12px 12px 4px;background:#fff;border:1px solid var(--sb-line);',
    'white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.sb-msg time{font-size:11px;color:var(--sb-muted);margin:2px 4px 0}',
    '.sb-msg[data-from=visitor]{align-self:flex-end;align-items:flex-end}',
    '.sb-msg[data-from=visitor] .sb-bubble{background:var(--sb-own);color:#fff;border-color:var(--sb-own);border-radius:12px 12px 4px 12px}',
    '.sb-msg[data-from=visitor] .sb-bubble a{color:#fff}',
    '.sb-msg[data-pending] .sb-bubble{opacity:.6}',
    '.sb-msg[data-from=system]{align-self:center;max-width:92%;align-items:center}',
    '.sb-msg[data-from=system] .sb-bubble{background:transparent;border:0;color:var(--sb-muted);font-size:12px;text-align:center;padding:2px 8px}',
    '.sb-event{align-self:center;font-size:12px;color:var(--sb-muted);text-align:center;padding:2px 8px}',
    '.sb-file{display:flex;gap:8px;align-items:center;text-decoration:none;color:inherit}',
    '.sb-file img{max-width:200px;max-height:160px;border-radius:6px;display:block}',
    '.sb-file .sb-size{font-size:11px;opacity:.8}',
    '#sb-typing{font-size:12px;color:var(--sb-muted);padding:2px 16px 4px;background:var(--sb-soft);font-style:italic}',
    '#sb-compose{border-top:1px solid var(--sb-line);padding:10px;display:flex;gap:6px;align-items:flex-end;background:#fff}',
    '#sb-input{flex:1;min-width:0;width:auto;resize:none;min-height:40px;max-height:120px;height:40px}',
    '#sb-send{height:40px;width:44px;padding:0;flex:none}#sb-send svg{width:20px;height:20px;fill:currentColor}',
    '.sb-attach{position:relative;flex:none;width:40px;height:40px;border-radius:8px;border:1px solid var(--sb-line);display:flex;',
    'align-items:center;justify-content:center;cursor:pointer;color:var(--sb-muted)}',
    '.sb-attach:hover{background:var(--sb-soft)}.sb-attach svg{width:18px;height:18px;fill:currentColor}',
    '.sb-attach input{position:absolute;inset:0;opacity:0;cursor:pointer;width:100%}',
    '.sb-attach:focus-within{box-shadow:0 0 0 3px rgba(47,93,138,.25)}',
    '#sb-tools{display:flex;gap:6px;padding:0 10px 10px;background:#fff;flex-wrap:wrap}',
    '#sb-tools .sb-btn{padding:5px 10px;font-size:12px;font-weight:500}',
    '#sb-compose-error{padding:0 12px;background:#fff;margin:0}',
    '#sb-compose-error:empty{display:none}',
    'form#sb-transcript{display:flex;gap:6px;padding:8px 10px 10px;border-top:1px solid var(--sb-line);background:#fff;flex-wrap:wrap;align-items:flex-end}',
    'form#sb-transcript .sb-btn{height:38px}',
    'form#sb-transcript label{flex:1;min-width:0}',
    'form#sb-transcript label{font-size:12px;color:var(--sb-muted)}form#sb-transcript label span{display:block;margin:0 0 4px}',
    'form#sb-transcript input{width:100%;border:1px solid #cfd5dc;border-radius:8px;padding:8px 10px}',
    'form#sb-transcript .sb-error{flex-basis:100%;margin:0}',
    '#sb-transcript-sent{margin:0;padding:8px 12px;background:#ecfdf3;color:#05603a;font-size:13px}',
    '#sb-ended{padding:0 10px 10px;background:#fff;display:flex}#sb-ended .sb-btn{flex:1}',
        '#sb-foot{font-size:11px;color:#98a2b3;text-align:center;padding:4px;background:#fff}',
    '.sb-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '@media (max-width:480px){#sb-root{right:12px;bottom:12px}#sb-root.sb-is-open{right:0;bottom:0;left:0;top:0}',
    '#sb-root.sb-is-open #sb-panel{width:100vw;height:100vh;border-radius:0;border:0}#sb-root input,#sb-root select,#sb-root textarea{font-size:16px}}'
  ].join('\n');

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') n.textContent = v;
      else if (k.slice(0, 2) === 'on') n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) { if (c) n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return n;
  }
  function svg(path) {
    var s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    var p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    p.setAttribute('d', path);
    s.appendChild(p);
    return s;
  }
  var ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z';
  var ICON_SEND = 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z';
  var ICON_CLIP = 'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10h-1.5z';

  // ------------------------------------------------------------------ state
  var S = {
    view: 'closed', // closed panel shows: status | prechat | offline | offline-done | chat
    session: null, number: null, email: '', name: '', lastSeq: 0, ended: false, operator: '',
    msgs: [], open: false
  };
  var seen = {}; // seq -> true
  var pending = []; // {cid, text, el, file}
  var sock = null, conn = 'idle', attempts = 0, retryTimer = null, pingTimer = null, missed = 0;
  var typingOn = false, typingTimer = null, remoteTypingTimer = null, pendingEnd = false, everOpen = false;

  function load() {
    try {
      var raw = sessionStorage.getItem(KEY);
      if (!raw) return;
      var v = JSON.parse(raw);
      if (!v || typeof v.session !== 'string') return;
      S.session = v.session; S.number = v.number || null; S.email = v.email || ''; S.name = v.name || '';
      S.lastSeq = +v.lastSeq || 0; S.ended = !!v.ended; S.operator = v.operator || ''; S.open = !!v.open;
      S.msgs = Array.isArray(v.msgs) ? v.msgs.filter(function (m) { return m && m.seq > 0; }) : [];
      // Without the stored messages the log would have a gap: replay everything.
      if (!S.msgs.length) S.lastSeq = 0;
    } catch (e) { /* storage unavailable or corrupt: start afresh */ }
  }
  function save() {
    try {
      if (!S.session) { sessionStorage.removeItem(KEY); return; }
      sessionStorage.setItem(KEY, JSON.stringify({
        session: S.session, number: S.number, email: S.email, name: S.name, lastSeq: S.lastSeq,
        ended: S.ended, operator: S.operator, open: S.open, msgs: S.msgs.slice(-300)
      }));
    } catch (e) { /* quota or privacy mode: the chat still works in memory */ }
  }

  // ------------------------------------------------------------------ skeleton
  var host = document.createElement('div');
  host.id = 'switchboard-chat';
  var shadow = host.attachShadow({ mode: 'open' });
  shadow.appendChild(el('style', { text: CSS }));
  var root = el('div', { id: 'sb-root', 'data-conn': 'idle', lang: LANG });
  shadow.appendChild(root);

  var launcher = el('button', { id: 'sb-open', type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', onclick: openPanel },
    [svg(ICON_CHAT), el('span', { text: T.open })]);
  var badge = el('span', { class: 'sb-badge', hidden: true, 'aria-hidden': 'true' });
  launcher.appendChild(badge);
  var unread = 0;

  var headSub = el('small', { id: 'sb-sub' });
  var panel = el('div', { id: 'sb-panel', role: 'dialog', 'aria-label': data.title || T.title, hidden: true }, [
    el('div', { id: 'sb-head' }, [
      el('span', { class: 'sb-dot', 'aria-hidden': 'true' }),
      el('div', { class: 'sb-title' }, [el('strong', { text: data.title || T.title }), headSub]),
      el('button', { class: 'sb-icon', id: 'sb-close', type: 'button', 'aria-label': T.close, title: T.close, onclick: closePanel, text: '\u2013' })
    ])
  ]);
  var body = el('div', { id: 'sb-body' });
  panel.appendChild(body);
  panel.appendChild(el('div', { id: 'sb-foot', text: T.powered }));
  root.appendChild(panel);
  root.appendChild(launcher);

  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); closePanel(); }
  });

  function mount() { (document.body || document.documentElement).appendChild(host); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  function setConn(c) {
    conn = c;
    root.setAttribute('data-conn', c);
    var bar = shadow.getElementById('sb-conn');
    if (bar) {
      bar.hidden = !(c === 'lost' || (c === 'connecting' && everOpen));
      bar.textContent = c === 'lost' ? T.lost : T.connecting;
    }
    subtitle();
  }
  function subtitle() {
    var parts = [];
    if (S.number) parts.push(t('contact', { n: S.number }));
    if (S.operator) parts.push(S.operator);
    headSub.textContent = parts.join(' · ');
  }

  function openPanel() {
    S.open = true; save();
    panel.hidden = false; launcher.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    root.classList.add('sb-is-open');
    unread = 0; badge.hidden = true;
    if (S.view === 'closed') {
      if (S.session) showChat(); else checkStatus();
    }
    setTimeout(focusFirst, 0);
  }
  function closePanel() {
    S.open = false; save();
    panel.hidden = true; launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    root.classList.remove('sb-is-open');
    launcher.focus();
  }
  function focusFirst() {
    var f = body.querySelector('#sb-input:not([disabled]), form input, form textarea, button');
    if (f) f.focus();
  }
  function clearBody() { while (body.firstChild) body.removeChild(body.firstChild); }

  // ------------------------------------------------------------------ HTTP
  function api(method, path, payload, isForm) {
    var opts = { method: method, mode: 'cors', credentials: 'omit', headers: {} };
    if (payload !== undefined) {
      if (isForm) opts.body = payload;
      else { opts.body = JSON.stringify(payload); opts.headers['Content-Type'] = 'application/json'; }
    }
    return fetch(ORIGIN + path, opts).then(function (r) {
      return r.text().then(function (txt) {
        var j = null;
        try { j = txt ? JSON.parse(txt) : {}; } catch (e) { j = {}; }
        if (!r.ok) {
          var err = new Error((j && j.message) || ('HTTP ' + r.status));
          err.status = r.status; err.body = j || {};
          throw err;
        }
        return j;
      });
    });
  }

  function checkStatus() {
    S.view = 'status';
    clearBody();
    var box = el('div', { class: 'sb-scroll' }, [el('p', { class: 'sb-note', role: 'status', text: T.loading })]);
    body.appendChild(box);
    api('GET', '/chat/api/status?queue=' + encodeURIComponent(QUEUE)).then(function (j) {
      if (j && j.online) showPrechat(); else showOffline();
    }, function () {
      clearBody();
      body.appendChild(el('div', { class: 'sb-scroll' }, [
        el('p', { class: 'sb-error', role: 'alert', text: T.netError }),
        el('button', { class: 'sb-btn', type: 'button', onclick: checkStatus, text: T.retry })
      ]));
    });
  }

  // ------------------------------------------------------------------ forms
  var fieldSeq = 0;
  function field(label, input, hint) {
    var id = 'sb-f' + (++fieldSeq);
    input.id = id;
    var err = el('div', { class: 'sb-error', id: id + '-err', hidden: true, 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', id + '-err');
    return el('label', { for: id }, [el('span', { text: label }), input, hint ? el('small', { text: hint }) : null, err]);
  }
  function fieldError(form, name, msg) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) return false;
    var err = form.querySelector('#' + input.id + '-err') || null;
    if (!err) return false;
    err.textContent = msg; err.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    return true;
  }
  function clearErrors(form) {
    form.querySelectorAll('.sb-error').forEach(function (e) {
      if (e.hasAttribute('data-general')) e.remove(); else { e.textContent = ''; e.hidden = true; }
    });
    form.querySelectorAll('[aria-invalid]').forEach(function (i) { i.removeAttribute('aria-invalid'); });
  }
  function generalError(form, msg) {
    var e = el('p', { class: 'sb-error', role: 'alert', 'data-general': '1', text: msg });
    var btn = form.querySelector('button[type=submit]');
    form.insertBefore(e, btn);
  }
  function consentBox() {
    var id = 'sb-f' + (++fieldSeq);
    var cb = el('input', { type: 'checkbox', name: 'consent', id: id, value: '1', required: true, 'aria-describedby': id + '-err' });
    return el('div', {}, [
      el('label', { class: 'sb-check', for: id }, [cb, el('span', { text: T.consent })]),
      el('div', { class: 'sb-error', id: id + '-err', hidden: true, 'aria-live': 'polite' })
    ]);
  }
  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  function values(form) {
    var v = {};
    ['name', 'email', 'phone', 'topic', 'text'].forEach(function (n) {
      var i = form.querySelector('[name="' + n + '"]');
      if (i) v[n] = i.value.trim();
    });
    var c = form.querySelector('[name=consent]');
    v.consent = !!(c && c.checked);
    return v;
  }
  function validate(form, v, offline) {
    var ok = true;
    if (!v.name) { fieldError(form, 'name', T.required); ok = false; }
    if (v.email && !EMAIL_RE.test(v.email)) { fieldError(form, 'email', T.badEmail); ok = false; }
    if (offline) {
      if (!v.email) { fieldError(form, 'email', T.required); ok = false; }
      if (!v.text) { fieldError(form, 'text', T.required); ok = false; }
    } else if (!v.email && !v.phone) {
      fieldError(form, 'email', T.contactHint);
      fieldError(form, 'phone', T.contactHint);
      ok = false;
    }
    if (!v.consent) { fieldError(form, 'consent', T.needConsent); ok = false; }
    return ok;
  }
  // The server's reason codes (docs/CHAT.md error bodies) in the visitor's language.
  var REASONS = { required: 'required', empty: 'required', invalid: 'invalid', 'too-long': 'tooLong',
    'email-or-phone-required': 'contactHint', 'unknown-queue': 'noQueue', 'unknown-session': 'expired' };
  function reason(code, field) {
    if (field === 'email' && code === 'invalid') return T.badEmail;
    return T[REASONS[code]] || T.invalid;
  }
  function failure(err) {
    if (!err.status) return T.netError;
    if (err.status === 429) return T.tooMany;
    return T.serverError;
  }
  function serverErrors(form, err) {
    var fields = (err.body && err.body.fields) || {};
    var shown = false;
    for (var k in fields) {
      var why = reason(fields[k], k);
      if (!fieldError(form, k, why)) generalError(form, why);
      shown = true;
    }
    if (!shown) generalError(form, failure(err));
  }
  function focusInvalid(form) {
    var bad = form.querySelector('[aria-invalid=true]');
    if (bad) bad.focus();
  }

  function showPrechat(note) {
    S.view = 'prechat';
    clearBody();
    var topic = TOPICS.length
      ? el('select', { name: 'topic' }, [el('option', { value: '', text: T.topicAny })].concat(TOPICS.map(function (x) {
        return el('option', { value: x, text: x });
      })))
      : el('input', { name: 'topic', type: 'text', maxlength: '200', autocomplete: 'off' });
    var form = el('form', { id: 'sb-prechat', class: 'sb-form', novalidate: true }, [
      note ? el('p', { class: 'sb-note', role: 'status', text: note }) : null,
      el('p', { class: 'sb-intro', text: T.hello }),
      field(T.name, el('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'name' })),
      el('div', { class: 'sb-row' }, [
        field(T.email, el('input', { name: 'email', type: 'email', maxlength: '254', autocomplete: 'email', value: S.email || null })),
        field(T.phone, el('input', { name: 'phone', type: 'tel', maxlength: '40', autocomplete: 'tel' }))
      ]),
      field(T.topic, topic),
      field(T.first, el('textarea', { name: 'text', rows: '3', maxlength: '4000' })),
      consentBox(),
      el('button', { class: 'sb-btn', type: 'submit', text: T.start })
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors(form);
      var v = values(form);
      if (!validate(form, v, false)) { focusInvalid(form); return; }
      var btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      var payload = { queue: QUEUE, name: v.name, locale: LANG, page_url: location.href, consent: true };
      ['email', 'phone', 'topic', 'text'].forEach(function (k) { if (v[k]) payload[k] = v[k]; });
      api('POST', '/chat/api/start', payload).then(function (j) {
        if (!j || typeof j.session !== 'string') throw new Error('no session');
        S.session = j.session; S.number = j.number || j.contact || null;
        S.email = v.email || ''; S.name = v.name; S.lastSeq = 0; S.msgs = []; S.ended = false; S.operator = '';
        seen = {};
        save();
        showChat();
      }, function (err) {
        btn.disabled = false;
        serverErrors(form, err);
        focusInvalid(form);
      });
    });
    body.appendChild(el('div', { class: 'sb-scroll' }, [form]));
  }

  function showOffline() {
    S.view = 'offline';
    clearBody();
    var form = el('form', { id: 'sb-offline', class: 'sb-form', novalidate: true }, [
      el('p', { class: 'sb-note', role: 'status' }, [el('strong', { text: T.offlineTitle }), el('br'), T.offlineHint]),
      field(T.name, el('input', { name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'name' })),
      el('div', { class: 'sb-row' }, [
        field(T.email, el('input', { name: 'email', type: 'email', required: true, maxlength: '254', autocomplete: 'email' })),
        field(T.phone, el('input', { name: 'phone', type: 'tel', maxlength: '40', autocomplete: 'tel' }))
      ]),
      TOPICS.length ? field(T.topic, el('select', { name: 'topic' }, [el('option', { value: '', text: T.topicAny })].concat(
        TOPICS.map(function (x) { return el('option', { value: x, text: x }); })))) : null,
      field(T.message, el('textarea', { name: 'text', rows: '4', required: true, maxlength: '4000' })),
      consentBox(),
      el('button', { class: 'sb-btn', type: 'submit', text: T.offlineSend })
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors(form);
      var v = values(form);
      if (!validate(form, v, true)) { focusInvalid(form); return; }
      var btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      var payload = { queue: QUEUE, name: v.name, email: v.email, text: v.text, locale: LANG, consent: true };
      if (v.phone) payload.phone = v.phone;
      if (v.topic) payload.topic = v.topic;
      api('POST', '/chat/api/offline', payload).then(function (j) {
        S.view = 'offline-done';
        clearBody();
        body.appendChild(el('div', { class: 'sb-scroll' }, [
          el('p', { class: 'sb-note sb-ok', id: 'sb-offline-sent', role: 'status', 'data-number': j && j.number, text: t('offlineDone', { n: (j && j.number) || '' }) })
        ]));
      }, function (err) {
        btn.disabled = false;
        serverErrors(form, err);
        focusInvalid(form);
      });
    });
    body.appendChild(el('div', { class: 'sb-scroll' }, [form]));
  }

  // ------------------------------------------------------------------ chat view
  var log, input, sendBtn, typingEl, queueEl, composeErr, tools, transcriptBox, endedBox, composeBox;

  function showChat() {
    S.view = 'chat';
    clearBody();
    queueEl = el('p', { id: 'sb-queue', role: 'status', hidden: true });
    var connBar = el('div', { id: 'sb-conn', role: 'status', hidden: true });
    log = el('div', { id: 'sb-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0', 'aria-label': T.title });
    typingEl = el('div', { id: 'sb-typing', 'aria-live': 'polite', hidden: true });
    input = el('textarea', { id: 'sb-input', rows: '1', maxlength: '4000', placeholder: T.placeholder, 'aria-label': T.message, title: T.keys });
    sendBtn = el('button', { id: 'sb-send', class: 'sb-btn', type: 'button', 'aria-label': T.send, title: T.send, onclick: sendFromInput }, [svg(ICON_SEND)]);
    var file = el('input', { id: 'sb-file', type: 'file', accept: FILE_ACCEPT, 'aria-label': T.attach, title: T.attach });
    file.addEventListener('change', function () {
      var f = file.files && file.files[0];
      file.value = '';
      if (f) upload(f);
    });
    composeBox = el('div', { id: 'sb-compose' }, [
      el('label', { class: 'sb-attach', title: T.attach }, [svg(ICON_CLIP), el('span', { class: 'sb-sr', text: T.attach }), file]),
      input, sendBtn
    ]);
    composeErr = el('p', { id: 'sb-compose-error', class: 'sb-error', role: 'alert' });
    transcriptBox = el('div', { id: 'sb-transcript-box', hidden: true });
    tools = el('div', { id: 'sb-tools' }, [
      el('button', { id: 'sb-transcript-open', class: 'sb-btn sb-ghost', type: 'button', text: T.transcript, onclick: function () { showTranscript(true); } }),
      el('button', { id: 'sb-end', class: 'sb-btn sb-ghost', type: 'button', text: T.end, onclick: endChat })
    ]);
    endedBox = el('div', { id: 'sb-ended', hidden: true }, [
      el('button', { class: 'sb-btn sb-ghost', id: 'sb-again', type: 'button', text: T.again, onclick: newChat })
    ]);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendFromInput(); }
    });
    input.addEventListener('input', function () { autosize(); localTyping(); });
    [queueEl, connBar, log, typingEl, composeErr, composeBox, tools, transcriptBox, endedBox].forEach(function (n) { body.appendChild(n); });

    // What this tab already showed (a page reload resumes from sessionStorage).
    seen = {};
    S.msgs.forEach(function (m) { render(m); });
    if (!S.msgs.length && !S.ended) note(T.queueWait);
    pending.forEach(function (p) { log.appendChild(p.el); });
    subtitle();
    if (S.ended) markEnded(false);
    scrollDown();
    if (!S.ended) connect(); else setConn('idle');
    setConn(conn);
  }

  function autosize() {
    input.style.height = '40px';
    if (input.value) input.style.height = Math.min(120, input.scrollHeight + 2) + 'px';
  }
  function scrollDown() { if (log) log.scrollTop = log.scrollHeight; }
  function fmtTime(ms) {
    try { return new Date(ms).toLocaleTimeString(LOCALES[LANG], { hour: '2-digit', minute: '2-digit' }); } catch (e) { return ''; }
  }
  function fmtSize(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MB';
    if (n >= 1024) return Math.round(n / 1024) + ' KB';
    return n + ' B';
  }
  function fileUrl(f) { return ORIGIN + '/chat/api/file/' + encodeURIComponent(f.id) + '?session=' + encodeURIComponent(S.session || ''); }

  function bubble(m) {
    var who = m.from === 'visitor' ? T.you : m.from === 'operator' ? (m.name || T.operator) : '';
    var b = el('div', { class: 'sb-bubble' });
    if (m.file && m.file.id !== undefined) {
      var a = el('a', { class: 'sb-file', href: fileUrl(m.file), target: '_blank', rel: 'noopener', download: m.file.name || true });
      if (/^image\//.test(m.file.type || '')) a.appendChild(el('img', { src: fileUrl(m.file), alt: m.file.name || '' }));
      else a.appendChild(el('span', { 'aria-hidden': 'true', text: '\uD83D\uDCCE' }));
      a.appendChild(el('span', {}, [el('span', { text: m.file.name || 'file' }), ' ', el('span', { class: 'sb-size', text: fmtSize(m.file.size || 0) })]));
      b.appendChild(a);
      if (m.text && m.text !== m.file.name) b.appendChild(el('div', { text: m.text }));
    } else {
      b.textContent = m.text || '';
    }
    var kids = [];
    if (who) kids.push(el('span', { class: 'sb-who', text: who }));
    kids.push(b);
    kids.push(el('time', { datetime: m.at ? new Date(m.at).toISOString() : null, text: m.at ? fmtTime(m.at) : T.pending }));
    return kids;
  }

  function render(m) {
    if (seen[m.seq]) return null;
    seen[m.seq] = true;
    var node = el('div', { class: 'sb-msg', 'data-seq': String(m.seq), 'data-from': m.from }, bubble(m));
    // Keep the log in seq order, confirmed messages before the pending ones.
    var before = null;
    var kids = log.children;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k.hasAttribute('data-pending') || (k.hasAttribute('data-seq') && +k.getAttribute('data-seq') > m.seq)) { before = k; break; }
    }
    log.insertBefore(node, before);
    return node;
  }

  function note(text) {
    if (!log) return;
    var n = el('div', { class: 'sb-event', text: text });
    var firstPending = log.querySelector('[data-pending]');
    log.insertBefore(n, firstPending);
    scrollDown();
  }

  function onMessage(f) {
    if (typeof f.seq !== 'number' || f.seq < 1) return;
    if (f.cid) {
      for (var i = 0; i < pending.length; i++) {
        if (pending[i].cid === f.cid) {
          if (pending[i].el.parentNode) pending[i].el.parentNode.removeChild(pending[i].el);
          pending.splice(i, 1);
          break;
        }
      }
    }
    if (f.seq > S.lastSeq) S.lastSeq = f.seq;
    if (seen[f.seq]) { save(); return; }
    var m = { seq: f.seq, from: f.from === 'visitor' || f.from === 'operator' ? f.from : 'system', name: f.name || '', text: f.text || '', at: f.at || Date.now() };
    if (f.file) m.file = { id: f.file.id, name: f.file.name, size: f.file.size, type: f.file.type };
    S.msgs.push(m);
    S.msgs.sort(function (a, b) { return a.seq - b.seq; });
    render(m);
    if (m.from === 'operator') {
      setRemoteTyping(false);
      if (panel.hidden) { unread++; badge.textContent = String(unread); badge.hidden = false; }
    }
    save();
    scrollDown();
  }

  // ------------------------------------------------------------------ socket
  function wsUrl() {
    return ORIGIN.replace(/^http/, 'ws') + '/chat/ws?session=' + encodeURIComponent(S.session) + '&after=' + S.lastSeq;
  }
  function connect() {
    clearTimeout(retryTimer); retryTimer = null;
    if (!S.session || S.ended) return;
    if (sock) return;
    setConn('connecting');
    var ws;
    try { ws = new WebSocket(wsUrl()); } catch (e) { lost(); return; }
    sock = ws;
    ws.onopen = function () {
      if (sock !== ws) return;
      attempts = 0; missed = 0;
      var wasLost = everOpen;
      everOpen = true;
      setConn('open');
      if (wasLost) note(T.restored);
      clearInterval(pingTimer);
      pingTimer = setInterval(ping, PING_MS);
      // Whatever was not echoed yet goes again with the same cid: the server stores it once.
      pending.forEach(function (p) { if (!p.file) raw({ t: 'msg', cid: p.cid, text: p.text }); });
      if (pendingEnd) raw({ t: 'end' });
    };
    ws.onmessage = function (e) {
      if (sock !== ws) return;
      missed = 0;
      var f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      if (f && typeof f.t === 'string') frame(f);
    };
    ws.onclose = ws.onerror = function () { if (sock === ws) lost(); };
  }
  function raw(f) {
    if (!sock || sock.readyState !== 1) return false;
    try { sock.send(JSON.stringify(f)); return true; } catch (e) { return false; }
  }
  function ping() {
    if (missed >= 2) { lost(); return; }
    missed++;
    raw({ t: 'ping' });
  }
  function lost() {
    clearInterval(pingTimer); pingTimer = null;
    var ws = sock;
    sock = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(); } catch (e) { /* already closed */ }
    }
    setRemoteTyping(false);
    typingOn = false;
    if (!S.session || S.ended) { setConn('idle'); return; }
    setConn('lost');
    var delay = Math.min(15, Math.pow(2, attempts)) * 1000;
    attempts++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }
  window.addEventListener('offline', function () { if (sock) lost(); });
  window.addEventListener('online', function () {
    if (S.session && !S.ended && !sock) { attempts = 0; connect(); }
  });

  function frame(f) {
    switch (f.t) {
      case 'hello':
        if (f.number) S.number = f.number;
        if (f.operator) S.operator = f.operator;
        subtitle();
        if (f.status === 'resolved' || f.status === 'closed') markEnded(true);
        save();
        break;
      case 'msg':
        onMessage(f);
        break;
      case 'queue':
        if (S.operator || S.ended) break;
        var p = +f.position || 0;
        queueEl.hidden = p < 1;
        queueEl.setAttribute('data-position', String(p));
        queueEl.setAttribute('data-ewt', String(+f.ewt_s || 0));
        while (queueEl.firstChild) queueEl.removeChild(queueEl.firstChild);
        var mins = Math.ceil((+f.ewt_s || 0) / 60);
        queueEl.appendChild(el('b', { text: t('queue', { p: p }) }));
        queueEl.appendChild(el('span', { class: 'sb-wait', text: mins >= 1 ? t('wait', { m: mins }) : t('waitSoon') }));
        break;
      case 'assigned':
        queueEl.hidden = true;
        queueEl.removeAttribute('data-position');
        if (f.operator && f.operator !== S.operator) {
          S.operator = f.operator;
          note(t('joined', { name: f.operator }));
        } else if (!S.operator) {
          S.operator = T.operator;
          note(t('joined', { name: '' }).replace(/\s+/g, ' '));
        }
        subtitle();
        save();
        break;
      case 'typing':
        setRemoteTyping(!!f.on);
        break;
      case 'ended':
        markEnded(true);
        break;
      case 'pong':
        break;
      case 'error':
        if (f.code === 'unknown-session') {
          var s = sock; sock = null;
          if (s) { s.onclose = s.onerror = null; try { s.close(); } catch (e) { /* closed */ } }
          clearInterval(pingTimer);
          resetSession();
          setConn('idle');
          showPrechat(T.expired);
        }
        break;
    }
  }

  function setRemoteTyping(on) {
    if (!typingEl) return;
    clearTimeout(remoteTypingTimer);
    typingEl.hidden = !on;
    typingEl.textContent = on ? t('typing', { name: S.operator || T.operator }) : '';
    // A lost "off" never leaves the indicator on forever.
    if (on) remoteTypingTimer = setTimeout(function () { setRemoteTyping(false); }, 15000);
  }

  function localTyping() {
    if (S.ended) return;
    clearTimeout(typingTimer);
    if (!input.value.trim()) { stopTyping(); return; }
    if (!typingOn) { if (raw({ t: 'typing', on: true })) typingOn = true; }
    typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingOn) { raw({ t: 'typing', on: false }); typingOn = false; }
  }

  function newCid() {
    return 'w' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }
  function pendingNode(cid, text) {
    return el('div', { class: 'sb-msg', 'data-from': 'visitor', 'data-pending': true, 'data-cid': cid },
      [el('span', { class: 'sb-who', text: T.you }), el('div', { class: 'sb-bubble', text: text }), el('time', { text: T.pending })]);
  }
  function sendFromInput() {
    if (S.ended) return;
    var text = input.value.replace(/\s+$/, '');
    if (!text.trim()) return;
    composeErr.textContent = '';
    input.value = '';
    autosize();
    stopTyping();
    var cid = newCid();
    var p = { cid: cid, text: text, el: pendingNode(cid, text) };
    pending.push(p);
    log.appendChild(p.el);
    scrollDown();
    raw({ t: 'msg', cid: cid, text: text });
    input.focus();
  }

  function upload(f) {
    composeErr.textContent = '';
    var type = f.type || '';
    if (!type && /\.txt$/i.test(f.name)) type = 'text/plain';
    if (FILE_TYPES.indexOf(type) < 0) { composeErr.textContent = T.fileType; return; }
    if (f.size > MAX_FILE) { composeErr.textContent = T.fileTooBig; return; }
    var cid = newCid();
    var p = { cid: cid, text: f.name, el: pendingNode(cid, T.uploading + ' ' + f.name), file: true };
    pending.push(p);
    log.appendChild(p.el);
    scrollDown();
    var fd = new FormData();
    fd.append('session', S.session);
    fd.append('cid', cid);
    fd.append('file', f, f.name);
    api('POST', '/chat/api/upload', fd, true).then(function () {
      // The socket echoes the stored message with this cid.
    }, function (err) {
      var i = pending.indexOf(p);
      if (i >= 0) pending.splice(i, 1);
      if (p.el.parentNode) p.el.parentNode.removeChild(p.el);
      composeErr.textContent = err.status === 413 ? T.fileTooBig : err.status === 415 ? T.fileType : err.status === 429 ? T.tooMany : T.fileFail;
    });
  }

  function endChat() {
    if (S.ended) return;
    pendingEnd = true;
    raw({ t: 'end' });
    var b = shadow.getElementById('sb-end');
    if (b) b.disabled = true;
    // Not connected: the end goes out as soon as the socket is back (onopen).
  }

  function markEnded(announce) {
    var first = !S.ended;
    S.ended = true;
    pendingEnd = false;
    save();
    stopTyping();
    setRemoteTyping(false);
    if (queueEl) queueEl.hidden = true;
    if (composeBox) composeBox.hidden = true;
    var endBtn = shadow.getElementById('sb-end');
    if (endBtn) endBtn.hidden = true;
    if (endedBox) endedBox.hidden = false;
    if (announce && first) note(T.ended);
    showTranscript(false);
    scrollDown();
    // The chat is over: stop reconnecting.
    clearTimeout(retryTimer);
    var ws = sock; sock = null;
    clearInterval(pingTimer);
    if (ws) { ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null; try { ws.close(); } catch (e) { /* closed */ } }
    setConn('idle');
  }

  function showTranscript(focus) {
    if (!transcriptBox) return;
    if (!transcriptBox.hidden) { if (focus) { var i0 = transcriptBox.querySelector('input'); if (i0) i0.focus(); } return; }
    clearBody0(transcriptBox);
    var opener = shadow.getElementById('sb-transcript-open');
    if (opener) opener.hidden = true;
    var id = 'sb-f' + (++fieldSeq);
    var inputEl = el('input', { id: id, name: 'email', type: 'email', required: true, maxlength: '254', autocomplete: 'email', value: S.email || null, placeholder: T.email });
    var err = el('p', { class: 'sb-error', role: 'alert', hidden: true });
    var form = el('form', { id: 'sb-transcript', novalidate: true }, [
      el('label', { for: id }, [el('span', { text: T.transcript }), inputEl]),
      el('button', { class: 'sb-btn', type: 'submit', text: T.transcriptSend }),
      err
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      err.hidden = true;
      var email = inputEl.value.trim();
      if (!EMAIL_RE.test(email)) { err.textContent = email ? T.badEmail : T.required; err.hidden = false; inputEl.focus(); return; }
      var btn = form.querySelector('button');
      btn.disabled = true;
      api('POST', '/chat/api/transcript', { session: S.session, email: email }).then(function () {
        clearBody0(transcriptBox);
        transcriptBox.appendChild(el('p', { id: 'sb-transcript-sent', role: 'status', text: t('transcriptSent', { e: email }) }));
      }, function (x) {
        btn.disabled = false;
        var f = (x.body && x.body.fields) || {};
        err.textContent = f.email ? reason(f.email, 'email') : f.session ? T.expired : failure(x);
        err.hidden = false;
      });
    });
    transcriptBox.appendChild(form);
    transcriptBox.hidden = false;
    if (focus) inputEl.focus();
  }
  function clearBody0(n) { while (n.firstChild) n.removeChild(n.firstChild); }

  function resetSession() {
    S.session = null; S.number = null; S.lastSeq = 0; S.msgs = []; S.ended = false; S.operator = '';
    pending = []; pendingEnd = false; seen = {}; everOpen = false; attempts = 0;
    save();
    subtitle();
  }
  function newChat() {
    resetSession();
    checkStatus();
  }

  // ------------------------------------------------------------------ start
  load();
  if (S.session && S.open) openPanel();
  else if (S.session && !S.ended) { showChat(); panel.hidden = true; }
})();
