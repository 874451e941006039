// First contact (issue #11): a villager's first visit that opens no topic is enough to learn every
// topic with no signal; the home screen says when the phone is ready.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, removeDist, screenshotDir, createProfile, firstLessons, finishLesson, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

test('a first visit that opens no topic is enough to finish a lesson of every topic offline', async ({ page, context }) => {
  test.setTimeout(120_000);
  const lessons = await firstLessons(server);
  expect(lessons.length).toBeGreaterThanOrEqual(3);

  // At the commune centre: open the app, make a profile, look at the home screen. Nothing else.
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  const status = page.locator('.offline-status');
  await expect(status).toHaveText('✓ Đã tải xong: học được cả khi không có mạng', { timeout: 60_000 });
  await page.screenshot({ path: `${screenshotDir}/first-contact-ready-360x640.png` });

  // At home, no signal at all: a lesson of every topic opens and can be finished.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Chào Mai!')).toBeVisible();
  for (const { topic, lesson } of lessons) {
    await page.goto(`${server.url}/topics/${topic}`);
    await page.locator('.lesson-row', { hasText: lesson.meta.title }).click();
    await finishLesson(page, lesson);
    await page.screenshot({ path: `${screenshotDir}/first-contact-offline-${topic}-360x640.png` });
  }
  await page.goto(server.url + '/');
  await expect(status).toHaveText('✓ Đã tải xong: học được cả khi không có mạng');
  for (const { topic } of lessons) {
    await expect(page.locator(`a.topic-tile[href="/topics/${topic}"] .topic-progress`)).toHaveText(/^Đã học xong 1\/\d+ bài$/);
  }
});

test('when the lessons cannot be fetched, the home screen says what is still missing, then catches up', async ({ page, context }) => {
  // The server has no lesson packs for a while (as if the signal dropped before they arrived).
  const packs = join(server.dist, 'content/packs');
  renameSync(packs, packs + '-away');
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.offline-status')).toHaveText(/^Còn \d chủ đề chưa tải\. Khi có mạng, hãy mở Học Số một lần nữa\.$/, { timeout: 60_000 });
  await page.screenshot({ path: `${screenshotDir}/first-contact-missing-360x640.png` });
  // The signal comes back: the download runs again by itself.
  renameSync(packs + '-away', packs);
  await context.setOffline(true);
  await context.setOffline(false);
  await expect(page.locator('.offline-status')).toHaveText('✓ Đã tải xong: học được cả khi không có mạng', { timeout: 60_000 });
});

test('lessons published while a phone is away: one online visit later it still learns them offline', async ({ page, context }) => {
  test.setTimeout(120_000);
  const [{ topic, lesson }] = await firstLessons(server);
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await expect(page.locator('.offline-status')).toHaveText('✓ Đã tải xong: học được cả khi không có mạng', { timeout: 60_000 });

  // The province publishes a changed lesson (`hocso content build`, no app update).
  const source = mkdtempSync(join(tmpdir(), 'hocso-content-'));
  cpSync(resolve(__dirname, '../content'), source, { recursive: true });
  const vi = join(source, topic, lesson.meta.id, 'vi.md');
  writeFileSync(vi, readFileSync(vi, 'utf8').replace(/^title: (.*)$/m, 'title: $1 (bản mới)'));
  const bin = process.env.HOCSO_BIN || resolve(__dirname, '../target/release/hocso');
  execFileSync(bin, ['content', 'build', source, '--out', join(server.dist, 'content')]);
  rmSync(source, { recursive: true, force: true });

  // The villager opens the app once more with a signal: the worker answers with the catalogue it
  // has and stores the new one behind it, then she leaves before anything else downloads.
  await page.reload();
  await expect(page.getByText('Chào Mai!')).toBeVisible();
  await expect.poll(() => page.evaluate(async () => {
    const stored = await caches.match('/content/catalogue.json', { ignoreSearch: true });
    return stored ? (await stored.text()).includes('(bản mới)') : false;
  }), { timeout: 20_000 }).toBe(true);

  // At home with no signal: the lesson she had still opens and can be finished.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Chào Mai!')).toBeVisible();
  await page.goto(`${server.url}/topics/${topic}`);
  await page.locator('.lesson-row', { hasText: lesson.meta.title }).click();
  await finishLesson(page, lesson);
  await page.screenshot({ path: `${screenshotDir}/first-contact-offline-after-publish-360x640.png` });
});
