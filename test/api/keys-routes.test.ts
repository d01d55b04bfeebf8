// The keys API in process (inject): statuses, headers, error bodies, parameter sources and the
// body limit, over a FakeBackend. Real-etcd agreement is the differential test's job; these
// pin kvd's own answers, including where it knowingly differs.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, V2Error } from '../../src/store/v2/index.js';
import { errorOf, eventOf, makeApp, type TestApp } from './app-helpers.js';

let t: TestApp;
beforeEach(() => {
  t = makeApp();
});
afterEach(async () => {
  await t.close();
});

describe('keys: writes', () => {
  it('set: 201 when it creates, 200 when it replaces, with X-Etcd-Index', async () => {
    const created = await t.request('PUT', '/v2/keys/a', 'value=one');
    expect(eventOf(created, 201).node).toMatchObject({ key: '/a', value: 'one', createdIndex: 1 });
    expect(created.headers['x-etcd-index']).toBe('1');
    const replaced = await t.request('PUT', '/v2/keys/a', 'value=two');
    expect(eventOf(replaced, 200).prevNode).toMatchObject({ value: 'one' });
    expect(replaced.headers['x-etcd-index']).toBe('2');
  });

  it('create (prevExist=false) and POST are 201; update, cas, delete, cad are 200', async () => {
    expect(
      eventOf(await t.request('PUT', '/v2/keys/a?prevExist=false', 'value=1'), 201).action,
    ).toBe('create');
    expect(
      eventOf(await t.request('PUT', '/v2/keys/a?prevExist=true', 'value=2'), 200).action,
    ).toBe('update');
    expect(eventOf(await t.request('PUT', '/v2/keys/a?prevValue=2', 'value=3'), 200).action).toBe(
      'compareAndSwap',
    );
    expect(eventOf(await t.request('DELETE', '/v2/keys/a?prevValue=3'), 200).action).toBe(
      'compareAndDelete',
    );
    const posted = eventOf(await t.request('POST', '/v2/keys/q', 'value=job'), 201);
    expect(posted.node?.['key']).toBe('/q/00000000000000000005');
    expect(eventOf(await t.request('DELETE', '/v2/keys/q?recursive=true'), 200).action).toBe(
      'delete',
    );
  });

  it('store errors keep the store index and carry no Raft headers', async () => {
    await t.request('PUT', '/v2/keys/a', 'value=one');
    const exists = errorOf(await t.request('PUT', '/v2/keys/a?prevExist=false', 'value=x'), 412);
    expect(exists).toEqual({
      errorCode: 105,
      message: 'Key already exists',
      cause: '/a',
      index: 1,
    });
    expect(errorOf(await t.request('GET', '/v2/keys/a/b'), 400).errorCode).toBe(104);
    expect(
      errorOf(await t.request('PUT', '/v2/keys/a?prevValue=no', 'value=x'), 412).errorCode,
    ).toBe(101);
    expect(errorOf(await t.request('PUT', '/v2/keys/', 'value=x'), 400).errorCode).toBe(107);
    expect(errorOf(await t.request('GET', '/v2/keys/nope/deeper'), 404).cause).toBe('/nope');
  });

  it('noValueOnSuccess strips the node from set answers but not from deletes', async () => {
    const set = await t.request('PUT', '/v2/keys/a?noValueOnSuccess=true', 'value=one');
    expect(set.body).toBe('{"action":"set"}\n');
    const deleted = eventOf(await t.request('DELETE', '/v2/keys/a?noValueOnSuccess=true'), 200);
    expect(deleted.node?.['key']).toBe('/a');
  });

  it('the write request carries exactly the parsed parameters', async () => {
    await t.request('PUT', '/v2/keys/a?ttl=5&prevExist=false&refresh=false', 'value=v&dir=false');
    await t.request('DELETE', '/v2/keys/d?dir=true&recursive=true&prevIndex=0');
    expect(t.backend.writes).toEqual([
      {
        method: 'PUT',
        path: '/a',
        value: 'v',
        dir: false,
        recursive: false,
        ttlSeconds: 5,
        refresh: false,
        prevExist: false,
      },
      { method: 'DELETE', path: '/d', dir: true, recursive: true },
    ]);
  });

  it('a backend error (lost leadership) is answered with its code and status', async () => {
    t.backend.write = () => Promise.resolve(new V2Error(ErrorCode.LeaderElection, 'no leader', 7));
    const error = errorOf(await t.request('PUT', '/v2/keys/a', 'value=one'), 500);
    expect(error).toEqual({
      errorCode: 301,
      message: 'During Leader Election',
      cause: 'no leader',
      index: 7,
    });
  });
});

