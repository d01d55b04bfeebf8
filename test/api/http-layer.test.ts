// The HTTP layer around the API in process (inject): CORS on every answer, OPTIONS, Go's 404
// and 405 texts with their Allow headers, ServeMux's 301s, Go's bare 400, and the small
// endpoints (/version, /health, /v2/members, /v2/machines, /v2/stats/*).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './app-helpers.js';
import { fakeClusterId } from './fake-backend.js';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(async () => {
  await t.close();
});

describe('http: fallbacks', () => {
  it("unknown paths get Go's 404 text with CORS", async () => {
    const response = await t.request('GET', '/v2/nope');
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('404 page not found\n');
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('wrong methods get 405 with the Allow header etcd sends for that path', async () => {
    const cases: [string, string, string | undefined][] = [
      ['PATCH', '/v2/keys/a', 'HEAD,GET,PUT,POST,DELETE'],
      ['POST', '/version', 'GET'],
      ['HEAD', '/health', 'GET'],
      ['PUT', '/v2/stats/store', 'GET'],
      ['POST', '/v2/machines', 'GET,HEAD'],
      ['HEAD', '/v2/members', 'GET,POST,DELETE,PUT'],
      ['DELETE', '/v2/members', undefined],
    ];
    for (const [method, url, allow] of cases) {
      const response = await t.request(method, url);
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.body).toBe(method === 'HEAD' ? '' : 'Method Not Allowed\n');
      expect(response.headers['allow'], `${method} ${url}`).toBe(allow);
    }
  });

  it('member changes are not served: 501 with a message', async () => {
    const response = await t.request('POST', '/v2/members', '{}', {
      'content-type': 'application/json',
    });
    expect(response.statusCode).toBe(501);
    expect(JSON.parse(response.body)).toHaveProperty('message');
    expect(response.headers['x-etcd-cluster-id']).toBe(fakeClusterId);
  });

  it('OPTIONS answers 200 with an empty body on any path, even an unclean one', async () => {
    for (const url of ['/v2/keys/a', '/nope', '/v2/keys//a/../b']) {
      const response = await t.request('OPTIONS', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe('');
      expect(response.headers['access-control-allow-methods']).toBe(
        'POST, GET, OPTIONS, PUT, DELETE',
      );
      expect(response.headers['content-type']).toBeUndefined();
    }
  });

  it('unclean paths get a 301 to the cleaned path, keeping the query', async () => {
    const get = await t.request('GET', '/v2/keys//a/./b/../c/?x=1');
    expect(get.statusCode).toBe(301);
    expect(get.headers['location']).toBe('/v2/keys/a/c/?x=1');
    expect(get.body).toBe('<a href="/v2/keys/a/c/?x=1">Moved Permanently</a>.\n\n');
    const put = await t.request('PUT', '/v2/keys/a%2F%2Fb', 'value=one');
    expect(put.statusCode).toBe(301);
    expect(put.headers['location']).toBe('/v2/keys/a/b');
    expect(put.body).toBe('');
    expect(t.backend.writes).toHaveLength(0);
  });

  it("an undecodable target gets Go's bare 400 and a closed connection", async () => {
    const response = await t.request('GET', '/v2/keys/%zz');
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe('400 Bad Request');
    expect(response.headers['connection']).toBe('close');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('%2F separates keys, also inside the /v2/keys prefix', async () => {
    await t.request('PUT', '/v2/keys/a%2Fb', 'value=one');
    const nested = await t.request('GET', '/v2/keys/a/b');
    expect(JSON.parse(nested.body)).toMatchObject({ node: { key: '/a/b', value: 'one' } });
    const prefix = await t.request('GET', '/v2%2Fkeys/a/b');
    expect(JSON.parse(prefix.body)).toMatchObject({ node: { key: '/a/b' } });
  });
});

describe('http: small endpoints', () => {
  it("/version shows the etcd versions and kvd's, without a newline", async () => {
    const response = await t.request('GET', '/version');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toBe('{"etcdserver":"3.4.23","etcdcluster":"3.4.0","kvd":"0.1.0"}');
  });

  it('/health is text/plain JSON; 503 when unhealthy', async () => {
    const healthy = await t.request('GET', '/health');
    expect([healthy.statusCode, healthy.body]).toEqual([200, '{"health":"true"}']);
    expect(healthy.headers['content-type']).toBe('text/plain; charset=utf-8');
    const sick = makeApp({ healthy: false });
    try {
      const response = await sick.request('GET', '/health');
      expect([response.statusCode, response.body]).toEqual([503, '{"health":"false"}']);
    } finally {
      await sick.close();
    }
  });

  it('/v2/members lists members with a trailing newline and the cluster ID', async () => {
    const response = await t.request('GET', '/v2/members');
    expect(response.headers['x-etcd-cluster-id']).toBe(fakeClusterId);
    expect(response.body.endsWith(']}\n')).toBe(true);
    const body = JSON.parse(response.body) as { members: Record<string, unknown>[] };
    expect(body.members).toEqual([
      {
        id: t.backend.memberId,
        name: 'default',
        peerURLs: ['http://127.0.0.1:2380'],
        clientURLs: ['http://127.0.0.1:2379'],
      },
    ]);
  });

  it('/v2/members/leader: the leader, or 503 without one; unknown IDs 404', async () => {
    const leader = await t.request('GET', '/v2/members/leader');
    expect(JSON.parse(leader.body)).toMatchObject({ id: t.backend.memberId });
    expect((await t.request('GET', '/v2/members/abc')).body).toBe('{"message":"Not found"}');
    const leaderless = makeApp({ leader: false });
    try {
      expect((await leaderless.request('GET', '/v2/members/leader')).statusCode).toBe(503);
      expect((await leaderless.request('GET', '/v2/stats/leader')).statusCode).toBe(403);
    } finally {
      await leaderless.close();
    }
  });

  it('/v2/machines lists client URLs; stats answer JSON without a newline', async () => {
    t.backend.clientURLs = ['http://127.0.0.1:1', 'http://127.0.0.1:2'];
    expect((await t.request('GET', '/v2/machines')).body).toBe(
      'http://127.0.0.1:1, http://127.0.0.1:2',
    );
    const store = await t.request('GET', '/v2/stats/store');
    expect(store.body.endsWith('}')).toBe(true);
    expect(JSON.parse(store.body)).toHaveProperty('watchers', 0);
    expect(JSON.parse((await t.request('GET', '/v2/stats/self')).body)).toHaveProperty('id');
  });
});
