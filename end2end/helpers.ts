import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import zlib from 'node:zlib';

/** A solid-colour PNG, built here so the specs need no fixture files. */
export function png(width: number, height: number, rgb: number[] = [0x80, 0x80, 0x80]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Latin digits as Persian digits, as the pages show them. */
export const persian = (s: string | number) =>
  String(s).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

/** The local Kavenegar-protocol fake the server sends codes to (see fake-sms.mjs). */
export const FAKE_SMS = 'http://127.0.0.1:3198';

/** A mobile number no other run is likely to have used. */
export function randomPhone(): string {
  return '0912' + String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
}

/** The last code the fake SMS provider received for `phone`. */
export async function smsCode(request: APIRequestContext, phone: string): Promise<string> {
  const res = await request.get(`${FAKE_SMS}/codes/${phone}`);
  expect(res.status(), 'a code was sent by SMS').toBe(200);
  return (await res.json()).token;
}

/** Signs a new citizen in through the API; the session cookie lands in the
 *  context that `request` belongs to (page.request shares the page's). */
export async function signInByApi(request: APIRequestContext, phone = randomPhone()): Promise<string> {
  expect((await request.post('/api/v1/auth/otp', { data: { phone } })).status()).toBe(202);
  const res = await request.post('/api/v1/auth/session', { data: { phone, code: await smsCode(request, phone) } });
  expect(res.status()).toBe(201);
  return phone;
}

/** Resolves once the tracking-code island has woken (it marks its form `data-live`). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('form.track-form[data-live]') !== null,
    undefined,
    { timeout: 20_000 },
  );
}

/** Every demo staff account's password in the end-to-end server. */
export const STAFF_PASSWORD = 'e2e-staff-password';

/** The texts (not codes) the fake SMS provider received for `phone`. */
export async function texts(request: APIRequestContext, phone: string): Promise<string[]> {
  const res = await request.get(`${FAKE_SMS}/texts/${phone}`);
  expect(res.status()).toBe(200);
  return (await res.json()).texts;
}

/** Waits until `phone` has received `count` texts (the outbox sends every
 *  few seconds) and returns them. */
export async function waitForTexts(request: APIRequestContext, phone: string, count: number): Promise<string[]> {
  await expect.poll(async () => (await texts(request, phone)).length, { timeout: 20_000 }).toBe(count);
  return texts(request, phone);
}

/** Signs a staff member in through the sign-in page, typing only. */
export async function staffSignIn(page: Page, username: string): Promise<void> {
  await page.goto('/staff/signin');
  await page.locator('#username').focus();
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(STAFF_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/staff$/);
}

/** Takes a staff action through the REST API as `username` (for setting a
 *  complaint up; the flows under test use the screens). Its own request
 *  context, so no page's cookies change. */
export async function staffAct(
  playwright: { request: { newContext: (o: { baseURL?: string }) => Promise<APIRequestContext> } },
  baseURL: string,
  username: string,
  code: string,
  body: Record<string, string>,
): Promise<void> {
  const api = await playwright.request.newContext({ baseURL });
  const session = await api.post('/api/v1/staff/session', { data: { username, password: STAFF_PASSWORD } });
  expect(session.status(), `${username} signs in`).toBe(201);
  const { token } = await session.json();
  const res = await api.post(`/api/v1/staff/complaints/${code}/actions`, {
    data: body,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status(), `${username}: ${body.action} ${await res.text()}`).toBe(200);
  await api.dispose();
}

/** The unit resolves a complaint through its staff screens, in a context
 *  of its own: unit_staff signs in, opens the complaint, accepts it when it
 *  is waiting, and resolves it with `answer`. */
export async function unitResolves(browser: Browser, baseURL: string, code: string, answer: string): Promise<void> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await staffSignIn(page, 'unit_staff');
  await page.goto(`/staff/complaints/${code}`);
  const accept = page.locator('[data-testid=action-accept]');
  if (await accept.count()) {
    await accept.click();
    await expect(page.locator('[data-testid=staff-complaint]')).toHaveAttribute('data-status', 'in_progress');
  }
  await page.locator('[data-testid=action-note-resolve]').fill(answer);
  await page.locator('[data-testid=action-resolve]').click();
  await expect(page.locator('[data-testid=staff-complaint]')).toHaveAttribute('data-status', 'resolved');
  await context.close();
}

/** The training server the config starts beside the main one
 *  (PASOKH_CLOCK=simulated): specs that move time forward use it. */
export const TRAINING_URL = 'http://127.0.0.1:3101';
