// Request parsing for the etcd v2 API with Go's rules, as real etcd 3.4 answers: the request
// target (decoded path, '%2F' a separator, '//' or '..' a 301), and the keys parameters in
// etcd's checking order with its exact error codes and causes. Imports go-url and the v2
// store's public surface (errors, V2WriteRequest); no fastify here.

import { ErrorCode, V2Error, type V2WriteRequest } from '../store/v2/index.js';
import {
  canonicalPath,
  escapePath,
  goUnescape,
  parseGoBool,
  parseGoForm,
  parseGoUint64,
} from './go-url.js';

/** Where a raw request target leads: a clean decoded path, a 301, or Go's bare 400. */
export type RequestTarget =
  | { readonly kind: 'clean'; readonly path: string; readonly query: string }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'malformed' };

/** The prefix of the keys API; the key is the decoded path after it. */
export const keysPrefix = '/v2/keys';

/** Largest ttl: Go's time.Duration holds 2^63 - 1 ns, and etcd overflows past it. */
export const ttlSecondsMax = 9_223_372_036;

/** Splits and decodes a raw target ('/v2/keys/a%2Fb?x=1') as Go's server and ServeMux do. */
export function parseRequestTarget(rawUrl: string): RequestTarget {
  const mark = rawUrl.indexOf('?');
  const rawPath = mark < 0 ? rawUrl : rawUrl.slice(0, mark);
  const query = mark < 0 ? '' : rawUrl.slice(mark + 1);
  const decoded = goUnescape(rawPath, false);
  if ('bad' in decoded || !decoded.value.startsWith('/')) return { kind: 'malformed' };
  const path = decoded.value;
  const clean = canonicalPath(path);
  if (clean === path) return { kind: 'clean', path, query };
  const location = escapePath(clean) + (mark < 0 ? '' : '?' + query);
  return { kind: 'redirect', location };
}

/** The URL fastify routes on for a clean target: the decoded path, re-escaped. */
export function routingUrl(path: string): string {
  return escapePath(path);
}

/** The parameters of one keys request, after etcd's checks. */
export interface KeysParams {
  /** The key as requested ('/a/b', '/', '/a/b/'); the store normalises it. */
  readonly key: string;
  readonly recursive: boolean;
  readonly sorted: boolean;
  readonly wait: boolean;
  readonly dir: boolean;
  readonly quorum: boolean;
  readonly stream: boolean;
  readonly noValueOnSuccess: boolean;
  readonly refresh: boolean;
  /** 0 when absent (etcd treats 0 as absent). */
  readonly waitIndex: number;
  readonly prevIndex: number;
  /** The first value given, '' when present and empty, undefined when absent. */
  readonly value: string | undefined;
  readonly prevValue: string | undefined;
  /** null: no TTL (absent or empty `ttl=`). */
  readonly ttlSeconds: number | null;
  readonly prevExist: boolean | undefined;
}

export interface KeysInput {
  readonly method: string;
  readonly key: string;
  readonly query: string;
  /** The raw form body; undefined when the request has none that Go would read. */
  readonly body: string | undefined;
  /** Go's error for the Content-Type (it comes before any form error); null when none. */
  readonly mediaError: string | null;
}

type Form = Map<string, string[]>;

