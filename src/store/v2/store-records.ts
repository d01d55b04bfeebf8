// Byte encodings of the v2 store's state: per-record (one per node, one per history event, one
// meta record) for the durable LevelDB copy, and one whole-store image for Raft snapshots.
// Decoding checks every field (a bad record is a broken invariant, not a client error).
// Imports tree (types), key-path, node, v2-event and src/lib only; no I/O.

import { assert } from '../../lib/assert.js';
import { isNormalKey } from './key-path.js';
import type { NodeJson } from './node.js';
import type { NodeState } from './tree.js';
import { V2Event, v2Actions, type V2Action } from './v2-event.js';

export const metaRecordKey = 'meta';
export const eventRecordPrefix = 'event/';
const formatVersion = 'kvd-v2-store/1';

/** Everything but the tree and the events: one record. */
export interface StoreMeta {
  readonly appliedIndex: number;
  readonly etcdIndex: number;
  readonly historyCapacity: number;
  readonly historyClearedIndex: number;
}

export interface StoreImage {
  readonly meta: StoreMeta;
  /** Parents before children. */
  readonly nodes: readonly NodeState[];
  /** Oldest first. */
  readonly events: readonly V2Event[];
}

/** Node records are keyed by the node's key, which always starts with '/'. */
export function isNodeRecordKey(key: string): boolean {
  return key.startsWith('/');
}

export function eventRecordKey(index: number): string {
  assert(Number.isSafeInteger(index) && index > 0, () => `event record index ${index}`);
  return eventRecordPrefix + String(index).padStart(20, '0');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function toBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function fromBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    assert(false, () => `${what}: not JSON: ${String(error)}`);
  }
}

type NodeTuple = [
  createdIndex: number,
  modifiedIndex: number,
  expirationMs: number | null,
  value: string | null,
];

function nodeTuple(state: NodeState): NodeTuple {
  return [state.createdIndex, state.modifiedIndex, state.expirationMs, state.value];
}

function nodeFromTuple(key: string, tuple: unknown): NodeState {
  assert(isNormalKey(key) && key !== '/', () => `node record key ${JSON.stringify(key)}`);
  assert(Array.isArray(tuple) && tuple.length === 4, () => `node record ${key}: not a 4-tuple`);
  const [createdIndex, modifiedIndex, expirationMs, value] = tuple as unknown[];
  assert(isIndex(createdIndex) && createdIndex > 0, () => `node ${key}: createdIndex`);
  assert(isIndex(modifiedIndex), () => `node ${key}: modifiedIndex`);
  assert(modifiedIndex >= createdIndex, () => `node ${key}: modifiedIndex < createdIndex`);
  assert(expirationMs === null || isIndex(expirationMs), () => `node ${key}: expirationMs`);
  assert(value === null || typeof value === 'string', () => `node ${key}: value`);
  return { key, createdIndex, modifiedIndex, expirationMs, value };
}

export function encodeNodeRecord(state: NodeState): Uint8Array {
  return toBytes(nodeTuple(state));
}

export function decodeNodeRecord(key: string, bytes: Uint8Array): NodeState {
  return nodeFromTuple(key, fromBytes(bytes, `node record ${key}`));
}

function eventToPlain(event: V2Event): unknown {
  return [event.action, event.node, event.prevNode ?? null, event.etcdIndex];
}

function eventFromPlain(plain: unknown, what: string): V2Event {
  assert(Array.isArray(plain) && plain.length === 4, () => `${what}: not a 4-tuple`);
  const [action, node, prevNode, etcdIndex] = plain as unknown[];
  assert(v2Actions.includes(action as V2Action) && action !== 'get', () => `${what}: action`);
  assert(isNodeJson(node), () => `${what}: node`);
  assert(prevNode === null || isNodeJson(prevNode), () => `${what}: prevNode`);
  assert(isIndex(etcdIndex), () => `${what}: etcdIndex`);
  return new V2Event(action as V2Action, node, prevNode ?? undefined, etcdIndex);
}

export function encodeEventRecord(event: V2Event): Uint8Array {
  return toBytes(eventToPlain(event));
}

export function decodeEventRecord(bytes: Uint8Array): V2Event {
  return eventFromPlain(fromBytes(bytes, 'event record'), 'event record');
}

export function encodeMeta(meta: StoreMeta): Uint8Array {
  return toBytes({ format: formatVersion, ...meta });
}

export function decodeMeta(bytes: Uint8Array): StoreMeta {
  return metaFromPlain(fromBytes(bytes, 'meta record'));
}

function metaFromPlain(plain: unknown): StoreMeta {
  assert(typeof plain === 'object' && plain !== null, 'meta: not an object');
  const meta = plain as Record<string, unknown>;
  assert(meta['format'] === formatVersion, () => `meta: format ${String(meta['format'])}`);
  const fields = ['appliedIndex', 'etcdIndex', 'historyCapacity', 'historyClearedIndex'] as const;
  for (const field of fields) assert(isIndex(meta[field]), () => `meta: ${field}`);
  assert((meta['historyCapacity'] as number) >= 1, 'meta: historyCapacity >= 1');
  return {
    appliedIndex: meta['appliedIndex'] as number,
    etcdIndex: meta['etcdIndex'] as number,
    historyCapacity: meta['historyCapacity'] as number,
    historyClearedIndex: meta['historyClearedIndex'] as number,
  };
}

/** The whole store as one JSON document: meta, nodes (parents first), events (oldest first). */
export function encodeSnapshot(image: StoreImage): Uint8Array {
  return toBytes({
    meta: { format: formatVersion, ...image.meta },
    nodes: image.nodes.map((state) => [state.key, ...nodeTuple(state)]),
    events: image.events.map(eventToPlain),
  });
}

export function decodeSnapshot(bytes: Uint8Array): StoreImage {
  const plain = fromBytes(bytes, 'snapshot');
  assert(typeof plain === 'object' && plain !== null, 'snapshot: not an object');
  const { meta, nodes, events } = plain as Record<string, unknown>;
  assert(Array.isArray(nodes), 'snapshot: nodes');
  assert(Array.isArray(events), 'snapshot: events');
  return {
    meta: metaFromPlain(meta),
    nodes: nodes.map((entry: unknown) => {
      assert(Array.isArray(entry) && typeof entry[0] === 'string', 'snapshot: node entry');
      return nodeFromTuple(entry[0], entry.slice(1));
    }),
    events: events.map((entry: unknown, i: number) => eventFromPlain(entry, `snapshot event ${i}`)),
  };
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isNodeJson(value: unknown): value is NodeJson {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const node = value as Record<string, unknown>;
  return node['key'] === undefined || typeof node['key'] === 'string';
}
