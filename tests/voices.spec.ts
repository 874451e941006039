// Voices recorded by the team (issue #15), the learner's side: a recording the leader approved
// reaches every phone of that team in the sync pull, comes down with "download this topic" (its
// size counted), and the reader plays it offline, in the learner's language even when the lesson's
// text falls back to Vietnamese; a phone of another team never gets it. The recorder itself (team
// tools) is tested in recorder.spec.ts; here the leader's phone is the API it uses.
import { test, expect, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startServer, removeDist, waitForServiceWorker, screenshotDir, createProfile, createTeam, firstLessons, readMeta, recordPlays, lastPlayed, Server } from './helpers';

let server: Server;
test.beforeEach(async () => { server = await startServer(); });
test.afterEach(async () => { await server.stop(); removeDist(server); });

// A real recording made by Chromium's MediaRecorder (Opus in WebM, 1.5 s), as a phone uploads it.
const recording = readFileSync(resolve(__dirname, '../core/src/audio/chromium-1500ms.webm'));
const recordingSha = createHash('sha256').update(recording).digest('hex');

/** The ids in the phone's list of the team's voices (meta `team_voices`: a line per voice, its
 *  fields separated by tabs, the id first). */
function voiceIds(kept: unknown): string[] {
  return ((kept as string | null) ?? '').split('\n').filter(Boolean).map((line) => line.split('\t')[0]).sort();
}