/** Parses a keys request's parameters, or answers etcd's request error (index 0). */
export function parseKeysParams(input: KeysInput): KeysParams | V2Error {
  if (input.mediaError !== null) return requestError(ErrorCode.InvalidForm, input.mediaError);
  const parsed = parseGoForm(input.body, input.query);
  if (!parsed.ok) return requestError(ErrorCode.InvalidForm, parsed.error);
  const form = parsed.form;
  const prevIndex = indexField(form, 'prevIndex');
  if (prevIndex instanceof V2Error) return prevIndex;
  const waitIndex = indexField(form, 'waitIndex');
  if (waitIndex instanceof V2Error) return waitIndex;
  const flags: Record<string, boolean> = {};
  for (const name of ['recursive', 'sorted', 'wait', 'dir', 'quorum', 'stream'] as const) {
    const flag = boolField(form, name, `"${name}"`);
    if (flag instanceof V2Error) return flag;
    flags[name] = flag ?? false;
  }
  if (flags['wait'] === true && input.method !== 'GET') {
    return requestError(ErrorCode.InvalidField, '"wait" can only be used with GET requests');
  }
  const prevValue = first(form, 'prevValue');
  if (prevValue === '') {
    return requestError(ErrorCode.PrevValueRequired, '"prevValue" cannot be empty');
  }
  const noValueOnSuccess = boolField(form, 'noValueOnSuccess', '"noValueOnSuccess"');
  if (noValueOnSuccess instanceof V2Error) return noValueOnSuccess;
  const ttlSeconds = ttlField(form);
  if (ttlSeconds instanceof V2Error) return ttlSeconds;
  const prevExist = boolField(form, 'prevExist', 'prevExist');
  if (prevExist instanceof V2Error) return prevExist;
  const refresh = boolField(form, 'refresh', 'refresh');
  if (refresh instanceof V2Error) return refresh;
  const value = first(form, 'value');
  if (refresh === true && value !== undefined && value !== '') {
    return requestError(ErrorCode.RefreshValue, 'A value was provided on a refresh');
  }
  if (refresh === true && ttlSeconds === null) {
    return requestError(ErrorCode.RefreshTtlRequired, 'No TTL value set');
  }
  return {
    key: input.key,
    recursive: flags['recursive'] === true,
    sorted: flags['sorted'] === true,
    wait: flags['wait'] === true,
    dir: flags['dir'] === true,
    quorum: flags['quorum'] === true,
    stream: flags['stream'] === true,
    noValueOnSuccess: noValueOnSuccess === true,
    refresh: refresh === true,
    waitIndex,
    prevIndex,
    value,
    prevValue,
    ttlSeconds,
    prevExist,
  };
}

/** The write a PUT, POST or DELETE asks for (commandForRequest maps it to a command). */
export function writeRequestOf(
  method: V2WriteRequest['method'],
  params: KeysParams,
): V2WriteRequest {
  const request: {
    -readonly [K in keyof V2WriteRequest]: V2WriteRequest[K];
  } = { method, path: params.key, dir: params.dir, recursive: params.recursive };
  if (method !== 'DELETE') {
    request.value = params.value ?? '';
    request.ttlSeconds = params.ttlSeconds;
    request.refresh = params.refresh;
    if (params.prevExist !== undefined) request.prevExist = params.prevExist;
  }
  if (params.prevValue !== undefined) request.prevValue = params.prevValue;
  if (params.prevIndex > 0) request.prevIndex = params.prevIndex;
  return request;
}

function requestError(code: ErrorCode, cause: string): V2Error {
  return new V2Error(code, cause, 0);
}

function first(form: Form, name: string): string | undefined {
  return form.get(name)?.[0];
}

/** prevIndex / waitIndex: a uint64 when present (even empty), else 203. 0 when absent. */
function indexField(form: Form, name: string): number | V2Error {
  const text = first(form, name);
  if (text === undefined) return 0;
  const value = parseGoUint64(text);
  if (value === null) {
    return requestError(ErrorCode.IndexNotNumber, `invalid value for "${name}"`);
  }
  // No etcd index reaches 2^53; a larger one behaves the same as the largest safe one.
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** A Go boolean when present (an empty value is refused), undefined when absent. */
function boolField(form: Form, name: string, shown: string): boolean | undefined | V2Error {
  const text = first(form, name);
  if (text === undefined) return undefined;
  const value = parseGoBool(text);
  if (value === null) return requestError(ErrorCode.InvalidField, `invalid value for ${shown}`);
  return value;
}

/** ttl: absent or empty means none; else whole seconds up to ttlSecondsMax, or 202. */
function ttlField(form: Form): number | null | V2Error {
  const text = first(form, 'ttl');
  if (text === undefined || text === '') return null;
  const value = parseGoUint64(text);
  if (value === null || value > BigInt(ttlSecondsMax)) {
    return requestError(ErrorCode.TtlNotNumber, 'invalid value for "ttl"');
  }
  return Number(value);
}
