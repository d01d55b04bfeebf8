// etcd's keys parameters as parsed by src/api/v2-params.ts: the checking order (which error
// wins when several parameters are wrong), each rule's code and cause, the request target's
// 301 and 400 outcomes, and the write request a PUT, POST or DELETE becomes.

import { describe, expect, it } from 'vitest';
import {
  parseKeysParams,
  parseRequestTarget,
  ttlSecondsMax,
  writeRequestOf,
  type KeysParams,
} from '../../src/api/v2-params.js';
import { V2Error } from '../../src/store/v2/index.js';

function parse(
  query: string,
  method = 'PUT',
  body?: string,
  mediaError: string | null = null,
): KeysParams | V2Error {
  return parseKeysParams({ method, key: '/k', query, body, mediaError });
}

function failure(result: KeysParams | V2Error): [number, string] {
  expect(result).toBeInstanceOf(V2Error);
  const error = result as V2Error;
  expect(error.index).toBe(0);
  return [error.errorCode, error.cause];
}

describe('v2-params: checking order', () => {
  it("reports errors in etcd's order as each earlier one is fixed", () => {
    let query =
      'ttl=x&prevIndex=y&dir=q&recursive=z&prevExist=w&refresh=v&noValueOnSuccess=u&sorted=s' +
      '&quorum=r&stream=p&wait=o&waitIndex=n&prevValue=';
    const seen: string[] = [];
    for (let round = 0; round < 14; round++) {
      const result = parse(query);
      if (!(result instanceof V2Error)) break;
      seen.push(`${result.errorCode} ${result.cause}`);
      const name = /"?([A-Za-z]+)"? cannot|for "?([A-Za-z]+)"?$/.exec(result.cause);
      const field = name?.[1] ?? name?.[2];
      query = query
        .split('&')
        .filter((piece) => !piece.startsWith(`${field}=`))
        .join('&');
    }
    expect(seen).toEqual([
      '203 invalid value for "prevIndex"',
      '203 invalid value for "waitIndex"',
      '209 invalid value for "recursive"',
      '209 invalid value for "sorted"',
      '209 invalid value for "wait"',
      '209 invalid value for "dir"',
      '209 invalid value for "quorum"',
      '209 invalid value for "stream"',
      '201 "prevValue" cannot be empty',
      '209 invalid value for "noValueOnSuccess"',
      '202 invalid value for "ttl"',
      '209 invalid value for prevExist',
      '209 invalid value for refresh',
    ]);
  });

  it('wait on a non-GET comes after the booleans and before prevValue', () => {
    expect(failure(parse('wait=true&prevValue='))).toEqual([
      209,
      '"wait" can only be used with GET requests',
    ]);
    expect(failure(parse('wait=true&stream=x'))).toEqual([209, 'invalid value for "stream"']);
    expect(failure(parse('wait=true', 'HEAD'))[0]).toBe(209);
    expect(parse('wait=true', 'GET')).toMatchObject({ wait: true });
  });

  it("a media type error comes first, then the body's form error, then the query's", () => {
    expect(failure(parse('prevIndex=x', 'PUT', 'value=%zz', 'mime: no media type'))).toEqual([
      210,
      'mime: no media type',
    ]);
    expect(failure(parse('a=%q1', 'PUT', 'value=%zz'))).toEqual([210, 'invalid URL escape "%zz"']);
    expect(failure(parse('prevIndex=x&a=%q1'))).toEqual([210, 'invalid URL escape "%q1"']);
  });

  it('refresh: ttl errors first, then a value (211), then a missing ttl (212)', () => {
    expect(failure(parse('refresh=true&ttl=x&value=v'))[0]).toBe(202);
    expect(failure(parse('refresh=true&value=v'))[0]).toBe(211);
    expect(failure(parse('refresh=true&value='))[0]).toBe(212);
    expect(parse('refresh=true&ttl=5&value=')).toMatchObject({ refresh: true, ttlSeconds: 5 });
  });
});

describe('v2-params: values', () => {
  it('absent, empty and given values', () => {
    const result = parse('ttl=&prevIndex=0&value=a&value=b', 'PUT', 'value=c') as KeysParams;
    expect(result).toMatchObject({
      ttlSeconds: null,
      prevIndex: 0,
      value: 'c',
      prevExist: undefined,
    });
    expect((parse('') as KeysParams).value).toBeUndefined();
  });

  it('ttl is whole seconds up to ttlSecondsMax', () => {
    expect(parse(`ttl=${ttlSecondsMax}`)).toMatchObject({ ttlSeconds: ttlSecondsMax });
    expect(failure(parse(`ttl=${ttlSecondsMax + 1}`))).toEqual([202, 'invalid value for "ttl"']);
  });

  it('indexes past 2^53 become the largest safe integer', () => {
    expect(parse('prevIndex=18446744073709551615')).toMatchObject({
      prevIndex: Number.MAX_SAFE_INTEGER,
    });
  });
});

describe('v2-params: request target', () => {
  it('decodes %2F into separators and keeps the raw query', () => {
    expect(parseRequestTarget('/v2/keys/a%2Fb?x=%2F')).toEqual({
      kind: 'clean',
      path: '/v2/keys/a/b',
      query: 'x=%2F',
    });
  });

  it('redirects unclean paths relative, re-escaped', () => {
    expect(parseRequestTarget('/v2/keys//sp%20ace/?q')).toEqual({
      kind: 'redirect',
      location: '/v2/keys/sp%20ace/?q',
    });
    expect(parseRequestTarget('/v2/keys/a%2F..%2Fb')).toEqual({
      kind: 'redirect',
      location: '/v2/keys/b',
    });
  });

  it('a bad escape is malformed', () => {
    expect(parseRequestTarget('/v2/keys/%zz').kind).toBe('malformed');
  });
});

describe('v2-params: write requests', () => {
  it('a DELETE carries no value, ttl or prevExist', () => {
    const params = parse(
      'value=v&ttl=5&prevExist=true&prevValue=p&dir=true',
      'DELETE',
    ) as KeysParams;
    expect(writeRequestOf('DELETE', params)).toEqual({
      method: 'DELETE',
      path: '/k',
      dir: true,
      recursive: false,
      prevValue: 'p',
    });
  });

  it('a PUT carries prevIndex only when it is not 0', () => {
    const params = parse('prevIndex=0&value=v') as KeysParams;
    expect(writeRequestOf('PUT', params)).not.toHaveProperty('prevIndex');
    expect(writeRequestOf('PUT', parse('prevIndex=4') as KeysParams)).toHaveProperty(
      'prevIndex',
      4,
    );
  });
});
