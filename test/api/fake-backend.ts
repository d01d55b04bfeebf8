// A KeysBackend over an in-process V2Store, for gateway tests: a write is commandForRequest
// then store.apply at the next log index; reads and watches go straight to the store; TTL
// expiry runs on a timer (as a leader would propose it) or on demand. One member, one term.

import type { KeysBackend, MemberInfo, RaftPosition } from '../../src/api/keys-backend.js';
import {
  commandForRequest,
  type GetOptions,
  V2Error,
  type V2Result,
  V2Store,
  type V2StoreOptions,
  type V2WriteRequest,
  type WatchCallback,
  type Watcher,
  type WatchOptions,
} from '../../src/store/v2/index.js';

export interface FakeBackendOptions extends V2StoreOptions {
  /** The leader's clock; defaults to Date.now. */
  readonly nowMs?: () => number;
  /** Expire keys every this many ms; 0 (the default) expires only on expireNow(). */
  readonly expiryIntervalMs?: number;
  /** Answer quorum reads with this error (as a member without a leader would). */
  readonly quorumError?: V2Error;
  readonly healthy?: boolean;
  readonly leader?: boolean;
}

export const fakeClusterId = 'cdf818194e3a8c32';
export const fakeMemberId = '8e9e05c52164694d';

export class FakeBackend implements KeysBackend {
  readonly clusterId = fakeClusterId;
  readonly memberId = fakeMemberId;
  readonly name = 'default';
  readonly store: V2Store;
  /** Every write request the gateway made, in order (to check that nothing was applied). */
  readonly writes: V2WriteRequest[] = [];
  quorumReads = 0;
  clientURLs: string[] = ['http://127.0.0.1:2379'];
  private logIndex = 0;
  private readonly nowMs: () => number;
  private readonly options: FakeBackendOptions;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: FakeBackendOptions = {}) {
    this.options = options;
    this.store = new V2Store({ paranoid: true, ...options });
    this.nowMs = options.nowMs ?? Date.now;
    const interval = options.expiryIntervalMs ?? 0;
    if (interval > 0) {
      this.timer = setInterval(() => this.expireNow(), interval);
      this.timer.unref();
    }
  }

  write(request: V2WriteRequest): Promise<V2Result> {
    this.writes.push(request);
    const command = commandForRequest(request, this.nowMs());
    if (command instanceof V2Error) return Promise.resolve(command);
    this.logIndex++;
    return Promise.resolve(this.store.apply(this.logIndex, command));
  }

  quorumGet(path: string, options: Omit<GetOptions, 'nowMs'>): Promise<V2Result> {
    this.quorumReads++;
    if (this.options.quorumError !== undefined) return Promise.resolve(this.options.quorumError);
    return Promise.resolve(this.get(path, options));
  }

  get(path: string, options: Omit<GetOptions, 'nowMs'>): V2Result {
    return this.store.get(path, { ...options, nowMs: this.nowMs() });
  }

  watch(options: WatchOptions, callback: WatchCallback): Watcher | V2Error {
    return this.store.watch(options, callback);
  }

  etcdIndex(): number {
    return this.store.etcdIndex;
  }

  raftPosition(): RaftPosition {
    return { index: this.logIndex + 1, term: 2 };
  }

  members(): readonly MemberInfo[] {
    const peerURLs = ['http://127.0.0.1:2380'];
    return [{ id: this.memberId, name: this.name, peerURLs, clientURLs: this.clientURLs }];
  }

  leaderId(): string {
    return this.options.leader === false ? '' : this.memberId;
  }

  selfStats(): Record<string, unknown> {
    const startTime = new Date(0).toISOString();
    return {
      name: this.name,
      id: this.memberId,
      state: 'StateLeader',
      startTime,
      leaderInfo: { leader: this.memberId, uptime: '1s', startTime },
      recvAppendRequestCnt: 0,
      sendAppendRequestCnt: 0,
    };
  }

  leaderStats(): Record<string, unknown> | null {
    if (this.options.leader === false) return null;
    return { leader: this.memberId, followers: {} };
  }

  storeStats(): Record<string, unknown> {
    const counters = ['gets', 'sets', 'delete', 'update', 'create', 'compareAndSwap'];
    const stats: Record<string, number> = {};
    for (const name of [...counters, 'compareAndDelete']) {
      stats[`${name}Success`] = 0;
      stats[`${name}Fail`] = 0;
    }
    return { ...stats, expireCount: 0, watchers: this.store.watcherCount };
  }

  healthy(): boolean {
    return this.options.healthy ?? true;
  }

  /** Applies an expire command for every key whose TTL has run out, as a leader would. */
  expireNow(): void {
    const nowMs = this.nowMs();
    for (const path of this.store.expiredKeys(nowMs)) {
      this.logIndex++;
      this.store.apply(this.logIndex, { op: 'expire', path, timeMs: nowMs });
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
