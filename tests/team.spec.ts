// Team mode (issue: community team mode): offline, a leader runs a session with three attendees and
// a group quiz; online again, the dashboard shows it and the CSV holds it.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, createAdminToken, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

const LESSON_TITLE = 'Trả tiền bằng cách quét mã VietQR';

test('run a session offline, then see it on the dashboard and in the CSV', async ({ page, context }) => {
  const { leaderCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  const shot = (name: string) => page.screenshot({ path: `${screenshotDir}/team-${name}-360x640.png` });

  // Online: the leader's phone joins with the leader code and downloads the topic to present.
  await page.goto(server.url + '/');
  await createProfile(page, 'Hùng', 'Con trâu');
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/join?code=${leaderCode}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText('Bạn là trưởng tổ.')).toBeVisible();
  // The team tools (a second app under /team/) are stored for the offline session.
  await expect(page.getByText('Công cụ của tổ đã sẵn sàng, dùng được cả khi không có mạng.')).toBeVisible();
  await page.goto(server.url + '/topics/cashless-payment');
  await page.getByRole('button', { name: /Tải về để học không cần mạng/ }).click();
  await expect(page.getByText('Đã tải về: học được cả khi không có mạng')).toBeVisible();

  // Offline, in the cultural house.
  await context.setOffline(true);
  await page.goto(server.url + '/');
  await page.getByRole('link', { name: 'Chạy buổi học của tổ' }).click();
  await page.getByRole('link', { name: 'Buổi học mới' }).click();
  await page.getByRole('button', { name: 'Bắt đầu buổi học' }).click();
  await expect(page.getByRole('alert')).toHaveText('Hãy nhập địa điểm và thôn, bản.');
  await page.getByLabel('Địa điểm').fill('Nhà văn hoá thôn Tả Van Dao');
  await page.getByLabel('Thôn, bản').fill('Tả Van Dao');
  await page.getByRole('checkbox', { name: LESSON_TITLE }).check();
  await page.getByRole('button', { name: 'Bắt đầu buổi học' }).click();
  await expect(page.getByRole('heading', { name: /Nhà văn hoá thôn Tả Van Dao/ })).toBeVisible();

  for (const [name, gender] of [['Chị Mẩy', 'Nữ'], ['Anh Sử', 'Nam'], ['Bà Lù', '']]) {
    await page.getByLabel('Tên gọi của người dự').fill(name);
    if (gender) await page.getByRole('button', { name: gender, exact: true }).click();
    await page.getByRole('button', { name: 'Thêm người dự' }).click();
    await expect(page.locator('.attendee-name', { hasText: name })).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: 'Người dự (3)' })).toBeVisible();
  // The same person (same nickname and village) is recognised, not counted twice.
  await page.getByLabel('Tên gọi của người dự').fill('chị mẩy');
  await page.getByRole('button', { name: 'Thêm người dự' }).click();
  await expect(page.getByRole('alert')).toHaveText('Người này đã có trong danh sách buổi học.');
  await expect(page.getByRole('heading', { name: 'Người dự (3)' })).toBeVisible();
  await page.getByLabel('Tên gọi của người dự').fill('');
  await shot('summary');

  // Present the lesson and run the first group question: 1 hand on a wrong option, 5 on the right one.
  await page.getByRole('link', { name: 'Trình chiếu' }).click();
  await expect(page.locator('.present-title')).toBeVisible();
  await shot('present');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${screenshotDir}/team-present-1280x800.png` });
  await page.setViewportSize({ width: 360, height: 640 });
  while (!(await page.getByText(/Câu hỏi chung 1\//).isVisible())) {
    await page.getByRole('button', { name: 'Tiếp' }).click();
  }
  const options = page.locator('.group-option');
  const count = await options.count();
  let rightIndex = -1;
  const pack = JSON.parse(readFileSync(`${server.dist}/content/packs/cashless-payment.vi.json`, 'utf8'));
  const lesson = pack.lessons.find((p: { lesson: { meta: { id: string } } }) => p.lesson.meta.id === 'pay-by-vietqr').lesson;
  rightIndex = lesson.quiz[0].options.findIndex((o: { correct: boolean }) => o.correct);
  const wrongIndex = rightIndex === 0 ? 1 : 0;
  expect(count).toBe(lesson.quiz[0].options.length);
  await options.nth(wrongIndex).getByRole('button', { name: 'Thêm một' }).click();
  for (let i = 0; i < 5; i++) await options.nth(rightIndex).getByRole('button', { name: 'Thêm một' }).click();
  await page.getByRole('button', { name: 'Lưu và xem đáp án' }).click();
  await expect(page.getByText('Đã lưu. Đáp án đúng được tô xanh.')).toBeVisible();
  await expect(options.nth(rightIndex)).toHaveClass(/right/);
  await shot('group-quiz');
  await page.getByRole('link', { name: 'Thoát trình chiếu' }).click();
  await expect(page.getByText(`${LESSON_TITLE}, câu 1: 5/6 người giơ tay đúng`)).toBeVisible();

  await page.getByRole('button', { name: 'Kết thúc buổi học' }).click();
  await page.getByRole('button', { name: 'Kết thúc', exact: true }).click();
  await expect(page.getByText(/đã kết thúc/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Thêm người dự' })).toHaveCount(0);

  // Back online: the session syncs, and the dashboard shows it.
  await context.setOffline(false);
  await page.goto(server.url + '/settings');
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  await page.goto(server.url + '/team/dashboard');
  const card = (label: string) => page.locator('.card', { hasText: label }).locator('.card-number');
  await expect(card('buổi học')).toHaveText('1');
  await expect(card('lượt người dự')).toHaveText('3');
  await expect(page.locator('.data-table', { hasText: 'Tả Van Dao' })).toBeVisible();
  await shot('dashboard');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${screenshotDir}/team-dashboard-1280x800.png`, fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải bảng buổi học (CSV)' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain('Nhà văn hoá thôn Tả Van Dao');
  const row = csv.split(/\r?\n/).find((line) => line.includes('Tả Van Dao'))!;
  expect(row).toMatch(/,3,1,1,0,1,/); // 3 attendees: 1 female, 1 male, 0 other, 1 unknown

  // The province office compares teams with its admin token; a wrong token is refused.
  createTeam(server, 'Tổ Bản Hồ', 'Bản Hồ');
  const admin = createAdminToken(server, 'Sở GD&ĐT Lào Cai');
  await page.setViewportSize({ width: 360, height: 640 });
  await page.goto(server.url + '/province');
  await page.getByLabel('Mã quản trị').fill('hsa_wrong');
  await page.getByRole('button', { name: 'Xem số liệu' }).click();
  await expect(page.getByRole('alert')).toHaveText('Mã quản trị không đúng hoặc đã bị thu hồi.');
  await page.getByLabel('Mã quản trị').fill(admin);
  await page.getByRole('button', { name: 'Xem số liệu' }).click();
  const teamRow = page.locator('tr', { hasText: 'Tổ Tả Van (Tả Van)' });
  await expect(teamRow).toContainText('3');
  await expect(page.locator('tr', { hasText: 'Tổ Bản Hồ (Bản Hồ)' })).toBeVisible();
  await expect(page.locator('tr.totals')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/province-360x640.png`, fullPage: true });
});

test('a phone joined with the member code cannot run sessions', async ({ page }) => {
  const { joinCode } = createTeam(server, 'Tổ B', 'Xã B');
  await page.goto(server.url + '/');
  await createProfile(page, 'Lan', 'Bông hoa');
  await page.goto(`${server.url}/join?code=${joinCode}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText('Điện thoại này thuộc tổ Tổ B (Xã B).')).toBeVisible();
  await page.goto(server.url + '/');
  await expect(page.getByRole('link', { name: 'Chạy buổi học của tổ' })).toHaveCount(0);
  await page.goto(server.url + '/team');
  await expect(page.getByText('Phần này dành cho điện thoại đã tham gia tổ bằng mã của trưởng tổ.')).toBeVisible();
});
