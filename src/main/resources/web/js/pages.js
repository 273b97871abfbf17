// Read views: analytics (models, tools, projects), people, a person, providers, budgets.
import { api, session } from './app.js';
import { h, fmt, change, sparkline, daysBetween, dataTable, chart, select, toast } from './ui.js';

const RANGES = [['7d', 'Last 7 days'], ['14d', 'Last 14 days'], ['30d', 'Last 30 days'], ['90d', 'Last 90 days']];

function usageColumns(days, nameLabel, link) {
  return [
    { key: 'name', label: nameLabel, render: r => link ? link(r) : h('span.name', {}, r.name || '(none)') },
    { key: 'trend', label: 'Per day', sortable: false, render: r => sparkline(r.dailyCost, days, { bars: true, width: 120 }) },
    { key: 'requests', label: 'Requests', num: true, render: r => fmt.int(r.requests) },
    { key: 'totalTokens', label: 'Tokens', num: true, render: r => fmt.tokens(r.totalTokens) },
    { key: 'cacheHitRatio', label: 'Cache hit', num: true, render: r => fmt.pct(r.cacheHitRatio) },
    { key: 'cost', label: 'Cost', num: true, render: r => h('strong', {}, fmt.usd(r.cost)) },
    { key: 'costChange', label: 'Change', num: true, render: r => change(r.costChange) },
  ];
}

export async function analytics(main) {
  const st = { tab: 'model', range: '30d' };
  const body = h('div');
  const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Analytics' }, [['model', 'Models'], ['tool', 'Tools'], ['project', 'Projects']].map(([v, l]) =>
    h('button', { type: 'button', role: 'tab', 'aria-selected': String(v === st.tab), 'data-tab': v, onclick: e => {
      st.tab = v; tabs.querySelectorAll('button').forEach(b => b.setAttribute('aria-selected', String(b === e.currentTarget))); load();
    } }, l)));
  main.replaceChildren(h('h1', {}, 'Analytics'), h('div.toolbar', {},
    select('range', 'Time range', RANGES.map(([value, label]) => ({ value, label })), st.range, v => { st.range = v; load(); }, { all: null })),
  h('div.panel', {}, tabs, body));
  async function load() {
    const u = await api(`/api/v1/usage?range=${st.range}&groupBy=${st.tab}`);
    const days = daysBetween(u.from, u.to);
    const chartEl = h('div.chart', { id: 'analytics-chart' });
    body.replaceChildren(chartEl, dataTable({ id: 'analytics-table', rows: u.rows.map(r => ({ ...r, key: r[st.tab], name: r[st.tab] })),
      columns: usageColumns(days, { model: 'Model', tool: 'Tool', project: 'Project' }[st.tab]), sort: 'cost',
      search: r => r.name, placeholder: `Filter ${st.tab}s` }));
    const top = u.rows.slice(0, 8);
    chart(chartEl, { legend: { top: 0, type: 'scroll' }, xAxis: { type: 'category', data: days.map(d => d.slice(5)) },
      yAxis: { type: 'value', axisLabel: { formatter: v => fmt.usd(v) } }, tooltip: { trigger: 'axis', valueFormatter: v => fmt.usd(v) },
      series: top.map(r => ({ type: 'bar', stack: 'all', name: r[st.tab] || '(none)', data: days.map(d => r.dailyCost[d] ?? 0) })) });
  }
  await load();
}

export async function people(main) {
  const admin = session.me.role === 'admin';
  const [list, usage] = await Promise.all([admin ? api('/api/v1/people') : api('/api/v1/web/people'), api('/api/v1/usage?range=30d&groupBy=person')]);
  const cost = Object.fromEntries(usage.rows.map(r => [r.person, r]));
  const rows = list.map(p => {
    const key = p.key ?? p.id;
    const emails = p.identities ? p.identities.filter(i => i.startsWith('email:')).map(i => i.slice(6)) : p.email ? [p.email] : [];
    return { key, name: p.name, team: p.team ?? '', emails: emails.join(', '), identities: p.identities?.length ?? emails.length,
      requests: cost[key]?.requests ?? 0, cost: cost[key]?.cost ?? 0 };
  });
  main.replaceChildren(h('h1', {}, 'People'), h('div.panel', {}, dataTable({ id: 'people-table', rows, sort: 'cost',
    search: r => `${r.name} ${r.emails} ${r.team}`, placeholder: 'Search people or teams', columns: [
      { key: 'name', label: 'Name', render: r => h('a.name', { href: `#/person/${encodeURIComponent(r.key)}` }, r.name) },
      { key: 'emails', label: 'Email', render: r => r.emails },
      { key: 'team', label: 'Team', render: r => r.team ? h('span.badge', {}, r.team) : '' },
      { key: 'identities', label: 'Identities', num: true },
      { key: 'requests', label: 'Requests (30d)', num: true, render: r => fmt.int(r.requests) },
      { key: 'cost', label: 'Cost (30d)', num: true, render: r => fmt.usd(r.cost) },
    ] })));
}

