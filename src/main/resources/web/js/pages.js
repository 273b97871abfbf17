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
  const tableBox = h('div.panel');
  const unmappedBox = h('div');
  const tools = h('div');
  const invites = h('div');
  const reveal = h('div', { id: 'invite-reveal' }); // the link of an invite just made: shown once, kept across reloads of the lists
  main.replaceChildren(h('h1', {}, 'People and teams'), unmappedBox, tableBox, tools, invites);
  let list = [];
  const personOptions = (placeholder) => [h('option', { value: '' }, placeholder),
    ...[...list].sort((x, y) => x.name.localeCompare(y.name)).map(p => h('option', { value: p.id }, `${p.name}${p.team ? ` (${p.team})` : ''}`))];
  async function act(fn, message) {
    try { await fn(); toast(message); await load(); } catch (x) { toast(x.message); }
  }
  async function load() {
    const [people, usage] = await Promise.all([admin ? api('/api/v1/people') : api('/api/v1/web/people'), api('/api/v1/usage?range=90d&groupBy=person')]);
    list = people;
    const recent = await api('/api/v1/usage?range=30d&groupBy=person');
    const cost = Object.fromEntries(recent.rows.map(r => [r.person, r]));
    const rows = list.map(p => {
      const key = p.key ?? p.id;
      const identities = p.identities ?? (p.email ? [`email:${p.email}`] : []);
      const emails = identities.filter(i => i.startsWith('email:')).map(i => i.slice(6));
      return { id: p.id, key, name: p.name, team: p.team ?? '', emails: emails.join(', '), identities,
        requests: cost[key]?.requests ?? 0, cost: cost[key]?.cost ?? 0 };
    });
    tableBox.replaceChildren(h('h2', {}, 'People'), dataTable({ id: 'people-table', rows, sort: 'cost',
      search: r => `${r.name} ${r.emails} ${r.team}`, placeholder: 'Search people or teams', columns: [
        { key: 'name', label: 'Name', render: r => h('a.name', { href: `#/person/${encodeURIComponent(r.key)}` }, r.name) },
        { key: 'team', label: 'Team', render: r => r.team ? h('span.badge', {}, r.team) : '' },
        { key: 'identities', label: 'Identities', sort: r => r.identities.length, render: r => h('div.chips', {}, r.identities.map(i => h('span.chip', { 'data-identity': i }, i,
          admin ? h('button', { type: 'button', 'aria-label': `Unmap ${i}`, title: 'Unmap this identity', 'data-action': 'unmap', onclick: () => {
            if (confirm(`Unmap ${i} from ${r.name}? Its usage shows as unmapped again.`)) act(() => api(`/api/v1/identities/${encodeURIComponent(i)}`, { method: 'DELETE' }), 'Identity unmapped');
          } }, '×') : null))) },
        { key: 'requests', label: 'Requests (30d)', num: true, render: r => fmt.int(r.requests) },
        { key: 'cost', label: 'Cost (30d)', num: true, render: r => fmt.usd(r.cost) },
      ] }));
    if (!admin) return;
    const unmapped = usage.rows.filter(r => r.person && !r.person.startsWith('person:'));
    unmappedBox.replaceChildren(unmapped.length ? h('div.panel.attention', { id: 'unmapped' }, h('h2', {}, `Unmapped identities (${unmapped.length})`),
      h('p.sub', {}, 'Usage in the last 90 days from accounts no person claims yet. Map each to a person so it counts for them and their team.'),
      dataTable({ id: 'unmapped-table', rows: unmapped.map(r => ({ ...r, key: r.person })), sort: 'cost', pageSize: 10, columns: [
        { key: 'person', label: 'Identity', render: r => h('code', {}, r.person) },
        { key: 'requests', label: 'Requests (90d)', num: true, render: r => fmt.int(r.requests) },
        { key: 'cost', label: 'Cost (90d)', num: true, render: r => fmt.usd(r.cost) },
        { key: 'map', label: 'Map to', sortable: false, render: r => {
          const sel = h('select', { 'aria-label': `Person for ${r.person}`, 'data-testid': 'map-person' }, personOptions('Choose a person…'));
          return h('span.actions', {}, sel, h('button.primary', { type: 'button', 'data-action': 'map', onclick: () => {
            if (!sel.value) { sel.focus(); return; }
            act(() => api(`/api/v1/people/${sel.value}/identities`, { method: 'POST', body: { identity: r.person } }), `Mapped ${r.person}`);
          } }, 'Map'));
        } }] })) : h('p.muted', { id: 'unmapped' }, 'Every identity with usage in the last 90 days belongs to a person.'));

    const err = h('p.error', { role: 'alert' });
    const add = h('form.panel', { id: 'add-person', 'aria-label': 'Add a person', onsubmit: async e => {
      e.preventDefault(); err.textContent = '';
      const f = Object.fromEntries(new FormData(add));
      try {
        await api('/api/v1/people', { method: 'POST', body: { name: f.name, team: f.team || null,
          emails: f.emails.split(/[,\s]+/).filter(Boolean) } });
        toast(`Added ${f.name}`); add.reset(); await load();
      } catch (x) { err.textContent = x.message; }
    } }, h('h2', {}, 'Add a person'), h('div.form-grid', {},
      h('label', {}, 'Name', h('input', { name: 'name', id: 'p-name', required: true })),
      h('label', {}, 'Emails (comma-separated)', h('input', { name: 'emails', id: 'p-emails', placeholder: 'ada@example.com, ada@home.dev' })),
      h('label', {}, 'Team', h('input', { name: 'team', id: 'p-team', list: 'team-names' }),
        h('datalist', { id: 'team-names' }, [...new Set(list.map(p => p.team).filter(Boolean))].sort().map(t => h('option', { value: t })))),
      h('button.primary', { type: 'submit', 'data-testid': 'add-person' }, 'Add person')), err);
    const from = h('select', { name: 'from', id: 'm-from', required: true }, personOptions('Duplicate…'));
    const into = h('select', { name: 'into', id: 'm-into', required: true }, personOptions('Keep…'));
    const merge = h('form.panel', { id: 'merge-people', 'aria-label': 'Merge duplicates', onsubmit: e => {
      e.preventDefault();
      if (from.value === into.value) { toast('Choose two different people.'); return; }
      const a = list.find(p => String(p.id) === from.value), b = list.find(p => String(p.id) === into.value);
      if (confirm(`Merge ${a.name} into ${b.name}? ${a.name}'s identities and usage move to ${b.name}.`)) {
        act(() => api('/api/v1/people/merge', { method: 'POST', body: { from: Number(from.value), into: Number(into.value) } }), `Merged ${a.name} into ${b.name}`);
      }
    } }, h('h2', {}, 'Merge duplicates'), h('p.sub', {}, 'The same person twice (say a work and a personal account): keep one, move the other\'s identities into it.'),
      h('div.form-grid', {}, h('label', { for: 'm-from' }, 'Merge', from), h('label', { for: 'm-into' }, 'into', into),
        h('button', { type: 'submit', 'data-testid': 'merge' }, 'Merge')));
    tools.replaceChildren(h('div.grid2', {}, add, merge));
    invites.replaceChildren(invitePanel(list, reveal, load, act));
  }
  await load();
}

