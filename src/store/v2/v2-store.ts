// V2Store: the etcd v2 keyspace as a deterministic state machine behind the Raft log. Owns
// the tree, the etcd index, the event history and the member-local watch hub; applies
// commands, serves reads and watches, and hands its state to the durable copy (records) and
// to Raft snapshots (bytes). No clock, no randomness, no I/O: time comes in commands or in
// read options. Must not import src/api, src/server, src/raft or node:*.

import { assert, unreachable } from '../../lib/assert.js';
import type { StateChanges, StateMachine } from '../state-machine.js';
import type { ApplyContext, ApplyOutcome } from './apply-context.js';
import { applyCompareAndDelete, applyDelete, applyExpire } from './apply-delete.js';
import { applyCompareAndSwap, applyCreate, applyPost, applySet, applyUpdate } from './apply-put.js';
import { EventHistory, historyEventsMaxDefault } from './event-history.js';
import { normalizeKey } from './key-path.js';
import { renderNode } from './node.js';
import * as records from './store-records.js';
import { loadOrder, stateOf, Tree } from './tree.js';
import { checkCommand, type V2Command } from './v2-command.js';
import { ErrorCode, V2Error } from './v2-error.js';
import { V2Event } from './v2-event.js';
import { WatchHub, type WatchHubLimits } from './watch-hub.js';
import type { WatchCallback, Watcher } from './watcher.js';

/** What apply and get answer: an event in etcd's shape, or an etcd error. */
export type V2Result = V2Event | V2Error;

export interface V2StoreOptions extends Partial<WatchHubLimits> {
  /**
   * Events kept for watches from the past (etcd: 1,000). Part of the replicated state: a store
   * rebuilt by restore or load keeps the capacity recorded with its state.
   */
  readonly historyEventsMax?: number;
  /** Check every structure after each apply (tests and the simulator). */
  readonly paranoid?: boolean;
}

export interface GetOptions {
  readonly recursive?: boolean;
  readonly sorted?: boolean;
  /** The reader's clock, for the `ttl` fields. */
  readonly nowMs: number;
}

export interface WatchOptions {
  readonly path: string;
  readonly recursive?: boolean;
  /** waitIndex: the first etcd index wanted; 0 or absent for the next change. */
  readonly sinceIndex?: number;
  readonly stream?: boolean;
}

export class V2Store implements StateMachine<V2Command, V2Result> {
  private tree = new Tree();
  private history: EventHistory;
  private readonly hub: WatchHub;
  private readonly paranoid: boolean;
  private lastApplied = 0;
  /** Invariant: >= every node's modifiedIndex and every held event's index. */
  private index = 0;
  /** Event indexes added to or dropped from history since takeChanges. */
  private dirtyEvents = new Set<number>();
  private metaDirty = false;

  constructor(options: V2StoreOptions = {}) {
    this.history = new EventHistory(options.historyEventsMax ?? historyEventsMaxDefault);
    this.hub = new WatchHub(options);
    this.paranoid = options.paranoid === true;
  }

  get appliedIndex(): number {
    return this.lastApplied;
  }

  /** The etcd index (X-Etcd-Index): +1 per successful write, independent of the log index. */
  get etcdIndex(): number {
    return this.index;
  }

  get watcherCount(): number {
    return this.hub.count;
  }

  /** The history window, oldest first (for tests and debugging). */
  get historyEvents(): V2Event[] {
    return this.history.events();
  }

  apply(index: number, command: V2Command): V2Result {
    assert(Number.isSafeInteger(index), () => `log index ${index} is not an integer`);
    assert(index > this.lastApplied, () => `log index ${index} <= applied ${this.lastApplied}`);
    this.lastApplied = index;
    this.metaDirty = true;
    const invalid = checkCommand(command, this.index);
    if (invalid !== null) return invalid;
    const context: ApplyContext = {
      tree: this.tree,
      currentIndex: this.index,
      nextIndex: this.index + 1,
      timeMs: command.timeMs,
    };
    const sizeBefore = this.tree.size;
    const outcome = dispatch(context, command);
    if (outcome instanceof V2Error) {
      assert(this.tree.size === sizeBefore, 'a refused command left the tree as it was');
      return outcome;
    }
    assert(outcome.event.etcdIndex === context.nextIndex, 'a write takes the next index');
    this.index = context.nextIndex;
    if (outcome.recorded) this.record(outcome.event);
    if (this.paranoid) this.checkInvariants();
    if (outcome.recorded) this.hub.notify(outcome.event, outcome.removedKeys ?? []);
    return outcome.event;
  }

  /** GET: a file, or a directory listing (one level, or all when recursive), hiding '_' keys. */
  get(path: string, options: GetOptions): V2Result {
    const node = this.tree.resolve(normalizeKey(path), this.index);
    if (node instanceof V2Error) return node;
    const listing = !node.isDir ? 'none' : options.recursive === true ? 'all' : 'children';
    const sorted = options.sorted === true;
    const json = renderNode(node, { nowMs: options.nowMs, listing, sorted });
    return new V2Event('get', json, undefined, this.index);
  }

  /** Starts a watch (see WatchHub.add): a Watcher, or 401 / WatchersLimit. */
  watch(options: WatchOptions, callback: WatchCallback): Watcher | V2Error {
    const request = {
      key: normalizeKey(options.path),
      recursive: options.recursive === true,
      sinceIndex: options.sinceIndex ?? 0,
      stream: options.stream === true,
    };
    return this.hub.add(request, this.index, this.history, callback);
  }

