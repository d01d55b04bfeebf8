// V2Command: one write to the v2 keyspace as a plain JSON-able object in the Raft log, its
// validation (a malformed command is refused as a V2Error, never thrown), and the mapping from
// an etcd v2 PUT/POST/DELETE's parsed parameters to a command. Imports node and v2-error
// only; must not import the tree or the store.

import { expirationMsMax } from './node.js';
import { ErrorCode, V2Error } from './v2-error.js';

export type V2CommandOp =
  | 'set'
  | 'create'
  | 'update'
  | 'cas'
  | 'delete'
  | 'cad'
  | 'post'
  | 'expire';

/**
 * One write. `timeMs` is the leader's clock when it proposed the command: the only time apply
 * ever sees. Which fields an op reads:
 * - set    (PUT):                   value | dir, ttlSeconds, refresh
 * - create (PUT prevExist=false):   value | dir, ttlSeconds
 * - update (PUT prevExist=true):    value, ttlSeconds, refresh
 * - cas    (PUT prevValue/prevIndex): value, prevValue?, prevIndex?, ttlSeconds, refresh
 * - post   (POST, in-order key):    value | dir, ttlSeconds
 * - delete (DELETE):                dir, recursive
 * - cad    (DELETE prevValue/prevIndex): prevValue?, prevIndex?
 * - expire (proposed by the leader for a key from expiredKeys)
 * `ttlSeconds` null or absent means "never expires" (a write without ttl clears a TTL);
 * `refresh` keeps the value, resets the TTL, and is neither in history nor seen by watchers.
 */
export interface V2Command {
  readonly op: V2CommandOp;
  readonly path: string;
  readonly timeMs: number;
  readonly value?: string;
  readonly dir?: boolean;
  readonly ttlSeconds?: number | null;
  readonly refresh?: boolean;
  readonly prevValue?: string;
  readonly prevIndex?: number;
  readonly recursive?: boolean;
}

export const v2CommandOps: readonly V2CommandOp[] = [
  'set',
  'create',
  'update',
  'cas',
  'delete',
  'cad',
  'post',
  'expire',
];

const commandFields = new Set([
  'op',
  'path',
  'timeMs',
  'value',
  'dir',
  'ttlSeconds',
  'refresh',
  'prevValue',
  'prevIndex',
  'recursive',
]);

/** Returns why `command` is malformed (as a V2Error at `errorIndex`), or null when it is fine. */
export function checkCommand(command: unknown, errorIndex: number): V2Error | null {
  const refuse = (code: ErrorCode, cause: string): V2Error => new V2Error(code, cause, errorIndex);
  if (typeof command !== 'object' || command === null) {
    return refuse(ErrorCode.InvalidForm, 'command is not an object');
  }
  const fields = command as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!commandFields.has(name)) return refuse(ErrorCode.InvalidField, `unknown field "${name}"`);
  }
  const c = fields as Partial<Record<keyof V2Command, unknown>>;
  if (!v2CommandOps.includes(c.op as V2CommandOp)) {
    return refuse(ErrorCode.InvalidField, 'invalid value for "op"');
  }
  if (typeof c.path !== 'string') return refuse(ErrorCode.InvalidField, 'invalid value for "path"');
  if (!isWholeMs(c.timeMs)) return refuse(ErrorCode.InvalidField, 'invalid value for "timeMs"');
  for (const name of ['value', 'prevValue'] as const) {
    if (c[name] !== undefined && typeof c[name] !== 'string') {
      return refuse(ErrorCode.InvalidField, `invalid value for "${name}"`);
    }
  }
  for (const name of ['dir', 'refresh', 'recursive'] as const) {
    if (c[name] !== undefined && typeof c[name] !== 'boolean') {
      return refuse(ErrorCode.InvalidField, `invalid value for "${name}"`);
    }
  }
  const prevIndex = c.prevIndex;
  if (prevIndex !== undefined && !(Number.isSafeInteger(prevIndex) && (prevIndex as number) > 0)) {
    return refuse(ErrorCode.IndexNotNumber, 'invalid value for "prevIndex"');
  }
  if ((c.op === 'cas' || c.op === 'cad') && c.prevValue === undefined && prevIndex === undefined) {
    return refuse(ErrorCode.InvalidField, `"${c.op}" needs "prevValue" or "prevIndex"`);
  }
  return checkTtl(c.ttlSeconds, c.timeMs as number, c.refresh === true, refuse);
}

