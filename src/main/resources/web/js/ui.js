// Small view helpers: formatting, elements, a sortable/searchable/paged table, sparklines, charts.
// Numbers are only formatted here; every figure comes from the server.

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export const fmt = {
  usd: v => v == null ? '—' : usd.format(v),
  int: v => v == null ? '—' : int.format(v),
  tokens: v => v == null ? '—' : compact.format(v),
  num1: v => v == null ? '—' : new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(v),
  pct: v => v == null ? '—' : `${(v * 100).toFixed(1)}%`,
  date: s => s ? new Date(s).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—',
};

/** h('div.cls', {attrs}, ...children) */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'html') el.innerHTML = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function change(v, { lowerIsBetter = false, invert = false } = {}) {
  if (v == null) return h('span.chg.flat', { title: 'nothing in the previous period' }, 'new');
  const up = v > 0.0005, down = v < -0.0005;
  const cls = up ? (invert ? 'down' : 'up') : down ? (invert ? 'up' : 'down') : 'flat';
  const arrow = up ? '▲' : down ? '▼' : '■';
  return h(`span.chg.${cls}`, { title: 'change against the previous period' }, `${arrow} ${Math.abs(v * 100).toFixed(1)}%`);
}

/** A line sparkline of {day: value} (cost per day), scaled to its own maximum. */
export function sparkline(series, days, { width = 96, height = 24, bars = false } = {}) {
  const values = days.map(d => Number(series?.[d] ?? 0));
  const max = Math.max(...values, 0);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark'); svg.setAttribute('width', width); svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`); svg.setAttribute('aria-hidden', 'true');
  if (!values.length || max <= 0) return svg;
  const step = width / Math.max(values.length - (bars ? 0 : 1), 1);
  if (bars) {
    values.forEach((v, i) => {
      const r = document.createElementNS(svg.namespaceURI, 'rect');
      const bh = Math.max((v / max) * (height - 2), v > 0 ? 1 : 0);
      r.setAttribute('x', i * step + 0.5); r.setAttribute('width', Math.max(step - 1, 1));
      r.setAttribute('y', height - bh); r.setAttribute('height', bh);
      svg.append(r);
    });
  } else {
    const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 3)).toFixed(1)}`);
    const p = document.createElementNS(svg.namespaceURI, 'path');
    p.setAttribute('d', 'M' + pts.join(' L'));
    svg.append(p);
  }
  return svg;
}

export function daysBetween(from, to) {
  const out = [];
  for (let d = new Date(from + 'T00:00:00Z'); d <= new Date(to + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/**
 * A table with sortable columns, a search box and paging.
 * columns: [{key, label, num, render(row) -> node|string, sort(row) -> value}]
 */
export function dataTable({ id, columns, rows, search, placeholder = 'Search', pageSize = 25, sort, dir = 'desc', empty = 'Nothing in this period.' }) {
  const state = { sort: sort ?? columns[0].key, dir, q: '', page: 0 };
  const root = h('div', { id });
  const input = h('input', { type: 'search', placeholder, 'aria-label': placeholder, 'data-testid': 'table-search' });
  const count = h('span.muted');
  const body = h('tbody');
  const head = h('tr');
  const pager = h('div.pager');
  const thead = h('thead', {}, head);
  const table = h('table', { 'data-testid': 'table' }, thead, body);
  if (search) root.append(h('div.table-tools', {}, input, count));
  root.append(h('div', { style: 'overflow-x:auto' }, table), pager);
  input.addEventListener('input', () => { state.q = input.value.trim().toLowerCase(); state.page = 0; draw(); });

  function value(c, r) { return c.sort ? c.sort(r) : r[c.key]; }
  function draw() {
    head.replaceChildren(...columns.map(c => {
      const th = h(`th${c.num ? '.num' : ''}`, { scope: 'col' });
      if (c.sortable === false) { th.append(c.label); return th; }
      if (state.sort === c.key) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
      th.append(h('button', { type: 'button', 'data-sort': c.key, onclick: () => {
        if (state.sort === c.key) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
        else { state.sort = c.key; state.dir = c.num ? 'desc' : 'asc'; }
        state.page = 0; draw();
        root.querySelector(`th button[data-sort="${c.key}"]`)?.focus();
      } }, c.label));
      return th;
    }));
    let list = rows;
    if (state.q && search) list = list.filter(r => search(r).toLowerCase().includes(state.q));
    const col = columns.find(c => c.key === state.sort);
    if (col) {
      list = [...list].sort((a, b) => {
        const x = value(col, a), y = value(col, b);
        const cmp = typeof x === 'number' || typeof y === 'number' ? (Number(x ?? -Infinity) - Number(y ?? -Infinity))
          : String(x ?? '').localeCompare(String(y ?? ''));
        return state.dir === 'asc' ? cmp : -cmp;
      });
    }
    const pages = Math.max(Math.ceil(list.length / pageSize), 1);
    state.page = Math.min(state.page, pages - 1);
    const shown = list.slice(state.page * pageSize, (state.page + 1) * pageSize);
    body.replaceChildren(...(shown.length ? shown.map(r => h('tr', { 'data-key': r.key ?? '' },
      columns.map(c => h(`td${c.num ? '.num' : ''}`, { 'data-col': c.key }, c.render ? c.render(r) : (r[c.key] ?? '')))))
      : [h('tr', {}, h('td.muted', { colspan: columns.length }, empty))]));
    count.textContent = `${list.length} of ${rows.length}`;
    const from = list.length ? state.page * pageSize + 1 : 0;
    pager.replaceChildren(
      h('span', { 'data-testid': 'pager-status' }, `${from}–${Math.min((state.page + 1) * pageSize, list.length)} of ${list.length}`),
      h('button', { type: 'button', disabled: state.page === 0, 'aria-label': 'Previous page', onclick: () => { state.page--; draw(); } }, '‹ Prev'),
      h('button', { type: 'button', disabled: state.page >= pages - 1, 'aria-label': 'Next page', onclick: () => { state.page++; draw(); } }, 'Next ›'));
  }
  draw();
  root.redraw = draw;
  return root;
}

function dark() { return matchMedia('(prefers-color-scheme: dark)').matches; }

// ECharts (1 MB) loads on its own (async), so the first figures do not wait for it; charts draw once it is in.
const echartsReady = new Promise(resolve => {
  const script = document.getElementById('echarts-js');
  if (window.echarts || !script) { resolve(!!window.echarts); return; }
  script.addEventListener('load', () => resolve(true));
  script.addEventListener('error', () => resolve(false));
});

/** An ECharts chart in `el`, options built by the caller: now, or as soon as ECharts has loaded. */
export function chart(el, option) {
  if (window.echarts) draw(el, option);
  else echartsReady.then(ok => { if (ok) draw(el, option); else el.textContent = 'Chart library did not load.'; });
}

function draw(el, option) {
  const old = window.echarts.getInstanceByDom(el);
  if (old) old.dispose();
  const c = window.echarts.init(el, dark() ? 'dark' : null, { renderer: 'svg' });
  c.setOption({ backgroundColor: 'transparent', animation: false, grid: { left: 56, right: 16, top: 30, bottom: 28 },
    tooltip: { trigger: 'axis' }, ...option });
  new ResizeObserver(() => c.resize()).observe(el);
}

export function toast(message) {
  const t = h('div', {}, message);
  document.getElementById('toast').append(t);
  setTimeout(() => t.remove(), 3500);
}

export function select(name, label, options, value, onchange, { all = 'All' } = {}) {
  const s = h('select', { name, id: `f-${name}`, 'data-testid': `filter-${name}`, onchange: e => onchange(e.target.value) },
    all != null ? h('option', { value: '' }, all) : null,
    options.filter(o => o.value !== '').map(o => h('option', { value: o.value, selected: o.value === value }, o.label)));
  return h('label', { for: `f-${name}` }, label, s);
}

/**
 * A multi-select filter: a button naming the choice ("All", one value, or "3 selected") that opens a
 * list of checkboxes, with a search box when the list is long. Calls onchange(values) on every change.
 * Keyboard: Enter or Space opens, arrows move between values, Space ticks, Escape closes.
 */
export function multiSelect(name, label, options, values, onchange) {
  const chosen = new Set(values);
  const byValue = new Map(options.map(o => [o.value, o.label]));
  const btn = h('button.multi-button', { type: 'button', id: `f-${name}`, 'aria-haspopup': 'true', 'aria-expanded': 'false',
    'aria-labelledby': `l-${name} f-${name}` });
  const search = h('input', { type: 'search', placeholder: 'Search', 'aria-label': `Search ${label.toLowerCase()}` });
  const list = h('div.multi-list', { role: 'group', 'aria-label': label });
  const clear = h('button.link', { type: 'button', 'data-action': 'clear', onclick: () => { chosen.clear(); changed(); } }, 'Clear');
  const pop = h('div.multi-pop', { hidden: true, tabindex: '-1' }, options.length > 8 ? search : null, list, h('div.multi-foot', {}, clear));
  const root = h('div.field.multi', { 'data-testid': `filter-${name}`, 'data-filter': name },
    h('span', { id: `l-${name}` }, label), btn, pop);
  const LIMIT = 200; // a long list is searched, not scrolled
  function caption() {
    const n = chosen.size;
    btn.textContent = n === 0 ? 'All' : n === 1 ? (byValue.get([...chosen][0]) ?? [...chosen][0]) : `${n} selected`;
    btn.title = [...chosen].map(v => byValue.get(v) ?? v).join(', ');
    btn.classList.toggle('on', n > 0);
  }
  function drawList() {
    const q = search.value.trim().toLowerCase();
    const match = options.filter(o => !q || o.label.toLowerCase().includes(q) || o.value.toLowerCase().includes(q));
    const sorted = [...match.filter(o => chosen.has(o.value)), ...match.filter(o => !chosen.has(o.value))];
    list.replaceChildren(...sorted.slice(0, LIMIT).map(o => h('label.opt', {},
      h('input', { type: 'checkbox', value: o.value, checked: chosen.has(o.value), onchange: e => {
        if (e.target.checked) chosen.add(o.value); else chosen.delete(o.value);
        changed(false);
      } }), ' ', o.label)),
    sorted.length > LIMIT ? h('p.sub', {}, `${sorted.length - LIMIT} more: search to narrow`) : null,
    sorted.length ? null : h('p.sub', {}, 'No match.'));
  }
  function changed(redraw = true) { caption(); if (redraw) drawList(); onchange([...chosen]); }
  function open(show) {
    pop.hidden = !show;
    btn.setAttribute('aria-expanded', String(show));
    if (show) { drawList(); (options.length > 8 ? search : list.querySelector('input'))?.focus(); }
  }
  btn.addEventListener('click', () => open(pop.hidden));
  search.addEventListener('input', drawList);
  root.addEventListener('focusout', e => { if (!root.contains(e.relatedTarget)) open(false); });
  root.addEventListener('keydown', e => {
    if (e.key === 'Escape' && !pop.hidden) { e.preventDefault(); open(false); btn.focus(); return; }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' || pop.hidden) return;
    e.preventDefault();
    const boxes = [...list.querySelectorAll('input')];
    const i = boxes.indexOf(document.activeElement);
    boxes[e.key === 'ArrowDown' ? Math.min(i + 1, boxes.length - 1) : Math.max(i - 1, 0)]?.focus();
  });
  caption();
  return root;
}
