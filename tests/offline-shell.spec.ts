// The offline shell (issue: foundation): first visit online, then the app works with no network.
import { test, expect } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

const TILES = '.topic-tile';

/** First visit: the app asks who is learning; a learner is created, then home shows the topics. */
async function firstVisit(page: import('@playwright/test').Page) {
  await page.goto(server.url + '/');
  await expect(page).toHaveURL(/\/who$/);
  await expect(page.getByRole('heading', { name: 'Ai đang học?' })).toBeVisible();
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator(TILES)).toHaveCount(5);
}

test('home screen shows the five topics of the catalogue in Vietnamese', async ({ page }) => {
  await firstVisit(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByText('Dịch vụ công trực tuyến')).toBeVisible();
  await expect(page.getByText('Thanh toán không dùng tiền mặt')).toBeVisible();
  await expect(page.getByText('An toàn thông tin cá nhân')).toBeVisible();
  await expect(page.getByText('Dùng điện thoại thông minh an toàn')).toBeVisible();
  await expect(page.getByText('Bán hàng trên mạng')).toBeVisible();
  // Big thumbs: every tile is at least 48 px tall and fits a 360 px screen.
  for (const box of await page.locator(TILES).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.right).toBeLessThanOrEqual(360);
  }
  await page.screenshot({ path: `${screenshotDir}/home-360x640.png` });
});

test('after the first visit the app reloads offline (context.setOffline)', async ({ page, context }) => {
  await firstVisit(page);
  await waitForServiceWorker(page);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator(TILES)).toHaveCount(5);
  // A deep link opened offline is served by the cached shell too.
  await page.goto(server.url + '/topics/data-safety');
  await expect(page.getByRole('heading', { name: 'An toàn thông tin cá nhân' })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/topic-offline-360x640.png` });
});

test('after the first visit the app reloads with the server stopped', async ({ page }) => {
  await firstVisit(page);
  await waitForServiceWorker(page);

  await server.stop();
  const health = await page.evaluate(async () => { try { await fetch('/healthz', { cache: 'no-store' }); return 'up'; } catch { return 'down'; } });
  expect(health).toBe('down');
  await page.reload();
  await expect(page.locator(TILES)).toHaveCount(5);
  await page.goto(server.url + '/settings');
  await expect(page.getByRole('radio', { name: /Tiếng Việt/ })).toHaveAttribute('aria-checked', 'true');
});

test('the chosen language persists across reloads, offline too', async ({ page, context }) => {
  await firstVisit(page);
  await waitForServiceWorker(page);
  await page.getByRole('link', { name: 'Cài đặt' }).click();
  await page.getByRole('radio', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.screenshot({ path: `${screenshotDir}/settings-360x640.png` });

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.goto(server.url + '/');
  await expect(page.getByText('What would you like to learn today?')).toBeVisible();
  await expect(page.getByText('Hello Mai!')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('a draft ethnic language is marked and falls back to Vietnamese key by key', async ({ page }) => {
  await page.goto(server.url + '/settings');
  const hmong = page.getByRole('radio', { name: /Hmoob/ });
  await expect(hmong).toContainText('bản nháp');
  await hmong.click();
  await expect(page.getByRole('heading', { name: 'Teeb tsa' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'hmn');
  await page.goto(server.url + '/who');
  // hmn.json has no such text yet: the Vietnamese one is shown, never an empty label or a key.
  await expect(page.getByText('Thêm người học')).toBeVisible();
});

test('an unknown path shows a friendly not-found screen with a way home', async ({ page }) => {
  await page.goto(server.url + '/no/such/page');
  await expect(page.getByRole('heading', { name: 'Không tìm thấy trang này' })).toBeVisible();
  await page.getByRole('link', { name: 'Về trang chính' }).click();
  await expect(page).toHaveURL(/\/who$/);
});