function checkTtl(
  ttlSeconds: unknown,
  timeMs: number,
  refresh: boolean,
  refuse: (code: ErrorCode, cause: string) => V2Error,
): V2Error | null {
  if (ttlSeconds === undefined || ttlSeconds === null) {
    return refresh ? refuse(ErrorCode.RefreshTtlRequired, 'No TTL value set') : null;
  }
  const ttl = ttlSeconds as number;
  if (!Number.isSafeInteger(ttl) || ttl < 0 || timeMs + ttl * 1000 > expirationMsMax) {
    return refuse(ErrorCode.TtlNotNumber, 'invalid value for "ttl"');
  }
  return null;
}

function isWholeMs(value: unknown): value is number {
  if (!Number.isSafeInteger(value)) return false;
  return (value as number) >= 0 && (value as number) <= expirationMsMax;
}

/** The absolute expiration a command sets: null when it has no TTL. */
export function expirationOf(command: V2Command): number | null {
  if (command.ttlSeconds === undefined || command.ttlSeconds === null) return null;
  return command.timeMs + command.ttlSeconds * 1000;
}

/** An etcd v2 write request after HTTP parameter parsing (form body over query, booleans). */
export interface V2WriteRequest {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly value?: string;
  readonly dir?: boolean;
  /** null or absent: no ttl (an empty `ttl=` parses to null). */
  readonly ttlSeconds?: number | null;
  readonly refresh?: boolean;
  readonly prevValue?: string;
  /** 0 means absent, as in etcd. */
  readonly prevIndex?: number;
  readonly prevExist?: boolean;
  readonly recursive?: boolean;
}

/**
 * Maps a parsed request to the command etcd would run, or to the request error etcd answers
 * with index 0 (201 empty prevValue, 211 value on refresh, 212 refresh without ttl).
 */
export function commandForRequest(request: V2WriteRequest, timeMs: number): V2Command | V2Error {
  const { method, path } = request;
  const prevIndex = (request.prevIndex ?? 0) > 0 ? request.prevIndex : undefined;
  const compares = request.prevValue !== undefined || prevIndex !== undefined;
  if (request.prevValue === '' && method !== 'POST') {
    return new V2Error(ErrorCode.PrevValueRequired, '"prevValue" cannot be empty', 0);
  }
  const prevValue = request.prevValue;
  if (method === 'DELETE') {
    if (compares) return { op: 'cad', path, timeMs, ...defined({ prevValue, prevIndex }) };
    const recursive = request.recursive === true;
    return { op: 'delete', path, timeMs, dir: request.dir === true, recursive };
  }
  const refresh = request.refresh === true;
  const ttlSeconds = request.ttlSeconds ?? null;
  if (refresh && request.value !== undefined && request.value !== '') {
    return new V2Error(ErrorCode.RefreshValue, 'A value was provided on a refresh', 0);
  }
  if (refresh && ttlSeconds === null) {
    return new V2Error(ErrorCode.RefreshTtlRequired, 'No TTL value set', 0);
  }
  const value = request.value ?? '';
  const dir = request.dir === true;
  if (method === 'POST') return { op: 'post', path, timeMs, value, dir, ttlSeconds };
  if (request.prevExist === false) return { op: 'create', path, timeMs, value, dir, ttlSeconds };
  if (compares) {
    const compare = defined({ prevValue, prevIndex });
    return { op: 'cas', path, timeMs, value, ttlSeconds, refresh, ...compare };
  }
  if (request.prevExist === true) return { op: 'update', path, timeMs, value, ttlSeconds, refresh };
  // etcd treats refresh with dir=true as a plain directory set.
  return { op: 'set', path, timeMs, value, dir, ttlSeconds, refresh: refresh && !dir };
}

function defined<T extends object>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) (out as Record<string, unknown>)[name] = value;
  }
  return out;
}
