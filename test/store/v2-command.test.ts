// V2Command: how etcd v2 requests map to commands, and how apply refuses malformed commands
// (a V2Error result, never a throw) without moving the etcd index.

import { describe, expect, it } from 'vitest';
import {
  checkCommand,
  commandForRequest,
  ErrorCode,
  V2Error,
  type V2WriteRequest,
} from '../../src/store/v2/index.js';
import { asError, Driver, t0 } from './v2-helpers.js';

function mapped(request: Omit<V2WriteRequest, 'path'> & { path?: string }) {
  return commandForRequest({ path: '/k', ...request }, t0);
}

describe('v2 command: commandForRequest', () => {
  it('v2 command: PUT maps by prevExist, then compares, to create/cas/update/set', () => {
    expect(mapped({ method: 'PUT', value: 'v' })).toEqual({
      op: 'set', path: '/k', timeMs: t0, value: 'v', dir: false, ttlSeconds: null, refresh: false,
    });
    expect(mapped({ method: 'PUT', value: 'v', prevExist: false, prevValue: 'x' })).toMatchObject({
      op: 'create',
    });
    expect(mapped({ method: 'PUT', value: 'v', prevExist: true, prevIndex: 3 })).toEqual({
      op: 'cas', path: '/k', timeMs: t0, value: 'v', ttlSeconds: null, refresh: false, prevIndex: 3,
    });
    expect(mapped({ method: 'PUT', value: 'v', prevExist: true })).toMatchObject({ op: 'update' });
    expect(mapped({ method: 'PUT', value: 'v', prevIndex: 0 })).toMatchObject({ op: 'set' });
  });

  it('v2 command: DELETE with a compare is cad, otherwise delete; prevExist is ignored', () => {
    expect(mapped({ method: 'DELETE', prevValue: 'x', recursive: true })).toEqual({
      op: 'cad', path: '/k', timeMs: t0, prevValue: 'x',
    });
    expect(mapped({ method: 'DELETE', prevExist: true, dir: true })).toEqual({
      op: 'delete', path: '/k', timeMs: t0, dir: true, recursive: false,
    });
  });

  it('v2 command: POST ignores prevExist, prevValue and refresh', () => {
    expect(mapped({ method: 'POST', value: 'a', prevExist: false, prevValue: 'q' })).toEqual({
      op: 'post', path: '/k', timeMs: t0, value: 'a', dir: false, ttlSeconds: null,
    });
  });

  it('v2 command: refresh with dir=true is a plain directory set', () => {
    expect(mapped({ method: 'PUT', dir: true, ttlSeconds: 5, refresh: true })).toMatchObject({
      op: 'set', dir: true, refresh: false,
    });
  });

  it('v2 command: request errors carry index 0', () => {
    const errors = [
      mapped({ method: 'PUT', prevValue: '' }),
      mapped({ method: 'DELETE', prevValue: '' }),
      mapped({ method: 'PUT', value: 'x', ttlSeconds: 5, refresh: true }),
      mapped({ method: 'PUT', refresh: true }),
    ];
    expect(errors.map((e) => (e as V2Error).errorCode)).toEqual([201, 201, 211, 212]);
    for (const error of errors) expect((error as V2Error).index).toBe(0);
  });
});

describe('v2 command: checkCommand', () => {
  const good = { op: 'set', path: '/a', timeMs: t0, value: 'v' };

  it('v2 command: a well-formed command passes', () => {
    expect(checkCommand(good, 0)).toBeNull();
    expect(checkCommand({ op: 'cad', path: '/a', timeMs: 0, prevIndex: 1 }, 0)).toBeNull();
  });

  it('v2 command: malformed commands are refused with a code and the current index', () => {
    const cases: [unknown, ErrorCode][] = [
      [null, ErrorCode.InvalidForm],
      ['set', ErrorCode.InvalidForm],
      [{ ...good, op: 'rename' }, ErrorCode.InvalidField],
      [{ ...good, extra: 1 }, ErrorCode.InvalidField],
      [{ ...good, path: 7 }, ErrorCode.InvalidField],
      [{ ...good, timeMs: 1.5 }, ErrorCode.InvalidField],
      [{ ...good, timeMs: -1 }, ErrorCode.InvalidField],
      [{ ...good, value: 3 }, ErrorCode.InvalidField],
      [{ ...good, dir: 'yes' }, ErrorCode.InvalidField],
      [{ ...good, prevIndex: 0 }, ErrorCode.IndexNotNumber],
      [{ ...good, ttlSeconds: -1 }, ErrorCode.TtlNotNumber],
      [{ ...good, ttlSeconds: 1.5 }, ErrorCode.TtlNotNumber],
      [{ ...good, ttlSeconds: 1e15 }, ErrorCode.TtlNotNumber],
      [{ ...good, refresh: true }, ErrorCode.RefreshTtlRequired],
      [{ op: 'cas', path: '/a', timeMs: 0 }, ErrorCode.InvalidField],
    ];
    for (const [command, code] of cases) {
      const error = checkCommand(command, 42);
      expect(error?.errorCode, JSON.stringify(command)).toBe(code);
      expect(error?.index).toBe(42);
    }
  });

  it('v2 command: apply refuses a malformed command without throwing or moving the index', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    const result = d.store.apply(2, { op: 'set', path: '/a', timeMs: Number.NaN } as never);
    expect(asError(result, ErrorCode.InvalidField).index).toBe(1);
    expect(d.store.etcdIndex).toBe(1);
    expect(d.store.appliedIndex).toBe(2);
  });

  it('v2 command: apply at a log index not above appliedIndex is a bug', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    expect(() => d.store.apply(1, { op: 'set', path: '/b', timeMs: t0 })).toThrow(/log index 1/);
  });
});
