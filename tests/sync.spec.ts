// Sync (issue: sync): answers saved offline reach the team's server when the phone finds a signal,
// each exactly once, and the status line says so calmly.
import { test, expect } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, listTeams, readMeta, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

test('learn offline, go online: every saved answer reaches the server once', async ({ page, context }) => {
  const { joinCode } = createTeam(server, 'Tổ Bản Phố', 'Bản Phố');

  // Online: a learner, then the phone joins the team through the team's join link.
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/join?code=${encodeURIComponent(joinCode.toLowerCase())}`);
  await expect(page.locator('.code-input')).toHaveValue(joinCode.toLowerCase());
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText('Điện thoại này thuộc tổ Tổ Bản Phố (Bản Phố).')).toBeVisible();
  await expect(page.locator('.sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  await page.goto(server.url + '/topics/data-safety');
  await page.getByRole('button', { name: /Tải về để học không cần mạng/ }).click();
  await expect(page.getByText('Đã tải về: học được cả khi không có mạng')).toBeVisible();

  // Offline: learn three steps. The home screen says they are saved and waiting.
  await context.setOffline(true);
  await page.locator('.lesson-row').first().click();
  await expect(page.getByText(/Bước 1\//)).toBeVisible();
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await expect(page.getByText(/Bước 3\//)).toBeVisible();
  await page.goto(server.url + '/');
  const lastSeq = Number(await readMeta(page, 'last_seq'));
  const syncedBefore = Number(await readMeta(page, 'synced_through') ?? 0);
  expect(lastSeq - syncedBefore).toBeGreaterThanOrEqual(4); // started + three steps viewed
  await expect(page.locator('.sync-status')).toHaveText(`Đã lưu trên điện thoại · ${lastSeq - syncedBefore} mục chờ gửi lên tổ`);
  await page.screenshot({ path: `${screenshotDir}/sync-waiting-360x640.png` });

  // A signal again: the browser's `online` event starts a sync.
  await context.setOffline(false);
  await expect(page.locator('.sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  expect(Number(await readMeta(page, 'synced_through'))).toBe(lastSeq);

  // The server holds every event of this phone, 1..lastSeq with no gap, once each.
  const membership = await readMeta(page, 'membership') as { device_token: string };
  const pull = await fetch(`${server.url}/api/v1/sync/pull`, { headers: { authorization: `Bearer ${membership.device_token}` } });
  expect(pull.status).toBe(200);
  expect((await pull.json()).acked_through_seq).toBe(lastSeq);
  expect(listTeams(server)).toContain(`events: ${lastSeq}`);

  // Syncing again sends nothing new and counts nothing twice.
  await page.goto(server.url + '/settings');
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  expect(listTeams(server)).toContain(`events: ${lastSeq}`);
  await page.screenshot({ path: `${screenshotDir}/sync-settings-360x640.png`, fullPage: true });
});

test('a wrong join code is refused clearly and the phone keeps working alone', async ({ page }) => {
  createTeam(server, 'Tổ A', 'Xã A');
  await page.goto(server.url + '/settings');
  await page.locator('.code-input').fill('AAAA-BBBB');
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByRole('alert')).toHaveText('Mã tham gia không đúng. Hãy hỏi lại tổ công nghệ số.');
  expect(await readMeta(page, 'membership')).toBeNull();
});
