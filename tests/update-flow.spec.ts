// A new build installs in the background and is offered as "Có phiên bản mới — Tải lại".
import { test, expect } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, publishNewBuild, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

function shellCaches(page: import('@playwright/test').Page) {
  return page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('hocso-shell-')));
}

test('a newer build is detected, offered, and applied on tap', async ({ page }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.topic-tile')).toHaveCount(5);
  await waitForServiceWorker(page);
  const before = await shellCaches(page);
  expect(before).toHaveLength(1);
  await expect(page.getByText('Có phiên bản mới')).toHaveCount(0);

  publishNewBuild(server);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect(page.getByText('Có phiên bản mới')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/update-banner-360x640.png` });

  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Tải lại' }).click()]);
  await expect(page.locator('.topic-tile')).toHaveCount(5);
  await expect.poll(() => shellCaches(page)).toEqual([expect.stringMatching(/^hocso-shell-next-/)]);
  await expect(page.getByText('Có phiên bản mới')).toHaveCount(0);
});

test('tapped while the first visit still downloads the lessons, the update applies at once', async ({ page, context }) => {
  // A slow village signal: every picture takes a while, so the background download is still
  // running when the learner taps. Chromium swaps workers only when the old one is idle; the
  // tap must not wait for the whole download (it once waited for minutes).
  let pictures = 0;
  await context.route('**/content/media/**', async (route) => {
    pictures++;
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await expect.poll(() => pictures, { timeout: 20_000 }).toBeGreaterThan(0);
  publishNewBuild(server);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect(page.getByText('Có phiên bản mới')).toBeVisible();
  const before = pictures;
  await Promise.all([page.waitForEvent('load', { timeout: 10_000 }), page.getByRole('button', { name: 'Tải lại' }).click()]);
  await expect.poll(() => shellCaches(page)).toEqual([expect.stringMatching(/^hocso-shell-next-/)]);
  await expect(page.getByText('Có phiên bản mới')).toHaveCount(0);
  expect(before).toBeLessThan(100); // the download was indeed still running at the tap
});
