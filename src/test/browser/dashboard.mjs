// Drives the Tally web dashboard in Debian's Chromium with playwright-core and checks what it
// shows against the query API. Started by DashboardBrowserTest (a JUnit test) with:
//   TALLY_BASE    the server's base URL          TALLY_TOKEN  an admin API token (to add a request)
//   PW_MODULES    the folder holding node_modules/playwright-core
//   SHOTS         where to save screenshots      CHROMIUM     the browser binary
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.PW_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const BASE = process.env.TALLY_BASE;
const SHOTS = process.env.SHOTS;
const usd = v => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
const int = v => new Intl.NumberFormat('en-US').format(v);

let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}
function eq(actual, expected, what) { check(actual === expected, `${what} (expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)})`); }

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

async function session(colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error' && !/401|403/.test(m.text())) errors.push(m.text()); });
  page.on('requestfailed', r => { if (!r.url().includes('/api/v1/web/live')) errors.push(`request failed: ${r.url()}`); });
  page.on('request', r => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) errors.push(`request outside the server: ${r.url()}`); });
  return { context, page, errors, api: async p => (await page.request.get(BASE + p)).json() };
}

async function login(page, user, password, { keyboard = false } = {}) {
  await page.goto(BASE + '/');
  await page.waitForSelector('#username');
  if (keyboard) {
    await page.keyboard.type(user); // the user name field has focus
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  } else {
    await page.fill('#username', user);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
  }
  await page.waitForSelector('#nav a');
}

async function tableReady(page) {
  await page.waitForSelector('#breakdown-table tbody tr');
}

const text = async (page, sel) => (await page.textContent(sel)).trim();
/** Waits (up to 10 s) for the element to show the expected text, then checks it: for figures a busy machine draws late. */
async function shows(page, sel, expected, what) {
  await page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent.trim() === e, [sel, expected], { timeout: 10000 }).catch(() => {});
  eq(await text(page, sel), expected, what);
}
const shot = async (page, name) => {
  await page.evaluate(() => document.getElementById('toast')?.replaceChildren()); // no passing notices in the pictures
  await page.evaluate(() => window.scrollTo(0, 0)); // a full-page picture of a scrolled page draws the sticky bar mid-page
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};
const firstCost = async page => text(page, '#breakdown-table tbody tr:first-child td[data-col=cost]');

async function settle(page) { await page.waitForLoadState('networkidle'); await page.waitForTimeout(150); }

/** Ticks exactly these values in a multi-select filter (none: all), then closes it. */
async function pickFilter(page, name, values) {
  await page.click(`#f-${name}`);
  await page.click(`[data-filter=${name}] button[data-action=clear]`);
  for (const v of values) await page.check(`[data-filter=${name}] input[type=checkbox][value="${v}"]`);
  await page.keyboard.press('Escape');
  await settle(page);
}

// ------------------------------------------------------------------ sign-in page
{
  const { page, context } = await session();
  await page.goto(BASE + '/');
  await page.waitForSelector('#username');
  await page.fill('#username', 'admin');
  await page.fill('#password', 'wrong');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  eq(await text(page, '#login-error'), 'Wrong user name or password.', 'a wrong password is refused with a message');
  check(!(await page.isVisible('#nav')), 'no navigation before signing in');
  await page.fill('#password', '');
  await shot(page, 'login.png');
  await context.close();
}

