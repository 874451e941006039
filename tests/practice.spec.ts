// Practice drills (issue #13): offline after the first visit, a learner does the VietQR drill (first
// confirming a transfer to the wrong name, then cancelling and paying right) and the scam inbox; a
// reload keeps both done; once the phone joins a team, the server holds each drill event once and
// the team's dashboard counts them.
import { test, expect, Page } from '@playwright/test';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, doVietQrDrill, query, readMeta, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

const shot = (page: Page, name: string) => page.screenshot({ path: `${screenshotDir}/practice-${name}-360x640.png` });

/** Opens a lesson and taps "Tiếp" until its practice block is on screen. */
async function openDrill(page: Page, topic: string, lesson: string) {
  await page.goto(`${server.url}/lessons/${topic}/${lesson}`);
  // A lesson left at its drill reopens there.
  await expect(page.locator('.step-count')).toHaveText(/Bước \d+\//);
  while (!(await page.locator('.drill').isVisible())) {
    const before = await page.locator('.step-count').textContent();
    await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
    await expect(page.locator('.step-count')).not.toHaveText(before!);
  }
  await expect(page.locator('.phone-label')).toHaveText('Luyện tập — không phải ứng dụng thật');
}

test('VietQR and scam-inbox drills offline: kind feedback, kept as done after a reload, synced once', async ({ page, context, browser }) => {
  const { joinCode, leaderCode } = createTeam(server, 'Tổ Bản Phố', 'Bản Phố');

  // The first visit, online: the app downloads every topic in the background.
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await expect(page.locator('.offline-status')).toHaveText(/Đã tải xong/, { timeout: 60_000 });
  await context.setOffline(true);

  // Pay by VietQR: the wrong name first, then cancel, then the right payment to the end.
  await openDrill(page, 'cashless-payment', 'pay-by-vietqr');
  await doVietQrDrill(page, (name) => shot(page, name));

  // The scam inbox: mark each message, see its red flags.
  await openDrill(page, 'data-safety', 'fake-links-and-apps');
  const drill = page.locator('.drill');
  await expect(drill.locator('.drill-message')).toContainText('VNeID-HoTro');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'inbox');
  await drill.getByRole('button', { name: /Lừa đảo/ }).click();
  // Then the red flags are tapped in the message itself; "next" waits until all are found.
  await expect(drill.locator('.drill-flags')).toContainText('Chạm vào các dấu hiệu lừa đảo trong tin: đã tìm 0/2.');
  await expect(drill.getByRole('button', { name: 'Tin tiếp theo' })).toHaveCount(0);
  await drill.locator('.drill-part', { hasText: 'Bấm vào link để cập nhật ngay.' }).click();
  await expect(drill.locator('.drill-flags')).toContainText('Phần này không phải dấu hiệu lừa đảo.');
  await drill.locator('.drill-part', { hasText: 'KHOÁ sau 24 giờ' }).click();
  await expect(drill.locator('.drill-flags')).toContainText('Dọa "khoá sau 24 giờ"');
  await expect(drill.locator('.drill-flags')).toContainText('đã tìm 1/2');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'inbox-flag-tapped');
  // A reload in the middle of the hunt (offline): back in it, the flag found still found, the
  // message still answered.
  await page.reload();
  await expect(drill.locator('.drill-flags')).toContainText('đã tìm 1/2');
  await expect(drill.locator('.drill-part.found')).toHaveText(['⚠ KHOÁ sau 24 giờ.']);
  await expect(drill.getByRole('button', { name: /Lừa đảo/ })).toHaveCount(0);
  await expect(drill.getByRole('button', { name: 'Tin tiếp theo' })).toHaveCount(0);
  await drill.locator('.drill-part', { hasText: 'vneid-capnhat.example' }).click();
  await expect(drill.locator('.drill-flags')).toContainText('Link giả');
  await expect(drill.locator('.drill-part.found')).toHaveCount(2);
  await drill.locator('.drill-flags').scrollIntoViewIfNeeded();
  await shot(page, 'inbox-flags');
  await drill.getByRole('button', { name: 'Tin tiếp theo' }).click();
  await expect(drill.locator('.drill-message')).toContainText('Con gái');
  // A safe message marked as a scam: the lesson's kind explanation, and another try.
  await drill.getByRole('button', { name: /Lừa đảo/ }).click();
  await expect(drill.locator('.drill-feedback')).toContainText('Tin này không có link, không xin mã OTP, không đòi tiền. Nó an toàn.');
  await drill.getByRole('button', { name: /An toàn/ }).click();
  await expect(drill.locator('.drill-flags')).toHaveText('Không có dấu hiệu lừa đảo.');
  await drill.getByRole('button', { name: 'Tin tiếp theo' }).click();
  await expect(drill.locator('.drill-message')).toContainText('Quà Tặng Tri Ân');
  await drill.getByRole('button', { name: /Lừa đảo/ }).click();
  // Two taps on normal words: the flags left are highlighted.
  // (Each tap is saved before the next one counts: the test waits for what it shows.)
  await drill.locator('.drill-part', { hasText: 'Chúc mừng!' }).click();
  await expect(drill.locator('.drill-flags')).toContainText('Phần này không phải dấu hiệu lừa đảo.');
  await drill.locator('.drill-part', { hasText: 'Chúc mừng!' }).click();
  await expect(drill.locator('.drill-part.hint-target')).toHaveCount(3);
  for (const [i, words] of ['Bạn trúng thưởng một xe máy', 'Nộp phí nhận thưởng', 'gửi mã OTP vừa nhận'].entries()) {
    await drill.locator('.drill-part', { hasText: words }).click();
    await expect(drill.locator('.drill-part.found')).toHaveCount(i + 1);
  }
  await expect(drill.locator('.drill-flags')).toContainText('Xin mã OTP');
  await drill.getByRole('button', { name: 'Tiếp tục' }).click();
  await expect(drill.locator('.drill-done')).toContainText('Bạn đã làm xong phần luyện tập này.');
  // One wrong word in the first message, "lừa đảo" on the safe one, two wrong words in the last.
  await expect(drill.locator('.drill-done')).toContainText('Số lần chọn sai: 4');

  // The incoming call, for its screenshot.
  await openDrill(page, 'data-safety', 'spot-scam-calls');
  await expect(page.locator('.drill-call')).toBeVisible();
  await page.locator('.drill .phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'call');
  await page.locator('.drill .drill-button').first().click();
  await expect(page.locator('.drill-feedback')).not.toBeEmpty();
  await page.locator('.drill-feedback').scrollIntoViewIfNeeded();
  await shot(page, 'call-feedback');

  // Reload offline: both drills are still done, with "Làm lại".
  for (const [topic, lesson] of [['cashless-payment', 'pay-by-vietqr'], ['data-safety', 'fake-links-and-apps']]) {
    await page.goto(`${server.url}/lessons/${topic}/${lesson}`);
    await page.reload();
    await expect(page.locator('.drill-done')).toContainText('Bạn đã làm xong phần luyện tập này.');
    await expect(page.locator('.drill').getByRole('button', { name: 'Làm lại' })).toBeVisible();
  }
  await page.locator('.drill-done').scrollIntoViewIfNeeded();
  await shot(page, 'done');

  // Online: the phone joins a team and sends everything; each drill event is stored once.
  await context.setOffline(false);
  await page.goto(`${server.url}/join?code=${encodeURIComponent(joinCode)}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.locator('.sync-status')).toHaveText('Đã gửi lên tổ vừa xong', { timeout: 20_000 });
  const lastSeq = Number(await readMeta(page, 'last_seq'));
  expect(Number(await readMeta(page, 'synced_through'))).toBe(lastSeq);
  const drillEvents = () => query(server, `SELECT lesson_id, json_extract(kind, '$.type'), json_extract(kind, '$.step'), json_extract(kind, '$.correct'), json_extract(kind, '$.mistakes'), json_extract(kind, '$.flag') FROM events WHERE kind LIKE '%"type":"drill_%' ORDER BY seq`);
  const expected = [
    ['pay-by-vietqr', 'drill_started', null, null, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 0, 1, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 1, 0, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 1, 1, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 2, 1, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 3, 1, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 4, 1, null, null],
    ['pay-by-vietqr', 'drill_step_answered', 5, 1, null, null],
    ['pay-by-vietqr', 'drill_completed', null, null, 1, null],
    ['fake-links-and-apps', 'drill_started', null, null, null, null],
    ['fake-links-and-apps', 'drill_step_answered', 0, 1, null, null],
    // Words that are not a red flag: a wrong answer of the message; each flag found: its index.
    ['fake-links-and-apps', 'drill_step_answered', 0, 0, null, null],
    ['fake-links-and-apps', 'drill_flag_found', 0, null, null, 1],
    ['fake-links-and-apps', 'drill_flag_found', 0, null, null, 0],
    ['fake-links-and-apps', 'drill_step_answered', 1, 0, null, null],
    ['fake-links-and-apps', 'drill_step_answered', 1, 1, null, null],
    ['fake-links-and-apps', 'drill_step_answered', 2, 1, null, null],
    ['fake-links-and-apps', 'drill_step_answered', 2, 0, null, null],
    ['fake-links-and-apps', 'drill_step_answered', 2, 0, null, null],
    ['fake-links-and-apps', 'drill_flag_found', 2, null, null, 0],
    ['fake-links-and-apps', 'drill_flag_found', 2, null, null, 1],
    ['fake-links-and-apps', 'drill_flag_found', 2, null, null, 2],
    ['fake-links-and-apps', 'drill_completed', null, null, 4, null],
    ['spot-scam-calls', 'drill_started', null, null, null, null],
    ['spot-scam-calls', 'drill_step_answered', 0, 0, null, null],
  ];
  expect(drillEvents()).toEqual(expected);
  expect(query(server, 'SELECT COUNT(*), COUNT(DISTINCT id) FROM events')).toEqual([[lastSeq, lastSeq]]);

  // Sending again stores nothing twice.
  await page.goto(server.url + '/settings');
  await page.getByRole('button', { name: 'Gửi ngay' }).click();
  await expect(page.locator('.settings-section .sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  expect(drillEvents()).toEqual(expected);

  // The team's dashboard, as the leader's phone asks for it: drills done and the screen the most
  // learners got wrong (here one learner: on a tie, the screen with the most wrong answers).
  const join = await fetch(`${server.url}/api/v1/devices/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: leaderCode, device_name: 'Máy tổ trưởng', device_id: 'leader-phone-1' }),
  });
  expect(join.status).toBe(200);
  const { device_token: token } = await join.json();
  const answer = await fetch(`${server.url}/api/v1/team/dashboard`, { headers: { authorization: `Bearer ${token}` } });
  expect(answer.status).toBe(200);
  const lessons: { lesson_id: string; drills_done: number; most_missed_drill_step: unknown }[] = (await answer.json()).lessons;
  const drills = (id: string) => {
    const row = lessons.find((l) => l.lesson_id === id)!;
    return [row.drills_done, row.most_missed_drill_step];
  };
  expect(drills('pay-by-vietqr')).toEqual([1, { drill: 0, step: 1, learners: 1, wrong: 1 }]);
  expect(drills('fake-links-and-apps')).toEqual([1, { drill: 0, step: 2, learners: 1, wrong: 2 }]);
  expect(drills('spot-scam-calls')).toEqual([0, { drill: 0, step: 0, learners: 1, wrong: 1 }]);

  // The leader's team tools say how many learners got the screen wrong (screens counted from 1).
  const leaderContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  const leader = await leaderContext.newPage();
  await leader.goto(server.url + '/');
  await createProfile(leader, 'Hùng', 'Con trâu');
  await waitForServiceWorker(leader);
  await leader.goto(`${server.url}/join?code=${encodeURIComponent(leaderCode)}`);
  await leader.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(leader.getByText('Bạn là trưởng tổ.')).toBeVisible();
  await leader.goto(server.url + '/team/dashboard');
  const table = leader.locator('.drills-table');
  await expect(table.locator('th').nth(2)).toHaveText('Màn nhiều người sai nhất');
  await expect(table.locator('tr', { hasText: 'Bài luyện 1, màn 3: 1 người sai' })).toHaveCount(1);
  await expect(table.locator('tr', { hasText: 'Bài luyện 1, màn 2: 1 người sai' })).toHaveCount(1);
  await expect(table.locator('tr', { hasText: 'Bài luyện 1, màn 1: 1 người sai' })).toHaveCount(1);
  await leaderContext.close();
});

