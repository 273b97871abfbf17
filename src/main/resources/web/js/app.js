// The dashboard shell: sign-in, navigation by role, hash routes, and the API client.
import { h, toast } from './ui.js';

export const session = { me: null, csrf: null };

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** Calls the Tally API with the session cookie; changes carry the CSRF token. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (r.status === 401 && session.me) { showLogin('Your session ended: sign in again.'); throw new ApiError(401, 'signed out'); }
  if (r.status === 204) return null;
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, data?.error ?? r.statusText);
  return data;
}

const pages = {
  usage: { label: 'Usage', load: () => import('./usage.js') },
  analytics: { label: 'Analytics', load: () => import('./pages.js').then(m => ({ render: m.analytics })) },
  people: { label: 'People', roles: ['admin', 'lead'], load: () => import('./pages.js').then(m => ({ render: m.people })) },
  person: { nav: false, load: () => import('./pages.js').then(m => ({ render: m.person })) },
  keys: { label: 'Keys', load: () => import('./keys.js') },
  providers: { label: 'Providers', roles: ['admin'], load: () => import('./pages.js').then(m => ({ render: m.providers })) },
  budgets: { label: 'Budgets', roles: ['admin'], load: () => import('./pages.js').then(m => ({ render: m.budgets })) },
};

function allowed(page) { return !page.roles || page.roles.includes(session.me?.role); }

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...Object.entries(pages).filter(([, p]) => p.nav !== false && allowed(p)).map(([id, p]) =>
    h('a', { href: `#/${id}`, 'aria-current': id === current ? 'page' : null, 'data-nav': id }, p.label)));
}

let cleanup = null;

async function route() {
  if (!session.me) return;
  const [, name = 'usage', ...rest] = location.hash.replace(/^#/, '').split('/');
  const page = pages[name] && allowed(pages[name]) ? pages[name] : pages.usage;
  const id = pages[name] && allowed(pages[name]) ? name : 'usage';
  renderNav(id === 'person' ? 'people' : id);
  if (cleanup) { cleanup(); cleanup = null; }
  const main = document.getElementById('main');
  main.replaceChildren(h('p.muted', {}, 'Loading…'));
  try {
    const mod = await page.load();
    cleanup = await mod.render(main, rest.map(decodeURIComponent)) ?? null;
  } catch (e) {
    if (e.status !== 401) main.replaceChildren(h('div.panel', {}, h('p.error', { role: 'alert' }, `Could not load this page: ${e.message}`)));
  }
}

export function showLogin(message) {
  session.me = null; session.csrf = null;
  if (cleanup) { cleanup(); cleanup = null; }
  document.getElementById('top').hidden = true;
  const err = h('p.error', { role: 'alert', id: 'login-error' }, message ?? '');
  const user = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { onsubmit: async e => {
    e.preventDefault();
    err.textContent = '';
    try {
      const r = await api('/api/v1/login', { method: 'POST', body: { username: user.value, password: pass.value } });
      session.csrf = r.csrfToken;
      await start();
    } catch (x) { err.textContent = x.status === 401 ? 'Wrong user name or password.' : x.message; pass.select(); }
  } },
    h('label', { for: 'username' }, 'User name', user),
    h('label', { for: 'password' }, 'Password', pass),
    h('button.primary', { type: 'submit' }, 'Sign in'), err);
  document.getElementById('main').replaceChildren(h('div.login.panel', {}, h('h1', {}, 'Sign in to Tally'),
    h('p.muted', {}, 'AI spend by person, team, model and project.'), form));
  user.focus();
}

/** The page an invite link opens (#/invite/TOKEN): choose a password, then you are signed in. */
export async function showInvite(token) {
  session.me = null; session.csrf = null;
  if (cleanup) { cleanup(); cleanup = null; }
  document.getElementById('top').hidden = true;
  const main = document.getElementById('main');
  const toSignIn = h('button.link', { type: 'button', onclick: () => { history.replaceState(null, '', '#/usage'); start(); } }, 'Go to sign in');
  let invite;
  try {
    invite = await api('/api/v1/invites/check', { method: 'POST', body: { token } });
  } catch (x) {
    main.replaceChildren(h('div.login.panel', {}, h('h1', {}, 'This invite cannot be used'),
      h('p.error', { role: 'alert', 'data-testid': 'invite-error' }, x.message), toSignIn));
    return;
  }
  const err = h('p.error', { role: 'alert', id: 'invite-form-error' });
  const pass = h('input', { name: 'password', id: 'invite-password', type: 'password', autocomplete: 'new-password', required: true, minlength: MIN_PASSWORD });
  const again = h('input', { name: 'confirm', id: 'invite-confirm', type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { novalidate: true, onsubmit: async e => {
    e.preventDefault();
    err.textContent = '';
    if (pass.value.length < MIN_PASSWORD) { err.textContent = `Use at least ${MIN_PASSWORD} characters.`; pass.focus(); return; }
    if (pass.value !== again.value) { err.textContent = 'The two passwords do not match.'; again.select(); return; }
    try {
      const r = await api('/api/v1/invites/accept', { method: 'POST', body: { token, password: pass.value } });
      session.csrf = r.csrfToken;
      history.replaceState(null, '', '#/usage'); // the token leaves the address bar and the history
      await start();
    } catch (x) { err.textContent = x.message; }
  } },
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: invite.username, hidden: true, readonly: true }),
    h('label', { for: 'invite-password' }, `Password (at least ${MIN_PASSWORD} characters)`, pass),
    h('label', { for: 'invite-confirm' }, 'Confirm the password', again),
    h('button.primary', { type: 'submit', 'data-testid': 'set-password' }, 'Set password and sign in'), err);
  main.replaceChildren(h('div.login.panel', { 'data-testid': 'invite-page' }, h('h1', {}, 'Set your password'),
    h('p', {}, `Welcome${invite.name ? `, ${invite.name}` : ''}. You are invited to Tally as ${invite.role === 'admin' ? 'an admin' : `a ${invite.role === 'lead' ? 'team lead' : 'member'}`}; `,
      'your user name is ', h('strong', { 'data-testid': 'invite-username' }, invite.username), '.'),
    h('p.sub', {}, `This link works once, until ${new Date(invite.expires).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}.`), form));
  pass.focus();
}

const MIN_PASSWORD = 8;
const inviteToken = () => location.hash.match(/^#\/invite\/([^/?]+)/)?.[1];

async function start() {
  if (inviteToken()) { await showInvite(decodeURIComponent(inviteToken())); return; }
  let me;
  try { me = await api('/api/v1/web/session'); } catch (e) { showLogin(e.status === 401 ? '' : e.message); return; }
  session.me = me; session.csrf = me.csrfToken ?? session.csrf;
  document.getElementById('top').hidden = false;
  document.getElementById('who').textContent = `${me.name} · ${me.role}`;
  await route();
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('/api/v1/logout', { method: 'POST' }); } catch (e) { /* signed out anyway */ }
  location.hash = '#/usage';
  showLogin('Signed out.');
});
window.addEventListener('hashchange', () => inviteToken() ? start() : route());
window.addEventListener('unhandledrejection', e => { if (e.reason?.status !== 401) toast(String(e.reason?.message ?? e.reason)); });
start();