/** Invite someone to sign in: a person (or a new one), a role and a lead's teams; the link is shown once. Pending invites can be revoked. */
function invitePanel(list, reveal, reload, act) {
  const err = h('p.error', { role: 'alert' });
  const emailOf = p => (p?.identities ?? []).find(i => i.startsWith('email:'))?.slice(6) ?? '';
  const person = h('select', { name: 'person', id: 'i-person' }, h('option', { value: '' }, 'A new person…'),
    [...list].sort((x, y) => x.name.localeCompare(y.name)).map(p => h('option', { value: p.id }, `${p.name}${p.team ? ` (${p.team})` : ''}`)));
  const username = h('input', { name: 'username', id: 'i-username', placeholder: 'default: their email', autocomplete: 'off' });
  const role = h('select', { name: 'role', id: 'i-role' }, [['member', 'Member'], ['lead', 'Team lead'], ['admin', 'Admin']]
    .map(([v, l]) => h('option', { value: v }, l)));
  const fresh = h('div.form-grid', {},
    h('label', {}, 'Name', h('input', { name: 'name', id: 'i-name' })),
    h('label', {}, 'Email', h('input', { name: 'email', id: 'i-email', type: 'email' })),
    h('label', {}, 'Team', h('input', { name: 'team', id: 'i-team', list: 'team-names' })));
  const teamNames = [...new Set(list.map(p => p.team).filter(Boolean))].sort();
  const teams = h('fieldset.teams', { id: 'i-teams', hidden: true }, h('legend', {}, 'Teams they lead'),
    teamNames.map(t => h('label.inline', {}, h('input', { type: 'checkbox', name: 'leadOf', value: t }), ` ${t}`)));
  let typed = false;
  username.addEventListener('input', () => { typed = username.value !== ''; });
  person.addEventListener('change', () => {
    fresh.hidden = person.value !== '';
    if (!typed) username.value = emailOf(list.find(p => String(p.id) === person.value));
  });
  role.addEventListener('change', () => { teams.hidden = role.value !== 'lead'; });
  const form = h('form', { id: 'invite-person', 'aria-label': 'Invite to sign in', onsubmit: async e => {
    e.preventDefault(); err.textContent = '';
    const f = new FormData(form);
    const body = { username: f.get('username') || null, role: f.get('role'), leadOf: f.getAll('leadOf') };
    if (person.value) body.person = Number(person.value);
    else Object.assign(body, { name: f.get('name') || null, email: f.get('email') || null, team: f.get('team') || null });
    try {
      const r = await api('/api/v1/invites', { method: 'POST', body });
      const link = location.origin + r.path;
      const code = h('code', { 'data-testid': 'invite-link' }, link);
      reveal.replaceChildren(h('div.secret', {}, h('p', {}, h('strong', {}, `Invite link for ${r.username}`),
        ` · works once, until ${fmt.date(r.expires)}. Copy it now: it is not shown again.`),
        h('div.copy-row', {}, code, h('button', { type: 'button', 'data-testid': 'copy-invite', onclick: () => copy(link, code) }, 'Copy link'))));
      form.reset(); typed = false; fresh.hidden = false; teams.hidden = true;
      await reload();
      reveal.scrollIntoView({ block: 'nearest' });
    } catch (x) { err.textContent = x.message; }
  } }, h('div.form-grid', {},
    h('label', { for: 'i-person' }, 'Person', person),
    h('label', { for: 'i-username' }, 'User name', username),
    h('label', { for: 'i-role' }, 'Role', role)), fresh, teams,
  h('p', {}, h('button.primary', { type: 'submit', 'data-testid': 'invite' }, 'Create invite link')), err);
  const pending = h('div');
  api('/api/v1/invites?status=pending').then(rows => pending.replaceChildren(h('h3', {}, 'Pending invites'),
    dataTable({ id: 'invites-table', rows: rows.map(i => ({ ...i, key: String(i.id) })), sort: 'expires', dir: 'asc', pageSize: 10,
      empty: 'No pending invites.', columns: [
        { key: 'username', label: 'User name', render: i => h('span.name', {}, i.username) },
        { key: 'name', label: 'Person', render: i => i.name ?? '' },
        { key: 'role', label: 'Role', render: i => h('span', {}, i.role, i.leadOf.map(t => h('span.badge', {}, t))) },
        { key: 'invitedBy', label: 'Invited by' },
        { key: 'expires', label: 'Expires', render: i => fmt.date(i.expires) },
        { key: 'actions', label: '', sortable: false, render: i => h('button.danger', { type: 'button', 'data-action': 'revoke-invite',
          'aria-label': `Revoke the invite for ${i.username}`, onclick: () => {
            if (confirm(`Revoke the invite for ${i.username}? Its link stops working.`)) act(() => api(`/api/v1/invites/${i.id}`, { method: 'DELETE' }), 'Invite revoked');
          } }, 'Revoke') }] })));
  return h('div.panel', { id: 'invites' }, h('h2', {}, 'Invite to sign in'),
    h('p.sub', {}, 'Creates a one-time link (valid 7 days) where they choose their password. Members see their own usage, leads their teams, admins everything.'),
    reveal, form, pending);
}

