// A new build installs in the background and is offered as "Có phiên bản mới — Tải lại".
import { test, expect } from '@playwright/test';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

function shellCaches(page: import('@playwright/test').Page) {
  return page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('hocso-shell-')));
}

test('a newer build is detected, offered, and applied on tap', async ({ page }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.topic-tile')).toHaveCount(3);
  await waitForServiceWorker(page);
  const before = await shellCaches(page);
  expect(before).toHaveLength(1);
  await expect(page.getByText('Có phiên bản mới')).toHaveCount(0);

  // Publish a "new build": the generated worker carries a new version, as `cargo xtask build` does.
  const swPath = join(server.dist, 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  expect(sw).toMatch(/const BUILD = \{"precache":\[.*\],"version":"[0-9a-f]{16}"\};/);
  writeFileSync(swPath, sw.replace(/"version":"([0-9a-f]{16})"/, '"version":"next-$1"'));
  // A real build writes later than the copy the browser has; Last-Modified counts whole seconds.
  const later = new Date(Date.now() + 5_000);
  utimesSync(swPath, later, later);
  // The build's precompressed copies belong to the old worker (a real build writes new ones).
  for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(join(server.dist, copy), { force: true });

  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect(page.getByText('Có phiên bản mới')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/update-banner-360x640.png` });

  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Tải lại' }).click()]);
  await expect(page.locator('.topic-tile')).toHaveCount(3);
  await expect.poll(() => shellCaches(page)).toEqual([expect.stringMatching(/^hocso-shell-next-/)]);
  await expect(page.getByText('Có phiên bản mới')).toHaveCount(0);
});
