// Test helpers for the v2 store: a driver that turns etcd-style requests into commands and
// applies them at increasing log indexes, result unwrappers, and the seed for randomness.

import { expect } from 'vitest';
import {
  commandForRequest,
  type ErrorCode,
  type V2Command,
  type V2WriteRequest,
  V2Error,
  V2Event,
  type V2Result,
  V2Store,
  type V2StoreOptions,
} from '../../src/store/v2/index.js';

/** A fixed leader clock: 2026-11-25T12:00:00Z. */
export const t0 = Date.UTC(2026, 10, 25, 12, 0, 0, 0);

/** The seed for seeded randomness: KVD_SEED when set, else a fixed default. */
export function testSeed(fallback = 20_261_125): number {
  const fromEnv = process.env['KVD_SEED'];
  if (fromEnv === undefined || fromEnv === '') return fallback;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new Error(`KVD_SEED=${fromEnv} is not an integer`);
  return seed;
}

export class Driver {
  readonly store: V2Store;
  logIndex = 0;
  timeMs = t0;

  constructor(options: V2StoreOptions = {}) {
    this.store = new V2Store({ paranoid: true, ...options });
  }

  /** Applies a command at the next log index. */
  apply(command: Omit<V2Command, 'timeMs'> & { timeMs?: number }): V2Result {
    this.logIndex++;
    return this.store.apply(this.logIndex, { timeMs: this.timeMs, ...command } as V2Command);
  }

  /** Maps an etcd request the way the API will, then applies it. */
  request(request: V2WriteRequest): V2Result {
    const command = commandForRequest(request, this.timeMs);
    if (command instanceof V2Error) return command;
    return this.apply(command);
  }

  put(path: string, fields: Omit<V2WriteRequest, 'method' | 'path'> = {}): V2Result {
    return this.request({ method: 'PUT', path, ...fields });
  }

  post(path: string, fields: Omit<V2WriteRequest, 'method' | 'path'> = {}): V2Result {
    return this.request({ method: 'POST', path, ...fields });
  }

  del(path: string, fields: Omit<V2WriteRequest, 'method' | 'path'> = {}): V2Result {
    return this.request({ method: 'DELETE', path, ...fields });
  }

  get(path: string, options: { recursive?: boolean; sorted?: boolean; nowMs?: number } = {}) {
    return this.store.get(path, { nowMs: this.timeMs, ...options });
  }
}

export function asEvent(result: V2Result | V2Error): V2Event {
  if (result instanceof V2Error) {
    throw new Error(`expected an event, got error ${result.errorCode}: ${result.json}`);
  }
  expect(result).toBeInstanceOf(V2Event);
  return result;
}

/** The cause of the error `result` must be. */
export function causeOf(result: V2Result, code: ErrorCode): string {
  return asError(result, code).cause;
}

export function asError(result: V2Result, code: ErrorCode): V2Error {
  if (!(result instanceof V2Error)) throw new Error(`expected error ${code}, got ${result.json}`);
  expect(result.errorCode).toBe(code);
  return result;
}
