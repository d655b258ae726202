import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import {
  FAKE_MEDIA_ARGS,
  assertNoErrorBar,
  conversation,
  message,
  openChatWith,
  pdf,
  png,
  registerInUi,
  screenshots,
  send,
  startWebE2e,
  type WebE2e,
} from './e2e-kit.js';

const EIFFEL = { latitude: 48.8584, longitude: 2.2945 };

/** Records about a second of the fake camera in the page and returns the WebM bytes. */
const RECORD_VIDEO = `(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120 } });
  const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.start(200);
  await new Promise((resolve) => setTimeout(resolve, 800));
  await new Promise((resolve) => { recorder.onstop = resolve; recorder.stop(); });
  for (const track of stream.getTracks()) track.stop();
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
})()`;

/** Waits until the player in `scope` has loaded its metadata (so its authorized download worked). */
async function playable(page: Page, testId: 'audio-player' | 'video-player'): Promise<void> {
  await page.waitForFunction((id) => {
    const players = document.querySelectorAll<HTMLMediaElement>(`[data-testid=${id}]`);
    const last = players[players.length - 1];
    return last !== undefined && last.readyState >= 1 && last.error === null;
  }, testId);
}

/**
 * Media in the web client, in Chromium with a fake microphone and camera: files (downloaded by
 * the peer), voice messages recorded in the browser, video, locations (from geolocation and by
 * hand) and the image viewer. Uploads go through POST /api/v1/media, messages through the SDK.
 */
describe('the web client, media: files, voice, video, location, image viewer', () => {
  let web: WebE2e;
  let alice: Page;
  let bob: Page;
  const shot = screenshots('media');

  before(async () => {
    web = await startWebE2e({ chromiumArgs: FAKE_MEDIA_ARGS });
    alice = await web.users.open({ geolocation: EIFFEL, permissions: ['geolocation'] });
    await registerInUi(alice, 'alice');
    bob = await web.users.open();
    await registerInUi(bob, 'bob');
    await openChatWith(alice, 'bob');
    await send(alice, 'media coming');
    await conversation(bob, 'alice').click();
    await message(bob, 'media coming').waitFor();
  });

  after(() => web.stop());

  it('sends a file that the peer downloads, byte for byte', async () => {
    const bytes = pdf('quarterly report');
    await alice.getByTestId('attach-input').setInputFiles({
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: bytes,
    });
    const card = bob.getByTestId('file').filter({ hasText: 'report.pdf' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /application\/pdf/);
    await shot(bob, 'bob-gets-file');
    const [download] = await Promise.all([
      bob.waitForEvent('download'),
      card.getByTestId('download').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'report.pdf');
    assert.deepEqual(await readFile(await download.path()), bytes);
    // The conversation list names it.
    await conversation(bob, 'alice').locator('.conv-last', { hasText: '[file] report.pdf' }).waitFor();
  });

  it('records a voice message that plays on the peer side', async () => {
    await alice.getByTestId('record').click();
    const recording = alice.getByTestId('recording');
    await recording.waitFor();
    await recording.getByText('0:01').waitFor();
    await shot(alice, 'alice-recording');
    await alice.getByTestId('record-send').click();
    await bob.getByTestId('audio-player').waitFor();
    await playable(bob, 'audio-player');
    // A plain same-origin URL: the media service worker adds the token.
    assert.match(
      (await bob.getByTestId('audio-player').getAttribute('src')) ?? '',
      /^\/api\/v1\/media\/[\w-]+$/,
    );
    await playable(alice, 'audio-player');
    await shot(bob, 'bob-gets-voice');
    await conversation(bob, 'alice').locator('.conv-last', { hasText: '[voice message]' }).waitFor();
  });

  it('sends a video that plays on the peer side', async () => {
    const webm = Buffer.from(await alice.evaluate<string>(RECORD_VIDEO), 'base64');
    assert.ok(webm.length > 0);
    await alice
      .getByTestId('attach-input')
      .setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: webm });
    await bob.getByTestId('video-player').waitFor();
    await playable(bob, 'video-player');
    await shot(bob, 'bob-gets-video');
  });

  it('shares a location from geolocation, and one typed by hand', async () => {
    await alice.getByTestId('share-location').click();
    await alice.getByTestId('use-my-location').click();
    await alice.waitForFunction(
      () => document.querySelector<HTMLInputElement>('input[name=latitude]')?.value === '48.858400',
    );
    assert.equal(await alice.locator('input[name=longitude]').inputValue(), '2.294500');
    await alice.locator('input[name=place]').fill('Eiffel Tower');
    await shot(alice, 'alice-shares-location');
    await alice.getByTestId('send-location').click();
    const card = bob.getByTestId('location').filter({ hasText: 'Eiffel Tower' });
    await card.waitFor();
    assert.equal(await card.getByTestId('coordinates').textContent(), '48.85840, 2.29450');
    assert.match(
      (await card.locator('a').getAttribute('href')) ?? '',
      /^https:\/\/www\.openstreetmap\.org\/\?mlat=48\.85840&mlon=2\.29450/,
    );
    await shot(bob, 'bob-gets-location');

    // Bob's browser was given no geolocation permission: the fallback is typing it in.
    await bob.getByTestId('share-location').click();
    await bob.getByTestId('use-my-location').click();
    await bob
      .getByTestId('location-dialog')
      .getByText(/Location unavailable/)
      .waitFor();
    await bob.locator('input[name=latitude]').fill('95');
    await bob.locator('input[name=longitude]').fill('13.4');
    await bob.getByTestId('send-location').click();
    await bob.getByTestId('location-dialog').getByText('Latitude must be a number from -90 to 90.').waitFor();
    await bob.locator('input[name=latitude]').fill('52.52');
    await bob.locator('input[name=place]').fill('Berlin');
    await bob.getByTestId('send-location').click();
    await bob.getByTestId('location-dialog').waitFor({ state: 'detached' });
    const berlin = alice.getByTestId('location').filter({ hasText: 'Berlin' });
    await berlin.waitFor();
    assert.equal(await berlin.getByTestId('coordinates').textContent(), '52.52000, 13.40000');
  });

  it('opens an image in the viewer', async () => {
    await alice
      .getByTestId('attach-input')
      .setInputFiles({ name: 'gradient.png', mimeType: 'image/png', buffer: png(96, 64) });
    const thumb = bob.getByTestId('thumbnail').last();
    await thumb.waitFor();
    await thumb.click();
    const viewer = bob.getByTestId('image-viewer');
    await viewer.waitFor();
    await bob.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=full-image]');
      return img !== null && img.complete && img.naturalWidth === 96;
    });
    await shot(bob, 'bob-views-image');
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await assertNoErrorBar(alice);
    await assertNoErrorBar(bob);
  });
});
