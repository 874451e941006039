// The team tools are a second app under /team/: a villager's first visit does not download them,
// a team leader's phone keeps them offline (across app updates), and a phone without them says why.
import { test, expect, Page } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, publishNewBuild, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

const READY = 'Công cụ của tổ đã sẵn sàng, dùng được cả khi không có mạng.';

function cacheNames(page: Page) {
  return page.evaluate(async () => (await caches.keys()).sort());
}

test("a villager's first visit does not download the team tools", async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await expect(page.locator('.topic-tile')).toHaveCount(5);
  // The service worker's own downloads do not show as page requests: check what it stored too.
  expect(requested.some((path) => path.startsWith('/team'))).toBe(false);
  expect((await cacheNames(page)).filter((name) => name.startsWith('hocso-team-'))).toEqual([]);
  await expect(page.getByRole('link', { name: 'Chạy buổi học của tổ' })).toHaveCount(0);
});

test('offline, a phone without the team tools explains that they need a network once', async ({ page, context }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.goto(server.url + '/team/sessions/new');
  await expect(page.getByText('Công cụ của tổ chưa có trên máy này.', { exact: false })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Mở công cụ của tổ' })).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/team-tools-missing-360x640.png` });
  await page.getByRole('link', { name: 'Về trang chính' }).click();
  await expect(page.locator('.topic-tile')).toHaveCount(5);
});

test("a leader's phone keeps the team tools offline, also after an app update", async ({ page, context }) => {
  const { leaderCode } = createTeam(server, 'Tổ Bản Hồ', 'Bản Hồ');
  await page.goto(server.url + '/');
  await createProfile(page, 'Hùng', 'Con trâu');
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/join?code=${leaderCode}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText(READY)).toBeVisible();
  const before = (await cacheNames(page)).filter((name) => name.startsWith('hocso-team-'));
  expect(before).toHaveLength(1);

  // A new build: the new worker also stores the new team tools before it is offered.
  publishNewBuild(server);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect(page.getByText('Có phiên bản mới')).toBeVisible();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Tải lại' }).click()]);
  await expect.poll(async () => (await cacheNames(page)).filter((name) => name.startsWith('hocso-team-')))
    .toEqual([expect.stringMatching(/^hocso-team-next-/)]);

  // The hard way: the server is gone, the leader opens the team tools from the home screen.
  await server.stop();
  await context.setOffline(true);
  await page.goto(server.url + '/');
  await page.getByRole('link', { name: 'Chạy buổi học của tổ' }).click();
  await expect(page.getByRole('link', { name: 'Buổi học mới' })).toBeVisible();
  await page.getByRole('link', { name: 'Buổi học mới' }).click();
  await expect(page.getByRole('button', { name: 'Bắt đầu buổi học' })).toBeVisible();
  // Back to the learner screens, still offline.
  await page.goto(server.url + '/settings');
  await expect(page.getByText(READY)).toBeVisible();
  await page.getByText(READY).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screenshotDir}/team-tools-ready-360x640.png` });
});
