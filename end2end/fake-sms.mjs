// A local stand-in for Kavenegar's API, for the end-to-end tests: the
// server sends one-time codes here exactly as it would to the real provider
// (POST /v1/{key}/verify/lookup.json, form fields receptor, token, template)
// and status texts (POST /v1/{key}/sms/send.json, fields receptor, message),
// each answered with a JSON `return` status. Specs read the last code for a
// number from GET /codes/{phone} and its texts from GET /texts/{phone}.
// Listens on 127.0.0.1 only.
import http from 'node:http';

const port = Number(process.env.FAKE_SMS_PORT || 3198);
const key = process.env.FAKE_SMS_KEY || 'e2e-key';
const codes = new Map();
/** @type {Map<string, string[]>} */
const texts = new Map();

const reply = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

http
  .createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    if (req.method === 'GET' && url.pathname === '/health') return reply(res, 200, { ok: true });
    const code = url.pathname.match(/^\/codes\/(\d{11})$/);
    if (req.method === 'GET' && code) {
      const token = codes.get(code[1]);
      return token ? reply(res, 200, { token }) : reply(res, 404, { error: 'no code sent' });
    }
    const sent = url.pathname.match(/^\/texts\/(\d{11})$/);
    if (req.method === 'GET' && sent) return reply(res, 200, { texts: texts.get(sent[1]) || [] });
    const send = url.pathname.match(/^\/v1\/([^/]+)\/sms\/send\.json$/);
    if (req.method === 'POST' && send) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        body += chunk;
        if (body.length > 16384) req.destroy();
      });
      req.on('end', () => {
        if (send[1] !== key) return reply(res, 403, { return: { status: 403, message: 'invalid key' }, entries: null });
        const form = new URLSearchParams(body);
        const receptor = form.get('receptor') || '';
        const message = form.get('message') || '';
        if (!/^09\d{9}$/.test(receptor) || !message) {
          return reply(res, 400, { return: { status: 400, message: 'missing parameters' }, entries: null });
        }
        texts.set(receptor, [...(texts.get(receptor) || []), message]);
        reply(res, 200, { return: { status: 200, message: 'تایید شد' }, entries: [{ messageid: Date.now(), receptor, status: 1 }] });
      });
      return;
    }
    const lookup = url.pathname.match(/^\/v1\/([^/]+)\/verify\/lookup\.json$/);
    if (req.method === 'POST' && lookup) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        body += chunk;
        if (body.length > 4096) req.destroy();
      });
      req.on('end', () => {
        if (lookup[1] !== key) return reply(res, 403, { return: { status: 403, message: 'invalid key' }, entries: null });
        const form = new URLSearchParams(body);
        const receptor = form.get('receptor') || '';
        const token = form.get('token') || '';
        if (!/^09\d{9}$/.test(receptor) || !token || !form.get('template')) {
          return reply(res, 400, { return: { status: 400, message: 'missing parameters' }, entries: null });
        }
        codes.set(receptor, token);
        reply(res, 200, { return: { status: 200, message: 'تایید شد' }, entries: [{ messageid: Date.now(), receptor, status: 5 }] });
      });
      return;
    }
    reply(res, 404, { error: 'not found' });
  })
  .listen(port, '127.0.0.1');
