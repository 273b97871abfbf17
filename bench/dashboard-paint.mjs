// First paint of the dashboard's Usage page in headless Chromium (playwright-core), started by
// bench/dashboard-paint.sh:
//   TALLY_BASE  the server            TALLY_USER / TALLY_PASSWORD  a login
//   PW_MODULES  the folder holding node_modules/playwright-core          CHROMIUM  the browser
// For the default range and the 90-day one, a cold load (a new browser profile: nothing cached) and
// a second load of the same page (reload: scripts from the cache, the server's answers warm). All
// times are from the start of the navigation, as the page's own clock (performance.now()) sees them.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.PW_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const BASE = process.env.TALLY_BASE;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

// Marks, in the page, when the KPI cards and the table first show figures and when the chart is drawn.
const observe = () => {
  window.__marks = {};
  const seen = () => {
    const m = window.__marks;
    if (!m.kpis && document.querySelector('[data-testid=kpi-cost]')?.textContent.includes('$')) m.kpis = performance.now();
    if (!m.table && document.querySelector('#breakdown-table tbody tr[data-key] td[data-col=cost]')) m.table = performance.now();
    if (!m.chart && document.querySelector('#activity-chart svg path')) m.chart = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
};

async function measure(page, load) {
  await load();
  await page.waitForFunction(() => window.__marks?.kpis && window.__marks?.table && window.__marks?.chart, null, { timeout: 120_000 });
  const marks = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
    const api = performance.getEntriesByType('resource').filter(r => r.name.includes('/api/'))
      .map(r => ({ path: new URL(r.name).pathname.replace('/api/v1/', ''), ms: r.duration, kb: r.transferSize / 1024 }));
    api.sort((a, b) => b.ms - a.ms);
    return { fcp, ...window.__marks, slowest: api[0], apiKb: api.reduce((s, r) => s + r.kb, 0) };
  });
  await page.waitForLoadState('networkidle'); // the page's later reads (models column, filter values) end before the next load
  return marks;
}

const ms = v => v == null ? '—' : v.toFixed(0).padStart(7);
console.log(`${'range'.padEnd(7)} ${'load'.padEnd(7)} ${'FCP ms'.padStart(7)} ${'KPIs ms'.padStart(7)} ${'table ms'.padStart(8)} ${'chart ms'.padStart(8)}  API KB  slowest API call`);
for (const range of ['', '90d']) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const login = await context.request.post(`${BASE}/api/v1/login`, { data: { username: process.env.TALLY_USER, password: process.env.TALLY_PASSWORD } });
  if (!login.ok()) throw new Error(`login: ${login.status()} ${await login.text()}`);
  await context.addInitScript(observe);
  const page = await context.newPage();
  const url = `${BASE}/#/usage${range ? `/${range}` : ''}`;
  for (const [kind, load] of [['cold', () => page.goto(url)], ['cached', () => page.reload()]]) {
    const r = await measure(page, load);
    console.log(`${(range || '30d').padEnd(7)} ${kind.padEnd(7)} ${ms(r.fcp)} ${ms(r.kpis)} ${ms(r.table).padStart(8)} ${ms(r.chart).padStart(8)} ${r.apiKb.toFixed(0).padStart(7)}  ${r.slowest.path} ${r.slowest.ms.toFixed(0)} ms`);
  }
  await context.close();
}
await browser.close();
