import { test, expect, type APIRequestContext } from '@playwright/test';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

type ManifestIcon = { src: string; sizes?: string; type?: string; purpose?: string };
type Manifest = {
  name?: string;
  short_name?: string;
  start_url?: string;
  scope?: string;
  display?: string;
  dir?: string;
  lang?: string;
  icons?: ManifestIcon[];
  shortcuts?: { name?: string; url?: string }[];
};

/** Width/height from a PNG's IHDR chunk (bytes 16..24). */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect([...buf.subarray(0, 8)], 'PNG signature').toEqual(PNG_SIGNATURE);
  expect(buf.subarray(12, 16).toString('latin1'), 'first chunk').toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function fetchPng(request: APIRequestContext, url: string) {
  const res = await request.get(url);
  expect(res.status(), `GET ${url}`).toBe(200);
  expect(res.headers()['content-type'] ?? '', `content-type of ${url}`).toContain('image/png');
  return pngSize(await res.body());
}

test.describe('web app manifest', () => {
  test('is linked, valid and installable', async ({ page }) => {
    await page.goto('/');

    const link = page.locator('link[rel=manifest]');
    await expect(link).toHaveCount(1);
    await expect(link).toHaveAttribute('href', '/manifest.webmanifest');

    const res = await page.request.get('/manifest.webmanifest');
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type'] ?? '').toContain('application/manifest+json');
    const manifestUrl = res.url();
    const m = (await res.json()) as Manifest;

    expect(m.name, 'name').toBeTruthy();
    expect(m.short_name, 'short_name').toBeTruthy();
    expect(m.start_url, 'start_url').toBeTruthy();
    expect(['standalone', 'fullscreen', 'minimal-ui']).toContain(m.display);
    expect(m.dir).toBe('rtl');
    expect(m.lang).toBe('fa');
    if (m.scope) {
      const start = new URL(m.start_url!, manifestUrl).pathname;
      expect(start.startsWith(new URL(m.scope, manifestUrl).pathname), 'start_url within scope').toBe(true);
    }

    const icons = m.icons ?? [];
    const sizes = icons.flatMap((i) => (i.sizes ?? '').split(/\s+/));
    expect(sizes).toContain('192x192');
    expect(sizes).toContain('512x512');
    expect(
      icons.some((i) => (i.purpose ?? 'any').split(/\s+/).includes('maskable')),
      'an icon with purpose "maskable"',
    ).toBe(true);

    for (const icon of icons) {
      const url = new URL(icon.src, manifestUrl).toString();
      const { width, height } = await fetchPng(page.request, url);
      const declared = (icon.sizes ?? '').split(/\s+/).filter(Boolean);
      expect(declared, `${icon.src} declares sizes`).not.toHaveLength(0);
      expect(declared, `${icon.src} is really ${width}x${height}`).toContain(`${width}x${height}`);
    }

    for (const shortcut of m.shortcuts ?? []) {
      const url = new URL(shortcut.url!, manifestUrl).toString();
      const r = await page.request.get(url);
      expect(r.status(), `shortcut ${shortcut.url}`).toBeLessThan(400);
    }
  });

  test('apple-touch-icon and theme-color are present', async ({ page }) => {
    await page.goto('/');

    const apple = page.locator('link[rel=apple-touch-icon]');
    await expect(apple.first()).toHaveAttribute('href', /.+/);
    const href = (await apple.first().getAttribute('href'))!;
    const { width, height } = await fetchPng(page.request, new URL(href, page.url()).toString());
    expect(width, 'apple-touch-icon width').toBe(height);
    expect(width, 'apple-touch-icon size').toBeGreaterThanOrEqual(180);

    const theme = page.locator('meta[name=theme-color]');
    await expect(theme.first()).toHaveAttribute('content', /\S/);
  });
});
