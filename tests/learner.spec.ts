// The villager's journey (issue: learner experience): offline on a shared phone, two profiles, a
// whole lesson with a wrong answer, then a reload offline: progress and resume point kept per learner.
import { test, expect, Page } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, doVietQrDrill, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

const TOPIC = 'cashless-payment';
const LESSON = 'pay-by-vietqr';

interface PackedQuestion { kind: string; options: { correct: boolean }[] }
interface PackedLesson { meta: { id: string; title: string }; steps: { title: string }[]; quiz: PackedQuestion[] }

/** The published lesson, read from the server like the app does (so the test follows the content). */
async function publishedLesson(id: string): Promise<PackedLesson> {
  const pack = await (await fetch(`${server.url}/content/packs/${TOPIC}.vi.json`)).json();
  return pack.lessons.map((p: { lesson: PackedLesson }) => p.lesson).find((l: PackedLesson) => l.meta.id === id);
}

async function switchTo(page: Page, nickname: string) {
  await page.goto(server.url + '/who');
  await page.getByRole('button', { name: nickname }).click();
  await expect(page.getByText(`Chào ${nickname}!`)).toBeVisible();
}

function lessonRow(page: Page, title: string) {
  return page.locator('.lesson-row', { hasText: title });
}

test('learn a whole lesson offline with two profiles, then reload offline', async ({ page, context }) => {
  const lesson = await publishedLesson(LESSON);
  const shot = (name: string) => page.screenshot({ path: `${screenshotDir}/learner-${name}-360x640.png` });

  // First visit online: the phone asks who is learning; a team member downloads the topic.
  await page.goto(server.url + '/');
  await expect(page).toHaveURL(/\/who$/);
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/topics/${TOPIC}`);
  await page.getByRole('button', { name: /Tải về để học không cần mạng/ }).click();
  await expect(page.getByText('Đã tải về: học được cả khi không có mạng')).toBeVisible();

  // From here on, no network at all.
  await context.setOffline(true);
  await page.goto(server.url + '/who');
  await shot('who-empty');
  await createProfile(page, 'Mai', 'Con cá');
  await shot('home');
  await page.goto(server.url + '/who');
  await createProfile(page, 'Lan', 'Bông hoa');
  await page.goto(server.url + '/who');
  await expect(page.locator('.profile-pick')).toHaveCount(2);
  await shot('who-two');

  await switchTo(page, 'Mai');
  await page.getByRole('link', { name: /Thanh toán không dùng tiền mặt/ }).click();
  await shot('topic');
  await lessonRow(page, lesson.meta.title).click();
  await expect(page.getByText(`Bước 1/${lesson.steps.length}`)).toBeVisible();
  await expect(page.getByRole('heading', { name: lesson.steps[0].title })).toBeVisible();
  await shot('step');
  for (let i = 1; i < lesson.steps.length; i++) {
    await page.getByRole('button', { name: 'Tiếp' }).click();
    await expect(page.getByRole('heading', { name: lesson.steps[i].title })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Làm bài kiểm tra' }).click();

  for (const [index, question] of lesson.quiz.entries()) {
    await expect(page.getByText(`Câu hỏi ${index + 1}/${lesson.quiz.length}`)).toBeVisible();
    const options = page.locator('button.option');
    if (index === 0) {
      // A wrong answer first: feedback with the explanation, then a retry.
      const wrong = question.options.findIndex((o) => !o.correct);
      await options.nth(wrong).click();
      await page.getByRole('button', { name: 'Kiểm tra' }).click();
      await expect(page.getByText('Chưa đúng. Đọc giải thích rồi thử lại nhé.')).toBeVisible();
      await expect(page.locator('.explanation')).toHaveCount(1);
      await shot('quiz-wrong');
      await page.getByRole('button', { name: 'Thử lại' }).click();
    }
    for (const [i, option] of question.options.entries()) {
      if (option.correct) await options.nth(i).click();
    }
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await expect(page.getByText('Đúng rồi!')).toBeVisible();
    if (index === 0) await shot('quiz-right');
    const last = index === lesson.quiz.length - 1;
    await page.getByRole('button', { name: last ? 'Xem kết quả' : 'Tiếp' }).click();
  }
  // The lesson's practice drill was skipped: the app says so kindly and leads back to it.
  await expect(page.getByRole('heading', { name: /Còn phần luyện tập ở bước \d+\. Làm xong phần đó là xong bài nhé\./ })).toBeVisible();
  await shot('drill-left');
  await page.getByRole('button', { name: 'Đến phần luyện tập' }).click();
  await doVietQrDrill(page);
  await page.locator('.drill-ready').getByRole('button', { name: 'Xem kết quả' }).click();
  const total = lesson.quiz.length;
  await expect(page.getByText(`Bạn trả lời đúng ngay lần đầu ${total - 1}/${total} câu.`)).toBeVisible();
  await expect(page.getByRole('link', { name: /Bài tiếp theo/ })).toBeVisible();
  await shot('result');

  // Start the next lesson and stop at its third step: the resume point.
  await page.getByRole('link', { name: /Bài tiếp theo/ }).click();
  await expect(page.getByText(/Bước 1\//)).toBeVisible();
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await expect(page.getByText(/Bước 3\//)).toBeVisible();
  const resumeUrl = page.url();

  // Reload offline: everything is still there for Mai.
  await page.reload();
  await expect(page.getByText(/Bước 3\//)).toBeVisible();
  await page.goto(`${server.url}/topics/${TOPIC}`);
  await expect(lessonRow(page, lesson.meta.title)).toContainText(`Đã xong: đúng ${total - 1}/${total}`);
  await expect(page.locator('.lesson-row.status-in-progress')).toContainText('Đang học: bước 3');
  await shot('topic-progress');

  // Lan's progress is untouched.
  await switchTo(page, 'Lan');
  await page.goto(`${server.url}/topics/${TOPIC}`);
  await expect(lessonRow(page, lesson.meta.title)).toContainText('Chưa học');
  await expect(page.locator('.lesson-row.status-done, .lesson-row.status-in-progress')).toHaveCount(0);

  // Back to Mai, straight into the lesson she left: it opens at step 3.
  await switchTo(page, 'Mai');
  await page.goto(resumeUrl);
  await expect(page.getByText(/Bước 3\//)).toBeVisible();
});

test('removing a profile asks first, says what is lost, and deletes only that learner', async ({ page }) => {
  await page.goto(server.url + '/');
  await expect(page).toHaveURL(/\/who$/);
  await createProfile(page, 'Hoa', 'Con trâu');
  await page.goto(server.url + '/who');
  await createProfile(page, 'Tú', 'Ngôi sao');
  await page.goto(server.url + '/who');
  await page.getByRole('link', { name: 'Sửa hồ sơ của Hoa' }).click();
  await page.getByRole('button', { name: 'Xoá người học này' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('Tất cả tiến độ học của Hoa trên điện thoại này');
  await page.screenshot({ path: `${screenshotDir}/learner-delete-confirm-360x640.png` });
  await page.getByRole('button', { name: 'Thôi, không xoá' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Xoá người học này' }).click();
  await page.getByRole('button', { name: 'Xoá', exact: true }).click();
  await expect(page).toHaveURL(/\/who$/);
  await expect(page.locator('.profile-pick')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Tú' })).toBeVisible();
});

test('a nickname is required and the form says so', async ({ page }) => {
  await page.goto(server.url + '/who/new');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await expect(page.getByRole('alert')).toHaveText('Hãy nhập một tên gọi.');
  await page.screenshot({ path: `${screenshotDir}/learner-new-profile-360x640.png` });
});

test('when the phone refuses storage, the app says so calmly and does not pretend to save', async ({ page }) => {
  // Some private modes and locked-down browsers have no usable IndexedDB.
  await page.addInitScript(() => {
    const refuse = () => { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
    Object.defineProperty(window, 'indexedDB', { value: { open: refuse, deleteDatabase: refuse }, configurable: true });
  });
  await page.goto(server.url + '/who/new');
  await expect(page.getByRole('alert').first()).toContainText('Điện thoại không cho Học Số lưu dữ liệu');
  await page.getByRole('button', { name: 'Con cá' }).click();
  await page.getByLabel('Tên gọi').fill('Mai');
  await page.getByRole('button', { name: 'Lưu' }).click();
  // Nothing was saved, so the form stays, with the reason shown.
  await expect(page).toHaveURL(/\/who\/new$/);
  await expect(page.locator('.store-error')).toContainText('Điện thoại không cho Học Số lưu dữ liệu');
  await page.screenshot({ path: `${screenshotDir}/learner-storage-refused-360x640.png` });
});

test('a backup file moves a learner to another phone, and importing it twice adds nothing', async ({ page, browser }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await page.goto(`${server.url}/lessons/${TOPIC}/${LESSON}`);
  await page.getByRole('button', { name: 'Tiếp' }).click();
  await expect(page.getByText(/Bước 2\//)).toBeVisible();
  await page.goto(server.url + '/settings');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Lưu tiến độ ra tệp' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^hocso-mai-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();

  // "Another phone": a fresh browser context with its own storage.
  const other = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const phone = await other.newPage();
  await phone.goto(server.url + '/settings');
  await phone.locator('input[type=file]').setInputFiles(file);
  await expect(phone.getByRole('status').filter({ hasText: 'Đã thêm' })).toContainText('Đã thêm 3 mục mới');
  await phone.locator('input[type=file]').setInputFiles(file);
  await expect(phone.getByRole('status').filter({ hasText: 'Đã thêm' })).toContainText('Đã thêm 0 mục mới');
  await phone.goto(server.url + '/who');
  await phone.getByRole('button', { name: 'Mai' }).click();
  await phone.goto(`${server.url}/topics/${TOPIC}`);
  await expect(phone.locator('.lesson-row.status-in-progress')).toContainText('Đang học: bước 2');

  // A file that is not a backup changes nothing and says so.
  await phone.goto(server.url + '/settings');
  await phone.locator('input[type=file]').setInputFiles({ name: 'photo.json', mimeType: 'application/json', buffer: Buffer.from('{"name": "photo"}') });
  await expect(phone.locator('.error')).toHaveText('Tệp này không phải tệp sao lưu của Học Số. Không có gì bị thay đổi.');
  await other.close();
});