/** Copies text to the clipboard; where the page may not (plain http), selects it for Ctrl+C instead. */
async function copy(text, el) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Link copied');
  } catch (e) {
    getSelection().selectAllChildren(el);
    toast('Press Ctrl+C to copy the selected link');
  }
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
    const [summary, byModel, byTool, byProject, bySession, keys, blocks] = await Promise.all([
      api(`/api/v1/web/summary?${q}`), api(`/api/v1/usage?${q}&groupBy=model`), api(`/api/v1/usage?${q}&groupBy=tool`),
      api(`/api/v1/usage?${q}&groupBy=project`), api(`/api/v1/usage?${q}&groupBy=session,tool,project&top=10`), api('/api/v1/keys'), api(`/api/v1/web/blocks?${q}`)]);
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
      blocksPanel(blocks),
      h('div.panel', {}, h('h2', {}, 'Keys'), dataTable({ id: 'person-keys', rows: keys.filter(x => x.person === id).map(x => ({ ...x, key: String(x.id) })),
        empty: 'No gateway keys.', columns: [{ key: 'name', label: 'Name' }, { key: 'prefix', label: 'Prefix', render: x => h('code', {}, x.prefix) },
          { key: 'lastUsed', label: 'Last used', render: x => fmt.date(x.lastUsed) },
          { key: 'revoked', label: 'Status', render: x => h(`span.badge.${x.revoked ? 'bad' : 'ok'}`, {}, x.revoked ? 'revoked' : 'active') }] })));
    chart(chartEl, { xAxis: { type: 'category', data: days.map(d => d.slice(5)) }, yAxis: { type: 'value', axisLabel: { formatter: v => fmt.usd(v) } },
      tooltip: { trigger: 'axis', valueFormatter: v => fmt.usd(v) }, series: [{ type: 'bar', name: 'Cost', data: summary.series.cost }] });
  }
  await load();
}