export async function person(main, [id]) {
  const st = { range: '30d' };
  const body = h('div');
  const title = h('h1', {}, 'Person');
  main.replaceChildren(title, h('div.toolbar', {},
    select('range', 'Time range', RANGES.map(([value, label]) => ({ value, label })), st.range, v => { st.range = v; load(); }, { all: null })), body);
  const people = await api('/api/v1/web/people');
  const who = people.find(p => p.id === id);
  title.replaceChildren(who?.name ?? id, who?.team ? h('span.badge', {}, who.team) : '', who?.email ? h('span.sub', {}, ` ${who.email}`) : '');
  async function load() {
    const q = `range=${st.range}&filter.person=${encodeURIComponent(id)}`;
    const [summary, byModel, byTool, byProject, bySession, keys] = await Promise.all([
      api(`/api/v1/web/summary?${q}`), api(`/api/v1/usage?${q}&groupBy=model`), api(`/api/v1/usage?${q}&groupBy=tool`),
      api(`/api/v1/usage?${q}&groupBy=project`), api(`/api/v1/usage?${q}&groupBy=session,tool,project&top=10`), api('/api/v1/keys')]);
    const k = summary.kpis;
    const chartEl = h('div.chart', { id: 'person-chart' });
    const days = daysBetween(summary.from, summary.to);
    const small = (rows, dim, label) => h('div.panel', {}, h('h2', {}, `By ${label.toLowerCase()}`), dataTable({ id: `person-${dim}`, pageSize: 8,
      rows: rows.rows.map(r => ({ ...r, key: r[dim], name: r[dim] })), sort: 'cost', columns: usageColumns(days, label) }));
    body.replaceChildren(
      h('div.kpis', {}, [['requests', 'Requests', fmt.int], ['totalTokens', 'Total tokens', fmt.tokens], ['cost', 'Cost', fmt.usd]].map(([key, label, f]) =>
        h('div.kpi', {}, h('div.label', {}, label), h('div.value', { 'data-testid': `kpi-${key}` }, f(k[key].value)), change(k[key].change)))),
      h('div.panel', {}, h('h2', {}, 'Daily spend'), chartEl),
      h('div.grid2', {}, small(byModel, 'model', 'Model'), small(byTool, 'tool', 'Tool')),
      h('div.grid2', {}, small(byProject, 'project', 'Project'), h('div.panel', {}, h('h2', {}, 'Top sessions'), dataTable({ id: 'person-sessions', pageSize: 10,
        rows: bySession.rows.map(r => ({ ...r, key: r.session })), sort: 'cost', columns: [
          { key: 'session', label: 'Session', render: r => h('code', {}, (r.session || '(none)').slice(0, 12)) },
          { key: 'tool', label: 'Tool' }, { key: 'project', label: 'Project' },
          { key: 'requests', label: 'Requests', num: true, render: r => fmt.int(r.requests) },
          { key: 'cost', label: 'Cost', num: true, render: r => fmt.usd(r.cost) }] }))),
      h('div.panel', {}, h('h2', {}, 'Keys'), dataTable({ id: 'person-keys', rows: keys.filter(x => x.person === id).map(x => ({ ...x, key: String(x.id) })),
        empty: 'No gateway keys.', columns: [{ key: 'name', label: 'Name' }, { key: 'prefix', label: 'Prefix', render: x => h('code', {}, x.prefix) },
          { key: 'lastUsed', label: 'Last used', render: x => fmt.date(x.lastUsed) },
          { key: 'revoked', label: 'Status', render: x => h(`span.badge.${x.revoked ? 'bad' : 'ok'}`, {}, x.revoked ? 'revoked' : 'active') }] })));
    chart(chartEl, { xAxis: { type: 'category', data: days.map(d => d.slice(5)) }, yAxis: { type: 'value', axisLabel: { formatter: v => fmt.usd(v) } },
      tooltip: { trigger: 'axis', valueFormatter: v => fmt.usd(v) }, series: [{ type: 'bar', name: 'Cost', data: summary.series.cost }] });
  }
  await load();
}

