// `cargo xtask bench learner`: the learner-side budgets, in Debian's real headless Chromium.
//   1. saving one answer in IndexedDB (median, p99 over 500 answers)      goal < 5 ms median
//   2. offline reload to an interactive lesson screen, CPU throttled 4×   goal <= 1 s
//   3. bytes transferred on the first visit (shell + catalogue + one topic)  goal <= 350 kB (1 kB = 1000 bytes)
// Loopback only; bounded (a fixed number of answers and reloads). Prints figures, asserts nothing.
import { chromium } from 'playwright-core';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.env.HOCSO_BIN;
const dist = process.env.HOCSO_DIST;
const ANSWERS = 500;
const RELOADS = 5;

function startServer() {
  const child = spawn(bin, ['serve', '--dist', dist, '--port', '0', '--database', join(mkdtempSync(join(tmpdir(), 'hocso-bench-')), 'hocso.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/running at (http:\/\/[^/\s]+)\//);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`hocso serve exited ${code}: ${out}`)));
  });
}

/** Bytes on the wire for one GET, compressed as a browser would ask. */
function wireBytes(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'br, gzip' } }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
}

async function firstVisitSize(base, topic) {
  const sw = await (await fetch(base + '/sw.js')).text();
  const build = JSON.parse(sw.match(/^const BUILD = (.*);$/m)[1]);
  const catalogue = await (await fetch(base + '/content/catalogue.json')).json();
  const entry = catalogue.topics.find((t) => t.id === topic);
  const pack = await (await fetch(base + entry.packs.vi.url)).json();
  const media = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'src' || k === 'icon') && typeof v === 'string' && v.startsWith('/content/media/')) media.add(v);
        else walk(v);
      }
    }
  };
  walk(pack);
  const urls = [...build.precache, '/sw.js', '/content/catalogue.json', entry.packs.vi.url, ...media];
  let total = 0;
  for (const u of urls) total += await wireBytes(base + u);
  return total;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (x) => `${x.toFixed(2)} ms`;

const { url, child } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();

  // 3. First visit: the shell the service worker keeps, the catalogue, one topic's Vietnamese pack
  //    and its pictures, as the server sends them (brotli where it compresses).
  const firstVisitBytes = await firstVisitSize(url, 'cashless-payment');
  await page.goto(url + '/');
  await page.waitForURL(/\/who$/);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto(url + '/topics/cashless-payment');
  await page.getByRole('button', { name: /Tải về/ }).click();
  await page.getByText('Đã tải về').waitFor();

  // 1. Saving answers through the app's own store.
  const timings = await page.evaluate((n) => window.wasmBindings.benchRecordAnswers(n), ANSWERS);
  const sorted = Array.from(timings).sort((a, b) => a - b);

  // 2. Offline reload of an open lesson, 4× CPU throttling.
  await page.goto(url + '/who/new');
  await page.getByLabel('Tên gọi').fill('Bench');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.getByText('Chào Bench!').waitFor();
  await page.goto(url + '/lessons/cashless-payment/pay-by-vietqr');
  await page.locator('.step-title').waitFor();
  await context.setOffline(true);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const reloads = [];
  for (let i = 0; i < RELOADS; i++) {
    await page.reload({ waitUntil: 'commit' });
    await page.locator('.step-nav button:not([disabled])').last().waitFor();
    reloads.push(await page.evaluate(() => performance.now()));
  }
  reloads.sort((a, b) => a - b);

  console.log('learner bench (headless Chromium, loopback):');
  console.log(`  save one answer in IndexedDB (${ANSWERS} answers): median ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}   goal: median < 5 ms`);
  console.log(`  offline reload to interactive lesson, 4x CPU slowdown (${RELOADS} reloads): median ${ms(percentile(reloads, 50))}, worst ${ms(reloads[reloads.length - 1])}   goal: <= 1000 ms`);
  console.log(`  first visit + one topic downloaded, bytes transferred: ${(firstVisitBytes / 1000).toFixed(1)} kB   goal: <= 350 kB`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
