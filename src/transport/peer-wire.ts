// Enum tables and value helpers shared by the peer codec: the numbering of proto/peer.proto's
// enums as TS string unions, and conversions of protobufjs decoded values (Long, Buffer).
// PURE; imports only src/lib and types. Must not import protobufjs or sockets.

import { assert } from '../lib/assert.js';
import type { EntryType, MessageType } from '../raft/types.js';
import type { Channel, RefuseReason } from './handshake.js';

/** A decoded protobufjs message, read field by field. */
export type WireObject = Record<string, unknown>;

/** MESSAGE_TYPE_* numbers: proto value = index + 1 (0 is UNSPECIFIED). */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'prevote',
  'prevote-resp',
  'vote',
  'vote-resp',
  'append',
  'append-resp',
  'heartbeat',
  'heartbeat-resp',
  'snapshot',
  'timeout-now',
  'propose',
  'read-index',
  'read-index-resp',
  'transfer-leader',
];

/** ENTRY_TYPE_* numbers: proto value = index (NORMAL is 0, the proto3 default). */
export const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf-change'];

/** CHANNEL_* numbers: proto value = index + 1. */
export const CHANNELS: readonly Channel[] = ['messages', 'snapshot'];

/** REFUSE_REASON_* numbers: proto value = index + 1. */
export const REFUSE_REASONS: readonly RefuseReason[] = [
  'version',
  'cluster-mismatch',
  'unknown-sender',
  'wrong-receiver',
  'malformed',
];

/** The proto number of `value` in `table` whose first value is numbered `first`. */
export function enumNumber<T>(table: readonly T[], value: T, first = 1): number {
  const index = table.indexOf(value);
  assert(index >= 0, () => `value ${String(value)} not in its enum table`);
  return index + first;
}

interface LongLike {
  readonly high: number;
  readonly low: number;
}

const TWO_POW_32 = 4294967296;
/** Largest `high` word of a uint64 that still fits in 53 bits. */
const SAFE_HIGH_MAX = 0x1fffff;

/** A decoded uint64/uint32 as a safe integer; undefined when it exceeds 2^53 - 1. */
export function wireNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (value === null || value === undefined) return 0;
  const long = value as LongLike;
  const high = long.high >>> 0;
  if (high > SAFE_HIGH_MAX) return undefined;
  return high * TWO_POW_32 + (long.low >>> 0);
}

const EMPTY = new Uint8Array(0);

/** A decoded bytes field (a Buffer view on Node); empty when absent. */
export function wireBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : EMPTY;
}

export function wireString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
