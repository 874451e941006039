// First contact on the village Wi-Fi (issue #11): `http://` on a name that is not localhost is not a
// secure context (no service worker, no crypto.randomUUID, no navigator.storage). Nothing may
// crash: a villager creates a profile, learns, reloads and keeps her answers, and the home screen
// says calmly that offline use needs the team's https address.
import { test, expect } from '@playwright/test';
import { startServer, removeDist, screenshotDir, createProfile, firstLessons, finishLesson, Server } from './helpers';

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A LAN-like name for this machine: what a phone on the commune's Wi-Fi would type.
      '--host-resolver-rules=MAP hocso.lan 127.0.0.1',
    ],
  },
});

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

test('on plain http with a LAN name, a villager creates a profile, learns, reloads and keeps her answers', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  const lan = server.url.replace('127.0.0.1', 'hocso.lan');
  const [{ topic, lesson }] = await firstLessons(server);

  await page.goto(lan + '/');
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
  expect(await page.evaluate(() => typeof (crypto as Crypto & { randomUUID?: unknown }).randomUUID)).toBe('undefined');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.offline-status')).toHaveText('Địa chỉ này không dùng được khi mất mạng. Hãy mở địa chỉ https của tổ.');
  await page.screenshot({ path: `${screenshotDir}/village-wifi-home-360x640.png` });
  // This server was not told its https address: no button to one.
  await expect(page.locator('.https-offer')).toHaveCount(0);

  await page.goto(`${lan}/topics/${topic}`);
  await page.locator('.lesson-row', { hasText: lesson.meta.title }).click();
  await finishLesson(page, lesson);
  await page.reload();
  await page.goto(`${lan}/topics/${topic}`);
  const total = lesson.quiz.length;
  await expect(page.locator('.lesson-row', { hasText: lesson.meta.title })).toContainText(`Đã xong: đúng ${total}/${total}`);

  // Settings (storage facts, the team panel) also open without the secure-context APIs.
  await page.goto(lan + '/settings');
  await expect(page.getByRole('heading', { name: 'Tổ công nghệ số của xã' })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/village-wifi-settings-360x640.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('a server that knows its https address offers it on plain http', async ({ page }) => {
  // `hocso serve --public-url`: e.g. Caddy serves https://hocso.example.test, and a phone typed the
  // laptop's Wi-Fi address instead. The page cannot work offline here, so it offers the address
  // (a button, never a redirect: that name may not be reachable on this Wi-Fi).
  const withAddress = await startServer(undefined, { args: ['--public-url', 'https://hocso.example.test'] });
  try {
    await page.goto(withAddress.url.replace('127.0.0.1', 'hocso.lan') + '/');
    await createProfile(page, 'Mai', 'Con cá');
    const offer = page.getByRole('link', { name: 'Mở địa chỉ an toàn của tổ' });
    await expect(offer).toHaveAttribute('href', 'https://hocso.example.test/');
    await expect(page.locator('.https-address')).toHaveText('https://hocso.example.test/');
    const box = (await offer.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${screenshotDir}/village-wifi-https-offer-360x640.png` });
  } finally {
    await withAddress.stop();
    removeDist(withAddress);
  }
});