const hm = minutes => `${Math.floor(Math.max(0, minutes) / 60)}h ${Math.floor(Math.max(0, minutes) % 60)}m`;
const minutesBetween = (a, b) => (new Date(b) - new Date(a)) / 60000;
const time = s => new Date(s).toLocaleString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** Claude Code's 5-hour blocks as `tally blocks` computes them: the active one with burn rate and projection. */
function blocksPanel(answer) {
  const active = answer.blocks.find(b => b.isActive);
  const stat = (id, label, value, sub) => h('div.stat', {}, h('div.label', {}, label), h('div.value', { 'data-testid': id }, value), sub ? h('div.sub', {}, sub) : null);
  const card = active ? h('div.block-active', { 'data-testid': 'active-block' },
    h('div.block-head', {}, h('span.badge.ok', {}, 'active'), ` started ${time(active.startTime)} UTC · `,
      h('span', { 'data-testid': 'block-status' }, `${hm(minutesBetween(active.startTime, answer.now))} elapsed, ${hm(minutesBetween(answer.now, active.endTime))} left`)),
    h('div.stats', {},
      stat('block-cost', 'Cost so far', fmt.usd(active.costUSD), `${fmt.int(active.entries)} requests · ${fmt.tokens(active.totalTokens)} tokens`),
      active.burnRate ? stat('block-burn', 'Burn rate', `${fmt.usd(active.burnRate.costPerHour)}/h`,
        `${fmt.tokens(Math.round(active.burnRate.tokensPerMinute))} tokens/min (${fmt.tokens(Math.round(active.burnRate.tokensPerMinuteForIndicator))} input+output)`) : null,
      active.projection ? stat('block-projection', 'Projected at block end', fmt.usd(active.projection.totalCost),
        `${fmt.tokens(active.projection.totalTokens)} tokens, ${hm(active.projection.remainingMinutes)} left`) : null))
    : h('p.muted', { 'data-testid': 'active-block' }, 'No active block: no Claude Code request in the last 5 hours.');
  return h('div.panel', {}, h('h2', {}, 'Claude Code 5-hour blocks'), card,
    dataTable({ id: 'person-blocks', pageSize: 8, sort: 'startTime', empty: 'No Claude Code usage in this period.',
      rows: answer.blocks.map(b => ({ ...b, key: b.id })), columns: [
        { key: 'startTime', label: 'Block start (UTC)', render: b => time(b.startTime) },
        { key: 'status', label: 'Duration / status', sortable: false, render: b => b.isActive ? h('span.badge.ok', {}, 'active') : hm(minutesBetween(b.startTime, b.actualEndTime)) },
        { key: 'models', label: 'Models', sortable: false, render: b => b.models.slice(0, 3).join(', ') },
        { key: 'entries', label: 'Requests', num: true, render: b => fmt.int(b.entries) },
        { key: 'totalTokens', label: 'Tokens', num: true, render: b => fmt.tokens(b.totalTokens) },
        { key: 'costUSD', label: 'Cost', num: true, render: b => fmt.usd(b.costUSD) }] }));
}

