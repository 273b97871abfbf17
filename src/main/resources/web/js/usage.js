// Usage: by user or by team, KPI cards with change, the activity chart and the breakdown table.
import { api, session } from './app.js';
import { h, fmt, change, sparkline, daysBetween, dataTable, chart, select, multiSelect } from './ui.js';

const RANGES = [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['14d', 'Last 14 days'], ['30d', 'Last 30 days'], ['90d', 'Last 90 days'], ['custom', 'Custom…']];
// The multi-select filters, each a query API dimension (filter.DIM) with its values from /api/v1/web/options.
// Picking several values of one filter keeps requests with any of them (for tags: any of the tags).
const FILTERS = [['key', 'API key'], ['team', 'Team'], ['person', 'Person'], ['model', 'Model'], ['tool', 'Tool'],
  ['source', 'Source'], ['project', 'Project'], ['tag', 'Tag']];

const state = { view: 'user', range: '30d', from: null, to: null, filters: {}, metric: null, live: false };

export function query(extra = {}) {
  const p = new URLSearchParams({ range: state.range, ...(state.range === 'custom' ? { from: state.from, to: state.to } : {}), ...extra });
  for (const [k, values] of Object.entries(state.filters)) for (const v of values) p.append(`filter.${k}`, v);
  return p.toString();
}