// ------------------------------------------------------------------ admin: usage page
{
  const { page, context, errors, api } = await session();
  await login(page, 'admin', 'admin-password');
  await tableReady(page);
  await settle(page);
  const summary = await api('/api/v1/web/summary?range=30d');
  const byPerson = await api('/api/v1/usage?range=30d&groupBy=person');
  eq(await text(page, '[data-testid=kpi-requests]'), int(summary.kpis.requests.value), 'KPI requests = query API');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(summary.kpis.cost.value), 'KPI cost = query API');
  eq(await text(page, '[data-testid=kpi-activeUsers]'), int(summary.kpis.activeUsers.value), 'KPI active users = query API');
  check(summary.kpis.activeUsers.value >= 12, 'seeded people are active');
  eq(await firstCost(page), usd(byPerson.rows[0].cost), 'the top row is the biggest spender, cost as the API says');
  eq(await text(page, '[data-testid=pager-status]'), `1–${Math.min(25, byPerson.rows.length)} of ${byPerson.rows.length}`, 'one table row per person');
  check(await page.isVisible('#breakdown-table tbody tr:first-child .badge.spender'), 'the top spender is flagged');
  check(await page.isVisible('#activity-chart svg'), 'the activity chart is drawn');
  check((await page.$$('#breakdown-table tbody svg.spark path')).length > 0, 'rows have sparklines');
  const alice = byPerson.rows.find(r => r.person.startsWith('person:'));
  await shot(page, 'usage-by-user.png');

  // sort by requests, both ways
  await page.click('#breakdown-table th button[data-sort=requests]');
  const maxReq = Math.max(...byPerson.rows.map(r => r.requests));
  eq(await text(page, '#breakdown-table tbody tr:first-child td[data-col=requests]'), int(maxReq), 'sorting by requests puts the most first');
  eq(await page.getAttribute('#breakdown-table th[aria-sort]', 'aria-sort'), 'descending', 'the sorted column says so (aria-sort)');
  await page.click('#breakdown-table th button[data-sort=requests]');
  const minReq = Math.min(...byPerson.rows.map(r => r.requests));
  eq(await text(page, '#breakdown-table tbody tr:first-child td[data-col=requests]'), int(minReq), 'sorting again puts the fewest first');

  // search by email
  await page.fill('#breakdown-table [data-testid=table-search]', 'grace@');
  eq((await page.$$('#breakdown-table tbody tr')).length, 1, 'searching an email leaves one row');
  check((await text(page, '#breakdown-table tbody tr td[data-col=name]')).includes('Grace Kim'), 'the row found is Grace Kim');
  const graceKey = (await api('/api/v1/web/people')).find(p => p.name === 'Grace Kim').id;
  const grace = byPerson.rows.find(r => r.person === graceKey);
  eq(await text(page, '#breakdown-table tbody tr td[data-col=cost]'), usd(grace.cost), "Grace's cost = query API");
  await page.fill('#breakdown-table [data-testid=table-search]', '');

  // by team
  await page.click('button[data-view=team]');
  await page.waitForSelector('#breakdown-table th button:text("Team")');
  await settle(page);
  const byTeam = await api('/api/v1/usage?range=30d&groupBy=team');
  eq(await text(page, '[data-testid=pager-status]'), `1–${byTeam.rows.length} of ${byTeam.rows.length}`, 'by team: one row per team');
  eq(await firstCost(page), usd(byTeam.rows[0].cost), 'by team: the top team cost = query API');
  check((await page.$$('#activity-chart svg path')).length > 4, 'by team: stacked bars are drawn');
  await shot(page, 'usage-by-team.png');
  await page.click('button[data-view=user]');
  await tableReady(page);

  // a filter and a time range
  await pickFilter(page, 'model', ['claude-opus-4-1']);
  const opus = await api('/api/v1/web/summary?range=30d&filter.model=claude-opus-4-1');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(opus.kpis.cost.value), 'model filter: KPI cost = query API');
  check(opus.kpis.cost.value < summary.kpis.cost.value, 'the filter narrows the figures');
  await page.selectOption('[data-testid=filter-range]', '7d');
  await settle(page);
  const opus7 = await api('/api/v1/web/summary?range=7d&filter.model=claude-opus-4-1');
  eq(await text(page, '[data-testid=kpi-requests]'), int(opus7.kpis.requests.value), '7 days + model filter: KPI requests = query API');
  eq(await text(page, '[data-testid=period]'), `${opus7.from} – ${opus7.to}`, 'the period shown is the API period');

  // chargeback CSV of what is on screen
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  eq(csv[0], 'period,person,email,team,project,key,provider,model,requests,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,total_tokens,cost_usd', 'CSV header');
  check(csv.length > 1 && csv.slice(1).every(l => l.includes(',claude-opus-4-1,')), 'CSV honours the model filter');
  check(csv.slice(1).every(l => l.startsWith(`${opus7.from}..${opus7.to},`)), 'CSV rows carry the period');
  const csvCost = csv.slice(1).reduce((s, l) => s + Number(l.split(',').at(-1)), 0);
  check(Math.abs(csvCost - opus7.kpis.cost.value) < 0.01, `CSV costs add up to the KPI (${csvCost.toFixed(4)} vs ${opus7.kpis.cost.value})`);
  const csvRequests = csv.slice(1).reduce((s, l) => s + Number(l.split(',')[8]), 0);
  eq(csvRequests, opus7.kpis.requests.value, 'CSV requests add up to the KPI');

  // live mode: a new request appears without reload
  await pickFilter(page, 'model', []);
  await page.selectOption('[data-testid=filter-range]', '24h');
  await settle(page);
  const before = (await api('/api/v1/web/summary?range=24h')).kpis.requests.value;
  await shows(page, '[data-testid=kpi-requests]', int(before), '24h KPI requests = query API');
  await page.click('[data-testid=live]');
  await page.waitForTimeout(1500);
  // a real request through the metering gateway, with Alice's gateway key
  const posted = await fetch(BASE + '/v1/messages', { method: 'POST', headers: { 'x-api-key': process.env.TALLY_GATEWAY_KEY,
    'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) });
  eq(posted.status, 200, 'a request through the gateway is answered');
  await page.waitForFunction(n => document.querySelector('[data-testid=kpi-requests]').textContent.trim() === n, int(before + 1), { timeout: 10000 });
  check(true, 'live mode: the gateway request shows without reload');
  await page.click('[data-testid=live]');
  await page.selectOption('[data-testid=filter-range]', '30d');
  await settle(page);

  // a custom date range (from/to)
  await page.selectOption('[data-testid=filter-range]', 'custom');
  check(await page.isVisible('[data-testid=range-from]'), 'custom range: from/to fields appear');
  await page.fill('[data-testid=range-to]', '2026-10-31');
  await page.fill('[data-testid=range-from]', '2026-10-05');
  await page.waitForFunction(() => document.querySelector('[data-testid=period]').textContent.startsWith('2026-10-05'));
  await settle(page);
  const oct = await api('/api/v1/web/summary?range=custom&from=2026-10-05&to=2026-10-31');
  eq(await text(page, '[data-testid=period]'), '2026-10-05 – 2026-10-31', 'custom range: the period shown is the one asked for');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(oct.kpis.cost.value), 'custom range: KPI cost = query API');
  eq(await text(page, '[data-testid=kpi-requests]'), int(oct.kpis.requests.value), 'custom range: KPI requests = query API');
  const octPeople = await api('/api/v1/usage?range=custom&from=2026-10-05&to=2026-10-31&groupBy=person');
  eq(await firstCost(page), usd(octPeople.rows[0].cost), 'custom range: the top row cost = query API');
  check((await page.getAttribute('[data-testid=export-csv]', 'href')).includes('from=2026-10-05'), 'custom range: the export honours it');
  await shot(page, 'usage-custom-range.png');
  await page.fill('[data-testid=range-from]', '2026-11-02');
  eq(await text(page, '[data-testid=range-error]'), 'The start is after the end.', 'custom range: a start after the end is refused');
  await page.selectOption('[data-testid=filter-range]', '30d');
  await settle(page);
  eq(await text(page, '[data-testid=kpi-cost]'), usd((await api('/api/v1/web/summary?range=30d')).kpis.cost.value), 'back to 30 days');

  // multi-select filters: every dimension the query API filters by, projects included
  const options = await api('/api/v1/web/options');
  eq(await page.$$eval('.toolbar [data-filter]', els => els.map(e => e.dataset.filter).join(',')), 'key,team,person,model,tool,source,project,tag',
    'filters: API keys, teams, people, models, tools, sources, projects and tags');
  // tags: several picked keep requests with any of them
  await pickFilter(page, 'tag', ['env:prod', 'incident-4711']);
  const tagged = await api('/api/v1/web/summary?range=30d&filter.tag=env:prod&filter.tag=incident-4711');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(tagged.kpis.cost.value), 'tag filter (two tags): KPI cost = query API');
  eq(await text(page, '[data-testid=kpi-requests]'), int(tagged.kpis.requests.value), 'tag filter (two tags): KPI requests = query API');
  const byTag = await api('/api/v1/usage?range=30d&groupBy=tag&filter.tag=env:prod&filter.tag=incident-4711');
  const perTag = Object.fromEntries(byTag.rows.map(r => [r.tag, r.requests]));
  eq(tagged.kpis.requests.value, perTag['env:prod'] + perTag['incident-4711'], 'tag filter: any of the two tags (no request has both)');
  check(perTag['feature:search'] > 0 && tagged.kpis.requests.value < (await api('/api/v1/web/summary?range=30d')).kpis.requests.value,
    'tag filter: requests also tagged feature:search are kept, untagged ones are not');
  await pickFilter(page, 'tag', []);
  check(options.project.length > 2, 'options API: several projects');
  await pickFilter(page, 'project', ['checkout', 'infra']);
  const two = await api('/api/v1/web/summary?range=30d&filter.project=checkout&filter.project=infra');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(two.kpis.cost.value), 'project filter (two projects): KPI cost = query API');
  eq(await text(page, '[data-testid=kpi-requests]'), int(two.kpis.requests.value), 'project filter (two projects): KPI requests = query API');
  check(two.kpis.cost.value < (await api('/api/v1/web/summary?range=30d')).kpis.cost.value, 'the project filter narrows the figures');
  eq(await text(page, '#f-project'), '2 selected', 'the filter button says how many are chosen');
  const twoPeople = await api('/api/v1/usage?range=30d&groupBy=person&filter.project=checkout&filter.project=infra');
  eq(await firstCost(page), usd(twoPeople.rows[0].cost), 'project filter: the top row cost = query API');
  check((await page.getAttribute('[data-testid=export-csv]', 'href')).includes('filter.project=checkout&filter.project=infra'), 'project filter: the export honours it');
  await pickFilter(page, 'project', ['checkout']);
  await pickFilter(page, 'tool', ['claude-code']);
  const both = await api('/api/v1/web/summary?range=30d&filter.project=checkout&filter.tool=claude-code');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(both.kpis.cost.value), 'project + tool filters: KPI cost = query API');
  await shot(page, 'usage-filtered.png');
  // the keyboard: Enter opens, the search box narrows, arrows and Space tick, Escape closes
  await pickFilter(page, 'tool', []);
  await pickFilter(page, 'project', []);
  await page.focus('#f-project');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  const firstProject = await page.evaluate(() => document.activeElement.value);
  check(await page.isChecked(`[data-filter=project] input[value="${firstProject}"]`), `keyboard: a project (${firstProject}) is ticked with arrows and Space`);
  await page.keyboard.press('Escape');
  await settle(page);
  eq(await text(page, '[data-testid=kpi-cost]'), usd((await api(`/api/v1/web/summary?range=30d&filter.project=${encodeURIComponent(firstProject)}`)).kpis.cost.value),
    'keyboard-picked project: KPI cost = query API');
  check(await page.evaluate(() => document.activeElement.id === 'f-project'), 'Escape closes the list and focus returns to its button');
  await pickFilter(page, 'project', []);
  eq(await text(page, '#f-project'), 'All', 'cleared: all projects again');

  // keyboard: the toggle is reachable and works with Enter
  await page.focus('button[data-view=user]');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#breakdown-table th button:text("Team")');
  check(true, 'keyboard: Tab + Enter switches to the team view');
  await page.click('button[data-view=user]');

  // paging thousands of rows: the table component alone, with 5,000 synthetic rows
  const big = await page.evaluate(async () => {
    const { dataTable } = await import('/js/ui.js');
    const rows = Array.from({ length: 5000 }, (_, i) => ({ key: `p${i}`, name: `Person ${i}`, cost: (i * 7919) % 5000 }));
    const ms = f => { const t = performance.now(); f(); return performance.now() - t; };
    let table;
    const build = ms(() => { table = dataTable({ id: 'big', rows, sort: 'cost', search: r => r.name,
      columns: [{ key: 'name', label: 'Name' }, { key: 'cost', label: 'Cost', num: true }] }); document.body.append(table); });
    const first = table.querySelector('tbody td[data-col=cost]').textContent;
    const next = ms(() => { for (let i = 0; i < 20; i++) table.querySelector('button[aria-label="Next page"]').click(); }) / 20;
    const paged = table.querySelector('[data-testid=pager-status]').textContent;
    const sort = ms(() => table.querySelector('th button[data-sort=name]').click());
    const input = table.querySelector('input[type=search]');
    input.value = 'person 4999';
    const search = ms(() => input.dispatchEvent(new Event('input')));
    const found = table.querySelector('[data-testid=pager-status]').textContent;
    table.remove();
    return { build, next, sort, search, first, paged, found };
  });
  eq(`${big.first} | ${big.paged} | ${big.found}`, '4999 | 501–525 of 5000 | 1–1 of 1', '5,000 rows: sorted, paged and searched');
  check(Math.max(big.build, big.next, big.sort, big.search) < 250,
    `5,000 rows: build ${big.build.toFixed(0)} ms, next page ${big.next.toFixed(1)} ms, sort ${big.sort.toFixed(0)} ms, search ${big.search.toFixed(0)} ms (each under 250)`);

  // ---------------------------------------------------------------- keys
  await page.click('a[data-nav=keys]');
  await page.waitForSelector('#keys-table tbody tr');
  const keysBefore = await api('/api/v1/keys');
  eq((await page.$$('#keys-table tbody tr')).length, keysBefore.length, 'keys page lists every key');
  await shot(page, 'keys.png');
  await page.fill('#k-name', 'emma-laptop');
  await page.fill('#k-email', 'emma@acme.dev');
  await page.fill('#k-project', 'docs-site');
  await page.click('[data-testid=create-key]');
  await page.waitForSelector('[data-testid=secret]');
  const secret = await text(page, '[data-testid=secret]');
  check(/^\S{20,}$/.test(secret), 'the new secret is shown once');
  check((await text(page, '[data-testid=snippet]')).includes(secret), 'the setup snippet carries the secret');
  await page.click('.tabs button[data-tool=codex]');
  check((await text(page, '[data-testid=snippet]')).includes('[model_providers.tally]'), 'the Codex snippet is there');
  const keysAfter = await api('/api/v1/keys');
  eq(keysAfter.length, keysBefore.length + 1, 'the key was created');
  check(!JSON.stringify(keysAfter).includes(secret), 'the key list never shows the secret');
  const keyCheck = await fetch(BASE + '/v1/models', { headers: { Authorization: `Bearer ${secret}` } });
  check(keyCheck.status !== 401, `the new key is accepted by the gateway (status ${keyCheck.status})`);
  await page.click('.tabs button[data-tool=claude-code]');
  await shot(page, 'keys-created.png');
  page.on('dialog', d => d.accept());
  const row = page.locator('#keys-table tbody tr', { hasText: 'emma-laptop' });
  await row.locator('button[data-action=rotate]').click();
  await page.waitForFunction(s => document.querySelector('[data-testid=secret]')?.textContent !== s, secret);
  const rotated = await text(page, '[data-testid=secret]');
  check(rotated !== secret, 'rotating shows a new secret');
  eq((await fetch(BASE + '/v1/models', { headers: { Authorization: `Bearer ${secret}` } })).status, 401, 'the old secret stops working after rotation');
  await page.waitForSelector('#keys-table tbody tr:has-text("emma-laptop") button[data-action=revoke]');
  await page.locator('#keys-table tbody tr', { hasText: 'emma-laptop' }).locator('button[data-action=revoke]').first().click();
  await page.waitForFunction(() => [...document.querySelectorAll('#keys-table tbody tr')].filter(r => r.textContent.includes('emma-laptop')).every(r => r.textContent.includes('revoked')));
  eq((await fetch(BASE + '/v1/models', { headers: { Authorization: `Bearer ${rotated}` } })).status, 401, 'a revoked key stops working');

  // ---------------------------------------------------------------- other pages
  await page.click('a[data-nav=analytics]');
  await page.waitForSelector('#analytics-table tbody tr');
  await settle(page);
  const models = await api('/api/v1/usage?range=30d&groupBy=model');
  eq(await text(page, '#analytics-table tbody tr:first-child td[data-col=cost]'), usd(models.rows[0].cost), 'analytics: top model cost = query API');
  await shot(page, 'analytics-models.png');
  await page.click('.tabs button[data-tab=tool]');
  await page.waitForSelector('#analytics-table th button:text("Tool")');
  await settle(page);
  await shot(page, 'analytics-tools.png');

  await page.click('a[data-nav=people]');
  await page.waitForSelector('#people-table tbody tr');
  await settle(page);
  const unmappedRows = (await api('/api/v1/usage?range=90d&groupBy=person')).rows.filter(r => !r.person.startsWith('person:'));
  eq(await page.$$eval('#unmapped-table tbody tr', trs => trs.map(t => t.dataset.key).sort().join(',')),
    unmappedRows.map(r => r.person).sort().join(','), 'people: the unmapped identities are listed (as the usage API has them)');
  const orphan = unmappedRows.find(r => r.person === 'openai-user:user_9f2KQ');
  eq(await text(page, '#unmapped-table tr[data-key="openai-user:user_9f2KQ"] td[data-col=cost]'), usd(orphan.cost), 'unmapped identity cost = query API');
  await shot(page, 'people.png');
  // create a person, with two emails and a team
  await page.fill('#p-name', 'Mara Lind');
  await page.fill('#p-emails', 'mara@acme.dev, mara.lind@acme.dev');
  await page.fill('#p-team', 'data');
  await page.click('[data-testid=add-person]');
  await page.waitForSelector('#people-table a:text("Mara Lind")');
  let mara = (await api('/api/v1/people')).find(p => p.name === 'Mara Lind');
  check(mara && mara.team === 'data' && mara.identities.includes('email:mara@acme.dev') && mara.identities.includes('email:mara.lind@acme.dev'),
    'people: the person was created with both emails and the team (API)');
  // map the unmapped OpenAI account to her
  await page.selectOption('#unmapped-table tr[data-key="openai-user:user_9f2KQ"] [data-testid=map-person]', String(mara.id));
  await page.click('#unmapped-table tr[data-key="openai-user:user_9f2KQ"] button[data-action=map]');
  await page.waitForSelector('#people-table [data-identity="openai-user:user_9f2KQ"]');
  await settle(page);
  mara = (await api('/api/v1/people')).find(p => p.name === 'Mara Lind');
  check(mara.identities.includes('openai-user:user_9f2KQ'), 'people: the identity is mapped to her (API)');
  const after90 = await api('/api/v1/usage?range=90d&groupBy=person');
  check(!after90.rows.some(r => r.person === 'openai-user:user_9f2KQ'), 'its usage is no longer unmapped');
  eq(after90.rows.find(r => r.person === mara.key)?.cost, orphan.cost, 'its usage now counts for her');
  check(!(await page.isVisible('#unmapped-table tr[data-key="openai-user:user_9f2KQ"]')), 'it left the unmapped list');
  // a duplicate, merged into her
  await page.fill('#p-name', 'Mara L.');
  await page.fill('#p-emails', 'mara@home.dev');
  await page.click('[data-testid=add-person]');
  await page.waitForSelector('#people-table a:text("Mara L.")');
  const dup = (await api('/api/v1/people')).find(p => p.name === 'Mara L.');
  await page.selectOption('#m-from', String(dup.id));
  await page.selectOption('#m-into', String(mara.id));
  await page.click('[data-testid=merge]');
  await page.waitForFunction(() => ![...document.querySelectorAll('#people-table a')].some(a => a.textContent === 'Mara L.'));
  let everyone = await api('/api/v1/people');
  check(!everyone.some(p => p.name === 'Mara L.'), 'merge: the duplicate is gone (API)');
  check(everyone.find(p => p.id === mara.id).identities.includes('email:mara@home.dev'), "merge: the duplicate's email moved to her (API)");
  // unmap an identity
  await page.click('#people-table [data-identity="email:mara@home.dev"] button[data-action=unmap]');
  await page.waitForFunction(() => !document.querySelector('#people-table [data-identity="email:mara@home.dev"]'));
  everyone = await api('/api/v1/people');
  check(!everyone.find(p => p.id === mara.id).identities.includes('email:mara@home.dev'), 'unmap: the identity left her (API)');
  await page.fill('#people-table [data-testid=table-search]', 'mara');
  await shot(page, 'people-managed.png');
  await page.fill('#people-table [data-testid=table-search]', '');

  // invite Emma to sign in: the link is shown once; a fresh browser opens it, sets a password and is a member
  const listed = await api('/api/v1/people');
  const emma = listed.find(p => p.name === 'Emma Schmidt');
  const jonas = listed.find(p => p.name === 'Jonas Berg');
  await page.selectOption('#i-person', String(emma.id));
  eq(await page.inputValue('#i-username'), 'emma@acme.dev', "invite: the user name defaults to the person's email");
  await page.selectOption('#i-role', 'lead');
  check(await page.isVisible('#i-teams input[value=platform]'), "invite: a lead's teams are asked for");
  await page.selectOption('#i-role', 'member');
  check(!(await page.isVisible('#i-teams')), 'invite: a member has no teams to choose');
  await page.click('[data-testid=invite]');
  await page.waitForSelector('[data-testid=invite-link]');
  const link = await text(page, '[data-testid=invite-link]');
  check(link.startsWith(`${BASE}/#/invite/`) && link.length > BASE.length + 40, 'invite: the link is shown');
  const emmaInvite = (await api('/api/v1/invites?status=pending')).find(i => i.username === 'emma@acme.dev');
  check(emmaInvite && emmaInvite.person === emma.key && emmaInvite.role === 'member', 'invite: pending in the API, for her person, as a member');
  check(!JSON.stringify(await api('/api/v1/invites')).includes(link.split('/').pop()), 'the invite list never shows the token');
  await page.waitForSelector(`#invites-table tr[data-key="${emmaInvite.id}"]`);
  eq(await text(page, `#invites-table tr[data-key="${emmaInvite.id}"] td[data-col=name]`), 'Emma Schmidt', 'invite: listed as pending');
  await shot(page, 'people-invite.png');
  // a second one, revoked
  await page.selectOption('#i-person', String(jonas.id));
  await page.click('[data-testid=invite]');
  await page.waitForFunction(l => document.querySelector('[data-testid=invite-link]')?.textContent !== l, link);
  const revokedLink = await text(page, '[data-testid=invite-link]');
  const jonasInvite = (await api('/api/v1/invites?status=pending')).find(i => i.username === 'jonas@acme.dev');
  await page.click(`#invites-table tr[data-key="${jonasInvite.id}"] button[data-action=revoke-invite]`);
  await page.waitForSelector(`#invites-table tr[data-key="${jonasInvite.id}"]`, { state: 'detached' });
  eq((await api('/api/v1/invites')).find(i => i.id === jonasInvite.id).status, 'revoked', 'revoking an invite from the list (API)');
  {
    const guest = await session();
    await guest.page.goto(link);
    await guest.page.waitForSelector('[data-testid=invite-page]');
    eq(await text(guest.page, '[data-testid=invite-username]'), 'emma@acme.dev', 'the invite page names the login');
    check(!(await guest.page.isVisible('#nav')), 'no navigation on the invite page');
    await guest.page.fill('#invite-password', 'short');
    await guest.page.fill('#invite-confirm', 'short');
    await guest.page.click('[data-testid=set-password]');
    eq(await text(guest.page, '#invite-form-error'), 'Use at least 8 characters.', 'a short password is refused');
    await guest.page.fill('#invite-password', 'emma-password');
    await guest.page.fill('#invite-confirm', 'emma-passw0rd');
    await guest.page.keyboard.press('Enter');
    eq(await text(guest.page, '#invite-form-error'), 'The two passwords do not match.', 'the confirmation must match');
    await guest.page.fill('#invite-confirm', '');
    await shot(guest.page, 'invite.png');
    await guest.page.fill('#invite-confirm', 'emma-password');
    await guest.page.click('[data-testid=set-password]');
    await guest.page.waitForSelector('#nav a');
    await tableReady(guest.page);
    await settle(guest.page);
    const me = await guest.api('/api/v1/web/session');
    eq(`${me.name} ${me.role} ${me.person}`, `emma@acme.dev member ${emma.key}`, 'the invitee is signed in, as a member linked to Emma');
    eq(await text(guest.page, '[data-testid=pager-status]'), '1–1 of 1', 'the invitee lands on the dashboard and sees one row');
    check((await text(guest.page, '#breakdown-table tbody tr td[data-col=name]')).includes('Emma Schmidt'), 'and it is her own');
    const emmaSummary = await guest.api('/api/v1/web/summary?range=30d');
    eq(await text(guest.page, '[data-testid=kpi-cost]'), usd(emmaSummary.kpis.cost.value), 'invitee: KPI cost = query API');
    const asAdmin = await api(`/api/v1/web/summary?range=30d&filter.person=${encodeURIComponent(emma.key)}`);
    eq(emmaSummary.kpis.cost.value, asAdmin.kpis.cost.value, "invitee: the figures are Emma's alone");
    check(!guest.page.url().includes('/invite/'), 'the token left the address bar');
    eq(guest.errors.join('\n'), '', 'no page errors (invitee)');
    await guest.context.close();
  }
  {
    const guest = await session();
    await guest.page.goto(link);
    await guest.page.waitForSelector('[data-testid=invite-error]');
    check((await text(guest.page, '[data-testid=invite-error]')).includes('used already'), 'a used invite link says so');
    await guest.page.goto(revokedLink);
    await guest.page.waitForFunction(() => document.querySelector('[data-testid=invite-error]')?.textContent.includes('withdrawn'));
    check(true, 'a revoked invite link says so');
    await guest.page.goto(`${BASE}/#/invite/not-a-token`);
    await guest.page.waitForFunction(() => document.querySelector('[data-testid=invite-error]')?.textContent.includes('not valid'));
    check(true, 'an unknown invite link says so');
    await guest.context.close();
  }
  eq((await api('/api/v1/invites')).find(i => i.id === emmaInvite.id).status, 'used', 'the accepted invite is used (API)');

  await page.click('#people-table a:text("Grace Kim")');
  await page.waitForSelector('#person-model tbody tr');
  await settle(page);
  const graceId = (await api('/api/v1/web/people')).find(p => p.name === 'Grace Kim').id;
  const graceSummary = await api(`/api/v1/web/summary?range=30d&filter.person=${encodeURIComponent(graceId)}`);
  eq(await text(page, '[data-testid=kpi-cost]'), usd(graceSummary.kpis.cost.value), 'person page: cost = query API');
  check(await page.isVisible('#person-keys tbody tr:has-text("grace-notebook")'), 'person page lists their keys');
  await shot(page, 'person.png');

  // Claude Code 5-hour blocks of Alice, who is in a session right now
  const aliceId = (await api('/api/v1/web/people')).find(p => p.name === 'Alice Chen').id;
  await page.evaluate(id => { location.hash = `#/person/${encodeURIComponent(id)}`; }, aliceId);
  await page.waitForSelector('[data-testid=block-cost]');
  await settle(page);
  const blocks = await api(`/api/v1/web/blocks?range=30d&filter.person=${encodeURIComponent(aliceId)}`);
  const active = blocks.blocks.find(b => b.isActive);
  check(active && active.burnRate && active.projection, 'blocks API: Alice has an active block with burn rate and projection');
  eq(await text(page, '[data-testid=block-cost]'), usd(active.costUSD), 'active block: cost so far = blocks API');
  eq(await text(page, '[data-testid=block-burn]'), `${usd(active.burnRate.costPerHour)}/h`, 'active block: burn rate = blocks API');
  eq(await text(page, '[data-testid=block-projection]'), usd(active.projection.totalCost), 'active block: projected cost = blocks API');
  eq(await text(page, '#person-blocks [data-testid=pager-status]'), `1–${Math.min(8, blocks.blocks.length)} of ${blocks.blocks.length}`, 'one row per block');
  eq(await text(page, '#person-blocks tbody tr:first-child td[data-col=costUSD]'), usd(blocks.blocks[0].costUSD), 'the newest block first, cost = blocks API');
  const claude = await api(`/api/v1/usage?range=30d&groupBy=tool&filter.tool=claude-code&filter.person=${encodeURIComponent(aliceId)}`);
  const blockSum = blocks.blocks.reduce((s, b) => s + b.costUSD, 0);
  check(Math.abs(blockSum - claude.rows[0].cost) < 0.01, `blocks add up to Alice's Claude Code cost (${blockSum.toFixed(4)} vs ${claude.rows[0].cost})`);
  check(blocks.blocks.every(b => b.models.every(m => m.startsWith('claude'))), 'blocks count Claude Code only');
  await shot(page, 'person-blocks.png');

  await page.click('a[data-nav=providers]');
  await page.waitForSelector('#providers-table tbody tr');
  await page.waitForSelector('#prices-table tbody tr');
  await settle(page);
  check(!(await page.content()).includes('sk-ant-admin-fake'), 'provider secrets are never shown');
  const coll = (await api('/api/v1/collectors')).collectors;
  eq((await page.$$('#collectors-table tbody tr')).length, coll.length, 'providers: one row per collector');
  const openaiColl = coll.find(c => c.provider === 'openai');
  check(!openaiColl.ok && openaiColl.lastError.includes('401'), 'collectors API: the OpenAI collector is failing');
  eq(await text(page, '#collectors-table tr[data-key=openai] [data-testid=collector-status]'), 'failing', 'a failing collector says so');
  eq(await text(page, '#collectors-table tr[data-key=openai] [data-testid=last-error]'), openaiColl.lastError, 'its last error = collectors API');
  eq(await text(page, '#collectors-table tr[data-key=anthropic] [data-testid=collector-status]'), 'ok', 'a healthy collector says ok');
  check((await text(page, '#collectors-table tr[data-key=anthropic] [data-testid=last-success]')).includes('24 Nov 2026'), 'its last success is shown');
  const priceList = await api('/api/v1/prices');
  const ovr = priceList.models.filter(m => m.layer === 'override').map(m => m.key).sort();
  eq(ovr.join(','), 'acme-coder-1,gemini-2.5-pro', 'prices API: the entries from the overrides file are marked');
  check(priceList.models.length > 20 && priceList.models.some(m => m.layer === 'shipped'), 'prices API: the shipped table is there too');
  eq((await page.$$eval('#prices-table tbody tr', trs => trs.slice(0, 2).map(t => t.dataset.key))).sort().join(','), ovr.join(','), 'overrides are listed first');
  eq(await text(page, '#prices-table [data-testid=pager-status]'), `1–15 of ${priceList.models.length}`, 'every price entry is listed');
  const gem = priceList.models.find(m => m.key === 'gemini-2.5-pro');
  eq(await text(page, '#prices-table tr[data-key="gemini-2.5-pro"] td[data-col=input]'), `$${Number(gem.rates.input)}`, 'override input rate = prices API');
  eq(await text(page, '#prices-table tr[data-key="gemini-2.5-pro"] td[data-col=output]'), `$${Number(gem.rates.output)}`, 'override output rate = prices API');
  const gemUse = (await api('/api/v1/usage?range=30d&groupBy=model&filter.model=gemini-2.5-pro')).rows[0];
  const gemCost = (gemUse.inputTokens * gem.rates.input + gemUse.outputTokens * gem.rates.output + gemUse.cacheReadTokens * gem.rates.cacheRead
    + gemUse.cacheWriteTokens * gem.rates.cacheWrite5m) / 1e6;
  check(Math.abs(gemCost - gemUse.cost) < 0.01, `the server prices with the override (${gemCost.toFixed(4)} vs ${gemUse.cost})`);
  await shot(page, 'providers.png');
  // an admin adds a provider key: stored, listed masked, never shown
  const corpKey = 'sk-corp-llm-secret-0000-wxyz';
  await page.selectOption('#pv-provider', 'openai-compatible');
  await page.fill('#pv-name', 'corp-llm');
  await page.fill('#pv-base', 'https://llm.corp.example/v1');
  await page.fill('#pv-key', corpKey);
  await page.click('[data-testid=add-provider]');
  await page.waitForSelector('#providers-table tr[data-key="corp-llm"]');
  const stored = (await api('/api/v1/providers')).find(p => p.name === 'corp-llm');
  eq(stored?.key, '…wxyz', 'a provider key added in the page is stored, shown by its last four characters');
  eq(await text(page, '#providers-table tr[data-key="corp-llm"] td[data-col=masked]'), '…wxyz', 'the page lists it masked');
  check(!(await page.content()).includes(corpKey), 'the key added is not on the page afterwards');
  await page.fill('#prices-table [data-testid=table-search]', 'claude-sonnet');
  check((await page.$$eval('#prices-table tbody tr', trs => trs.every(t => t.textContent.includes('claude-sonnet')))), 'searching the price table filters it');
  await page.click('a[data-nav=budgets]');
  await page.waitForSelector('#budgets-table tbody tr');
  await settle(page);
  const budgetList = await api('/api/v1/budgets');
  for (const b of budgetList) {
    eq(await text(page, `#burndown [data-budget="${b.id}"] [data-testid=budget-projection]`), b.projection.text, `budget ${b.scope} ${b.target}: projection = API`);
    check(await page.isVisible(`#burn-chart-${b.id} svg`), `budget ${b.scope} ${b.target}: burn-down chart drawn`);
    const last = b.days.at(-1);
    eq(last.day, '2026-11-24', 'the burn-down runs to today');
    if (b.scope !== 'org') check(Math.abs(last.cumulative - b.spent) < 0.01, `burn-down ends at the period's spend (${last.cumulative} vs ${b.spent})`);
  }
  const statuses = budgetList.map(b => b.projection.status);
  check(statuses.includes('projected') && statuses.includes('under'), `budgets: one heads past its limit, one does not (${statuses})`);
  check(budgetList.find(b => b.projection.status === 'projected').projection.text.startsWith('projected to reach 100% on '), 'the projection names the day');
  await shot(page, 'budgets.png');
  // edit in place: the org budget's limit and kind
  const org = budgetList.find(b => b.scope === 'org');
  await page.click(`#budgets-table tr[data-key="${org.id}"] button[data-action=edit]`);
  await page.fill(`#budgets-table tr[data-key="${org.id}"] [data-testid=edit-limit]`, '4000');
  await page.uncheck(`#budgets-table tr[data-key="${org.id}"] [data-testid=edit-hard]`);
  await page.press(`#budgets-table tr[data-key="${org.id}"] [data-testid=edit-limit]`, 'Enter');
  await page.waitForFunction(id => document.querySelector(`#budgets-table tr[data-key="${id}"] td[data-col=limit]`)?.textContent === '$4,000.00', org.id);
  const edited = await api('/api/v1/budgets');
  eq(edited.length, budgetList.length, 'editing a budget changes it in place (no new budget)');
  const org2 = edited.find(b => b.id === org.id);
  check(org2.limit === 4000 && org2.hard === false, 'the edited limit and kind are saved (API)');
  eq(await text(page, `#burndown [data-budget="${org.id}"] [data-testid=budget-projection]`), org2.projection.text, 'the projection follows the new limit');
  eq(errors.join('\n'), '', 'no page errors and no request outside the server (admin)');
  await context.close();
}

