// The v2 error registry as data: every code once, etcd's messages and statuses, the wire shape.

import { describe, expect, it } from 'vitest';
import { ErrorCode, V2Error, errorCodeEntry, errorCodeRegistry } from '../../src/store/v2/index.js';

/** Messages as real etcd 3.4 sends them (observed, and in etcd's public error-code docs). */
const etcdMessages: Record<number, string> = {
  100: 'Key not found',
  101: 'Compare failed',
  102: 'Not a file',
  104: 'Not a directory',
  105: 'Key already exists',
  107: 'Root is read only',
  108: 'Directory not empty',
  201: 'PrevValue is Required in POST form',
  202: 'The given TTL in POST form is not a number',
  203: 'The given index in POST form is not a number',
  209: 'Invalid field',
  210: 'Invalid POST form',
  211: 'Value provided on refresh',
  212: 'A TTL must be provided on refresh',
  300: 'Raft Internal Error',
  301: 'During Leader Election',
  400: 'watcher is cleared due to etcd recovery',
  401: 'The event in requested index is outdated and cleared',
};

function expectedStatus(code: number): number {
  if (code === 100) return 404;
  if (code === 101 || code === 105) return 412;
  if (code === 102 || code === 108) return 403;
  if (code === 300 || code === 301) return 500;
  return 400;
}

describe('v2 error: registry', () => {
  it('v2 error: registry: every enum code is listed exactly once, in code order', () => {
    const enumCodes = Object.values(ErrorCode).filter((v): v is number => typeof v === 'number');
    const listed = errorCodeRegistry.map((e) => e.code as number);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort((a, b) => a - b)).toEqual(listed);
    expect([...enumCodes].sort((a, b) => a - b)).toEqual(listed);
    expect(listed).toHaveLength(20);
  });

  it("v2 error: registry: etcd codes carry etcd's exact message and status", () => {
    const etcdEntries = errorCodeRegistry.filter((e) => e.etcd);
    expect(etcdEntries.map((e) => e.code as number)).toEqual(Object.keys(etcdMessages).map(Number));
    for (const entry of etcdEntries) {
      expect(entry.message).toBe(etcdMessages[entry.code]);
      expect(entry.httpStatus, `status of ${entry.code}`).toBe(expectedStatus(entry.code));
    }
  });

  it('v2 error: registry: kvd-only codes are outside etcd ranges and have a message', () => {
    const kvdOnly = errorCodeRegistry.filter((e) => !e.etcd);
    expect(kvdOnly.map((e) => e.code)).toEqual([ErrorCode.WatchersLimit, ErrorCode.WatcherLagging]);
    for (const entry of kvdOnly) {
      expect(entry.code).toBeGreaterThanOrEqual(900);
      expect(entry.message.length).toBeGreaterThan(0);
    }
    expect(errorCodeEntry(ErrorCode.WatchersLimit).httpStatus).toBe(503);
  });
});

describe('v2 error: wire shape', () => {
  it('v2 error: json: errorCode, message, cause, index in that order', () => {
    const error = new V2Error(ErrorCode.CompareFailed, '[x != 3]', 6);
    expect(error.json).toBe(
      '{"errorCode":101,"message":"Compare failed","cause":"[x != 3]","index":6}',
    );
    expect(JSON.stringify(error)).toBe(error.json);
    expect(error.httpStatus).toBe(412);
    expect(error).toBeInstanceOf(Error);
  });

  it('v2 error: json: an empty cause is left out', () => {
    expect(new V2Error(ErrorCode.NotAFile, '', 1200).json).toBe(
      '{"errorCode":102,"message":"Not a file","index":1200}',
    );
  });

  it('v2 error: a negative index is a bug', () => {
    expect(() => new V2Error(ErrorCode.KeyNotFound, '/a', -1)).toThrow(/error index/);
  });
});
