// Adapts a Member to the KeysBackend seam the HTTP gateway serves: writes through Raft,
// quorum reads through ReadIndex, local reads and watches from the v2 keyspace.
import type { KeysBackend, MemberChangeRequest, MemberChangeResult, MemberInfo, RaftPosition } from '../api/keys-backend.js';
import type { MembershipService } from './membership-service.js';
import { V2Error, type GetOptions, type V2Result, type V2WriteRequest, type WatchCallback, type WatchOptions, type Watcher } from '../store/v2/index.js';
import type { Member } from './member.js';

export class MemberBackend implements KeysBackend {
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly member: Member, readonly clusterId: string, readonly memberId: string,
    readonly name: string, private readonly membership?: MembershipService) {}

  changeMembers(request: MemberChangeRequest): Promise<MemberChangeResult> {
    if (!this.membership) return Promise.resolve({ ok: false, status: 405, message: 'Method Not Allowed' });
    return this.membership.change(request);
  }

  /** etcd's store counters, as /v2/stats/store reports them (this member's clients only). */
  private readonly counters = new Map<string, number>();

  private count(name: string): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + 1);
  }

  async write(request: V2WriteRequest): Promise<V2Result> {
    const result = await this.member.write(request);
    const kind = counterOf(request);
    this.count(`${kind}${result instanceof V2Error ? 'Fail' : 'Success'}`);
    return result;
  }

  async quorumGet(path: string, options: Omit<GetOptions, 'nowMs'>): Promise<V2Result> {
    const ok = await this.member.readBarrier();
    if (!ok) return this.member.timeoutError();
    return this.get(path, options);
  }

  get(path: string, options: Omit<GetOptions, 'nowMs'>): V2Result {
    const result = this.member.store.get(path, { ...options, nowMs: Date.now() });
    this.count(result instanceof V2Error ? 'getsFail' : 'getsSuccess');
    return result;
  }

  watch(options: WatchOptions, callback: WatchCallback): Watcher | V2Error {
    return this.member.store.watch(options, callback);
  }

  etcdIndex(): number {
    return this.member.store.etcdIndex;
  }

  raftPosition(): RaftPosition {
    return { index: this.member.core.log.committed, term: this.member.core.term };
  }

  members(): readonly MemberInfo[] {
    const conf = this.member.core.conf;
    return [...this.member.members].map(([id, a]) => ({
      id, name: a.name, peerURLs: a.peerURLs, clientURLs: a.clientURLs,
      ...(conf.learners.includes(id) ? { isLearner: true } : {}),
    }));
  }

  leaderId(): string {
    return this.member.core.leaderId;
  }

  selfStats(): Record<string, unknown> {
    const core = this.member.core;
    const leader = core.leaderId;
    return {
      name: this.name, id: this.memberId,
      state: core.role === 'leader' ? 'StateLeader' : core.role === 'follower' ? 'StateFollower' : 'StateCandidate',
      startTime: this.startedAt,
      leaderInfo: { leader, uptime: '', startTime: this.startedAt },
      recvAppendRequestCnt: 0, sendAppendRequestCnt: 0,
      // kvd extension: the peer transport's counters (drops by cause, ignored frames, ...).
      kvdTransport: this.member.transport.stats().counters,
    };
  }

  leaderStats(): Record<string, unknown> | null {
    const status = this.member.core.status();
    if (status.role !== 'leader') return null;
    const followers: Record<string, unknown> = {};
    for (const [id, p] of status.progress) {
      if (id === this.memberId) continue;
      followers[id] = { match: p.match, active: p.recentActive, counts: { success: 0, fail: 0 } };
    }
    return { leader: this.memberId, followers };
  }

  storeStats(): Record<string, unknown> {
    const stats: Record<string, number> = {};
    for (const name of ['gets', 'sets', 'delete', 'update', 'create', 'compareAndSwap', 'compareAndDelete']) {
      stats[`${name}Success`] = this.counters.get(`${name}Success`) ?? 0;
      stats[`${name}Fail`] = this.counters.get(`${name}Fail`) ?? 0;
    }
    return { ...stats, expireCount: this.counters.get('expireCount') ?? 0, watchers: this.member.store.watcherCount };
  }

  healthy(): boolean {
    return this.member.core.leaderId !== '';
  }
}

function counterOf(request: V2WriteRequest): string {
  const compares = request.prevValue !== undefined || (request.prevIndex ?? 0) > 0;
  if (request.method === 'DELETE') return compares ? 'compareAndDelete' : 'delete';
  if (request.method === 'POST' || request.prevExist === false) return 'create';
  if (compares) return 'compareAndSwap';
  if (request.prevExist === true) return 'update';
  return 'sets';
}
