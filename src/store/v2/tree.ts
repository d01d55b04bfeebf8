// The v2 keyspace tree: lookups with etcd's causes, creating parent directories, inserting,
// replacing and removing nodes, the set of nodes with a TTL (for expiredKeys), and the keys
// changed since the last takeDirtyKeys (for the durable copy). No events, no index policy.
// Imports key-path, node, v2-error and src/lib only.

import { assert } from '../../lib/assert.js';
import { childKey, keyParts, parentKey, rootKey } from './key-path.js';
import { V2Node } from './node.js';
import { ErrorCode, V2Error } from './v2-error.js';

/** A node as the durable copy holds it (key aside). */
export interface NodeState {
  readonly key: string;
  readonly createdIndex: number;
  readonly modifiedIndex: number;
  readonly expirationMs: number | null;
  /** null for a directory. */
  readonly value: string | null;
}

/** An in-place change: a new modifiedIndex and expiration, and a file's new value if any. */
export interface NodeChange {
  readonly modifiedIndex: number;
  readonly value?: string;
  readonly expirationMs: number | null;
}

export class Tree {
  readonly root: V2Node = V2Node.directory(rootKey, 0);
  /** Invariant: exactly the attached nodes whose expirationMs is not null. */
  private readonly expiring = new Set<V2Node>();
  /** Keys whose record changed (put or deleted) since takeDirtyKeys. */
  private dirtyKeys = new Set<string>();
  /** Attached nodes, root included. */
  private nodeCount = 1;

  get size(): number {
    return this.nodeCount;
  }

