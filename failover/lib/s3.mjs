// A minimal S3 client for the harness: AWS Signature Version 4 over plain
// HTTP, path-style addressing, enough to create a bucket and list or read
// what the server stored there. Written for SeaweedFS's S3 gateway.
import { createHash, createHmac } from 'node:crypto';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (every byte but unreserved ones). */
const encode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Sends one signed request.
 * @param {{endpoint: string, accessKey: string, secretKey: string, region?: string}} cfg
 * @param {string} method
 * @param {string} path  already-encoded path, e.g. "/bucket/key"
 * @param {Record<string, string>} [query]
 * @param {Uint8Array | string} [body]
 */
export async function s3Request(cfg, method, path, query = {}, body = '') {
  const region = cfg.region || 'us-east-1';
  const url = new URL(cfg.endpoint);
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers = {
    host: url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k)}=${encode(query[k])}`)
    .join('&');
  const signedHeaders = Object.keys(headers).sort().join(';');
  const canonicalHeaders = Object.keys(headers)
    .sort()
    .map((k) => `${k}:${headers[k]}\n`)
    .join('');
  const canonical = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${cfg.secretKey}`, day);
  key = hmac(key, region);
  key = hmac(key, 's3');
  key = hmac(key, 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${cfg.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  const target = `${url.origin}${path}${canonicalQuery ? `?${canonicalQuery}` : ''}`;
  const res = await fetch(target, {
    method,
    headers: { ...headers, authorization },
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    signal: AbortSignal.timeout(10_000),
  });
  return res;
}

/** Creates `bucket` (200, or 409 when it is already there). */
export async function createBucket(cfg, bucket) {
  const res = await s3Request(cfg, 'PUT', `/${encode(bucket)}`);
  const text = await res.text();
  if (!res.ok && res.status !== 409) throw new Error(`creating bucket ${bucket}: ${res.status} ${text}`);
}

/** Keys in `bucket` (all pages, at most `limit`). */
export async function listKeys(cfg, bucket, limit = 100_000) {
  const keys = [];
  let token = '';
  for (let page = 0; page < 1000 && keys.length < limit; page++) {
    const query = { 'list-type': '2', 'max-keys': '1000' };
    if (token) query['continuation-token'] = token;
    const res = await s3Request(cfg, 'GET', `/${encode(bucket)}`, query);
    const xml = await res.text();
    if (!res.ok) throw new Error(`listing ${bucket}: ${res.status} ${xml}`);
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]);
    const next = xml.match(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/);
    if (!next || !/<IsTruncated>true<\/IsTruncated>/.test(xml)) break;
    token = next[1];
  }
  return keys;
}