  /** Keys the leader should expire at nowMs (propose {op: 'expire', path, timeMs: nowMs}). */
  expiredKeys(nowMs: number): string[] {
    return this.tree.expiredKeys(nowMs);
  }

  takeChanges(): StateChanges {
    const puts = new Map<string, Uint8Array>();
    const deletes = new Set<string>();
    for (const key of this.tree.takeDirtyKeys()) {
      const node = this.tree.find(key);
      if (node === undefined) deletes.add(key);
      else puts.set(key, records.encodeNodeRecord(stateOf(node)));
    }
    for (const eventIndex of this.dirtyEvents) {
      const key = records.eventRecordKey(eventIndex);
      const event = this.history.find(eventIndex);
      if (event === undefined) deletes.add(key);
      else puts.set(key, records.encodeEventRecord(event));
    }
    this.dirtyEvents = new Set();
    if (this.metaDirty) puts.set(records.metaRecordKey, records.encodeMeta(this.meta()));
    this.metaDirty = false;
    return { puts, deletes };
  }

  snapshot(): Uint8Array {
    return records.encodeSnapshot({
      meta: this.meta(),
      nodes: [...this.tree.states()],
      events: this.history.events(),
    });
  }

  /**
   * Replaces the whole state with a snapshot. Every watcher ends with 400 (as etcd does on
   * recovery), and the next takeChanges rewrites every record the durable copy may hold.
   */
  restore(data: Uint8Array, appliedIndex: number): void {
    const image = records.decodeSnapshot(data);
    assert(
      image.meta.appliedIndex === appliedIndex,
      () => `snapshot taken at ${image.meta.appliedIndex}, restored as ${appliedIndex}`,
    );
    const staleKeys = [...this.tree.takeDirtyKeys(), ...[...this.tree.nodes()].map((n) => n.key)];
    const staleEvents = [...this.dirtyEvents, ...this.history.events().map((e) => e.index)];
    this.adopt(image);
    for (const key of staleKeys) this.tree.markDirty(key);
    for (const eventIndex of staleEvents) this.dirtyEvents.add(eventIndex);
    for (const node of this.tree.nodes()) this.tree.markDirty(node.key);
    for (const event of this.history.events()) this.dirtyEvents.add(event.index);
    this.metaDirty = true;
    const cause = `the store was replaced by a snapshot at log index ${appliedIndex}`;
    this.hub.endAll(new V2Error(ErrorCode.WatcherCleared, cause, this.index));
  }

  /** Rebuilds a store from the records takeChanges wrote (any order). */
  static load(
    stored: Iterable<readonly [string, Uint8Array]>,
    options: V2StoreOptions = {},
  ): V2Store {
    let meta: records.StoreMeta | undefined;
    const nodes = [];
    const events = [];
    for (const [key, bytes] of stored) {
      if (key === records.metaRecordKey) {
        meta = records.decodeMeta(bytes);
      } else if (records.isNodeRecordKey(key)) {
        nodes.push(records.decodeNodeRecord(key, bytes));
      } else {
        assert(key.startsWith(records.eventRecordPrefix), () => `unknown record ${key}`);
        const event = records.decodeEventRecord(bytes);
        assert(records.eventRecordKey(event.index) === key, () => `event record ${key} index`);
        events.push(event);
      }
    }
    const store = new V2Store(options);
    if (meta === undefined) {
      assert(nodes.length === 0 && events.length === 0, 'records without a meta record');
      return store;
    }
    nodes.sort(loadOrder);
    events.sort((a, b) => a.index - b.index);
    store.adopt({ meta, nodes, events });
    return store;
  }

  /** Whole-structure check: tree links and order, indexes, history bounds. */
  checkInvariants(): void {
    this.tree.checkInvariants(this.index);
    assert(this.history.lastIndex <= this.index, 'history index <= etcd index');
    assert(this.history.length <= this.history.capacity, 'history within capacity');
  }

  private record(event: V2Event): void {
    const dropped = this.history.add(event);
    this.dirtyEvents.add(event.index);
    if (dropped !== undefined) this.dirtyEvents.add(dropped.index);
  }

  private meta(): records.StoreMeta {
    return {
      appliedIndex: this.lastApplied,
      etcdIndex: this.index,
      historyCapacity: this.history.capacity,
      historyClearedIndex: this.history.clearedIndex,
    };
  }

  private adopt(image: records.StoreImage): void {
    const { meta } = image;
    this.tree = Tree.fromStates(image.nodes);
    this.history = EventHistory.from(meta.historyCapacity, meta.historyClearedIndex, image.events);
    this.lastApplied = meta.appliedIndex;
    this.index = meta.etcdIndex;
    this.dirtyEvents = new Set();
    this.metaDirty = false;
    this.checkInvariants();
  }
}

function dispatch(context: ApplyContext, command: V2Command): ApplyOutcome {
  switch (command.op) {
    case 'set':
      return applySet(context, command);
    case 'create':
      return applyCreate(context, command);
    case 'update':
      return applyUpdate(context, command);
    case 'cas':
      return applyCompareAndSwap(context, command);
    case 'post':
      return applyPost(context, command);
    case 'delete':
      return applyDelete(context, command);
    case 'cad':
      return applyCompareAndDelete(context, command);
    case 'expire':
      return applyExpire(context, command);
    default:
      return unreachable(command.op, 'command op');
  }
}
