// A local stand-in for Kavenegar's API, for the end-to-end tests and the
// failover harness: the server sends one-time codes here exactly as it would
// to the real provider (POST /v1/{key}/verify/lookup.json, form fields
// receptor, token, template) and status texts (POST /v1/{key}/sms/send.json,
// fields receptor, message, localid), each answered with a JSON `return`
// status. Like Kavenegar, a send that repeats a `localid` already accepted is
// answered as the first one was and not sent again (counted in
// `deduplicated`). Specs read the last code for a number from
// GET /codes/{phone} and its texts from GET /texts/{phone}; the harness
// imports `startFakeSms` and reads the records directly. Run as a script
// (`node end2end/fake-sms.mjs`) it listens on FAKE_SMS_PORT (3198) with key
// FAKE_SMS_KEY (e2e-key). Listens on 127.0.0.1 only.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * @param {{key: string, port: number, delayMs?: number}} opts  delayMs: each text's answer waits this long
 * @returns {Promise<{port: number, texts: {receptor: string, message: string, localid: string, at: number}[],
 *   codes: Map<string, string>, deduplicated: number, close: () => Promise<void>}>}
 */
export async function startFakeSms({ key, port, delayMs = 0 }) {
  const texts = [];
  const codes = new Map();
  /** @type {Map<string, number>} localid → message id */
  const localIds = new Map();
  const state = { deduplicated: 0, inFlight: 0 };
  /** Client ports of the texts held back: which process is sending. */
  const inFlightPorts = new Set();
  const reply = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/health') return reply(res, 200, { ok: true });
    const codeOf = url.pathname.match(/^\/codes\/(\d{11})$/);
    if (req.method === 'GET' && codeOf) {
      const token = codes.get(codeOf[1]);
      return token ? reply(res, 200, { token }) : reply(res, 404, { error: 'no code sent' });
    }
    const textsOf = url.pathname.match(/^\/texts\/(\d{11})$/);
    if (req.method === 'GET' && textsOf) {
      return reply(res, 200, { texts: texts.filter((t) => t.receptor === textsOf[1]).map((t) => t.message) });
    }
    const route = url.pathname.match(/^\/v1\/([^/]+)\/(sms\/send|verify\/lookup)\.json$/);
    if (req.method !== 'POST' || !route) return reply(res, 404, { error: 'not found' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16384) req.destroy();
    });
    req.on('end', () => {
      if (route[1] !== key) return reply(res, 403, { return: { status: 403, message: 'invalid key' }, entries: null });
      const form = new URLSearchParams(body);
      const receptor = form.get('receptor') || '';
      if (!/^09\d{9}$/.test(receptor)) return reply(res, 400, { return: { status: 400, message: 'receptor' } });
      if (route[2] === 'sms/send') {
        const message = form.get('message') || '';
        if (!message) return reply(res, 400, { return: { status: 400, message: 'missing message' } });
        const localid = form.get('localid') || '';
        if (localid && localIds.has(localid)) {
          state.deduplicated++;
          return reply(res, 200, {
            return: { status: 200, message: 'تایید شد' },
            entries: [{ messageid: localIds.get(localid), receptor, status: 1 }],
          });
        }
        texts.push({ receptor, message, localid, at: Date.now() });
        if (localid) localIds.set(localid, texts.length);
        const answer = { return: { status: 200, message: 'تایید شد' }, entries: [{ messageid: texts.length, receptor, status: 1 }] };
        if (delayMs > 0) {
          const clientPort = req.socket.remotePort;
          state.inFlight++;
          inFlightPorts.add(clientPort);
          setTimeout(() => {
            state.inFlight--;
            inFlightPorts.delete(clientPort);
            reply(res, 200, answer);
          }, delayMs);
        }
        else reply(res, 200, answer);
        return undefined;
      }
      const token = form.get('token') || '';
      if (!token || !form.get('template')) return reply(res, 400, { return: { status: 400, message: 'missing' } });
      codes.set(receptor, token);
      return reply(res, 200, {
        return: { status: 200, message: 'تایید شد' },
        entries: [{ messageid: Date.now(), receptor, status: 5 }],
      });
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port,
    texts,
    codes,
    get deduplicated() {
      return state.deduplicated;
    },
    /** Texts accepted whose answer is still held back (with delayMs). */
    get inFlight() {
      return state.inFlight;
    },
    inFlightPorts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await startFakeSms({
    port: Number(process.env.FAKE_SMS_PORT || 3198),
    key: process.env.FAKE_SMS_KEY || 'e2e-key',
  });
}
