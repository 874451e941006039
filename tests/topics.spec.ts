// Topics are content (issue #14): a province adds a topic folder and runs `hocso content build`
// on the server; a phone that already has the app shows the new topic on its next visits and keeps
// it for use with no signal — no new app. Also: a reviewed lesson says who checked it.
import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, Server } from './helpers';

let server: Server;
let content: string;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => {
  await server.stop();
  removeDist(server);
  if (content) rmSync(content, { recursive: true, force: true });
});

const TILES = '.topic-tile';
const READY = 'Đã tải xong: học được cả khi không có mạng';

const TOPIC_MD = `---
id: farming
colour: "#558b2f"
order: 6
icon: icon.svg
title: Nông nghiệp số
summary: Xem thời tiết, bán nông sản
title.en: Digital farming
summary.en: Weather, selling produce
---
`;
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="24" fill="#558b2f"/></svg>\n';
const LESSON = `---
id: check-the-weather
topic: farming
title: Xem thời tiết
summary: Xem trời mưa hay nắng trước khi phơi lúa.
minutes: 3
order: 1
status: reviewed
reviewed_by: Tổ công nghệ số xã Ví Dụ
reviewed_on: 2026-11-30
---

## Mở ứng dụng thời tiết
Xem trời ngày mai mưa hay nắng.

## ? Trời sắp mưa thì làm gì?
- [x] Cất lúa vào nhà
  > Đúng.
- [ ] Mang lúa ra phơi
  > Chưa nên.
`;

/** The shipped content plus a new topic folder, built by the real `hocso content build` into the
 *  served dist/ — what a province does on its server. */
function publishNewTopic() {
  content = mkdtempSync(join(tmpdir(), 'hocso-content-'));
  cpSync(resolve(__dirname, '../content'), content, { recursive: true });
  mkdirSync(join(content, 'farming/media'), { recursive: true });
  mkdirSync(join(content, 'farming/check-the-weather'), { recursive: true });
  writeFileSync(join(content, 'farming/topic.md'), TOPIC_MD);
  writeFileSync(join(content, 'farming/media/icon.svg'), ICON);
  writeFileSync(join(content, 'farming/check-the-weather/vi.md'), LESSON);
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  const out = execFileSync(bin, ['content', 'build', content, '--out', join(server.dist, 'content')], { encoding: 'utf8' });
  expect(out).toContain('built 27 lessons');
}

async function firstVisit(page: Page) {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator(TILES)).toHaveCount(5);
  await waitForServiceWorker(page);
  await expect(page.getByText(READY)).toBeVisible({ timeout: 30_000 });
}

/** Every topic picture on the page has loaded (not a broken image). */
async function picturesLoaded(page: Page) {
  return page.locator(`${TILES} img.topic-picture`).evaluateAll((imgs) =>
    imgs.length > 0 && imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
}

test('a topic published with `hocso content build` appears on a phone and works offline, with no new app', async ({ page, context }) => {
  await firstVisit(page);
  await page.screenshot({ path: `${screenshotDir}/topics-home-360x640.png`, fullPage: true });

  publishNewTopic();
  // The catalogue is answered from the phone's copy at once and refreshed behind: the next visit shows the new topic.
  await expect.poll(async () => {
    await page.reload();
    await page.locator(TILES).first().waitFor();
    return page.locator(TILES).count();
  }, { timeout: 30_000 }).toBe(6);
  const tile = page.locator(TILES).last();
  await expect(tile).toContainText('Nông nghiệp số');
  await expect(tile).toContainText('Xem thời tiết, bán nông sản');
  await expect(tile).toHaveAttribute('style', /--topic-colour: #558b2f/);
  await expect(tile.locator('img.topic-picture')).toHaveAttribute('src', /^\/content\/media\/farming\/icon\.svg\?v=[0-9a-f]{12}$/);
  // The new catalogue is kept for offline use (the line says so again once it is).
  await expect(page.getByText(READY)).toBeVisible({ timeout: 30_000 });

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator(TILES)).toHaveCount(6);
  await expect.poll(() => picturesLoaded(page)).toBe(true);
  await page.screenshot({ path: `${screenshotDir}/topics-new-topic-offline-360x640.png`, fullPage: true });

  await page.locator(TILES).last().click();
  await expect(page.getByRole('heading', { name: 'Nông nghiệp số' })).toBeVisible();
  await page.getByRole('link', { name: /Xem thời tiết/ }).click();
  await expect(page.getByRole('heading', { name: 'Mở ứng dụng thời tiết' })).toBeVisible();
  await expect(page.getByText('Đã được kiểm tra bởi Tổ công nghệ số xã Ví Dụ (ngày 30/11/2026)')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/topics-reviewed-lesson-offline-360x640.png` });
});

test('the two new topics show their lessons in Vietnamese and English', async ({ page }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  for (const [id, title, lessons] of [
    ['smartphone-safety', 'Dùng điện thoại thông minh an toàn', 5],
    ['selling-online', 'Bán hàng trên mạng', 5],
  ] as const) {
    await page.locator(`a[href="/topics/${id}"]`).click();
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
    await expect(page.locator('.lesson-row')).toHaveCount(lessons);
    // Every lesson of the new topics is a draft until a reviewer signs it.
    await page.locator('.lesson-row').first().click();
    await expect(page.getByText('Bản nháp: bài này chưa được kiểm tra.')).toBeVisible();
    await expect(page.locator('.badge-line.reviewed')).toHaveCount(0);
    await page.screenshot({ path: `${screenshotDir}/topics-${id}-lesson-360x640.png` });
    await page.goto(server.url + `/topics/${id}`);
    await page.screenshot({ path: `${screenshotDir}/topics-${id}-360x640.png`, fullPage: true });
    await page.goto(server.url + '/');
  }
  await page.goto(server.url + '/settings');
  await page.getByRole('radio', { name: 'English' }).click();
  await page.goto(server.url + '/');
  await expect(page.getByText('Using a smartphone safely')).toBeVisible();
  await expect(page.getByText('Selling online')).toBeVisible();
  await page.goto(server.url + '/topics/selling-online');
  await expect(page.getByText('Getting paid, and checking it in your own banking app')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/topics-selling-online-en-360x640.png`, fullPage: true });
});