// ------------------------------------------------------------------ dark theme
{
  const { page, context } = await session('dark');
  await login(page, 'admin', 'admin-password');
  await tableReady(page);
  await settle(page);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  check(bg !== 'rgb(246, 247, 251)', `dark theme follows prefers-color-scheme (${bg})`);
  await shot(page, 'usage-dark.png');
  await context.close();
}

// ------------------------------------------------------------------ team lead: only their teams
{
  const { page, context, errors, api } = await session();
  await login(page, 'lead', 'lead-password');
  await tableReady(page);
  await settle(page);
  const people = await api('/api/v1/web/people');
  check(people.length > 0 && people.every(p => p.team === 'platform'), 'a lead sees only the people of their team');
  const rows = await page.$$eval('#breakdown-table tbody tr td[data-col=name] .badge:not(.spender)', els => els.map(e => e.textContent));
  check(rows.length > 0 && rows.every(t => t === 'platform'), 'every row the lead sees is in their team');
  const usage = await api('/api/v1/usage?range=30d&groupBy=person');
  eq(await text(page, '[data-testid=pager-status]'), `1–${usage.rows.length} of ${usage.rows.length}`, 'lead: rows = their API rows');
  const summary = await api('/api/v1/web/summary?range=30d');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(summary.kpis.cost.value), 'lead: KPI cost = query API');
  eq(await page.$$eval('#nav a', as => as.map(a => a.dataset.nav).join(',')), 'usage,analytics,people,keys', 'lead: no providers or budgets');
  await shot(page, 'usage-lead.png');
  await page.click('a[data-nav=people]');
  await page.waitForSelector('#people-table tbody tr');
  check(!(await page.isVisible('#invite-person')), 'a lead cannot invite');
  await page.click('a[data-nav=usage]');
  await tableReady(page);
  eq(errors.join('\n'), '', 'no page errors (lead)');
  await context.close();
}