test('log in to the identity look-alike and submit on the portal look-alike: the OTP stays in the app', async ({ page }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Hoa', 'Con gà');
  const drill = page.locator('.drill');
  const feedback = drill.locator('.drill-feedback');
  const keys = async (digits: string) => { for (const d of digits) await drill.locator('.drill-key', { hasText: new RegExp(`^${d}$`) }).click(); };

  // id_login in "VNeID là gì?": the login, the OTP someone asks for, the ID card.
  await openDrill(page, 'public-services', 'what-is-vneid');
  await expect(drill.locator('.drill-app-title')).toHaveText('Đăng nhập');
  await expect(drill.locator('.drill-row')).toContainText('0123 456 789');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'login');
  await keys('123456');
  await expect(drill.locator('.drill-notice')).toContainText('428 913');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'otp');
  // Giving the code to whoever asks is wrong, and so is typing it on the link.
  await drill.getByRole('button', { name: /Đưa mã cho người này/ }).click();
  await expect(feedback).toContainText('Không đưa mã OTP cho ai, kể cả người nói là cán bộ hay công an.');
  await drill.getByRole('button', { name: /Mở link, gõ mã ở đó/ }).click();
  await expect(feedback).toContainText('Không gõ mã OTP vào trang người khác gửi.');
  await expect(drill.locator('.drill-amount.hint-target')).toBeVisible();
  await feedback.scrollIntoViewIfNeeded();
  await shot(page, 'otp-wrong');
  await keys('428913');
  await expect(drill.locator('.drill-app-title')).toHaveText('Giấy tờ của tôi');
  await expect(drill.locator('.drill-badge')).toHaveText('Mức 2');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'documents');
  await drill.getByRole('button', { name: 'Giấy phép lái xe' }).click();
  await expect(feedback).toContainText('Đây là giấy phép lái xe.');
  await drill.getByRole('button', { name: 'Thẻ căn cước điện tử' }).click();
  await expect(drill.locator('.drill-done')).toContainText('Số lần chọn sai: 3');

  // portal_submit in "Nộp hồ sơ trực tuyến": search, the procedure, the form, the fee.
  await openDrill(page, 'public-services', 'submit-procedure-online');
  await expect(drill.locator('.drill-search')).toContainText('trích lục khai sinh');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'search');
  await drill.getByRole('button', { name: 'Cấp bản sao trích lục khai sinh' }).click();
  await drill.getByRole('button', { name: 'Nộp hồ sơ trực tuyến' }).click();
  await expect(drill.locator('.drill-app-title')).toHaveText('Tờ khai');
  const phone = drill.getByLabel('Số điện thoại');
  await phone.fill('0123 456 788');
  await drill.getByLabel('Số căn cước').fill('012345678901');
  // Not ticked: a note, and nothing counted.
  await drill.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  await expect(drill.getByText('Hãy đánh dấu vào ô cam đoan trước khi nộp.')).toBeVisible();
  await drill.getByLabel('Tôi cam đoan thông tin trên là đúng.').check();
  await drill.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  await expect(feedback).toContainText('Ô có viền đỏ chưa đúng.');
  await expect(phone).toHaveAttribute('aria-invalid', 'true');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'form-wrong');
  await phone.fill('0123456789');
  await drill.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  await expect(drill.locator('.drill-transfer')).toContainText('UBND XA VI DU');
  await expect(drill.locator('.drill-transfer')).toContainText('10.000 đ');
  await drill.locator('.phone-frame').scrollIntoViewIfNeeded();
  await shot(page, 'fee');
  await drill.getByRole('button', { name: 'Xác nhận' }).click();
  await keys('654321');
  await expect(drill.locator('.drill-done')).toContainText('Số lần chọn sai: 1');
});

