/**
 * Shared pieces of the web client's Chromium tests (not a test file itself): the server and
 * browser set-up, pages, UI steps, screenshots and test images. The server is a real one (testkit)
 * serving the built client (packages/web/dist; `npm run build -w @parley/web`).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';

export const SHOTS = fileURLToPath(new URL('../../../test-output/web/', import.meta.url));

const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** A fake microphone and camera, allowed without a prompt. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...BASE_ARGS, ...extraArgs] });
}

/** Screenshots named `<prefix>-NN-<step>.png`, numbered per prefix. */
export function screenshots(prefix: string): (page: Page, name: string) => Promise<void> {
  // A run replaces the previous run's pictures of this prefix (step names may have changed).
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (f.startsWith(`${prefix}-`)) rmSync(`${SHOTS}${f}`);
  let step = 0;
  return async (page, name) => {
    step += 1;
    await page.screenshot({ path: `${SHOTS}${prefix}-${String(step).padStart(2, '0')}-${name}.png` });
  };
}

export interface Pages {
  open(options?: BrowserContextOptions): Promise<Page>;
  closeAll(): Promise<void>;
}

/** Browser contexts (one per user) that all close at the end. */
export function pages(browser: Browser, base: string): Pages {
  const contexts: BrowserContext[] = [];
  return {
    async open(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, ...options });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(base);
      return page;
    },
    async closeAll() {
      for (const c of contexts.splice(0)) await c.close();
    },
  };
}

const WEB_BUILD = fileURLToPath(new URL('../dist/index.html', import.meta.url));

export interface WebE2eOptions {
  /** Server environment overrides (testkit's startTestServer). */
  readonly env?: Record<string, string>;
  /** Chromium flags on top of the headless ones, e.g. FAKE_MEDIA_ARGS. */
  readonly chromiumArgs?: readonly string[];
}

/** A server serving the built web client, a Chromium, and its pages: one per suite. */
export interface WebE2e {
  readonly server: InProcessServer;
  readonly browser: Browser;
  /** Opens pages at `base`, each in its own context (one per user). */
  readonly users: Pages;
  /** `http://127.0.0.1:<http port>/`: the app, and the HTTP API under `api/v1/`. */
  readonly base: string;
  /** Closes the pages, the browser and the server, in that order. */
  stop(): Promise<void>;
}

export async function startWebE2e(options: WebE2eOptions = {}): Promise<WebE2e> {
  // Without the build the server answers `/` with a plain-text hint, and every UI step would
  // only time out; fail once, saying what to run.
  if (!existsSync(WEB_BUILD)) {
    throw new Error(`no web build at ${WEB_BUILD}: run \`npm run build -w @parley/web\` first`);
  }
  const server = await startTestServer(options.env);
  const base = `http://127.0.0.1:${server.httpPort}/`;
  let browser: Browser;
  try {
    browser = await launchChromium(options.chromiumArgs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const users = pages(browser, base);
  return {
    server,
    browser,
    users,
    base,
    async stop() {
      // Each step runs even when one before it fails, so no browser or server outlives the suite.
      try {
        await users.closeAll();
      } finally {
        try {
          await browser.close();
        } finally {
          await server.stop();
        }
      }
    },
  };
}

/** Registers in the UI; resolves with the new user's id once the client is online. */
export async function registerInUi(page: Page, username: string): Promise<string> {
  await page.getByTestId('show-register').click();
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(`${username}-password`);
  await page.getByTestId('auth-submit').click();
  await page.locator('[data-testid=connection-state][data-state=online]').waitFor();
  const id = (await page.locator('.me .muted').textContent()) ?? '';
  return id.replace('#', '');
}

export async function openChatWith(page: Page, who: string): Promise<void> {
  await page.getByTestId('new-chat').click();
  await page.locator('input[name=peer]').fill(who);
  await page.getByTestId('open-chat').click();
  await page.getByTestId('chat').waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('send').click();
}

/** A message row whose text contains `text`. */
export function message(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({ has: page.locator('.text', { hasText: text }) });
}

export function conversation(page: Page, name: string): Locator {
  return page.locator(`[data-testid=conversation][data-name="${name}"]`);
}

/** Fails the test when the app shows an error bar. */
export async function assertNoErrorBar(page: Page): Promise<void> {
  const bar = page.locator('.error-bar');
  if ((await bar.count()) > 0) throw new Error(`error shown: ${(await bar.textContent()) ?? ''}`);
}

/** A small gradient PNG (no image library needed). */
export function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw.set([(x * 255) / width, (y * 255) / height, 160], o);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal one-page PDF (the server sniffs `%PDF`). */
export function pdf(text: string): Buffer {
  const body = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj
% ${text}
trailer << /Root 1 0 R >>
%%EOF
`;
  return Buffer.from(body, 'latin1');
}
