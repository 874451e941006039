// `cargo xtask bench lighthouse`: the learner's FIRST visit as Lighthouse measures it in the field's
// way: Lighthouse's mobile defaults (Moto G Power screen, simulated slow 4G: 150 ms RTT,
// 1.6 Mbps, CPU 4× slower), a fresh browser profile, `/` on a freshly started `hocso serve` of the
// fresh build. The background download of every topic's lessons (app/src/offline.rs) runs as on a
// real first visit. RUNS runs (each with its own server and profile); prints every run and the
// median, with the budgets beside them. Exits 1 when the median misses a budget (like the sync
// bench), never on one noisy run.
//
// Env: HOCSO_BIN, HOCSO_DIST, CHROME_PATH, LIGHTHOUSE_CLI (lighthouse/cli/index.js, installed by
// xtask), LIGHTHOUSE_OUT (a folder for each run's JSON report; optional), LIGHTHOUSE_RUNS (default 3).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.env.HOCSO_BIN;
const dist = process.env.HOCSO_DIST;
const cli = process.env.LIGHTHOUSE_CLI;
const chrome = process.env.CHROME_PATH || '/usr/bin/chromium';
const out = process.env.LIGHTHOUSE_OUT || mkdtempSync(join(tmpdir(), 'hocso-lighthouse-'));
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || 3);
const CHROME_FLAGS = '--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run '
  + '--disable-background-networking --disable-component-update --disable-sync';

const BUDGET = { score: 90, lcp: 2500, tbt: 200 };

function startServer() {
  const db = join(mkdtempSync(join(tmpdir(), 'hocso-lighthouse-db-')), 'hocso.db');
  const child = spawn(bin, ['serve', '--dist', dist, '--port', '0', '--database', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/running at (http:\/\/[^/\s]+)\//);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`hocso serve exited ${code}: ${text}`)));
  });
}

function lighthouse(url, path) {
  // No --preset and no throttling flags: Lighthouse's defaults are the mobile preset with simulated
  // throttling. Lighthouse launches Chromium with a new temporary profile and clears storage first.
  const args = [cli, url, '--only-categories=performance', '--output=json', `--output-path=${path}`,
    '--quiet', `--chrome-flags=${CHROME_FLAGS}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CHROME_PATH: chrome } });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lighthouse exited ${code}`))));
  });
}

