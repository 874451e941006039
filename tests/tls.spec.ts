// A team server over HTTPS (issue #16): with a real certificate the app is a secure context on a
// LAN-like name, so it installs its service worker and works offline; a phone that joined over
// https keeps syncing after the server restarts with the same certificate.
// Chromium trusts the test certificate by its public key (`--ignore-certificate-errors-spki-list`,
// which makes it valid, not merely ignored: service workers and secure-context APIs are on).
import { test, expect, chromium, Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, removeDist, createProfile, createTeam, listTeams, readMeta, screenshotDir, Server } from './helpers';
import config from './playwright.config';

const HOST = 'hocso.test';
let certDir: string;
let spki: string;
let browser: Browser;
let server: Server;

test.beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'hocso-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '2',
    '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`], { stdio: 'ignore' });
  spki = execFileSync('sh', ['-c', `openssl x509 -in "${certDir}/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`], { encoding: 'utf8' }).trim();
  const defaults = config.use!.launchOptions!;
  browser = await chromium.launch({
    executablePath: defaults.executablePath,
    args: [...defaults.args!, `--ignore-certificate-errors-spki-list=${spki}`, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
  });
});
test.afterAll(async () => { await browser.close(); rmSync(certDir, { recursive: true, force: true }); });

const tlsArgs = () => ['--tls-cert', join(certDir, 'cert.pem'), '--tls-key', join(certDir, 'key.pem')];
const httpsUrl = (server: Server) => `https://${HOST}:${new URL(server.url).port}`;
const newPhone = () => browser.newContext({ ...config.use, serviceWorkers: 'allow' } as Parameters<Browser['newContext']>[0]);

test.beforeEach(async () => { server = await startServer(undefined, { args: tlsArgs() }); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

test('over https on a LAN name the app installs, downloads the lessons and works offline after a reload', async () => {
  test.setTimeout(120_000);
  expect(server.url).toMatch(/^https:/);
  const phone = await newPhone();
  const page = await phone.newPage();
  const url = httpsUrl(server);
  await page.goto(url + '/');
  expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.offline-status')).toHaveText('✓ Đã tải xong: học được cả khi không có mạng', { timeout: 60_000 });
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');

  await phone.setOffline(true);
  await page.reload();
  await expect(page.getByText('Chào Mai!')).toBeVisible();
  await page.locator('a.topic-tile').first().click();
  await page.locator('.lesson-row').first().click();
  await expect(page.getByText(/^Bước 1\//)).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/tls-offline-lesson-360x640.png` });
  await phone.close();
});

test('a phone that joined over https keeps syncing after the server restarts with the same certificate', async () => {
  test.setTimeout(120_000);
  const { joinCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  const phone = await newPhone();
  const page = await phone.newPage();
  const url = httpsUrl(server);
  await page.goto(url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await page.goto(`${url}/join?code=${encodeURIComponent(joinCode)}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.locator('.sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  const firstSeq = Number(await readMeta(page, 'last_seq'));
  expect(listTeams(server)).toContain(`events: ${firstSeq}`);

  await page.goto(url + '/');
  await expect(page.locator('.offline-status')).toHaveText('✓ Đã tải xong: học được cả khi không có mạng', { timeout: 60_000 });

  // The commune laptop restarts (same database, port and certificate) while the phone learns.
  const port = new URL(server.url).port;
  await server.stop();
  await page.locator('a.topic-tile').first().click();
  await page.locator('.lesson-row').first().click();
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await expect(page.getByText(/^Bước 2\//)).toBeVisible();
  const dist = server.dist;
  server = await startServer(dist, { database: server.database, args: [...tlsArgs(), '--port', port] });

  // Back on the home screen the phone sends what it saved; the server has every event once.
  await page.goto(url + '/settings');
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  const lastSeq = Number(await readMeta(page, 'last_seq'));
  expect(lastSeq).toBeGreaterThan(firstSeq);
  expect(Number(await readMeta(page, 'synced_through'))).toBe(lastSeq);
  expect(listTeams(server)).toContain(`events: ${lastSeq}`);
  await phone.close();
});
