// Sync integrity on a shared phone (issue #12): a deleted learner is forgotten everywhere without
// stopping the others' sync, and a phone removed from the team finds its way back with a new code.
import { test, expect, Page } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, readMeta, query, hocso, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

async function switchTo(page: Page, nickname: string) {
  await page.goto(server.url + '/who');
  await page.getByRole('button', { name: nickname, exact: true }).click();
  await expect(page.getByText(`Chào ${nickname}!`)).toBeVisible();
}

/** Opens the first lesson of a topic (where this learner left it) and reads `steps` more steps. */
async function learn(page: Page, topic: string, steps: number) {
  await page.goto(`${server.url}/topics/${topic}`);
  await page.locator('.lesson-row').first().click();
  const counter = page.getByText(/^Bước \d+\//);
  await expect(counter).toBeVisible();
  const start = Number((await counter.textContent())!.match(/\d+/)![0]);
  for (let i = 1; i <= steps; i++) {
    await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
    await expect(page.getByText(new RegExp(`^Bước ${start + i}/`))).toBeVisible();
  }
}

async function joinTeam(page: Page, code: string) {
  await page.goto(server.url + '/settings');
  await page.locator('.code-input').first().fill(code);
  await page.getByRole('button', { name: 'Tham gia tổ' }).first().click();
}

test('three learners on one phone, one deleted offline: the team gets exactly the other two', async ({ page, context }) => {
  const { joinCode } = createTeam(server, 'Tổ Bản Phố', 'Bản Phố');
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await expect(page.locator('.offline-status')).toHaveText(/Đã tải xong/, { timeout: 60_000 });
  for (const [nickname, picture] of [['Lan', 'Bông hoa'], ['Hoa', 'Con trâu']]) {
    await page.goto(server.url + '/who');
    await createProfile(page, nickname, picture);
  }

  // At home, no signal: everyone learns, then Lan moves away and her profile is deleted.
  await context.setOffline(true);
  for (const [nickname, topic, steps] of [['Mai', 'public-services', 2], ['Lan', 'cashless-payment', 3], ['Hoa', 'data-safety', 1]] as const) {
    await switchTo(page, nickname);
    await learn(page, topic, steps);
  }
  const lanId = await page.evaluate(() => new Promise<string>((resolve, reject) => {
    const open = indexedDB.open('hocso');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('profiles').objectStore('profiles').getAll();
      all.onsuccess = () => { resolve(all.result.find((r: { profile: { nickname: string } }) => r.profile.nickname === 'Lan').profile.id); open.result.close(); };
    };
  }));
  await page.goto(server.url + '/who');
  await page.getByRole('link', { name: 'Sửa hồ sơ của Lan' }).click();
  await page.getByRole('button', { name: 'Xoá người học này' }).click();
  await page.getByRole('button', { name: 'Xoá', exact: true }).click();
  await expect(page.locator('.profile-pick')).toHaveCount(2);
  await switchTo(page, 'Mai');
  await learn(page, 'public-services', 1);

  // Back at the commune centre: the phone joins the team and sends everything.
  await context.setOffline(false);
  await joinTeam(page, joinCode);
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong', { timeout: 30_000 });
  await page.screenshot({ path: `${screenshotDir}/sync-after-delete-360x640.png`, fullPage: true });

  const lastSeq = Number(await readMeta(page, 'last_seq'));
  expect(Number(await readMeta(page, 'synced_through'))).toBe(lastSeq);
  // The server holds every number of this phone once; Lan's are content-free placeholders.
  const rows = query(server, 'SELECT learner_id, kind, COUNT(*) FROM events GROUP BY learner_id, kind = \'{"type":"erased"}\'');
  const total = rows.reduce((sum, row) => sum + Number(row[2]), 0);
  expect(total).toBe(lastSeq);
  const learners = rows.filter((row) => row[0] !== '').map((row) => row[0]);
  const erased = rows.filter((row) => row[0] === '');
  expect(new Set(learners).size).toBe(2);
  expect(erased.length).toBe(1);
  expect(Number(erased[0][2])).toBeGreaterThanOrEqual(4); // Lan: the lesson started, three steps
  expect(learners).not.toContain(lanId);
  const profiles = query(server, 'SELECT id, nickname, avatar, deleted FROM profiles ORDER BY nickname');
  expect(profiles.map((p) => [p[1], p[3]])).toEqual([['', 1], ['Hoa', 0], ['Mai', 0]]);
  expect(profiles[0][0]).toBe(lanId);
  expect(profiles[0][2]).toBe('');
});

test('a phone removed from the team joins again with a new code, and its progress arrives', async ({ page }) => {
  const team = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await joinTeam(page, team.joinCode);
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong', { timeout: 30_000 });
  const before = await readMeta(page, 'membership') as { device_id: string; team: { id: string } };

  // The leader removes this phone (thought lost) and gives the team new codes.
  hocso(server, 'device', 'revoke', '--device', before.device_id);
  const rotated = hocso(server, 'team', 'rotate-codes', '--team', before.team.id);
  const newCode = rotated.match(/join code:\s+(\S+)/)![1];

  await learn(page, 'data-safety', 2);
  await page.goto(server.url + '/settings');
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await expect(page.locator('.settings-section .sync-status')).toContainText('điện thoại này đã bị đưa ra khỏi tổ');
  // The way back is open on the screen: join again with the new code.
  await expect(page.locator('details.join-again')).toHaveAttribute('open', '');
  await page.screenshot({ path: `${screenshotDir}/sync-revoked-360x640.png`, fullPage: true });
  await page.locator('details.join-again .code-input').fill(newCode);
  await page.locator('details.join-again').getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong', { timeout: 30_000 });

  const after = await readMeta(page, 'membership') as { device_id: string };
  expect(after.device_id).toBe(before.device_id);
  const lastSeq = Number(await readMeta(page, 'last_seq'));
  expect(query(server, `SELECT COUNT(*), MAX(seq) FROM events WHERE device_id = '${before.device_id}'`)).toEqual([[lastSeq, lastSeq]]);
});
