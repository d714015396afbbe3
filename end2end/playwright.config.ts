import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests for Pasokh.
 *
 *   npx playwright test -c end2end/playwright.config.ts
 *
 * By default this starts the already-built release server
 * (`cargo leptos build --release` → ./target/release/server + target/site)
 * on 127.0.0.1:3100 with a throw-away data directory. Set PASOKH_E2E_URL to
 * test a server that is already running instead (no server is started then).
 *
 * Browsers are not downloaded by npm; Debian's Chromium is used
 * (override with PASOKH_CHROMIUM).
 */

const repoRoot = path.resolve(__dirname, '..');
const externalUrl = process.env.PASOKH_E2E_URL;
const baseURL = externalUrl || 'http://127.0.0.1:3100';

// The config is evaluated in the runner and again in every worker; workers
// inherit the runner's environment, so only the runner creates (and removes)
// the temp data directory.
let dataDir = process.env.PASOKH_E2E_DATA_DIR;
if (!externalUrl && !dataDir) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasokh-e2e-'));
  process.env.PASOKH_E2E_DATA_DIR = dataDir;
  const created = dataDir;
  process.on('exit', () => {
    try {
      fs.rmSync(created, { recursive: true, force: true });
    } catch {
      /* the server may still hold files open; the OS tmp cleaner will get it */
    }
  });
}

/** The release server's environment in the specs (the main server's; the
 *  training server differs in address, data and clock). */
const SERVER_ENV: Record<string, string> = {
  PASOKH_ADDR: '127.0.0.1:3100',
  PASOKH_DATA_DIR: dataDir as string,
  PASOKH_SITE_ROOT: 'target/site',
  // Nothing listens there: specs fulfil tile requests themselves
  // (page.route), so no test ever fetches a tile from anywhere.
  PASOKH_TILE_URL: 'http://127.0.0.1:3199/tiles/{z}/{x}/{y}.png',
  // Every demo staff account's password: specs sign in as staff
  // through the real sign-in page.
  PASOKH_DEMO_STAFF_PASSWORD: 'e2e-staff-password',
  // The inbound-SMS webhook's secret (31/33 replies).
  PASOKH_SMS_INBOUND_SECRET: 'e2e-inbound',
  // The demo city (districts, units, routing) the specs file into.
  PASOKH_DEMO: '1',
  // Every spec signs in from 127.0.0.1: lift the per-address limit
  // that production keeps at 30 codes an hour.
  PASOKH_OTP_PER_ADDRESS_HOURLY: '100000',
  // Staff sign in many times a run, from the same address: lift the
  // sign-in throttle the integration tests check.
  PASOKH_STAFF_SIGNIN_PER_ACCOUNT: '100000',
  PASOKH_STAFF_SIGNIN_PER_ADDRESS: '100000',
  // One-time codes go to end2end/fake-sms.mjs, which speaks
  // Kavenegar's protocol; specs read codes back from it.
  PASOKH_SMS_PROVIDER: 'kavenegar',
  PASOKH_KAVENEGAR_URL: 'http://127.0.0.1:3198',
  PASOKH_KAVENEGAR_API_KEY: 'e2e-key',
  RUST_LOG: 'warn',
};

export default defineConfig({
  testDir: './tests',
  outputDir: path.join(__dirname, 'test-results'),
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },

  use: {
    baseURL,
    browserName: 'chromium',
    // Citizens' browsers: Persian UI, Tehran time.
    locale: 'fa-IR',
    timezoneId: 'Asia/Tehran',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.PASOKH_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },

  projects: [
    {
      name: 'phone',
      use: {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      },
    },
    {
      name: 'kiosk',
      use: {
        viewport: { width: 1080, height: 1920 },
        hasTouch: true,
      },
    },
  ],

  webServer: externalUrl
    ? undefined
    : [
      {
        command: 'node end2end/fake-sms.mjs',
        cwd: repoRoot,
        url: 'http://127.0.0.1:3198/health',
        reuseExistingServer: !process.env.CI,
        timeout: 20_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
      {
        command: './target/release/server',
        cwd: repoRoot,
        env: SERVER_ENV,
        url: 'http://127.0.0.1:3100/health',
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
      {
        // A training server (PASOKH_CLOCK=simulated) for the specs that
        // move time forward: deadlines pass and escalations arrive without
        // touching the main server's clock. See TRAINING_URL.
        command: './target/release/server',
        cwd: repoRoot,
        env: {
          ...SERVER_ENV,
          PASOKH_ADDR: '127.0.0.1:3101',
          PASOKH_DATA_DIR: path.join(dataDir as string, 'training'),
          PASOKH_CLOCK: 'simulated',
        },
        url: 'http://127.0.0.1:3101/health',
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
    ],
});
