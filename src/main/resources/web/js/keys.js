// Gateway keys: create (the secret shown once, with setup snippets), revoke, rotate.
import { api, session } from './app.js';
import { h, fmt, dataTable, toast } from './ui.js';

export async function render(main) {
  const admin = session.me.role === 'admin';
  const [keys, people] = await Promise.all([api('/api/v1/keys'), api('/api/v1/web/people')]);
  const names = Object.fromEntries(people.map(p => [p.id, p]));
  const reveal = h('div', { id: 'new-secret' });
  const listBox = h('div');
  main.replaceChildren(h('h1', {}, 'Keys'), h('p.muted', {}, admin
    ? 'Personal gateway keys for people, projects and CI runners. Tools send their requests through the gateway with them; every request is metered.'
    : 'Your gateway keys. Ask an admin for a new one.'), reveal, admin ? createForm() : null, h('div.panel', {}, listBox));
  drawList(keys);

  function drawList(list) {
    listBox.replaceChildren(h('h2', {}, `${list.filter(k => !k.revoked).length} active keys`), dataTable({ id: 'keys-table', rows: list.map(k => ({ ...k,
      key: String(k.id), owner: names[k.person]?.name ?? k.person ?? '' })), sort: 'created', search: k => `${k.name} ${k.owner} ${k.project ?? ''}`,
      placeholder: 'Search keys', columns: [
        { key: 'name', label: 'Name', render: k => h('div', {}, h('span.name', {}, k.name), h('div.sub', {}, h('code', {}, k.prefix))) },
        { key: 'owner', label: 'Person', render: k => k.person ? h('a', { href: `#/person/${encodeURIComponent(k.person)}` }, k.owner) : '' },
        { key: 'project', label: 'Project', render: k => k.project ?? '' },
        { key: 'limits', label: 'Limits', sortable: false, render: k => [k.allowedModels ? `models: ${k.allowedModels}` : null, k.rpm ? `${k.rpm} rpm` : null, k.tpm ? `${k.tpm} tpm` : null].filter(Boolean).join(' · ') },
        { key: 'created', label: 'Created', render: k => fmt.date(k.created) },
        { key: 'lastUsed', label: 'Last used', render: k => fmt.date(k.lastUsed) },
        { key: 'revoked', label: 'Status', sort: k => (k.revoked ? 1 : 0), render: k => h(`span.badge.${k.revoked ? 'bad' : 'ok'}`, {}, k.revoked ? 'revoked' : 'active') },
        ...(admin ? [{ key: 'actions', label: 'Actions', sortable: false, render: k => k.revoked ? '' : h('span', {},
          h('button', { type: 'button', 'data-action': 'rotate', 'aria-label': `Rotate ${k.name}`, onclick: () => rotate(k) }, 'Rotate'), ' ',
          h('button.danger', { type: 'button', 'data-action': 'revoke', 'aria-label': `Revoke ${k.name}`, onclick: () => revoke(k) }, 'Revoke')) }] : []),
      ] }));
  }

  async function refresh() { drawList(await api('/api/v1/keys')); }

  async function revoke(k) {
    if (!confirm(`Revoke "${k.name}"? Tools using it stop working at once.`)) return;
    await api(`/api/v1/keys/${k.id}/revoke`, { method: 'POST' });
    toast(`Revoked ${k.name}`);
    await refresh();
  }

  async function rotate(k) {
    if (!confirm(`Rotate "${k.name}"? The old secret stops working; a new one is shown once.`)) return;
    const created = await api(`/api/v1/keys/${k.id}/rotate`, { method: 'POST' });
    await showSecret(created);
    await refresh();
  }

  async function showSecret(created) {
    const snippets = await api('/api/v1/web/snippets', { method: 'POST', body: { secret: created.secret } });
    const tools = Object.keys(snippets);
    const pre = h('pre', { 'data-testid': 'snippet', tabindex: '0' }, snippets[tools[0]]);
    const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Setup for' }, tools.map((t, i) => h('button', { type: 'button', role: 'tab',
      'aria-selected': String(i === 0), 'data-tool': t, onclick: e => {
        tabs.querySelectorAll('button').forEach(b => b.setAttribute('aria-selected', String(b === e.currentTarget)));
        pre.textContent = snippets[t];
      } }, t)));
    const code = h('code', { 'data-testid': 'secret' }, created.secret);
    reveal.replaceChildren(h('div.panel', { role: 'region', 'aria-label': 'New key' },
      h('h2', {}, `Key "${created.name}" created`),
      h('div.secret', {}, h('div.sub', {}, 'Shown once: copy it now. Tally keeps only a hash.'), code, ' ',
        h('button.primary', { type: 'button', 'data-testid': 'copy-secret', onclick: () => copy(created.secret) }, 'Copy')),
      h('h2', {}, 'Set up a tool'), tabs, pre,
      h('button', { type: 'button', onclick: () => copy(pre.textContent) }, 'Copy snippet'), ' ',
      h('button', { type: 'button', onclick: () => reveal.replaceChildren() }, 'Done')));
    reveal.querySelector('[data-testid=copy-secret]').focus();
  }

  function createForm() {
    const err = h('p.error', { role: 'alert' });
    const kind = h('select', { name: 'kind', id: 'k-kind' }, h('option', { value: 'person' }, 'A person'), h('option', { value: 'project' }, 'A project'), h('option', { value: 'ci' }, 'A CI runner'));
    const field = (name, label, attrs = {}) => h('label', { for: `k-${name}` }, label, h('input', { name, id: `k-${name}`, ...attrs }));
    const list = h('datalist', { id: 'emails' }, people.filter(p => p.email).map(p => h('option', { value: p.email }, p.name)));
    const form = h('form.panel', { 'aria-label': 'Create a key', onsubmit: async e => {
      e.preventDefault(); err.textContent = '';
      const f = Object.fromEntries(new FormData(form));
      const body = { name: f.name, project: f.project || null, team: f.team || null, allowedModels: f.allowedModels || [],
        rpm: f.rpm ? Number(f.rpm) : null, email: f.kind === 'person' ? f.email : null,
        tags: f.kind === 'ci' ? ['ci'] : [] };
      try {
        const created = await api('/api/v1/keys', { method: 'POST', body });
        form.reset();
        await showSecret(created);
        await refresh();
      } catch (x) { err.textContent = x.message; }
    } }, h('h2', {}, 'Create a key'), h('div.form-grid', {},
      h('label', { for: 'k-kind' }, 'For', kind),
      field('name', 'Key name', { required: true, placeholder: 'alice-laptop' }),
      field('email', 'Person (email)', { type: 'email', list: 'emails', placeholder: 'alice@example.com' }),
      field('team', 'Team', { placeholder: 'optional' }),
      field('project', 'Project', { placeholder: 'optional' }),
      field('allowedModels', 'Allowed models', { placeholder: 'all (or a,b,c)' }),
      field('rpm', 'Requests / minute', { type: 'number', min: '1', placeholder: 'no limit' }),
      h('button.primary', { type: 'submit', 'data-testid': 'create-key' }, 'Create key')), list, err);
    return form;
  }
}

async function copy(text) {
  try { await navigator.clipboard.writeText(text); toast('Copied'); }
  catch (e) { toast('Select the text and copy it (clipboard not available)'); }
}