export async function providers(main) {
  const list = await api('/api/v1/providers');
  main.replaceChildren(h('h1', {}, 'Providers'), h('p.muted', {}, 'Provider credentials the gateway forwards with. Secrets are stored encrypted and never shown; only their last four characters.'),
    h('div.panel', {}, dataTable({ id: 'providers-table', rows: list.map(p => ({ ...p, key: p.name })), sort: 'name', dir: 'asc', empty: 'No provider credentials yet: add one with tally providers add.', columns: [
      { key: 'name', label: 'Name', render: p => h('span.name', {}, p.name) }, { key: 'provider', label: 'Provider' },
      { key: 'baseUrl', label: 'Base URL', render: p => h('code', {}, p.baseUrl ?? '') }, { key: 'key', label: 'Key', render: p => h('code', {}, p.key) },
      { key: 'created', label: 'Added', render: p => fmt.date(p.created) }] })));
}

export async function budgets(main) {
  const box = h('div');
  const err = h('p.error', { role: 'alert' });
  const form = h('form.panel', { 'aria-label': 'Set a budget', onsubmit: async e => {
    e.preventDefault(); err.textContent = '';
    const f = Object.fromEntries(new FormData(form));
    try {
      await api('/api/v1/budgets', { method: 'POST', body: { scope: f.scope, target: f.target || null, period: f.period, usd: f.usd, hard: f.hard === 'on' } });
      toast('Budget saved'); form.reset(); await load();
    } catch (x) { err.textContent = x.message; }
  } }, h('h2', {}, 'Set a budget'), h('div.form-grid', {},
    h('label', {}, 'Scope', h('select', { name: 'scope' }, ['org', 'team', 'person', 'key'].map(s => h('option', { value: s }, s)))),
    h('label', {}, 'Target', h('input', { name: 'target', placeholder: 'team name, person id or key id' })),
    h('label', {}, 'Period', h('select', { name: 'period' }, ['daily', 'weekly', 'monthly'].map(s => h('option', { value: s, selected: s === 'monthly' }, s)))),
    h('label', {}, 'Limit (USD)', h('input', { name: 'usd', type: 'number', min: '0', step: '0.01', required: true })),
    h('label', {}, h('span', {}, h('input', { name: 'hard', type: 'checkbox', checked: true }), ' Hard limit (refuse requests)')),
    h('button.primary', { type: 'submit' }, 'Save budget')), err);
  main.replaceChildren(h('h1', {}, 'Budgets'), box, form);
  async function load() {
    const list = await api('/api/v1/budgets');
    box.replaceChildren(h('div.panel', {}, dataTable({ id: 'budgets-table', rows: list.map(b => ({ ...b, key: String(b.id) })), sort: 'spent', empty: 'No budgets yet.', columns: [
      { key: 'scope', label: 'Scope', render: b => h('span', {}, b.scope, b.target ? h('span.badge', {}, b.target) : '') },
      { key: 'period', label: 'Period' },
      { key: 'spent', label: 'Spent', num: true, render: b => fmt.usd(b.spent) },
      { key: 'limit', label: 'Limit', num: true, render: b => fmt.usd(b.limit) },
      { key: 'used', label: 'Used', sortable: false, render: b => h(`div.bar${b.spent >= b.limit ? '.over' : ''}`, { role: 'img', 'aria-label': `${fmt.usd(b.spent)} of ${fmt.usd(b.limit)}` },
        h('span', { style: `width:${Math.min(100, b.limit > 0 ? (b.spent / b.limit) * 100 : 0)}%` })) },
      { key: 'hard', label: 'Kind', render: b => b.hard ? 'hard' : 'alert only' },
      { key: 'resets', label: 'Resets', render: b => fmt.date(b.resets) },
      { key: 'actions', label: '', sortable: false, render: b => h('button.danger', { type: 'button', 'aria-label': `Remove budget ${b.id}`, onclick: async () => {
        if (confirm('Remove this budget?')) { await api(`/api/v1/budgets/${b.id}`, { method: 'DELETE' }); await load(); }
      } }, 'Remove') }] })));
  }
  await load();
}