/** The figures of one report (times in ms, bytes). */
function figures(report) {
  const a = report.audits;
  const value = (id) => (a[id] && typeof a[id].numericValue === 'number' ? a[id].numericValue : null);
  const items = (id) => a[id]?.details?.items ?? [];
  return {
    score: Math.round(report.categories.performance.score * 100),
    fcp: value('first-contentful-paint'),
    lcp: value('largest-contentful-paint'),
    tbt: value('total-blocking-time'),
    tti: value('interactive'),
    si: value('speed-index'),
    cls: value('cumulative-layout-shift'),
    bytes: value('total-byte-weight'),
    mainThread: items('mainthread-work-breakdown').map((i) => [i.groupLabel ?? i.group, i.duration]),
    bootup: items('bootup-time').map((i) => [i.url, i.total, i.scripting, i.scriptParseCompile]),
    longTasks: items('long-tasks').map((i) => [i.url, i.startTime, i.duration]),
    // Lighthouse 13 names the LCP element in its LCP breakdown insight.
    lcpElement: items('lcp-breakdown-insight').find((i) => i.type === 'node')?.selector ?? null,
    warnings: report.runWarnings ?? [],
    version: report.lighthouseVersion,
    chrome: report.environment?.hostUserAgent,
  };
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
const sec = (x) => (x === null ? 'absent' : `${(x / 1000).toFixed(2)} s`);
const msec = (x) => (x === null ? 'absent' : `${Math.round(x)} ms`);
const kib = (x) => (x === null ? 'absent' : `${(x / 1024).toFixed(0)} KiB (${(x / 1000).toFixed(0)} kB)`);
const line = (f) => `score ${f.score}, FCP ${sec(f.fcp)}, LCP ${sec(f.lcp)}, TBT ${msec(f.tbt)}, TTI ${sec(f.tti)}, `
  + `SI ${sec(f.si)}, CLS ${f.cls === null ? 'absent' : f.cls.toFixed(3)}, ${kib(f.bytes)}`;

mkdirSync(out, { recursive: true });
console.log(`lighthouse bench: the learner's first visit to / (fresh profile, fresh server), ${RUNS} runs:`);
const runs = [];
for (let i = 1; i <= RUNS; i++) {
  const { url, child } = await startServer();
  const path = join(out, `run-${i}.report.json`);
  try {
    await lighthouse(url + '/', path);
  } finally {
    child.kill('SIGTERM');
  }
  const f = figures(JSON.parse(readFileSync(path, 'utf8')));
  runs.push(f);
  console.log(`  run ${i}: ${line(f)}`);
}

const m = {
  score: median(runs.map((r) => r.score)),
  fcp: median(runs.map((r) => r.fcp)),
  lcp: median(runs.map((r) => r.lcp)),
  tbt: median(runs.map((r) => r.tbt)),
  tti: median(runs.map((r) => r.tti)),
  si: median(runs.map((r) => r.si)),
  cls: median(runs.map((r) => r.cls)),
  bytes: median(runs.map((r) => r.bytes)),
};
const last = runs[runs.length - 1];
console.log(`  median of ${RUNS}, Lighthouse ${last.version} (mobile defaults: simulated slow 4G, CPU 4× slower):`);
console.log(`    performance score ${m.score}   budget >= ${BUDGET.score}`);
console.log(`    First Contentful Paint ${sec(m.fcp)}`);
console.log(`    Largest Contentful Paint ${sec(m.lcp)}   budget <= ${sec(BUDGET.lcp)}`);
console.log(`    Total Blocking Time ${msec(m.tbt)}   budget <= ${msec(BUDGET.tbt)}`);
console.log(`    Time to Interactive ${m.tti === null ? 'absent (this Lighthouse no longer reports `interactive`)' : sec(m.tti)}`);
console.log(`    Speed Index ${sec(m.si)}`);
console.log(`    Cumulative Layout Shift ${m.cls === null ? 'absent' : m.cls.toFixed(3)}`);
console.log(`    total bytes transferred ${kib(m.bytes)}`);
console.log(`  LCP element (last run): ${last.lcpElement ?? 'unknown'}`);
console.log(`  main thread (last run, ×4 as Lighthouse counts it): ${last.mainThread.map(([g, d]) => `${g} ${Math.round(d)} ms`).join(', ')}`);
for (const [url, total, scripting, parse] of last.bootup) {
  console.log(`  script ${url.replace(/^https?:\/\/[^/]+/, '')}: ${Math.round(total)} ms total, ${Math.round(scripting)} ms evaluation, ${Math.round(parse)} ms parse/compile`);
}
for (const [url, start, duration] of last.longTasks) {
  console.log(`  long task at ${Math.round(start)} ms: ${Math.round(duration)} ms (${url.replace(/^https?:\/\/[^/]+/, '')})`);
}
for (const w of new Set(runs.flatMap((r) => r.warnings))) console.log(`  Lighthouse warning: ${w}`);
console.log(`  reports: ${out}`);
if (!process.env.LIGHTHOUSE_OUT) rmSync(out, { recursive: true, force: true });

const missed = [];
if (m.score < BUDGET.score) missed.push(`performance ${m.score} < ${BUDGET.score}`);
if (m.lcp === null || m.lcp > BUDGET.lcp) missed.push(`LCP ${sec(m.lcp)} > ${sec(BUDGET.lcp)}`);
if (m.tbt === null || m.tbt > BUDGET.tbt) missed.push(`TBT ${msec(m.tbt)} > ${msec(BUDGET.tbt)}`);
if (missed.length) {
  console.log(`  over budget: ${missed.join('; ')}`);
  process.exit(1);
}