export async function providers(main) {
  const [list, collectors, prices] = await Promise.all([api('/api/v1/providers'), api('/api/v1/collectors'), api('/api/v1/prices')]);
  const err = h('p.error', { role: 'alert' });
  // the key goes to the server once, over this session, and is never shown again (only its last four characters)
  const addForm = h('form', { id: 'add-provider', 'aria-label': 'Add a provider key', onsubmit: async e => {
    e.preventDefault(); err.textContent = '';
    const f = Object.fromEntries(new FormData(addForm));
    try {
      await api('/api/v1/providers', { method: 'POST', body: { provider: f.provider, name: f.name || null, baseUrl: f.baseUrl || null, key: f.key } });
      toast(`Stored the ${f.provider} key, encrypted`); await providers(main);
    } catch (x) { err.textContent = x.message; }
  } }, h('h3', {}, 'Add a provider key'), h('div.form-grid', {},
    h('label', {}, 'Provider', h('select', { name: 'provider', id: 'pv-provider' },
      ['anthropic', 'openai', 'openrouter', 'openai-compatible'].map(v => h('option', { value: v }, v)))),
    h('label', {}, 'Name (route)', h('input', { name: 'name', id: 'pv-name', placeholder: 'default: the provider' })),
    h('label', {}, 'Base URL', h('input', { name: 'baseUrl', id: 'pv-base', placeholder: "default: the provider's own" })),
    h('label', {}, 'API key', h('input', { name: 'key', id: 'pv-key', type: 'password', required: true, autocomplete: 'off' })),
    h('button.primary', { type: 'submit', 'data-testid': 'add-provider' }, 'Store key')), err);
  const rate = v => v == null ? '—' : `$${Number(v).toLocaleString('en-US', { maximumFractionDigits: 4 })}`;
  const layerOrder = { override: 0, imported: 1, shipped: 2 };
  const overrides = prices.models.filter(m => m.layer === 'override').length;
  main.replaceChildren(h('h1', {}, 'Providers'),
    h('div.panel', {}, h('h2', {}, 'Credentials'), h('p.sub', {}, 'Provider credentials the gateway forwards with. Secrets are stored encrypted and never shown; only their last four characters.'),
      dataTable({ id: 'providers-table', rows: list.map(p => ({ ...p, masked: p.key, key: p.name })), sort: 'name', dir: 'asc', empty: 'No provider credentials yet: add one with tally providers add.', columns: [
        { key: 'name', label: 'Name', render: p => h('span.name', {}, p.name) }, { key: 'provider', label: 'Provider' },
        { key: 'baseUrl', label: 'Base URL', render: p => h('code', {}, p.baseUrl ?? '') }, { key: 'masked', label: 'Key', render: p => h('code', {}, p.masked) },
        { key: 'created', label: 'Added', render: p => fmt.date(p.created) }] }), addForm),
    h('div.panel', {}, h('h2', {}, 'Collectors'), h('p.sub', {}, `Provider admin APIs the server polls${collectors.every ? ` every ${collectors.every.replace(/^PT/, '').toLowerCase()}` : ''} for usage and seats.`),
      dataTable({ id: 'collectors-table', rows: collectors.collectors.map(c => ({ ...c, key: c.provider })), sort: 'provider', dir: 'asc',
        empty: 'No collectors: set ANTHROPIC_ADMIN_API_KEY, OPENAI_ADMIN_KEY, ... on the server.', columns: [
          { key: 'provider', label: 'Provider', render: c => h('span.name', {}, c.provider) },
          { key: 'ok', label: 'Status', render: c => h(`span.badge.${c.ok ? 'ok' : 'bad'}`, { 'data-testid': 'collector-status' }, c.ok ? 'ok' : 'failing') },
          { key: 'lastSuccess', label: 'Last success', render: c => h('span', { 'data-testid': 'last-success' }, fmt.date(c.lastSuccess)) },
          { key: 'lastFailure', label: 'Last failure', render: c => fmt.date(c.lastFailure) },
          { key: 'lastError', label: 'Last error', render: c => c.lastError ? h('span.error', { 'data-testid': 'last-error' }, c.lastError) : '—' },
          { key: 'watermark', label: 'Data up to', render: c => fmt.date(c.watermark) },
          { key: 'enabled', label: 'Polling', render: c => c.enabled ? `next ${fmt.date(c.nextRun)}` : h('span.muted', {}, 'off (no key)') }] }),
      collectors.skipped?.length ? h('p.sub', {}, `Skipped: ${collectors.skipped.join('; ')}`) : null),
    h('div.panel', {}, h('h2', {}, 'Price table'),
      h('p.sub', {}, `Version ${prices.priceVersion} · ${prices.models.length} models · ${overrides} from your overrides file (price-overrides.json), which win over the shipped and imported prices. ${prices.unit}.`),
      dataTable({ id: 'prices-table', rows: prices.models.map(m => ({ ...m, key: m.key, name: m.key, rank: layerOrder[m.layer] ?? 3 })), sort: 'rank', dir: 'asc',
        search: m => `${m.key} ${m.provider ?? ''} ${m.aliases.join(' ')} ${m.layer}`, placeholder: 'Search models', pageSize: 15, columns: [
          { key: 'name', label: 'Model', render: m => h('span', {}, h('code', {}, m.key), m.aliases.length ? h('div.sub', {}, `aliases: ${m.aliases.slice(0, 2).join(', ')}${m.aliases.length > 2 ? ` +${m.aliases.length - 2}` : ''}`) : null) },
          { key: 'provider', label: 'Provider', render: m => m.provider ?? '—' },
          { key: 'input', label: 'Input', num: true, sort: m => Number(m.rates.input), render: m => rate(m.rates.input) },
          { key: 'output', label: 'Output', num: true, sort: m => Number(m.rates.output), render: m => rate(m.rates.output) },
          { key: 'cacheWrite5m', label: 'Cache write', num: true, sort: m => Number(m.rates.cacheWrite5m), render: m => rate(m.rates.cacheWrite5m) },
          { key: 'cacheRead', label: 'Cache read', num: true, sort: m => Number(m.rates.cacheRead), render: m => rate(m.rates.cacheRead) },
          { key: 'longContext', label: 'Long context', sortable: false, render: m => m.longContext ? `> ${fmt.tokens(m.longContext.threshold)}: ${rate(m.longContext.rates.input)} / ${rate(m.longContext.rates.output)}` : '' },
          { key: 'rank', label: 'Source', render: m => h(`span.badge${m.layer === 'override' ? '.override' : ''}`, { 'data-testid': 'layer' }, m.layer) }] })));
}