/** #/usage or #/usage/90d (a range to open with). Draws the frame at once and each part as its answer arrives. */
export async function render(main, [range] = []) {
  if (RANGES.some(([r]) => r === range && r !== 'custom')) state.range = range;
  const peopleAnswer = api('/api/v1/web/people');
  const kpis = h('div.kpis', { 'data-testid': 'kpis' });
  const filterBox = h('span.filters');
  const chartEl = h('div.chart', { id: 'activity-chart', 'data-testid': 'chart' });
  const metricSel = h('select', { 'aria-label': 'Chart metric', id: 'chart-metric', 'data-testid': 'chart-metric' });
  const tableBox = h('div', { id: 'breakdown' });
  const liveDot = h('span.live-dot');
  const liveBtn = h('button', { type: 'button', 'aria-pressed': String(state.live), 'data-testid': 'live', title: 'Update as requests arrive' }, liveDot, 'Live');
  const exportLink = h('a', { href: '#', 'data-testid': 'export-csv', download: '', role: 'button', class: 'button' }, 'Export CSV');
  const exportJson = h('a', { href: '#', 'data-testid': 'export-json', download: '' }, 'JSON');
  const status = h('span.muted', { 'data-testid': 'period', 'aria-live': 'polite' });
  const shown = { from: null, to: null };
  const rangeErr = h('span.error', { role: 'alert', 'data-testid': 'range-error' });
  const dateChanged = () => {
    rangeErr.textContent = '';
    if (!fromIn.value || !toIn.value) return;
    if (fromIn.value > toIn.value) { rangeErr.textContent = 'The start is after the end.'; return; }
    state.from = fromIn.value; state.to = toIn.value; load();
  };
  const fromIn = h('input', { type: 'date', id: 'f-from', 'data-testid': 'range-from', value: state.from ?? '', onchange: dateChanged });
  const toIn = h('input', { type: 'date', id: 'f-to', 'data-testid': 'range-to', value: state.to ?? '', onchange: dateChanged });
  const custom = h('span.custom-range', { hidden: state.range !== 'custom' },
    h('label', { for: 'f-from' }, 'From', fromIn), h('label', { for: 'f-to' }, 'To', toIn), rangeErr);
  const seg = h('div.seg', { role: 'group', 'aria-label': 'Group by' },
    ['user', 'team'].map(v => h('button', { type: 'button', 'data-view': v, 'aria-pressed': String(state.view === v), onclick: () => {
      state.view = v; state.metric = null;
      seg.querySelectorAll('button').forEach(b => b.setAttribute('aria-pressed', String(b.dataset.view === v)));
      load();
    } }, v === 'user' ? 'By user' : 'By team')));
  const toolbar = h('div.toolbar', {},
    h('label', {}, 'View', seg),
    select('range', 'Time range', RANGES.map(([value, label]) => ({ value, label })), state.range, v => {
      if (v === 'custom' && !state.from) { state.from = shown.from; state.to = shown.to; fromIn.value = state.from; toIn.value = state.to; }
      state.range = v; custom.hidden = v !== 'custom'; load();
    }, { all: null }),
    custom, filterBox,
    h('div', { style: 'flex:1' }),
    liveBtn, h('span', {}, exportLink, ' · ', exportJson));
  main.replaceChildren(h('h1', {}, 'Usage ', status), toolbar, kpis,
    h('div.panel', {}, h('div.chart-head', {}, h('h2', { id: 'chart-title' }, 'Activity'), metricSel), chartEl),
    h('div.panel', {}, tableBox));
  drawKpis(kpis, null);
  // filters offer only values with usage in the last 90 days; one with a single value (a member's own name) is left out.
  // Asked for once the figures are shown: eight 90-day reads must not hold up the first paint.
  const drawFilters = () => api('/api/v1/web/options').then(o => filterBox.replaceChildren(...FILTERS.map(([k, label]) => [k, label, (o[k] ?? []).filter(v => v.value !== '')])
    .filter(([k, , values]) => values.length > 1 || state.filters[k]?.length)
    .map(([k, label, values]) => multiSelect(k, label, values, state.filters[k] ?? [], v => { state.filters[k] = v; load(); }))));

  let es = null;
  let pending = null;
  liveBtn.addEventListener('click', () => {
    state.live = !state.live;
    liveBtn.setAttribute('aria-pressed', String(state.live));
    connect();
  });
  function connect() {
    if (es) { es.close(); es = null; }
    liveDot.classList.toggle('on', state.live);
    if (!state.live) return;
    es = new EventSource('/api/v1/web/live');
    es.addEventListener('changed', () => { clearTimeout(pending); pending = setTimeout(load, 150); });
  }
  connect();

  let seq = 0;
  async function load() {
    const my = ++seq;
    const view = state.view;
    const dim = view === 'user' ? 'person' : 'team';
    exportLink.href = `/api/v1/export.csv?${query()}`;
    exportJson.href = `/api/v1/export.json?${query()}`;
    // the KPI cards and the chart draw as soon as their answer is in, not after the table's
    const drawn = api(`/api/v1/web/summary?${query()}`).then(summary => {
      if (my !== seq) return;
      status.textContent = `${summary.from} – ${summary.to}`;
      shown.from = summary.from; shown.to = summary.to;
      drawKpis(kpis, summary.kpis);
      drawChart(summary, view, metricSel, chartEl);
    });
    const [usage, people] = await Promise.all([api(`/api/v1/usage?${query({ groupBy: dim })}`), peopleAnswer]);
    if (my !== seq) return;
    const names = Object.fromEntries(people.map(p => [p.id, p]));
    const days = daysBetween(usage.from, usage.to);
    const top = usage.rows[0]?.[dim];
    const rows = usage.rows.map(r => {
      const key = r[dim];
      const who = names[key];
      return { ...r, key, name: view === 'user' ? (who?.name ?? key) : (key || '(no team)'),
        email: who?.email ?? '', team: view === 'user' ? (who?.team ?? '') : '', models: [],
        members: view === 'team' ? people.filter(p => (p.team ?? '') === key).length : null, top: key === top && r.cost > 0 && usage.rows.length > 1 };
    });
    const cols = [
      { key: 'name', label: view === 'user' ? 'User' : 'Team', render: r => h('div', {},
        view === 'user' && String(r.key).startsWith('person:') ? h('a.name', { href: `#/person/${encodeURIComponent(r.key)}` }, r.name) : h('span.name', {}, r.name),
        r.team ? h('span.badge', {}, r.team) : null, r.top ? h('span.badge.spender', { title: 'Highest cost in this period' }, 'top spender') : null,
        r.email ? h('div.sub', {}, r.email) : r.members != null ? h('div.sub', {}, `${r.members} ${r.members === 1 ? 'person' : 'people'}`) : null) },
      { key: 'trend', label: 'Trend', sortable: false, render: r => sparkline(r.dailyCost, days) },
      { key: 'models', label: 'Models', sort: r => r.models.length, render: r => h('span', { title: r.models.join(', ') },
        r.models.slice(0, 3).join(', '), r.models.length > 3 ? h('span.badge', {}, `+${r.models.length - 3}`) : null) },
      { key: 'requests', label: 'Requests', num: true, render: r => fmt.int(r.requests) },
      { key: 'inputTokens', label: 'Input', num: true, render: r => fmt.tokens(r.inputTokens) },
      { key: 'outputTokens', label: 'Output', num: true, render: r => fmt.tokens(r.outputTokens) },
      { key: 'cacheReadTokens', label: 'Cache read', num: true, render: r => h('span', { title: `cache write ${fmt.int(r.cacheWriteTokens)} · hit ratio ${fmt.pct(r.cacheHitRatio)}` }, fmt.tokens(r.cacheReadTokens)) },
      { key: 'cost', label: 'Cost', num: true, render: r => h('strong', { 'data-cost': r.cost }, fmt.usd(r.cost)) },
      { key: 'costChange', label: 'Change', num: true, render: r => change(r.costChange) },
    ];
    const table = dataTable({ id: 'breakdown-table', columns: cols, rows, sort: 'cost',
      search: r => `${r.name} ${r.email} ${r.team}`, placeholder: view === 'user' ? 'Search name or email' : 'Search team' });
    tableBox.replaceChildren(h('h2', {}, view === 'user' ? 'People' : 'Teams'), table);
    // the models column comes after the figures (a bigger read: one row per person and model)
    const models = await api(`/api/v1/usage?${query({ groupBy: `${dim},model`, series: 'false' })}`);
    if (my !== seq) return;
    const byKey = {};
    for (const r of models.rows) (byKey[r[dim]] ??= []).push(r.model);
    for (const r of rows) r.models = byKey[r.key] ?? [];
    table.redraw();
    await drawn;
  }
  await load();
  drawFilters();
  return () => { if (es) es.close(); };
}

