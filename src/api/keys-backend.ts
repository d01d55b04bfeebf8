// The seam between the HTTP gateway and a member: everything the etcd v2 routes need from the
// replicated keyspace and the cluster, and nothing about Raft, storage or transport. The
// server implements it with a Member; tests implement it with a V2Store in-process.
import type { V2Error, V2Result, V2WriteRequest, Watcher, WatchCallback, GetOptions, WatchOptions } from '../store/v2/index.js';

export interface MemberInfo {
  /** Member ID in lowercase hex, as etcd prints it. */
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner?: boolean;
}

export interface RaftPosition {
  /** X-Raft-Index: the member's commit (applied) index. */
  readonly index: number;
  /** X-Raft-Term. */
  readonly term: number;
}

export interface KeysBackend {
  /** X-Etcd-Cluster-Id, lowercase hex. */
  readonly clusterId: string;
  readonly memberId: string;
  readonly name: string;
  /** Replicates a write and resolves with its result once applied here. Never rejects:
   *  a timeout or lost leadership resolves to a V2Error (300 RaftInternal / 301 LeaderElection). */
  write(request: V2WriteRequest): Promise<V2Result>;
  /** A linearizable read (quorum=true), served after a ReadIndex round. Never rejects. */
  quorumGet(path: string, options: Omit<GetOptions, 'nowMs'>): Promise<V2Result>;
  /** A local (serializable) read. */
  get(path: string, options: Omit<GetOptions, 'nowMs'>): V2Result;
  /** Registers a watcher on the local keyspace. */
  watch(options: WatchOptions, callback: WatchCallback): Watcher | V2Error;
  etcdIndex(): number;
  raftPosition(): RaftPosition;
  members(): readonly MemberInfo[];
  /** The leader's member ID, or '' when there is none. */
  leaderId(): string;
  /** Free-form JSON for /v2/stats/self, /v2/stats/leader (null when not leader), /v2/stats/store. */
  selfStats(): Record<string, unknown>;
  leaderStats(): Record<string, unknown> | null;
  storeStats(): Record<string, unknown>;
  /** True when this member has a leader and applied recently: for /health. */
  healthy(): boolean;
  /** Runtime membership (/v2/members POST, DELETE, PUT, promote); absent: not supported. */
  changeMembers?(request: MemberChangeRequest): Promise<MemberChangeResult>;
}

export interface MemberChangeRequest {
  readonly op: 'add' | 'remove' | 'update' | 'promote';
  readonly id?: string;
  readonly peerURLs?: readonly string[];
  readonly isLearner?: boolean;
  readonly force?: boolean;
}

export type MemberChangeResult =
  | { readonly ok: true; readonly id: string; readonly attributes?: { name: string; peerURLs: readonly string[]; clientURLs: readonly string[] } }
  | { readonly ok: false; readonly status: number; readonly message: string };