function niceMax(v) {
  const step = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  return Math.ceil(v / (step / 2)) * (step / 2);
}

/** Cumulative spend in the period, the limit, and the run-rate carried on to the period's end (all from the server). */
function burnChart(el, b, over) {
  if (!b.days) { el.replaceChildren(h('p.muted', {}, 'A total budget: no period to chart.')); return; }
  const days = daysBetween(b.periodStart, b.periodEnd);
  const spent = Object.fromEntries(b.days.map(d => [d.day, d.cumulative]));
  const last = b.days.at(-1);
  const projection = days.map(d => d === last.day ? last.cumulative : d === b.periodEnd ? b.projection.projectedSpend : null);
  chart(el, { grid: { left: 56, right: 12, top: 12, bottom: 24 }, xAxis: { type: 'category', data: days.map(d => d.slice(5)) },
    yAxis: { type: 'value', max: v => niceMax(Math.max(v.max, b.limit, b.projection.projectedSpend) * 1.05), axisLabel: { formatter: v => `$${fmt.tokens(v)}` } },
    tooltip: { trigger: 'axis', valueFormatter: v => fmt.usd(v) },
    series: [
      { type: 'line', name: 'Spent', data: days.map(d => spent[d] ?? null), showSymbol: false, areaStyle: { opacity: 0.15 },
        color: over ? '#c0392b' : undefined,
        markLine: { symbol: 'none', silent: true, label: { formatter: 'limit', position: 'insideEndTop' }, lineStyle: { color: '#c0392b', type: 'solid' }, data: [{ yAxis: b.limit }] } },
      { type: 'line', name: 'Projected', data: projection, connectNulls: true, showSymbol: false, lineStyle: { type: 'dashed' }, color: '#8a94a8' }] });
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
  const cards = h('div.burn-grid', { id: 'burndown' });
  main.replaceChildren(h('h1', {}, 'Budgets'), cards, box, form);
  let editing = null;
  async function load() {
    const [list, people, keys] = await Promise.all([api('/api/v1/budgets'), api('/api/v1/people'), api('/api/v1/keys')]);
    const names = { person: Object.fromEntries(people.map(p => [String(p.id), p.name])), key: Object.fromEntries(keys.map(k => [String(k.id), k.name])) };
    const target = b => names[b.scope]?.[b.target] ?? b.target;
    const label = b => b.scope === 'org' ? 'Organisation' : `${b.scope[0].toUpperCase()}${b.scope.slice(1)} ${target(b)}`;
    cards.replaceChildren(...list.map(b => {
      const el = h('div.chart.small', { id: `burn-chart-${b.id}` });
      const over = b.spent >= b.limit;
      const card = h('div.panel.burn', { 'data-budget': b.id },
        h('div.burn-head', {}, h('h2', {}, label(b), h('span.badge', {}, b.period)), h('span', {}, h('strong', {}, fmt.usd(b.spent)), ` of ${fmt.usd(b.limit)}`)),
        h(`p.projection.${b.projection.status}`, { 'data-testid': 'budget-projection' }, b.projection.text),
        h('p.sub', {}, `Run-rate ${fmt.usd(b.projection.dailyRate)}/day · ${b.resets ? `resets ${fmt.date(b.resets)}` : 'never resets'}`), el);
      requestAnimationFrame(() => burnChart(el, b, over));
      return card;
    }));
    const table = dataTable({ id: 'budgets-table', rows: list.map(b => ({ ...b, key: String(b.id) })), sort: 'spent', empty: 'No budgets yet.', columns: [
      { key: 'scope', label: 'Scope', render: b => h('span', {}, b.scope, b.target && b.target !== '*' ? h('span.badge', {}, target(b)) : '') },
      { key: 'period', label: 'Period' },
      { key: 'spent', label: 'Spent', num: true, render: b => fmt.usd(b.spent) },
      { key: 'limit', label: 'Limit', num: true, render: b => editing === b.id
        ? h('input.num-input', { type: 'number', min: '0.01', step: '0.01', value: b.limit, 'aria-label': 'Limit (USD)', 'data-testid': 'edit-limit' })
        : fmt.usd(b.limit) },
      { key: 'used', label: 'Used', sortable: false, render: b => h(`div.bar${b.spent >= b.limit ? '.over' : ''}`, { role: 'img', 'aria-label': `${fmt.usd(b.spent)} of ${fmt.usd(b.limit)}` },
        h('span', { style: `width:${Math.min(100, b.limit > 0 ? (b.spent / b.limit) * 100 : 0)}%` })) },
      { key: 'hard', label: 'Kind', render: b => editing === b.id
        ? h('label.inline', {}, h('input', { type: 'checkbox', checked: b.hard, 'data-testid': 'edit-hard' }), ' hard')
        : b.hard ? 'hard' : 'alert only' },
      { key: 'projection', label: 'Projection', sortable: false, render: b => h(`span.projection.${b.projection.status}`, {}, b.projection.text) },
      { key: 'actions', label: '', sortable: false, render: b => editing === b.id ? h('span.actions', {},
        h('button.primary', { type: 'button', 'data-action': 'save', onclick: async e => {
          const row = e.currentTarget.closest('tr');
          const usd = row.querySelector('[data-testid=edit-limit]').value;
          try {
            await api('/api/v1/budgets', { method: 'POST', body: { scope: b.scope, target: b.target, period: b.period, usd, hard: row.querySelector('[data-testid=edit-hard]').checked } });
            editing = null; toast('Budget saved'); await load();
          } catch (x) { toast(x.message); }
        } }, 'Save'),
        h('button', { type: 'button', 'data-action': 'cancel', onclick: () => { editing = null; table.redraw(); } }, 'Cancel'))
        : h('span.actions', {},
          h('button', { type: 'button', 'data-action': 'edit', 'aria-label': `Edit budget ${b.id}`, onclick: () => {
            editing = b.id; table.redraw(); table.querySelector('[data-testid=edit-limit]')?.focus();
          } }, 'Edit'),
          h('button.danger', { type: 'button', 'aria-label': `Remove budget ${b.id}`, onclick: async () => {
            if (confirm('Remove this budget?')) { await api(`/api/v1/budgets/${b.id}`, { method: 'DELETE' }); await load(); }
          } }, 'Remove')) }] });
    box.replaceChildren(h('div.panel', {}, table));
    table.addEventListener('keydown', e => {
      if (e.key === 'Enter' && e.target.matches('[data-testid=edit-limit]')) e.target.closest('tr').querySelector('[data-action=save]').click();
      if (e.key === 'Escape' && editing != null) { editing = null; table.redraw(); }
    });
  }
  await load();
}