/** The KPI cards; with k null, empty ones (the frame drawn before the figures arrive). */
function drawKpis(el, k) {
  const card = (id, label, f) => h('div.kpi', { 'data-kpi': id, 'aria-busy': k ? null : 'true' },
    h('div.label', {}, label), h('div.value', k ? { 'data-testid': `kpi-${id}` } : {}, k ? f(k[id].value) : '…'),
    k ? change(k[id].change) : h('span.chg.flat', {}, '\u00a0'), h('span.sub', {}, ' vs previous'));
  el.replaceChildren(
    card('activeUsers', 'Active users', fmt.int),
    card('avgRequestsPerUser', 'Avg requests per user', fmt.num1),
    card('requests', 'Requests', fmt.int),
    card('totalTokens', 'Total tokens', fmt.tokens),
    card('cost', 'Cost', fmt.usd));
}

function drawChart(s, view, metricSel, el) {
  const metrics = view === 'user' ? [['activeUsers', 'Active users'], ['cost', 'Cost'], ['tokens', 'Tokens']]
    : [['cost', 'Cost by team'], ['tokens', 'Tokens by team'], ['requests', 'Requests by team']];
  if (!state.metric || !metrics.some(([m]) => m === state.metric)) state.metric = session.me.role === 'member' && view === 'user' ? 'cost' : metrics[0][0];
  metricSel.replaceChildren(...metrics.map(([v, l]) => h('option', { value: v, selected: v === state.metric }, l)));
  metricSel.onchange = () => { state.metric = metricSel.value; drawChart(s, view, metricSel, el); };
  const money = state.metric === 'cost';
  const axis = { type: 'value', minInterval: money ? 0 : 1, axisLabel: { formatter: v => money ? fmt.usd(v) : fmt.tokens(v) } };
  const x = { type: 'category', data: s.days.map(d => d.slice(5)) };
  const tooltip = { trigger: 'axis', valueFormatter: v => money ? fmt.usd(v) : fmt.int(v) };
  if (view === 'user') {
    chart(el, { xAxis: x, yAxis: axis, tooltip,
      series: [{ type: state.metric === 'activeUsers' ? 'bar' : 'line', name: metrics.find(m => m[0] === state.metric)[1],
        data: s.series[state.metric], smooth: true, areaStyle: state.metric === 'activeUsers' ? undefined : { opacity: 0.15 } }] });
  } else {
    chart(el, { xAxis: x, yAxis: axis, tooltip, legend: { top: 0, type: 'scroll' },
      series: s.teams.map(t => ({ type: 'bar', stack: 'teams', name: t.team || '(no team)', data: t[state.metric] })) });
  }
}
