// Small DOM helpers. Text is always set as text.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'value' && (tag === 'input' || tag === 'textarea')) el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === '') continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A labelled input: the label's for= points at the input's id.
export function field(label, input) {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

// A cell of a form row holding one labelled input (field).
export function cell(label, input) {
  return h('div', {}, field(label, input));
}

export function select(id, options, value) {
  const s = h('select', { id, name: id });
  for (const [v, text] of options) {
    const o = h('option', { value: v }, text);
    if (v === value) { o.defaultSelected = true; o.selected = true; }
    s.append(o);
  }
  return s;
}

export function table(headers, rows, id) {
  return h('div', { class: 'table-wrap' },
    h('table', { id },
      h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c)))))));
}

// A secret shown once (one-time password, API key).
export function once(text, secret, id) {
  return h('div', { class: 'once' }, h('p', {}, text), h('output', { class: 'secret', id }, secret));
}

export function say(text) {
  document.getElementById('error').textContent = '';
  document.getElementById('status').textContent = text;
}
export function fail(e) {
  document.getElementById('status').textContent = '';
  document.getElementById('error').textContent = typeof e === 'string' ? e : (e && e.message) || String(e);
}
export function clearMessages() {
  document.getElementById('status').textContent = '';
  document.getElementById('error').textContent = '';
}

// A list of figures: [[term, value], ...] as a <dl class="figures">, values as text.
export function figures(pairs) {
  return h('dl', { class: 'figures' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

// ---- Actions: the one place a failed action (an ApiError from api.js, or any other
// Error) becomes the message in #error ----
export function guard(fn) {
  return async (ev) => { try { await fn(ev); } catch (e) { fail(e); } };
}
// A form's submit (the browser's own submission prevented) and a button's click.
export function onSubmit(form, fn) {
  const run = guard(fn);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); return run(ev); });
}
export function onClick(el, fn) { el.addEventListener('click', guard(fn)); }