  /** The node at a normal key, or undefined (also when a file sits on the way). */
  find(key: string): V2Node | undefined {
    let node: V2Node | undefined = this.root;
    for (const part of keyParts(key)) {
      node = node.children?.get(part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /**
   * The node at `key`, or etcd's error: 100 naming the first missing component, or 104
   * naming a file found where a directory was needed.
   */
  resolve(key: string, errorIndex: number): V2Node | V2Error {
    let node = this.root;
    for (const part of keyParts(key)) {
      if (node.children === null) return new V2Error(ErrorCode.NotADirectory, node.key, errorIndex);
      const child = node.children.get(part);
      if (child === undefined) {
        return new V2Error(ErrorCode.KeyNotFound, childKey(node.key, part), errorIndex);
      }
      node = child;
    }
    return node;
  }

  /**
   * The directory at `key`, creating it and any missing parents at `index`; 104 naming the
   * first file on the way (nothing is created then: a file can only precede missing parts).
   */
  ensureDirectory(key: string, index: number, errorIndex: number): V2Node | V2Error {
    let node = this.root;
    let created = false;
    for (const part of keyParts(key)) {
      let child = node.children?.get(part);
      if (child === undefined) {
        child = V2Node.directory(childKey(node.key, part), index);
        this.insert(node, child);
        created = true;
      } else if (child.children === null) {
        assert(!created, 'a file below a directory created in the same call');
        return new V2Error(ErrorCode.NotADirectory, child.key, errorIndex);
      }
      node = child;
    }
    return node;
  }

  /** Attaches a new childless node under `parent`, whose name must be free. */
  insert(parent: V2Node, node: V2Node): void {
    assert(parent.children !== null, () => `insert under file ${parent.key}`);
    assert(node.parent === null, () => `insert of attached node ${node.key}`);
    assert(parentKey(node.key) === parent.key, () => `${node.key} is not a child of ${parent.key}`);
    assert(!parent.children.has(node.name), () => `insert over existing ${node.key}`);
    assert(node.children === null || node.children.size === 0, 'insert of a non-empty dir');
    assert(node.createdIndex >= parent.createdIndex, 'a child is created after its parent');
    parent.children.set(node.name, node);
    node.parent = parent;
    this.nodeCount++;
    if (node.expirationMs !== null) this.expiring.add(node);
    this.dirtyKeys.add(node.key);
  }

  /** Puts `next` where `previous` (a file or an empty directory) was, last in creation order. */
  replace(previous: V2Node, next: V2Node): void {
    assert(previous.key === next.key, () => `replace ${previous.key} by ${next.key}`);
    assert(next.createdIndex > previous.createdIndex, 'a replacement is created later');
    const parent = previous.parent;
    assert(parent !== null, () => `replace of detached ${previous.key}`);
    this.remove(previous);
    this.insert(parent, next);
  }

  /** Detaches `node` and everything below it. Returns the keys that left, `node`'s first. */
  remove(node: V2Node): string[] {
    const parent = node.parent;
    assert(parent !== null && parent.children !== null, () => `remove of root or detached`);
    assert(parent.children.get(node.name) === node, () => `${node.key} not in its parent`);
    parent.children.delete(node.name);
    node.parent = null;
    const removed: string[] = [];
    const stack = [node];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      removed.push(next.key);
      this.expiring.delete(next);
      this.dirtyKeys.add(next.key);
      if (next.children !== null) stack.push(...next.children.values());
    }
    this.nodeCount -= removed.length;
    assert(this.nodeCount >= 1, () => `node count ${this.nodeCount} < 1`);
    return removed;
  }

  /** Records an in-place change of an attached node (value, modifiedIndex, expiration). */
  update(node: V2Node, change: NodeChange): void {
    assert(node.parent !== null, () => `update of root or detached ${node.key}`);
    assert(change.modifiedIndex > node.modifiedIndex, 'modifiedIndex only grows');
    assert(change.value === undefined || node.value !== null, 'a directory has no value');
    node.modifiedIndex = change.modifiedIndex;
    if (change.value !== undefined) node.value = change.value;
    node.expirationMs = change.expirationMs;
    if (node.expirationMs === null) this.expiring.delete(node);
    else this.expiring.add(node);
    this.dirtyKeys.add(node.key);
  }

  /**
   * Keys whose expiration is at or before nowMs, leaving out keys inside an expired
   * directory (expiring the directory removes them); by expiration, then key.
   */
  expiredKeys(nowMs: number): string[] {
    const expired = [...this.expiring].filter((node) => node.expirationMs! <= nowMs);
    const expiredSet = new Set(expired);
    const outermost = expired.filter((node) => {
      for (let up = node.parent; up !== null; up = up.parent) {
        if (expiredSet.has(up)) return false;
      }
      return true;
    });
    outermost.sort((a, b) => a.expirationMs! - b.expirationMs! || (a.key < b.key ? -1 : 1));
    return outermost.map((node) => node.key);
  }

  takeDirtyKeys(): string[] {
    const keys = [...this.dirtyKeys];
    this.dirtyKeys = new Set();
    return keys;
  }

  markDirty(key: string): void {
    this.dirtyKeys.add(key);
  }

  /** Every node but the root, parents before children, children in creation order. */
  *nodes(): Generator<V2Node> {
    const stack: V2Node[] = [...this.root.children!.values()].reverse();
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      yield node;
      if (node.children !== null) stack.push(...[...node.children.values()].reverse());
    }
  }

  /** Whole-structure check (paranoid mode): links, index order, TTL set, node count. */
  checkInvariants(etcdIndex: number): void {
    let count = 1;
    let ttlCount = 0;
    for (const node of this.nodes()) {
      count++;
      assert(node.parent !== null && node.parent.children?.get(node.name) === node, 'linked');
      assert(parentKey(node.key) === node.parent.key, () => `${node.key} under its parent`);
      assert(node.createdIndex <= node.modifiedIndex, () => `${node.key} created <= modified`);
      assert(node.modifiedIndex <= etcdIndex, () => `${node.key} modified <= etcd index`);
      assert(node.createdIndex >= node.parent.createdIndex, () => `${node.key} after parent`);
      if (node.expirationMs !== null) ttlCount++;
      assert((node.expirationMs !== null) === this.expiring.has(node), `${node.key} TTL set`);
      checkChildOrder(node);
    }
    checkChildOrder(this.root);
    assert(count === this.nodeCount, () => `node count ${this.nodeCount}, walked ${count}`);
    assert(ttlCount === this.expiring.size, () => `TTL set ${this.expiring.size} != ${ttlCount}`);
  }

  /** Rebuilds from states ordered as loadOrder sorts them (parents first). */
  static fromStates(states: Iterable<NodeState>): Tree {
    const tree = new Tree();
    for (const state of states) {
      const parent = tree.find(parentKey(state.key));
      assert(parent !== undefined && parent.isDir, () => `no directory above ${state.key}`);
      const node =
        state.value === null
          ? V2Node.directory(state.key, state.createdIndex)
          : V2Node.file(state.key, state.value, state.createdIndex);
      node.modifiedIndex = state.modifiedIndex;
      node.expirationMs = state.expirationMs;
      tree.insert(parent, node);
    }
    tree.dirtyKeys = new Set();
    return tree;
  }

  /** Visits the tree's whole state, parents first, as NodeState values. */
  *states(): Generator<NodeState> {
    for (const node of this.nodes()) yield stateOf(node);
  }
}

function checkChildOrder(node: V2Node): void {
  let previous = 0;
  for (const child of node.children?.values() ?? []) {
    assert(child.createdIndex > previous, () => `${child.key} in creation order`);
    previous = child.createdIndex;
  }
}

export function stateOf(node: V2Node): NodeState {
  return {
    key: node.key,
    createdIndex: node.createdIndex,
    modifiedIndex: node.modifiedIndex,
    expirationMs: node.expirationMs,
    value: node.value,
  };
}

/** Orders states so that parents come before children and siblings by creation. */
export function loadOrder(a: NodeState, b: NodeState): number {
  if (a.createdIndex !== b.createdIndex) return a.createdIndex - b.createdIndex;
  return a.key.length - b.key.length;
}
