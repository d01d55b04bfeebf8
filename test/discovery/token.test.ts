// GET /new on a fastify app over an in-process v2 store: the plain-text token URL, the size
// bounds, and what the token is in the keyspace (hidden dir with a TTL, string `_config/size`).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerNewTokenRoute } from '../../src/discovery/new-token-route.js';
import { createToken, parseRequestedSize, tokenUrl } from '../../src/discovery/token.js';
import { isV2Error } from '../../src/store/v2/index.js';
import { FakeBackend } from '../api/fake-backend.js';

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

function appWith(backend: FakeBackend): FastifyInstance {
  app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  registerNewTokenRoute(app, backend, { clientUrl: 'http://127.0.0.1:2379/', tokenTtlSeconds: 3600 });
  return app;
}

const tokenPattern = /^http:\/\/127\.0\.0\.1:2379\/v2\/keys\/_etcd\/registry\/([0-9a-f]{32})$/;

describe('GET /new', () => {
  it('new: answers the token URL in plain text without a newline; size defaults to 3', async () => {
    const backend = new FakeBackend();
    const answer = await appWith(backend).inject({ method: 'GET', url: '/new' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    const token = tokenPattern.exec(answer.body)?.[1];
    expect(token).toBeDefined();
    const size = backend.get(`/_etcd/registry/${token}/_config/size`, {});
    expect(isV2Error(size) ? null : size.node.value).toBe('3');
    const dir = backend.get(`/_etcd/registry/${token}`, {});
    expect(isV2Error(dir) ? null : dir.node).toMatchObject({ dir: true, ttl: 3600 });
    expect(isV2Error(dir) ? null : dir.node.nodes).toBeUndefined(); // _config is hidden
    expect(backend.writes.map((w) => w.prevExist)).toEqual([false, false]);
  });

  it('new: size from the query or a form body; every token is different', async () => {
    const backend = new FakeBackend();
    const a = await appWith(backend).inject({ method: 'GET', url: '/new?size=5' });
    const b = await app!.inject({ method: 'POST', url: '/new', payload: 'size=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const tokens = [a, b].map((r) => tokenPattern.exec(r.body)![1]);
    expect(tokens[0]).not.toBe(tokens[1]);
    const sizes = tokens.map((t) => backend.get(`/_etcd/registry/${t}/_config/size`, {}));
    expect(sizes.map((s) => (isV2Error(s) ? null : s.node.value))).toEqual(['5', '1']);
  });

  for (const size of ['0', '100', '-1', 'abc', '3.5', '1e1']) {
    it(`new: size=${size} is a 400 that says the bounds`, async () => {
      const backend = new FakeBackend();
      const answer = await appWith(backend).inject({ method: 'GET', url: `/new?size=${size}` });
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toBe(`size must be a whole number from 1 to 99 (the number of members the token bootstraps), got "${size}"\n`);
      expect(backend.writes).toEqual([]);
    });
  }

  it('new: a token that already exists is never overwritten (create-only)', async () => {
    const backend = new FakeBackend();
    const first = await createToken(backend, { size: 3, ttlSeconds: 60, token: 'ab'.repeat(16) });
    const again = await createToken(backend, { size: 5, ttlSeconds: 60, token: 'ab'.repeat(16) });
    expect(first.ok).toBe(true);
    expect(again.ok ? null : again.error.errorCode).toBe(105);
    const size = backend.get(`/_etcd/registry/${'ab'.repeat(16)}/_config/size`, {});
    expect(isV2Error(size) ? null : size.node.value).toBe('3');
  });

  it('new: helpers', () => {
    expect(parseRequestedSize(undefined)).toBe(3);
    expect(parseRequestedSize('99')).toBe(99);
    expect(tokenUrl('http://h:1/', 'x')).toBe('http://h:1/v2/keys/_etcd/registry/x');
  });
});
