// DOM helpers: elements are built with properties and text nodes, never from HTML strings, so nothing the
// server returns (message bodies, names) can become markup.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key.startsWith('on')) {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== 'string') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

/** Appends children, skipping null, undefined and false (the DOM's own append would write "null"). */
export function append(el, ...children) {
  addAll(el, children);
  return el;
}

function addAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  addAll(el, children);
  return el;
}

export function table(columns, rows, empty = 'Nothing here.') {
  if (!rows.length) {
    return h('p', {class: 'empty', text: empty});
  }
  // A number column may have a class of its own too (e.g. hide-narrow).
  const classOf = (c) => [c.num ? 'num' : null, c.class].filter(Boolean).join(' ') || null;
  return h('div', {class: 'table-wrap'}, h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {class: classOf(c), scope: 'col'}, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', {dataset: row.__key ? {key: row.__key} : undefined},
      columns.map((c) => h('td', {class: classOf(c)}, c.cell(row))))))));
}

export function panel(title, ...children) {
  return h('section', {class: 'panel'}, title ? h('h2', {}, title) : null, children);
}

export function badge(text, kind = '') {
  return h('span', {class: 'badge ' + kind, text});
}

export function note(text, kind = '') {
  return h('p', {class: 'note ' + kind}, text);
}

export function field(label, input, help) {
  const id = input.id || ('f-' + input.name + '-' + Math.random().toString(36).slice(2, 7));
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), input,
    help ? h('span', {class: 'muted small'}, help) : null);
}

// ---- feedback

const toasts = () => document.getElementById('toasts');

export function toast(kind, message) {
  const t = h('div', {class: 'toast ' + kind, role: kind === 'bad' ? 'alert' : 'status'}, message);
  toasts().append(t);
  setTimeout(() => t.remove(), kind === 'bad' ? 12000 : 5000);
}

/**
 * Runs an action from a button: the button is disabled and says so while it runs; success and failure
 * are shown (failure as the server's own message, next to the field it names when the form has one).
 */
export async function act(button, work, {form, done} = {}) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Working…';
  if (form) {
    clearErrors(form);
  }
  try {
    const result = await work();
    if (done) {
      toast('ok', typeof done === 'function' ? done(result) : done);
    }
    return result;
  } catch (e) {
    if (e.status === 401) {
      return undefined;
    }
    if (!(form && showFieldError(form, e))) {
      toast('bad', e.message);
    }
    return undefined;
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error.server').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/** Puts the server's message under the field it names (or at the form's end); true when shown in the form. */
export function showFieldError(form, error) {
  const name = error.field;
  const input = name ? form.querySelector('[name="' + CSS.escape(name) + '"]') : null;
  const message = h('p', {class: 'field-error server', role: 'alert', text: error.message});
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const box = input.closest('.field');
    if (box) {
      box.append(message);
    } else {
      input.after(message);
    }
    input.focus();
  } else {
    form.append(message);
  }
  return true;
}

/** A confirmation that says what will happen; resolves true only on the confirm button. */
export function confirmAction(title, body, confirmLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  clear(document.getElementById('confirm-body'), body);
  document.getElementById('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), {once: true});
  });
}

// ---- formats

export function num(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', {maximumFractionDigits: 1});
}

export function age(seconds) {
  if (seconds === null || seconds === undefined) {
    return '–';
  }
  const s = Math.round(seconds);
  if (s < 60) {
    return s + ' s';
  }
  if (s < 3600) {
    return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }
  if (s < 86400) {
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

export function time(ms) {
  return ms ? new Date(ms).toLocaleString('sv-SE').replace(' ', ' ') : '–';
}

export function clock(ms) {
  return ms ? new Date(ms).toLocaleTimeString('en-GB') : '–';
}
