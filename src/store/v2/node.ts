// One node of the v2 keyspace (a file with a value, or a directory of children) and its
// rendering to etcd's JSON node shape, including TTL: `expiration` as RFC 3339 with trimmed
// fractional seconds and `ttl` as seconds left at a given time. No clock: callers pass nowMs.
// Imports only key-path and src/lib.

import { assert } from '../../lib/assert.js';
import { isHiddenName, keyName, rootKey } from './key-path.js';

/** etcd's node JSON; optional fields are left out, as etcd does, and keys keep etcd's order. */
export interface NodeJson {
  readonly key?: string;
  readonly dir?: true;
  readonly value?: string;
  readonly expiration?: string;
  readonly ttl?: number;
  readonly nodes?: readonly NodeJson[];
  readonly modifiedIndex?: number;
  readonly createdIndex?: number;
}

/** The latest expiration etcd can write: RFC 3339 has four-digit years. */
export const expirationMsMax = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export class V2Node {
  readonly key: string;
  readonly createdIndex: number;
  /** Invariant: createdIndex <= modifiedIndex. */
  modifiedIndex: number;
  /** Absolute ms since the epoch, or null when the node never expires. */
  expirationMs: number | null = null;
  /** The file's value; null exactly when this node is a directory. */
  value: string | null;
  /** Children by name, in creation (createdIndex) order; null exactly for files. */
  readonly children: Map<string, V2Node> | null;
  parent: V2Node | null = null;

  private constructor(key: string, createdIndex: number, value: string | null) {
    assert(Number.isSafeInteger(createdIndex) && createdIndex >= 0, 'createdIndex >= 0');
    this.key = key;
    this.createdIndex = createdIndex;
    this.modifiedIndex = createdIndex;
    this.value = value;
    this.children = value === null ? new Map() : null;
  }

  static file(key: string, value: string, index: number): V2Node {
    return new V2Node(key, index, value);
  }

  static directory(key: string, index: number): V2Node {
    return new V2Node(key, index, null);
  }

  get isDir(): boolean {
    return this.value === null;
  }

  get name(): string {
    return keyName(this.key);
  }

  get isRoot(): boolean {
    return this.key === rootKey;
  }
}

/** How much of a directory's contents a rendering lists. */
export type Listing = 'none' | 'children' | 'all';

export interface RenderOptions {
  readonly nowMs: number;
  readonly listing: Listing;
  readonly sorted: boolean;
}

/** Renders a node as etcd does for reads and for event `node`/`prevNode`. */
export function renderNode(node: V2Node, options: RenderOptions): NodeJson {
  const json: {
    key?: string;
    dir?: true;
    value?: string;
    expiration?: string;
    ttl?: number;
    nodes?: NodeJson[];
    modifiedIndex?: number;
    createdIndex?: number;
  } = {};
  if (!node.isRoot) json.key = node.key;
  if (node.value === null) json.dir = true;
  else json.value = node.value;
  if (node.expirationMs !== null) {
    json.expiration = formatExpiration(node.expirationMs);
    const ttl = ttlSecondsLeft(node.expirationMs, options.nowMs);
    if (ttl > 0) json.ttl = ttl;
  }
  if (node.children !== null && options.listing !== 'none') {
    const nodes = renderChildren(node, options);
    if (nodes.length > 0) json.nodes = nodes;
  }
  if (node.modifiedIndex > 0) json.modifiedIndex = node.modifiedIndex;
  if (node.createdIndex > 0) json.createdIndex = node.createdIndex;
  return json;
}

function renderChildren(node: V2Node, options: RenderOptions): NodeJson[] {
  assert(node.children !== null, 'renderChildren of a file');
  const inner: RenderOptions = {
    ...options,
    listing: options.listing === 'all' ? 'all' : 'none',
  };
  let children = [...node.children.values()].filter((child) => !isHiddenName(child.name));
  if (options.sorted) children = children.sort((a, b) => compareKeys(a.key, b.key));
  return children.map((child) => renderNode(child, inner));
}

/** The node as delete and expire events show it: no value, the removing index as modified. */
export function renderRemovedNode(node: V2Node, removedAtIndex: number): NodeJson {
  assert(removedAtIndex > node.modifiedIndex, 'a removal comes after the last modification');
  if (node.isDir) {
    return {
      key: node.key,
      dir: true,
      modifiedIndex: removedAtIndex,
      createdIndex: node.createdIndex,
    };
  }
  return { key: node.key, modifiedIndex: removedAtIndex, createdIndex: node.createdIndex };
}

/** Code point order, which is the UTF-8 byte order etcd sorts by for `sorted=true`. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates stand for code points above 0xFFFF, so they rank after 0xE000..0xFFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Whole seconds left, rounded up, never below 0: etcd's `ttl` field (0 means left out). */
export function ttlSecondsLeft(expirationMs: number, nowMs: number): number {
  const left = Math.ceil((expirationMs - nowMs) / 1000);
  return left > 0 ? left : 0;
}

/** RFC 3339 in UTC with the fraction's trailing zeros trimmed, like Go's RFC3339Nano. */
export function formatExpiration(ms: number): string {
  assert(Number.isSafeInteger(ms) && ms >= 0, () => `expiration ${ms} is not whole ms`);
  assert(ms <= expirationMsMax, () => `expiration ${ms} > expirationMsMax`);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const seconds = iso.slice(0, 19);
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
}