describe('keys: parameters', () => {
  it('request errors have index 0 and X-Etcd-Index 0, before touching the backend', async () => {
    const cases: [string, number, string][] = [
      ['/v2/keys/a?ttl=abc', 202, 'invalid value for "ttl"'],
      ['/v2/keys/a?prevIndex=x', 203, 'invalid value for "prevIndex"'],
      ['/v2/keys/a?dir=yes', 209, 'invalid value for "dir"'],
      ['/v2/keys/a?prevExist=', 209, 'invalid value for prevExist'],
      ['/v2/keys/a?x=1;y=2', 210, 'invalid semicolon separator in query'],
      ['/v2/keys/a?wait=true', 209, '"wait" can only be used with GET requests'],
      ['/v2/keys/a?prevValue=', 201, '"prevValue" cannot be empty'],
      ['/v2/keys/a?refresh=true&value=x', 211, 'A value was provided on a refresh'],
      ['/v2/keys/a?refresh=true', 212, 'No TTL value set'],
    ];
    await t.request('PUT', '/v2/keys/other', 'value=one');
    for (const [url, code, cause] of cases) {
      const error = errorOf(await t.request('PUT', url), 400);
      expect(error, url).toMatchObject({ errorCode: code, cause, index: 0 });
    }
    expect(t.backend.writes).toHaveLength(1);
  });

  it('a form body wins over the query; other bodies are not read', async () => {
    expect(
      eventOf(await t.request('PUT', '/v2/keys/a?value=q', 'value=b'), 201).node?.['value'],
    ).toBe('b');
    const json = await t.request('PUT', '/v2/keys/b?value=q', '{"value":"j"}', {
      'content-type': 'application/json',
    });
    expect(eventOf(json, 201).node?.['value']).toBe('q');
    const none = await t.app.inject({ method: 'PUT', url: '/v2/keys/c', payload: 'value=x' });
    expect(eventOf(none, 201).node?.['value']).toBe('');
  });

  it('a content type Go cannot parse is 210 with its cause', async () => {
    const headers = { 'content-type': 'text/' };
    const error = errorOf(await t.request('PUT', '/v2/keys/a', 'value=one', headers), 400);
    expect(error).toMatchObject({
      errorCode: 210,
      cause: 'mime: expected token after slash',
      index: 0,
    });
  });

  it('GET with quorum=true reads through quorumGet; wait=true with quorum too', async () => {
    await t.request('PUT', '/v2/keys/a', 'value=one');
    eventOf(await t.request('GET', '/v2/keys/a?quorum=true'), 200);
    eventOf(await t.request('GET', '/v2/keys/a?quorum=true&wait=true'), 200);
    eventOf(await t.request('GET', '/v2/keys/a'), 200);
    expect(t.backend.quorumReads).toBe(2);
  });

  it('a quorum read that times out answers the backend error', async () => {
    const timeout = new V2Error(ErrorCode.RaftInternal, 'read index timed out', 3);
    const slow = makeApp({ quorumError: timeout });
    try {
      const error = errorOf(await slow.request('GET', '/v2/keys/a?quorum=true'), 500);
      expect(error).toMatchObject({ errorCode: 300, index: 3 });
    } finally {
      await slow.close();
    }
  });

  it('HEAD answers GET headers with no body', async () => {
    await t.request('PUT', '/v2/keys/a', 'value=one');
    const head = await t.request('HEAD', '/v2/keys/a');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['x-etcd-index']).toBe('1');
    expect((await t.request('HEAD', '/v2/keys/zz')).statusCode).toBe(404);
  });
});

describe('keys: request body limit', () => {
  it('an oversize form body is 210, closes the connection, and applies nothing', async () => {
    const small = makeApp({}, { requestBodyBytesMax: 1024 });
    try {
      const response = await small.request('PUT', '/v2/keys/big', 'value=' + 'x'.repeat(2000));
      const error = errorOf(response, 400);
      expect(error.errorCode).toBe(210);
      expect(error.cause).toContain('1024 bytes');
      expect(response.headers['connection']).toBe('close');
      expect(small.backend.writes).toHaveLength(0);
      eventOf(await small.request('PUT', '/v2/keys/ok', 'value=' + 'x'.repeat(1000)), 201);
    } finally {
      await small.close();
    }
  });

  it('the default limit is 1.5 MiB', async () => {
    const over = await t.request('PUT', '/v2/keys/big', 'value=' + 'x'.repeat(1.5 * 1024 * 1024));
    expect(errorOf(over, 400).errorCode).toBe(210);
    const under = await t.request(
      'PUT',
      '/v2/keys/big',
      'value=' + 'x'.repeat(1.5 * 1024 * 1024 - 100),
    );
    eventOf(under, 201);
  });

  it('a big body Go would not read is not refused', async () => {
    const headers = { 'content-type': 'application/json' };
    const response = await t.request('PUT', '/v2/keys/j', 'x'.repeat(2 * 1024 * 1024), headers);
    expect(eventOf(response, 201).node?.['value']).toBe('');
    expect(response.headers['connection']).toBe('close');
  });
});
