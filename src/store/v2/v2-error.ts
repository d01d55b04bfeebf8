// The etcd v2 error codes, their wire messages and HTTP statuses (one registry), and V2Error,
// the error value with etcd's wire shape {errorCode, message, cause, index}. Messages are the
// strings real etcd 3.4 sends. Imports nothing but src/lib; must not import the store or api.

import { assert } from '../../lib/assert.js';

/** etcd v2 error codes, named in our words. Codes >= 900 are kvd's own (etcd has no such case). */
export enum ErrorCode {
  KeyNotFound = 100,
  CompareFailed = 101,
  NotAFile = 102,
  NotADirectory = 104,
  KeyExists = 105,
  RootReadOnly = 107,
  DirectoryNotEmpty = 108,
  PrevValueRequired = 201,
  TtlNotNumber = 202,
  IndexNotNumber = 203,
  InvalidField = 209,
  InvalidForm = 210,
  RefreshValue = 211,
  RefreshTtlRequired = 212,
  RaftInternal = 300,
  LeaderElection = 301,
  WatcherCleared = 400,
  EventIndexCleared = 401,
  /** kvd only: the member already serves watchersMax watchers. */
  WatchersLimit = 901,
  /** kvd only: a stream watcher fell more than streamPendingEventsMax events behind. */
  WatcherLagging = 902,
}

export interface ErrorCodeEntry {
  readonly code: ErrorCode;
  /** The message etcd sends (kvd's own for kvd-only codes). */
  readonly message: string;
  readonly httpStatus: number;
  /** False for kvd-only codes that real etcd never sends. */
  readonly etcd: boolean;
}

function entry(code: ErrorCode, message: string, httpStatus: number, etcd = true): ErrorCodeEntry {
  return { code, message, httpStatus, etcd };
}

/** Every code once, in code order. The one table for messages and statuses. */
export const errorCodeRegistry: readonly ErrorCodeEntry[] = Object.freeze([
  entry(ErrorCode.KeyNotFound, 'Key not found', 404),
  entry(ErrorCode.CompareFailed, 'Compare failed', 412),
  entry(ErrorCode.NotAFile, 'Not a file', 403),
  entry(ErrorCode.NotADirectory, 'Not a directory', 400),
  entry(ErrorCode.KeyExists, 'Key already exists', 412),
  entry(ErrorCode.RootReadOnly, 'Root is read only', 400),
  entry(ErrorCode.DirectoryNotEmpty, 'Directory not empty', 403),
  entry(ErrorCode.PrevValueRequired, 'PrevValue is Required in POST form', 400),
  entry(ErrorCode.TtlNotNumber, 'The given TTL in POST form is not a number', 400),
  entry(ErrorCode.IndexNotNumber, 'The given index in POST form is not a number', 400),
  entry(ErrorCode.InvalidField, 'Invalid field', 400),
  entry(ErrorCode.InvalidForm, 'Invalid POST form', 400),
  entry(ErrorCode.RefreshValue, 'Value provided on refresh', 400),
  entry(ErrorCode.RefreshTtlRequired, 'A TTL must be provided on refresh', 400),
  entry(ErrorCode.RaftInternal, 'Raft Internal Error', 500),
  entry(ErrorCode.LeaderElection, 'During Leader Election', 500),
  entry(ErrorCode.WatcherCleared, 'watcher is cleared due to etcd recovery', 400),
  entry(ErrorCode.EventIndexCleared, 'The event in requested index is outdated and cleared', 400),
  entry(ErrorCode.WatchersLimit, 'Too many watchers', 503, false),
  entry(ErrorCode.WatcherLagging, 'Watcher fell too far behind', 400, false),
]);

const entryByCode: ReadonlyMap<number, ErrorCodeEntry> = new Map(
  errorCodeRegistry.map((e) => [e.code, e]),
);
assert(entryByCode.size === errorCodeRegistry.length, 'error code registry has a duplicate code');

export function errorCodeEntry(code: ErrorCode): ErrorCodeEntry {
  const found = entryByCode.get(code);
  assert(found !== undefined, () => `error code ${code} is not in the registry`);
  return found;
}

/** etcd's error body, field order as etcd writes it; `cause` is left out when empty. */
export interface V2ErrorJson {
  readonly errorCode: number;
  readonly message: string;
  readonly cause?: string;
  readonly index: number;
}

/**
 * An etcd v2 error as a value: returned by apply/get/watch (never thrown by the store).
 * `index` is the store's etcd index when the error was decided (0 for request-parsing errors).
 */
export class V2Error extends Error {
  override readonly name = 'V2Error';
  readonly errorCode: ErrorCode;
  override readonly cause: string;
  readonly index: number;

  constructor(errorCode: ErrorCode, cause: string, index: number) {
    super(errorCodeEntry(errorCode).message);
    assert(Number.isSafeInteger(index) && index >= 0, () => `error index ${index} < 0`);
    this.errorCode = errorCode;
    this.cause = cause;
    this.index = index;
  }

  get httpStatus(): number {
    return errorCodeEntry(this.errorCode).httpStatus;
  }

  toJSON(): V2ErrorJson {
    if (this.cause === '') {
      return { errorCode: this.errorCode, message: this.message, index: this.index };
    }
    const { errorCode, message, cause, index } = this;
    return { errorCode, message, cause, index };
  }

  /** The wire body without etcd's trailing newline. */
  get json(): string {
    return JSON.stringify(this.toJSON());
  }
}

export function isV2Error(value: unknown): value is V2Error {
  return value instanceof V2Error;
}