async function joinByApi(code: string, name: string): Promise<string> {
  const response = await fetch(`${server.url}/api/v1/devices/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, device_name: name }),
  });
  expect(response.status).toBe(200);
  return (await response.json()).device_token;
}

async function uploadAndApprove(token: string, id: string, lesson: string, step: string, locale: string) {
  const auth = { authorization: `Bearer ${token}` };
  const put = await fetch(`${server.url}/api/v1/recordings/${id}?lesson=${lesson}&step=${step}&locale=${locale}`, {
    method: 'PUT', headers: { ...auth, 'content-type': 'audio/webm' }, body: recording,
  });
  expect(put.status, await put.clone().text()).toBe(201);
  const approve = await fetch(`${server.url}/api/v1/recordings/${id}/approve`, { method: 'POST', headers: auth });
  expect(approve.status, await approve.clone().text()).toBe(200);
}

/** Joins the phone to a team through the team's join link. */
async function joinTeam(page: Page, joinCode: string, teamLine: string) {
  await page.goto(`${server.url}/join?code=${encodeURIComponent(joinCode.toLowerCase())}`);
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText(teamLine)).toBeVisible();
}

/** What the reader settled on for the step on screen: whose voice its line names, or that it has none. */
async function voiceShown(page: Page): Promise<string> {
  let shown = '';
  await expect.poll(async () => {
    const line = page.locator('.voice-source');
    if (await line.count() > 0) shown = (await line.textContent())!;
    else if ((await page.locator('.read-aloud').textContent())!.includes('Máy này chưa có giọng đọc')) shown = 'none';
    return shown;
  }).not.toBe('');
  return shown;
}

test('a voice the leader approved plays offline on another phone of the team, in the learner\'s language', async ({ browser }) => {
  const { joinCode, leaderCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  const other = createTeam(server, 'Tổ Bản Phố', 'Bản Phố');
  // A topic with no Hmong text at all: a Hmong learner reads its lessons in Vietnamese.
  const { lesson } = (await firstLessons(server)).find((l) => l.topic === 'selling-online')!;
  const leader = await joinByApi(leaderCode, 'Điện thoại tổ trưởng');

  // A villager's phone joins the team before anything is recorded, and learns in Hmong.
  const context = await browser.newContext();
  await context.addInitScript(recordPlays);
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await waitForServiceWorker(page);
  await joinTeam(page, joinCode, 'Điện thoại này thuộc tổ Tổ Tả Van (Tả Van).');
  await page.getByRole('radio', { name: /Hmoob/ }).click();

  // The leader approves a Hmong reading of step 1 and a Vietnamese one of step 2 (and a take of
  // step 3 that nobody approved never reaches a phone).
  await uploadAndApprove(leader, 'take-hmn-0', lesson.meta.id, '0', 'hmn');
  await uploadAndApprove(leader, 'take-vi-1', lesson.meta.id, '1', 'vi');
  const unapproved = await fetch(`${server.url}/api/v1/recordings/take-vi-2?lesson=${lesson.meta.id}&step=2&locale=vi`, {
    method: 'PUT', headers: { authorization: `Bearer ${leader}` }, body: recording,
  });
  expect(unapproved.status).toBe(201);

  // The next sync (a reload) brings the approved list; the language picker counts the voice.
  await page.reload();
  await expect.poll(async () => voiceIds(await readMeta(page, 'team_voices'))).toEqual(['take-hmn-0', 'take-vi-1']);
  const hmong = page.getByRole('radio', { name: /Hmoob/ });
  await expect(hmong.locator('.coverage-line')).toContainText('· 1 bài có giọng đọc');
  await expect(hmong.locator('.coverage-bar')).toBeVisible();
  await page.screenshot({ path: `${screenshotDir}/voices-language-coverage-360x640.png`, fullPage: true });

  // "Download this topic" counts the two sounds in its size, and fetches them.
  await page.goto(server.url + '/topics/selling-online');
  const download = page.getByRole('button', { name: /Tải về để học không cần mạng/ });
  const label = await download.textContent();
  const sizeKb = Number(label!.match(/(\d+) KB/)![1]);
  expect(sizeKb * 1024).toBeGreaterThanOrEqual(2 * recording.length);
  await download.click();
  await expect(page.getByText('Đã tải về: học được cả khi không có mạng')).toBeVisible();
  const sounds = await page.evaluate(() => new Promise<string[]>((done, fail) => {
    const open = indexedDB.open('hocso');
    open.onsuccess = () => {
      const keys = open.result.transaction('sounds').objectStore('sounds').getAllKeys();
      keys.onsuccess = () => { done(keys.result as string[]); open.result.close(); };
      keys.onerror = () => fail(keys.error);
    };
  }));
  expect(sounds).toEqual([recordingSha]); // both takes are the same bytes: kept once

  // Offline, after a reload: step 1 reads in the team's Hmong voice, though the text is Vietnamese.
  await context.setOffline(true);
  await page.goto(`${server.url}/lessons/selling-online/${lesson.meta.id}`);
  // The notice that the text is Vietnamese is in Hmong (a draft, like every Hmong string).
  await expect(page.getByText('Zaj lus no tseem tsis tau muaj ua koj hom lus')).toBeVisible();
  await expect(page.locator('.voice-source')).toHaveText('Giọng đọc của Tổ Tả Van');
  await page.locator('.read-aloud').click();
  const first = await lastPlayed(page);
  expect(first.src).toMatch(/^blob:/);
  expect(first.size).toBe(recording.length);
  expect(first.sha256).toBe(recordingSha);
  await page.screenshot({ path: `${screenshotDir}/voices-reader-team-voice-360x640.png` });

  // Step 2: the team's Vietnamese reading of the text on screen; step 3: never the unapproved take.
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  await page.getByRole('heading', { name: lesson.steps[1].title }).waitFor();
  await expect(page.locator('.voice-source')).toHaveText('Giọng đọc của Tổ Tả Van');
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  await page.getByRole('heading', { name: lesson.steps[2].title }).waitFor();
  expect(await voiceShown(page)).not.toContain('Tả Van');
  await context.close();

  // A phone of another team: no voice of Tả Van in its pull, none on screen, and the sound refused.
  const elsewhere = await browser.newContext();
  const stranger = await elsewhere.newPage();
  await stranger.goto(server.url + '/');
  await createProfile(stranger, 'Lan', 'Con cá');
  await joinTeam(stranger, other.joinCode, 'Điện thoại này thuộc tổ Tổ Bản Phố (Bản Phố).');
  await expect(stranger.locator('.sync-status')).toHaveText('Đã gửi lên tổ vừa xong');
  expect(voiceIds(await readMeta(stranger, 'team_voices'))).toEqual([]);
  await stranger.goto(`${server.url}/lessons/selling-online/${lesson.meta.id}`);
  expect(await voiceShown(stranger)).not.toContain('Tả Van');
  const membership = await readMeta(stranger, 'membership') as { device_token: string };
  const foreign = await fetch(`${server.url}/api/v1/recordings/take-hmn-0/audio`, { headers: { authorization: `Bearer ${membership.device_token}` } });
  expect(foreign.status).toBe(404);
  await elsewhere.close();
});

test('a phone that moves to another team forgets the old team\'s voices', async ({ page }) => {
  const first = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  const second = createTeam(server, 'Tổ Bản Phố', 'Bản Phố');
  const { lesson } = (await firstLessons(server)).find((l) => l.topic === 'data-safety')!;
  await uploadAndApprove(await joinByApi(first.leaderCode, 'leader'), 'take-vi-0', lesson.meta.id, '0', 'vi');

  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await joinTeam(page, first.joinCode, 'Điện thoại này thuộc tổ Tổ Tả Van (Tả Van).');
  await expect.poll(async () => voiceIds(await readMeta(page, 'team_voices'))).toEqual(['take-vi-0']);
  await page.goto(`${server.url}/lessons/data-safety/${lesson.meta.id}`);
  await expect(page.locator('.voice-source')).toHaveText('Giọng đọc của Tổ Tả Van');
  await page.locator('.read-aloud').click();

  // The villager joins the other team: "join again, or another team", with its link.
  await page.goto(`${server.url}/join?code=${encodeURIComponent(second.joinCode.toLowerCase())}`);
  await page.getByText('Tham gia lại, hoặc tham gia tổ khác').click();
  await page.getByRole('button', { name: 'Tham gia tổ' }).click();
  await expect(page.getByText('Điện thoại này thuộc tổ Tổ Bản Phố (Bản Phố).')).toBeVisible();
  await expect.poll(async () => voiceIds(await readMeta(page, 'team_voices'))).toEqual([]);
  await page.goto(`${server.url}/lessons/data-safety/${lesson.meta.id}`);
  expect(await voiceShown(page)).not.toContain('Tả Van');
});

test('a phone whose storage is full says so when it cannot keep the voices, and keeps none', async ({ page }) => {
  const { joinCode, leaderCode } = createTeam(server, 'Tổ Tả Van', 'Tả Van');
  const { lesson } = (await firstLessons(server)).find((l) => l.topic === 'selling-online')!;
  await uploadAndApprove(await joinByApi(leaderCode, 'leader'), 'take-vi-0', lesson.meta.id, '0', 'vi');
  // IndexedDB refuses the sound as a full phone does (its quota cannot be filled in a test).
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'sounds') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await page.goto(server.url + '/');
  await createProfile(page, 'Mai', 'Con cá');
  await joinTeam(page, joinCode, 'Điện thoại này thuộc tổ Tổ Tả Van (Tả Van).');
  await expect.poll(async () => voiceIds(await readMeta(page, 'team_voices'))).toEqual(['take-vi-0']);

  await page.goto(server.url + '/topics/selling-online');
  const download = page.getByRole('button', { name: /Tải về để học không cần mạng/ });
  await download.click();
  await expect(page.getByRole('alert')).toHaveText('Bộ nhớ điện thoại đã đầy nên chưa lưu được. Hãy xoá bớt ảnh hoặc video rồi thử lại.');
  // Not marked as downloaded: the button stays for another try once there is room.
  await expect(download).toBeEnabled();
  await expect(page.getByText('Đã tải về: học được cả khi không có mạng')).toHaveCount(0);
  const sounds = await page.evaluate(() => new Promise<number>((done) => {
    const open = indexedDB.open('hocso');
    open.onsuccess = () => {
      const count = open.result.transaction('sounds').objectStore('sounds').count();
      count.onsuccess = () => { done(count.result); open.result.close(); };
    };
  }));
  expect(sounds).toBe(0);
});
