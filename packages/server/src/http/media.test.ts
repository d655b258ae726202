/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Command, ContentType, MessageSchema, SendResultSchema, Status } from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient } from './http-test-client.js';

const LIMIT = 64 * 1024;

function form(bytes: Uint8Array, filename: string, type: string): FormData {
  const data = new FormData();
  data.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  return data;
}

/** A 1-second 8 kHz mono 8-bit PCM WAV. */
function wav(): Buffer {
  const samples = 8000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 128)]);
}

describe('HTTP media', () => {
  let server: InProcessServer;
  let api: HttpTestClient;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };
  let carol: { userId: string; token: string };
  let png: Buffer;
  let mediaUrl = '';

  before(async () => {
    server = await startTestServer({
      PARLEY_MEDIA_MAX_BYTES: String(LIMIT),
      PARLEY_HTTP_AUTH_RATE_LIMIT: '1000',
    });
    api = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
    alice = await api.register('alice');
    bob = await api.register('bob');
    carol = await api.register('carol');
    api.token = alice.token;
    png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
  });
  after(async () => {
    await server.stop();
  });

  it('uploads an image: sniffed type, dimensions, thumbnail', async () => {
    const res = await api.post('/api/v1/media', form(png, 'photo.jpg', 'application/octet-stream'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.mediaId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(res.body.mime, 'image/png');
    assert.equal(res.body.size, png.length);
    assert.equal(res.body.width, 640);
    assert.equal(res.body.height, 480);
    assert.equal(res.body.durationMs, 0);
    assert.equal(res.body.url, `/api/v1/media/${res.body.mediaId}`);
    assert.equal(res.body.thumbnailUrl, `${res.body.url}/thumbnail`);
    mediaUrl = res.body.url;

    const download = await fetch(api.base + mediaUrl, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'image/png');
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), png);
    const thumb = await fetch(`${api.base}${mediaUrl}/thumbnail`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    assert.ok(meta.width <= 320 && meta.height <= 320);
  });

  it('reads audio duration', async () => {
    const res = await api.post('/api/v1/media', form(wav(), 'a.wav', 'audio/wav'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.mime, /^audio\/(x-)?wav$/);
    assert.ok(Math.abs(res.body.durationMs - 1000) <= 10, String(res.body.durationMs));
    assert.equal(res.body.thumbnailUrl, null);
  });

  it('refuses a type the bytes do not show (a .png name with text bytes) with 415', async () => {
    const res = await api.post(
      '/api/v1/media',
      form(Buffer.from('<html>not an image</html>'), 'evil.png', 'image/png'),
    );
    assert.equal(res.status, 415);
    assert.equal(res.body.error.status, Status.UNSUPPORTED);
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);
    assert.equal((await api.post('/api/v1/media', form(exe, 'x.png', 'image/png'))).status, 415);
  });

  it('refuses an upload over the limit with 413', async () => {
    const big = Buffer.concat([png, Buffer.alloc(LIMIT)]);
    const res = await api.post('/api/v1/media', form(big, 'big.png', 'image/png'));
    assert.equal(res.status, 413);
    assert.equal(res.body.error.status, Status.TOO_LARGE);
  });

  it('needs a token and a file part', async () => {
    assert.equal((await api.post('/api/v1/media', form(png, 'p.png', 'image/png'), '')).status, 401);
    assert.equal((await api.post('/api/v1/media', { not: 'multipart' })).status, 400);
    const empty = new FormData();
    empty.append('note', 'no file');
    assert.equal((await api.post('/api/v1/media', empty)).status, 400);
  });

  it('never lets a file name or id escape the media folder', async () => {
    const before = readdirSync(server.dataDir).sort();
    const res = await api.post('/api/v1/media', form(png, '../../../escape.png', 'image/png'));
    assert.equal(res.status, 201);
    assert.deepEqual(readdirSync(server.dataDir).sort(), before);
    assert.ok(!existsSync(join(server.dataDir, '..', 'escape.png')));
    assert.ok(existsSync(join(server.dataDir, 'media', res.body.mediaId)));
    for (const path of ['..%2Fparley.db', '..%2F..%2Fetc%2Fpasswd', '%2E%2E', 'AAAAAAAAAAAAAAAAAAAAAA']) {
      const got = await api.get(`/api/v1/media/${path}`);
      assert.ok(got.status === 400 || got.status === 404, `${path}: ${got.status}`);
      assert.ok(got.body.error !== undefined);
    }
  });

  it('downloads only for the uploader and members of a conversation that references it', async () => {
    assert.equal((await api.get(mediaUrl, bob.token)).status, 404);
    assert.equal((await api.get(`${mediaUrl}/thumbnail`, bob.token)).status, 404);
    const sent = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, {
      clientMsgId: 'img-1',
      content: {
        contentType: ContentType.IMAGE,
        media: { url: mediaUrl, mime: 'image/png', width: 640, height: 480 },
      },
    });
    assert.equal(sent.status, 200);
    assert.equal((await api.get(mediaUrl, bob.token)).status, 200);
    assert.equal((await api.get(`${mediaUrl}/thumbnail`, bob.token)).status, 200);
    const stranger = await api.get(mediaUrl, carol.token);
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.error.status, Status.NOT_FOUND);
    // Carol cannot grant herself access by sending a URL she cannot read.
    const grab = await api.post(
      `/api/v1/conversations/single/${alice.userId}/messages`,
      {
        clientMsgId: 'steal-1',
        content: { contentType: ContentType.IMAGE, media: { url: mediaUrl } },
      },
      carol.token,
    );
    assert.equal(grab.status, 200);
    assert.equal((await api.get(mediaUrl, carol.token)).status, 404);
  });

  it('a late chatroom joiner cannot download media posted before it joined', async () => {
    const upload = await api.post('/api/v1/media', form(png, 'room.png', 'image/png'));
    const url: string = upload.body.url;
    await api.post('/api/v1/chatrooms/pictures/join');
    await api.post('/api/v1/chatrooms/pictures/join', {}, bob.token);
    const posted = await api.post('/api/v1/conversations/chatroom/pictures/messages', {
      clientMsgId: 'room-img-1',
      content: { contentType: ContentType.IMAGE, media: { url } },
    });
    assert.equal(posted.status, 200);
    assert.equal((await api.get(url, bob.token)).status, 200, 'a member who saw it');
    await api.post('/api/v1/chatrooms/pictures/join', {}, carol.token);
    assert.equal((await api.get(url, carol.token)).status, 404, 'joined after: history hides it');
    // Posted again after carol joined: now she sees a message that references it.
    await api.post('/api/v1/conversations/chatroom/pictures/messages', {
      clientMsgId: 'room-img-2',
      content: { contentType: ContentType.IMAGE, media: { url } },
    });
    assert.equal((await api.get(url, carol.token)).status, 200);
  });

  it('records references from messages sent over the native protocol too', async () => {
    const upload = await api.post('/api/v1/media', form(png, 'p.png', 'image/png'), bob.token);
    const url: string = upload.body.url;
    assert.equal((await api.get(url, carol.token)).status, 404);
    const tcp = await NativeTestClient.connect(server.port);
    try {
      await tcp.login('bob', 'secret123', 'tcp-1');
      await tcp.request(
        Command.MS,
        MessageSchema,
        {
          clientMsgId: 'tcp-img',
          conversation: { type: 0, target: carol.userId },
          messageContent: { contentType: ContentType.IMAGE, media: { url: `http://example.test${url}` } },
        },
        SendResultSchema,
      );
    } finally {
      await tcp.close();
    }
    assert.equal((await api.get(url, carol.token)).status, 200);
    assert.equal((await api.get(url)).status, 404);
  });
});
