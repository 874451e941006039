// Shared test plumbing: a real `hocso serve` on a private copy of dist/, and service-worker waits.
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';

export const screenshotDir = resolve(__dirname, '../target/screenshots');

export interface Server {
  url: string;
  dist: string;
  /** The server's SQLite file, for the `hocso team …` CLI. */
  database: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `hocso serve` on a free port (unless `args` name one), serving a fresh copy of the built app;
 *  `database` reuses a sync database (a restart), `args` adds options (e.g. TLS). */
export async function startServer(dist?: string, options: { args?: string[]; database?: string } = {}): Promise<Server> {
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  const source = process.env.HOCSO_DIST || resolve(__dirname, '../dist');
  if (!dist) {
    dist = mkdtempSync(join(tmpdir(), 'hocso-dist-'));
    cpSync(source, dist, { recursive: true });
  }
  // A fresh sync database per server, outside dist/ (which is public).
  const database = options.database ?? join(mkdtempSync(join(tmpdir(), 'hocso-db-')), 'hocso.db');
  const args = ['serve', '--dist', dist, '--database', database, ...(options.args ?? [])];
  if (!args.includes('--port')) args.push('--port', '0');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`hocso serve did not start: ${output}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/running at (https?:\/\/[^/\s]+)\//);
      if (match) { clearTimeout(timer); resolveUrl(match[1]); }
    });
    child.on('exit', (code) => reject(new Error(`hocso serve exited with ${code}: ${output}`)));
  });
  const stop = () => new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
  return { url, dist, database, process: child, stop };
}

export function removeDist(server: Server) {
  rmSync(server.dist, { recursive: true, force: true });
}

/** Publishes a "new build" on `server`: the generated worker carries a new version, as
 *  `cargo xtask build` does, so browsers install it and offer "reload to update". */
export function publishNewBuild(server: Server) {
  const swPath = join(server.dist, 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  if (!/const BUILD = \{"precache":\[.*\],"team":\[.*\],"version":"[0-9a-f]{16}"\};/.test(sw)) {
    throw new Error('dist/sw.js has no generated BUILD line: run `cargo xtask build`');
  }
  writeFileSync(swPath, sw.replace(/"version":"([0-9a-f]{16})"/, '"version":"next-$1"'));
  // A real build writes later than the copy the browser has; Last-Modified counts whole seconds.
  const later = new Date(Date.now() + 5_000);
  utimesSync(swPath, later, later);
  // The build's precompressed copies belong to the old worker (a real build writes new ones).
  for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(join(server.dist, copy), { force: true });
}

/** Waits until a service worker controls the page (the shell is then cached). */
export async function waitForServiceWorker(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

/** Creates a learner profile from the "who is learning" screen (the app asks for one first). */
export async function createProfile(page: Page, nickname: string, picture: string) {
  await page.getByRole('link', { name: 'Thêm người học' }).click();
  await page.getByRole('button', { name: picture }).click();
  await page.getByLabel('Tên gọi').fill(nickname);
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.getByText(`Chào ${nickname}!`).waitFor();
}

/** `hocso team create`: returns the join code and leader code it prints. */
export function createTeam(server: Server, name: string, commune: string) {
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  const out = execFileSync(bin, ['team', 'create', '--name', name, '--commune', commune, '--database', server.database], { encoding: 'utf8' });
  const join = out.match(/join code:\s+(\S+)/);
  const leader = out.match(/leader code:\s+(\S+)/);
  if (!join || !leader) throw new Error(`unexpected output of hocso team create: ${out}`);
  return { joinCode: join[1], leaderCode: leader[1] };
}

/** `hocso team list`: the line of each team, as printed. */
export function listTeams(server: Server): string {
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  return execFileSync(bin, ['team', 'list', '--database', server.database], { encoding: 'utf8' });
}

/** Reads a value of the app's `meta` store in IndexedDB. */
export function readMeta(page: Page, key: string) {
  return page.evaluate((key) => new Promise((resolve, reject) => {
    const open = indexedDB.open('hocso');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('meta').objectStore('meta').get(key);
      get.onsuccess = () => { resolve(get.result ? get.result.value : null); open.result.close(); };
      get.onerror = () => reject(get.error);
    };
  }), key);
}

/** `hocso admin create-token`: the province office's read-only token. */
export function createAdminToken(server: Server, name: string): string {
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  const out = execFileSync(bin, ['admin', 'create-token', '--name', name, '--database', server.database], { encoding: 'utf8' });
  const token = out.match(/(hsa_\S+)/);
  if (!token) throw new Error(`unexpected output of hocso admin create-token: ${out}`);
  return token[1];
}

export interface PackedQuestion { kind: string; options: { correct: boolean }[] }
export interface PackedLesson { meta: { id: string; title: string }; steps: { title: string }[]; quiz: PackedQuestion[] }
export interface CatalogueTopic { id: string; packs: Record<string, { url: string; version: string }>; lessons: { id: string; locales: Record<string, { drills?: number }> }[] }

/** The published catalogue and the first lesson of every topic in Vietnamese that has no practice
 *  drill (finishing a drill is tested in practice.spec.ts), read from the server as the app reads
 *  them (so tests follow the content, not a copy of it). */
export async function firstLessons(server: Server): Promise<{ topic: string; lesson: PackedLesson }[]> {
  const catalogue = await (await fetch(`${server.url}/content/catalogue.json`)).json() as { topics: CatalogueTopic[] };
  const out = [];
  for (const topic of catalogue.topics) {
    const pack = await (await fetch(server.url + topic.packs.vi.url)).json();
    const lessons: PackedLesson[] = pack.lessons.map((p: { lesson: PackedLesson }) => p.lesson);
    const first = topic.lessons.find((l) => !l.locales?.vi?.drills) ?? topic.lessons[0];
    out.push({ topic: topic.id, lesson: lessons.find((l) => l.meta.id === first.id)! });
  }
  return out;
}

/** The practice drills a test meets while finishing a lesson, done with right taps only, as a
 *  learner who knows the answers would (each kind's mistakes are tested in practice.spec.ts). */
const drillSolvers: Record<string, (page: Page) => Promise<void>> = {
  'what-is-vneid': async (page) => {
    const drill = page.locator('.drill');
    const keys = async (digits: string) => { for (const d of digits) await drill.locator('.drill-key', { hasText: new RegExp(`^${d}$`) }).click(); };
    await keys('123456'); // the passcode: any six digits
    const otp = (await drill.locator('.drill-notice').textContent())!.match(/(\d{3}) ?(\d{3})/)!;
    await keys(otp[1] + otp[2]);
    await drill.getByRole('button', { name: 'Thẻ căn cước điện tử' }).click();
    await expect(drill.locator('.drill-done')).toContainText('Số lần chọn sai: 0');
  },
};

/** Reads every step of the open lesson, does its drills, and answers its quiz right the first time. */
export async function finishLesson(page: Page, lesson: PackedLesson) {
  await page.getByText(`Bước 1/${lesson.steps.length}`).waitFor();
  for (let i = 0; i < lesson.steps.length; i++) {
    if (i > 0) {
      await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
      await page.getByRole('heading', { name: lesson.steps[i].title }).waitFor();
    }
    if (await page.locator('.drill').count() > 0) {
      const solve = drillSolvers[lesson.meta.id];
      if (!solve) throw new Error(`finishLesson: no solver for the drill in ${lesson.meta.id}: add one to drillSolvers`);
      await solve(page);
    }
  }
  if (lesson.quiz.length === 0) return;
  await page.getByRole('button', { name: 'Làm bài kiểm tra' }).click();
  for (const [index, question] of lesson.quiz.entries()) {
    await page.getByText(`Câu hỏi ${index + 1}/${lesson.quiz.length}`).waitFor();
    const options = page.locator('button.option');
    for (const [i, option] of question.options.entries()) {
      if (option.correct) await options.nth(i).click();
    }
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await page.getByText('Đúng rồi!').waitFor();
    const last = index === lesson.quiz.length - 1;
    await page.getByRole('button', { name: last ? 'Xem kết quả' : 'Tiếp', exact: true }).click();
  }
  await page.getByText(`Bạn trả lời đúng ngay lần đầu ${lesson.quiz.length}/${lesson.quiz.length} câu.`).waitFor();
}

/** Rows of the server's SQLite database, read with Python's sqlite3 (no extra npm package). */
export function query(server: Server, sql: string): unknown[][] {
  const script = 'import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2]).fetchall()))';
  return JSON.parse(execFileSync('python3', ['-c', script, server.database, sql], { encoding: 'utf8' }));
}

/** Runs the `hocso` CLI on the server's database. */
export function hocso(server: Server, ...args: string[]): string {
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  return execFileSync(bin, [...args, '--database', server.database], { encoding: 'utf8' });
}

/** Does the VietQR drill of pay-by-vietqr (open on screen): first confirms the transfer to the wrong
 *  name (the lesson's feedback is shown), then cancels and pays right to the end (1 mistake). */
export async function doVietQrDrill(page: Page, shot?: (name: string) => Promise<unknown>) {
  const drill = page.locator('.drill');
  const button = (name: string) => drill.getByRole('button', { name, exact: true });
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  if (shot) await shot('scan');
  await button('Quét mã').click();
  await drill.locator('.drill-transfer', { hasText: 'NGUYEN VAN MAO' }).waitFor();
  await drill.locator('.drill-transfer').scrollIntoViewIfNeeded();
  if (shot) await shot('confirm');
  await button('Xác nhận').click();
  await drill.locator('.drill-feedback', { hasText: 'Dừng lại! Tên người nhận là NGUYEN VAN MAO' }).waitFor();
  await drill.locator('.drill-feedback').scrollIntoViewIfNeeded();
  if (shot) await shot('confirm-wrong');
  await button('Huỷ').click();
  await drill.locator('.drill-stand-label', { hasText: 'Mã QR của bà Mậu' }).waitFor();
  await button('Quét mã').click();
  await drill.locator('.drill-transfer', { hasText: 'NGUYEN VAN MAU' }).waitFor();
  await button('Xác nhận').click();
  await drill.locator('.drill-amount').waitFor();
  for (const key of ['5', '0', '000']) await button(key).click();
  await drill.locator('.drill-amount', { hasText: '50.000 đ' }).waitFor();
  await drill.locator('.drill-keypad').scrollIntoViewIfNeeded();
  if (shot) await shot('amount');
  await button('Tiếp tục').click();
  await drill.locator('.drill-dots').waitFor();
  if (shot) await shot('passcode');
  for (const key of ['1', '2', '3', '4', '5', '6']) await button(key).click();
  await drill.locator('.drill-done', { hasText: 'Bạn đã làm xong phần luyện tập này.' }).waitFor();
  await drill.locator('.drill-feedback', { hasText: 'Xong! Cho bà Mậu xem màn hình.' }).waitFor();
  await drill.locator('.drill-done').scrollIntoViewIfNeeded();
  if (shot) await shot('transfer-done');
}

/** Remembers every sound the page starts playing (its `src`), and the blob behind each object URL
 *  (an offline page cannot fetch a blob: URL back), for the test to compare with the upload. */
export const recordPlays = () => {
  const w = window as unknown as { played: string[]; blobs: Record<string, Blob> };
  w.played = [];
  w.blobs = {};
  const create = URL.createObjectURL;
  URL.createObjectURL = (object: Blob | MediaSource) => {
    const url = create(object);
    if (object instanceof Blob) w.blobs[url] = object;
    return url;
  };
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    w.played.push(this.src);
    return play.call(this);
  };
};

/** The last sound played: its `src` and the bytes behind it. */
export async function lastPlayed(page: Page): Promise<{ src: string; size: number; sha256: string }> {
  await expect.poll(() => page.evaluate(() => (window as unknown as { played: string[] }).played.length)).toBeGreaterThan(0);
  return page.evaluate(async () => {
    const w = window as unknown as { played: string[]; blobs: Record<string, Blob> };
    const src = w.played[w.played.length - 1];
    const blob = w.blobs[src];
    if (!blob) return { src, size: -1, sha256: '' };
    const bytes = await blob.arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { src, size: bytes.byteLength, sha256 };
  });
}
