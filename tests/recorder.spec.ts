// The team's recorder (issue #15, team tools: /team/record and /team/recordings) with Chromium's fake
// microphone: a leader records two steps with no network, reloads (the takes are still there and
// play), sends them when online (an answer lost on the way is sent again and stored once), and
// approves one; a member's phone records and sends one but cannot approve (the server says 403 too);
// on a plain-http village name the recorder says it needs the https address, and nothing breaks.
import { test, expect, Page, BrowserContext } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, readMeta, query, recordPlays, lastPlayed, Server } from './helpers';

const LESSON = 'pay-by-vietqr';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // A fake microphone (a beep), allowed without asking.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  // A village Wi-Fi name on plain http (not a secure context, unlike 127.0.0.1).
  '--host-resolver-rules=MAP hocso.lan 127.0.0.1',
];
test.use({ launchOptions: { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS } });

let server: Server;
test.afterEach(async () => {
  await server?.stop();
  if (server) removeDist(server);
});

const shot = (page: Page, name: string) => page.screenshot({ path: `${screenshotDir}/recorder-${name}-360x640.png` });

/** Joins the team from the learner app (which stores the team tools on a leader's phone). */
async function join(page: Page, code: string, nickname: string, leader: boolean) {
  await page.goto(server.url + '/');
  await createProfile(page, nickname, 'Con trâu');
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/join?code=${code}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  if (leader) await expect(page.getByText('Công cụ của tổ đã sẵn sàng, dùng được cả khi không có mạng.')).toBeVisible();
  else await expect(page.getByText('Điện thoại này thuộc tổ', { exact: false })).toBeVisible();
}

/** From the team tools' home to the recorder, with the lesson and a language chosen. */
async function openRecorder(page: Page, language: string) {
  await page.goto(server.url + '/team');
  await page.getByRole('link', { name: 'Ghi âm bài học' }).click();
  await expect(page.getByRole('heading', { name: 'Ghi âm bài học', level: 1 })).toBeVisible();
  await page.getByLabel('Bài học').selectOption(LESSON);
  await page.getByLabel('Tiếng đọc').selectOption(language);
  await expect(page.locator('.record-part[data-part="0"]')).toBeVisible();
}

const part = (page: Page, key: string) => page.locator(`.record-part[data-part="${key}"]`);

/** Records about two seconds of the part, listens, and saves it. */
async function recordPart(page: Page, key: string, shotWhileRecording?: string) {
  const card = part(page, key);
  await card.getByRole('button', { name: 'Ghi âm', exact: true }).click();
  await expect(card.locator('.record-counter')).toContainText('Đang ghi: 2 / 60 giây');
  if (shotWhileRecording) {
    await card.scrollIntoViewIfNeeded();
    await shot(page, shotWhileRecording);
  }
  await card.getByRole('button', { name: 'Dừng', exact: true }).click();
  await expect(card.getByText('Bản vừa ghi:', { exact: false })).toBeVisible();
  await card.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(card.locator('.take-meta')).toContainText('Đã lưu trên máy');
}

/** The size of the part's take as kept in IndexedDB (`takes`), and whether its <audio> has loaded the
 *  sound from its object URL (so Listen plays it, with no network). */
async function takeOnPhone(page: Page, key: string) {
  const size = await page.evaluate((step) => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('hocso');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('takes').objectStore('takes').getAll();
      all.onsuccess = () => {
        const take = all.result.find((t: { step: string }) => t.step === step);
        resolve(take ? take.blob.size : -1);
        open.result.close();
      };
      all.onerror = () => reject(all.error);
    };
  }), key);
  const audio = part(page, key).locator('audio');
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.src.startsWith('blob:') && a.readyState >= 1)).toBe(true);
  return size;
}

function stored() {
  return query(server, 'SELECT id, step, locale, approved_at IS NOT NULL FROM recordings ORDER BY step, locale') as [string, string, string, number][];
}

