// V2Event: one etcd v2 answer or change, {action, node, prevNode?} in etcd's JSON shape, with
// the etcd index after it and its wire JSON cached (serialised once for every watcher), and
// etcd's rule for which past events a (key, recursive) scan finds. Imports key-path, node
// and src/lib only.

import { assert } from '../../lib/assert.js';
import { isBelow, rootKey } from './key-path.js';
import type { NodeJson } from './node.js';

export type V2Action =
  | 'get'
  | 'set'
  | 'create'
  | 'update'
  | 'compareAndSwap'
  | 'delete'
  | 'compareAndDelete'
  | 'expire';

export const v2Actions: readonly V2Action[] = [
  'get',
  'set',
  'create',
  'update',
  'compareAndSwap',
  'delete',
  'compareAndDelete',
  'expire',
];

/** The event body exactly as etcd writes it. */
export interface V2EventJson {
  readonly action: V2Action;
  readonly node: NodeJson;
  readonly prevNode?: NodeJson;
}

export class V2Event {
  readonly action: V2Action;
  readonly node: NodeJson;
  readonly prevNode: NodeJson | undefined;
  /** The store's etcd index after this event: X-Etcd-Index for its answer. */
  readonly etcdIndex: number;
  private cachedJson: string | undefined;

  constructor(action: V2Action, node: NodeJson, prevNode: NodeJson | undefined, etcdIndex: number) {
    assert(Number.isSafeInteger(etcdIndex) && etcdIndex >= 0, () => `etcdIndex ${etcdIndex}`);
    assert(
      action === 'get' || node.modifiedIndex === etcdIndex,
      () => `${action} event: node.modifiedIndex ${node.modifiedIndex} != etcdIndex ${etcdIndex}`,
    );
    this.action = action;
    this.node = node;
    this.prevNode = prevNode;
    this.etcdIndex = etcdIndex;
  }

  /** The index watchers and history compare with waitIndex: the change's modifiedIndex. */
  get index(): number {
    return this.node.modifiedIndex ?? 0;
  }

  get key(): string {
    return this.node.key ?? rootKey;
  }

  /** True for a delete or expire that removed a directory (and so every key inside it). */
  get removesDirectory(): boolean {
    return (this.action === 'delete' || this.action === 'expire') && this.node.dir === true;
  }

  toJSON(): V2EventJson {
    if (this.prevNode === undefined) return { action: this.action, node: this.node };
    return { action: this.action, node: this.node, prevNode: this.prevNode };
  }

  /** The wire body (without etcd's trailing newline), built on first use and then shared. */
  get json(): string {
    if (this.cachedJson === undefined) this.cachedJson = JSON.stringify(this.toJSON());
    return this.cachedJson;
  }
}

export interface WatchScope {
  readonly key: string;
  readonly recursive: boolean;
}

/**
 * True when a history scan for `scope` finds `event` (etcd's rule for past events): a change
 * at its key; below it when recursive (hidden keys too); or the removal of a directory above
 * it. Live notification (WatchHub.notify) differs: it skips hidden keys below the watched key,
 * and a directory removal wakes only watchers of keys that were in the directory.
 */
export function eventMatches(event: V2Event, scope: WatchScope): boolean {
  const key = event.key;
  if (key === scope.key) return true;
  if (scope.recursive && isBelow(key, scope.key)) return true;
  return event.removesDirectory && isBelow(scope.key, key);
}