// ------------------------------------------------------------------ member: only themselves, signed in with the keyboard
{
  const { page, context, errors, api } = await session();
  await login(page, 'alice', 'alice-password', { keyboard: true });
  await tableReady(page);
  await settle(page);
  eq(await text(page, '[data-testid=pager-status]'), '1–1 of 1', 'a member sees one row');
  check((await text(page, '#breakdown-table tbody tr td[data-col=name]')).includes('Alice Chen'), 'and it is their own');
  eq(await text(page, '[data-testid=kpi-activeUsers]'), '1', 'a member counts one active user');
  const summary = await api('/api/v1/web/summary?range=30d');
  eq(await text(page, '[data-testid=kpi-cost]'), usd(summary.kpis.cost.value), 'member: KPI cost = query API');
  const bob = await page.request.get(BASE + '/api/v1/usage?range=30d&groupBy=person&filter.team=platform');
  eq((await bob.json()).rows.length, 0, "a member asking for another team's usage gets nothing");
  eq(await page.$$eval('#nav a', as => as.map(a => a.dataset.nav).join(',')), 'usage,analytics,keys', 'member: no people, providers or budgets');
  await shot(page, 'usage-member.png');
  await page.click('#logout');
  await page.waitForSelector('#username');
  eq((await page.request.get(BASE + '/api/v1/me')).status(), 401, 'signing out ends the session');
  eq(errors.join('\n'), '', 'no page errors (member)');
  await context.close();
}

await browser.close();
console.log(`all ${checks} checks passed`);