test.describe('with a fake microphone', () => {
  test('a leader records two steps offline, they survive a reload, are sent once each online, and one is approved; another phone of the team plays it offline', async ({ page, context, browser }) => {
    server = await startServer();
    const { leaderCode, joinCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await join(page, leaderCode, 'Hùng', true);
    await openRecorder(page, 'vi');
    await expect(page.getByText('Mỗi phần ghi tối đa 60 giây và nặng tối đa 600 kB.', { exact: false })).toBeVisible();
    await shot(page, 'idle');

    // In the village: no network.
    await context.setOffline(true);
    await recordPart(page, '0', 'recording');
    await recordPart(page, '1');
    await expect(part(page, '0').locator('.take-state')).toHaveText('Chưa gửi lên tổ');
    await expect(page.locator('.send-count')).toHaveText('Còn 2 bản ghi chưa gửi lên tổ.');
    await expect(page.getByText('Chưa gửi được vì chưa có mạng.', { exact: false })).toBeVisible();
    await part(page, '1').scrollIntoViewIfNeeded();
    await shot(page, 'saved');

    // A reload with no network: both takes are still there, and play.
    await page.reload();
    for (const key of ['0', '1']) {
      await expect(part(page, key).locator('.take-state')).toHaveText('Chưa gửi lên tổ');
      expect(await takeOnPhone(page, key)).toBeGreaterThan(1000);
    }
    await part(page, '0').getByRole('button', { name: '▶ Nghe lại' }).click();
    await expect(part(page, '0').getByRole('button', { name: '❚❚ Dừng nghe' })).toBeVisible();
    expect(stored()).toEqual([]);

    // Online again; the answer to the first upload is lost on the way (the server stored it).
    let lost = '';
    let intercepted = false;
    await page.route((url) => url.pathname.startsWith('/api/v1/recordings/'), async (route) => {
      if (route.request().method() === 'PUT' && !intercepted) {
        intercepted = true;
        const id = new URL(route.request().url()).pathname.split('/').pop()!;
        const answer = await route.fetch();
        expect(answer.status()).toBe(201);
        lost = id;
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await context.setOffline(false);
    await expect.poll(() => lost).not.toBe('');
    await expect(page.getByText('Chưa gửi được vì chưa có mạng.', { exact: false })).toBeVisible();
    expect(stored().map((r) => r[0])).toEqual([lost]);
    // "Send to the team": the same id and bytes again, then the other take.
    await page.getByRole('button', { name: 'Gửi lên tổ' }).click();
    await expect(page.getByText('Đã gửi 2 bản ghi lên tổ.')).toBeVisible();
    await expect(page.locator('.send-count')).toHaveText('Mọi bản ghi trên máy này đã gửi lên tổ.');
    for (const key of ['0', '1']) await expect(part(page, key).locator('.take-state')).toHaveText('✓ Đã gửi lên tổ');
    const rows = stored();
    expect(rows.map((r) => [r[1], r[2]])).toEqual([['0', 'vi'], ['1', 'vi']]);
    expect(rows.filter((r) => r[0] === lost)).toHaveLength(1);

    // The team's voices: the leader listens and approves step 1's.
    await page.goto(server.url + '/team');
    await page.getByRole('link', { name: 'Giọng đọc của tổ' }).click();
    const first = page.locator('.voice').first();
    await expect(page.locator('.voice')).toHaveCount(2);
    await first.getByRole('button', { name: '▶ Nghe lại' }).click();
    await expect.poll(() => first.locator('audio').evaluate((a: HTMLAudioElement) => a.src)).toMatch(/^blob:/);
    await first.getByRole('button', { name: 'Duyệt' }).click();
    await expect(first.getByText('✓ Đã duyệt')).toBeVisible();
    await expect(first.getByRole('button', { name: 'Duyệt' })).toHaveCount(0);
    await expect(page.locator('.voice').nth(1).getByRole('button', { name: 'Duyệt' })).toBeVisible();
    expect(stored().map((r) => [r[1], r[3]])).toEqual([['0', 1], ['1', 0]]);
    await shot(page, 'list-leader');
    await page.screenshot({ path: `${screenshotDir}/recorder-list-leader-full.png`, fullPage: true });
    expect(errors).toEqual([]);

    // A villager's phone of the same team: the next sync lists the approved voice, "download this
    // topic" brings it, and offline the reader plays exactly the bytes the leader recorded.
    const [[approvedSha]] = query(server, 'SELECT sha256 FROM recordings WHERE approved_at IS NOT NULL') as [string][];
    const villager = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    await villager.addInitScript(recordPlays);
    const phone = await villager.newPage();
    await phone.goto(server.url + '/');
    await createProfile(phone, 'Mai', 'Con cá');
    await waitForServiceWorker(phone);
    await phone.goto(`${server.url}/join?code=${joinCode}`);
    await phone.getByRole('button', { name: 'Tham gia tổ' }).click();
    await expect(phone.getByText('Điện thoại này thuộc tổ Tổ Tả Van (Tả Van).')).toBeVisible();
    await expect.poll(async () => String(await readMeta(phone, 'team_voices') ?? '')).toContain(approvedSha);
    await phone.goto(server.url + '/topics/cashless-payment');
    await phone.getByRole('button', { name: /Tải về để học không cần mạng/ }).click();
    await expect(phone.getByText('Đã tải về: học được cả khi không có mạng')).toBeVisible();
    await villager.setOffline(true);
    await phone.goto(`${server.url}/lessons/cashless-payment/${LESSON}`);
    await expect(phone.locator('.voice-source')).toHaveText('Giọng đọc của Tổ Tả Van');
    await phone.locator('.read-aloud').click();
    const played = await lastPlayed(phone);
    expect(played.src).toMatch(/^blob:/);
    expect(played.sha256).toBe(approvedSha);
    await villager.close();
  });

  test("a member's phone records and sends a take, has no approve button, and the server refuses its approval", async ({ page, browser }) => {
    server = await startServer();
    const { joinCode } = createTeam(server, 'Tổ Bản Hồ', 'Bản Hồ');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await join(page, joinCode, 'Lan', false);
    await openRecorder(page, 'en');
    await recordPart(page, 'drill-0');
    await expect(part(page, 'drill-0').locator('.take-state')).toHaveText('✓ Đã gửi lên tổ');
    const rows = stored();
    expect(rows.map((r) => [r[1], r[2]])).toEqual([['drill-0', 'en']]);

    await page.goto(server.url + '/team/recordings');
    await expect(page.locator('.voice')).toHaveCount(1);
    await expect(page.getByText('máy này', { exact: false })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Duyệt' })).toHaveCount(0);
    const membership = await readMeta(page, 'membership') as { device_token: string };
    const answer = await fetch(`${server.url}/api/v1/recordings/${rows[0][0]}/approve`, {
      method: 'POST', headers: { Authorization: `Bearer ${membership.device_token}` },
    });
    expect(answer.status).toBe(403);
    expect((await answer.json()).error).toBe('leader_only');
    expect(stored()[0][3]).toBe(0);
    expect(errors).toEqual([]);
  });
});

test('a refused microphone is a sentence, not a crash', async ({ page }) => {
  server = await startServer();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // The person taps "Block" when the phone asks.
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(`${server.url}/team/record?lesson=${LESSON}&locale=vi`);
  await part(page, '0').getByRole('button', { name: 'Ghi âm', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Điện thoại chưa cho dùng micrô.' })).toBeVisible();
  // Nothing is stuck: the part can be recorded again once allowed.
  await expect(part(page, '0').getByRole('button', { name: 'Ghi âm', exact: true })).toBeEnabled();
  expect(errors).toEqual([]);
});

test.describe('on a plain-http village name', () => {
  test('the recorder says it needs the https address, and nothing breaks', async ({ page }) => {
    server = await startServer();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const port = new URL(server.url).port;
    await page.goto(`http://hocso.lan:${port}/team/record?lesson=${LESSON}&locale=vi`);
    await expect(page.getByRole('heading', { name: 'Ghi âm bài học', level: 1 })).toBeVisible();
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await expect(page.getByText('Muốn ghi âm, hãy mở công cụ của tổ bằng địa chỉ https của tổ', { exact: false })).toBeVisible();
    // The lesson's text is still there to read; no Record button that could not work.
    await expect(part(page, '0')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Ghi âm', exact: true })).toHaveCount(0);
    await shot(page, 'insecure');
    expect(errors).toEqual([]);
  });
});