test('present mode shows a drill at 1280×800 and moves on with a tap', async ({ page, context }) => {
  const { leaderCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  await page.goto(server.url + '/');
  await createProfile(page, 'Hùng', 'Con trâu');
  await waitForServiceWorker(page);
  await page.goto(`${server.url}/join?code=${leaderCode}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText('Công cụ của tổ đã sẵn sàng, dùng được cả khi không có mạng.')).toBeVisible();
  await page.goto(server.url + '/');
  await expect(page.locator('.offline-status')).toHaveText(/Đã tải xong/, { timeout: 60_000 });
  await context.setOffline(true);
  await page.goto(server.url + '/');
  await page.getByRole('link', { name: 'Chạy buổi học của tổ' }).click();
  await page.getByRole('link', { name: 'Buổi học mới' }).click();
  await page.getByLabel('Địa điểm').fill('Nhà văn hoá thôn Tả Van Dao');
  await page.getByLabel('Thôn, bản').fill('Tả Van Dao');
  await page.getByRole('checkbox', { name: 'Trả tiền bằng cách quét mã VietQR' }).check();
  await page.getByRole('button', { name: 'Bắt đầu buổi học' }).click();
  await page.getByRole('link', { name: 'Trình chiếu' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.locator('.present-title')).toBeVisible();
  while (!(await page.locator('.drill').isVisible())) {
    await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  }
  // Without scrolling, the drill's last button is on screen, above the present bar.
  const bottomButtonShows = async (where: string) => {
    const [bottom, barTop, scrolled] = await page.evaluate(() => {
      const buttons = document.querySelectorAll('.drill .phone-frame .drill-button');
      return [buttons[buttons.length - 1].getBoundingClientRect().bottom, document.querySelector('.present-nav')!.getBoundingClientRect().top, window.scrollY];
    });
    expect(scrolled, `${where}: the page was scrolled`).toBe(0);
    expect(bottom, `${where}: the last button ends at ${bottom}px, the present bar starts at ${barTop}px`).toBeLessThanOrEqual(barTop);
  };
  await bottomButtonShows('scan');
  await page.screenshot({ path: `${screenshotDir}/practice-present-scan-1280x800.png` });
  await page.locator('.drill').getByRole('button', { name: 'Quét mã' }).click();
  await expect(page.locator('.drill-transfer')).toContainText('NGUYEN VAN MAO');
  await bottomButtonShows('confirm');
  await page.screenshot({ path: `${screenshotDir}/practice-present-confirm-1280x800.png` });
  await page.locator('.drill').getByRole('button', { name: 'Xác nhận' }).click();
  await expect(page.locator('.drill-feedback')).toContainText('Tên người nhận');
  await bottomButtonShows('confirm with its feedback');
  // The room says "cancel": the leader taps it, and the drill moves on (nothing saved for a learner).
  await page.locator('.drill').getByRole('button', { name: 'Huỷ' }).click();
  await expect(page.locator('.drill-feedback')).toContainText('Đúng rồi! Tên là MAO');
  await expect(page.locator('.drill-stand-label')).toContainText('Mã QR của bà Mậu');
});

test('drill screens fit 320 and 412 px, and 200 % text; every control is named and at least 48 px', async ({ page }) => {
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  const check = async (where: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${where} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    const problems = await page.locator('.drill').evaluate((drill) => Array.from(drill.querySelectorAll('button')).flatMap((el) => {
      const box = el.getBoundingClientRect();
      const name = el.getAttribute('aria-label') || el.innerText.trim();
      return [...(name ? [] : [`unnamed ${el.outerHTML.slice(0, 60)}`]), ...(box.height >= 48 && box.width >= 48 ? [] : [`${name}: ${box.width}×${box.height}`])];
    }));
    expect(problems, where).toEqual([]);
  };
  for (const [width, zoom] of [[412, false], [320, false], [320, true]] as const) {
    await page.setViewportSize({ width, height: 700 });
    for (const [topic, lesson] of [['cashless-payment', 'pay-by-vietqr'], ['data-safety', 'fake-links-and-apps'], ['data-safety', 'spot-scam-calls'], ['public-services', 'what-is-vneid'], ['public-services', 'submit-procedure-online']]) {
      await openDrill(page, topic, lesson);
      if (zoom) await page.addStyleTag({ content: ':root { font-size: 36px !important; }' });
      await check(`${lesson} at ${width} px${zoom ? ', 200 %' : ''}`);
      if (lesson === 'pay-by-vietqr' && zoom) {
        // The confirm screen and the keypad (the widest and the densest), at the hardest size.
        await page.locator('.drill').getByRole('button', { name: 'Quét mã' }).click();
        await check(`confirm at ${width} px, 200 %`);
        await page.locator('.drill').getByRole('button', { name: 'Huỷ' }).click();
        await page.locator('.drill').getByRole('button', { name: 'Quét mã' }).click();
        await page.locator('.drill').getByRole('button', { name: 'Xác nhận' }).click();
        await expect(page.locator('.drill-keypad')).toBeVisible();
        await check(`amount keypad at ${width} px, 200 %`);
        await page.screenshot({ path: `${screenshotDir}/practice-amount-200pc-320x700.png`, fullPage: true });
        await page.locator('.drill').getByRole('button', { name: 'Huỷ' }).click();
      }
    }
  }
});
