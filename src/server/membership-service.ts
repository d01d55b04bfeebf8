// Runtime membership (etcd's /v2/members semantics): add a voter or a learner, promote a
// learner, remove a member, update peer URLs. Runs at the leader; a follower forwards the
// request to the leader over the peer transport. Refuses a change that would leave the
// cluster without a quorum of members currently up, unless forced.
import type { ConfChange, NodeId } from '../raft/index.js';
import type { Member } from './member.js';
import { encodeAttributes, type MemberAttributes } from './envelope.js';
import { memberIdFor } from './identity.js';
import type { MemberChangeRequest, MemberChangeResult } from '../api/keys-backend.js';

export type { MemberChangeRequest, MemberChangeResult };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const requestKind = 'member-change';

export class MembershipService {
  constructor(private readonly member: Member, private readonly clusterToken: string,
    private readonly timeoutMs: number) {
    member.transport.onRequest(async (_from, kind, payload) => {
      if (kind !== requestKind) throw new Error(`unknown request kind ${kind}`);
      const request = JSON.parse(decoder.decode(payload)) as MemberChangeRequest;
      return encoder.encode(JSON.stringify(await this.change(request)));
    });
  }

  /** Runs a change at the leader, forwarding it there from a follower. */
  async change(request: MemberChangeRequest): Promise<MemberChangeResult> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const core = this.member.core;
      if (core.role === 'leader') return this.changeAtLeader(request);
      const answer = await this.forward(core.leaderId, request, deadline);
      if (answer !== 'retry') return answer;
      if (Date.now() >= deadline) return { ok: false, status: 500, message: 'etcdserver: no leader' };
      // No leader yet, or the link to it is reconnecting (nothing was sent): try again.
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The leader's answer, or 'retry' when the request surely did not reach a leader. */
  private async forward(leader: string, request: MemberChangeRequest, deadline: number):
    Promise<MemberChangeResult | 'retry'> {
    if (leader === '') return 'retry';
    try {
      const answer = await this.member.transport.request(leader, requestKind,
        encoder.encode(JSON.stringify(request)), Math.max(100, deadline - Date.now()));
      return JSON.parse(decoder.decode(answer)) as MemberChangeResult;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'KVD_ERR_PEER_UNREACHABLE' || code === 'KVD_ERR_PEER_UNKNOWN') return 'retry';
      // A timeout may have reached the leader: do not repeat the change; say so.
      return { ok: false, status: 500, message: `etcdserver: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async changeAtLeader(request: MemberChangeRequest): Promise<MemberChangeResult> {
    switch (request.op) {
      case 'add':
        return this.add(request.peerURLs ?? [], request.isLearner === true, request.force === true);
      case 'remove':
        return this.remove(request.id ?? '', request.force === true);
      case 'promote':
        return this.promote(request.id ?? '');
      case 'update':
        return this.update(request.id ?? '', request.peerURLs ?? []);
    }
  }

  private async add(peerURLs: readonly string[], isLearner: boolean, force: boolean): Promise<MemberChangeResult> {
    if (peerURLs.length === 0) return { ok: false, status: 400, message: 'etcdserver: peerURLs is empty' };
    for (const attributes of this.member.members.values()) {
      if (attributes.peerURLs.some((url) => peerURLs.includes(url))) {
        return { ok: false, status: 409, message: 'etcdserver: peerURL exists' };
      }
    }
    const id = memberIdFor(peerURLs, this.clusterToken);
    if (this.member.members.has(id)) return { ok: false, status: 409, message: 'etcdserver: member ID already exist' };
    if (!isLearner && !force) {
      const problem = this.quorumProblem(this.member.core.conf.voters.length + 1, 0);
      if (problem) return { ok: false, status: 412, message: problem };
    }
    const attributes: MemberAttributes = { name: '', peerURLs: [...peerURLs], clientURLs: [] };
    const change: ConfChange = { type: isLearner ? 'add-learner' : 'add-voter', nodeId: id, context: encodeAttributes(attributes) };
    const applied = await this.proposeAndWait(change);
    return applied ?? { ok: true, id, attributes };
  }

  private async remove(id: NodeId, force: boolean): Promise<MemberChangeResult> {
    const conf = this.member.core.conf;
    const isVoter = conf.voters.includes(id);
    if (!isVoter && !conf.learners.includes(id)) return { ok: false, status: 404, message: `etcdserver: member not found` };
    if (isVoter && !force) {
      const problem = this.quorumProblem(conf.voters.length - 1, id);
      if (problem) return { ok: false, status: 412, message: problem };
    }
    if (id === this.member.core.id) {
      // Removing the leader: hand leadership over first, then let the new leader remove us.
      await this.member.transferLeadership(3000);
      if (this.member.core.role !== 'leader') return this.change({ op: 'remove', id, force });
    }
    const applied = await this.proposeAndWait({ type: 'remove', nodeId: id, context: new Uint8Array(0) });
    return applied ?? { ok: true, id };
  }

  private async promote(id: NodeId): Promise<MemberChangeResult> {
    const conf = this.member.core.conf;
    if (conf.voters.includes(id)) return { ok: false, status: 412, message: 'etcdserver: can only promote a learner member' };
    if (!conf.learners.includes(id)) return { ok: false, status: 404, message: 'etcdserver: member not found' };
    const attributes = this.member.members.get(id);
    const context = attributes ? encodeAttributes(attributes) : new Uint8Array(0);
    const applied = await this.proposeAndWait({ type: 'promote', nodeId: id, context });
    return applied ?? { ok: true, id };
  }

  private async update(id: NodeId, peerURLs: readonly string[]): Promise<MemberChangeResult> {
    const attributes = this.member.members.get(id);
    if (attributes === undefined) return { ok: false, status: 404, message: 'etcdserver: member not found' };
    if (peerURLs.length === 0) return { ok: false, status: 400, message: 'etcdserver: peerURLs is empty' };
    for (const [other, a] of this.member.members) {
      if (other !== id && a.peerURLs.some((url) => peerURLs.includes(url))) {
        return { ok: false, status: 409, message: 'etcdserver: peerURL exists' };
      }
    }
    const updated = { ...attributes, peerURLs: [...peerURLs] };
    const ok = await this.member.publishAndWait(id, updated, this.timeoutMs);
    return ok ? { ok: true, id, attributes: updated } : { ok: false, status: 500, message: 'etcdserver: request timed out' };
  }

  /** Why a cluster of `votersAfter` voters would lack a quorum of members up now, or null. */
  private quorumProblem(votersAfter: number, removed: NodeId | 0): string | null {
    const status = this.member.core.status();
    let up = 0;
    for (const id of status.conf.voters) {
      if (id === removed) continue;
      const progress = status.progress.get(id);
      if (id === status.id || progress?.recentActive) up++;
    }
    const quorum = Math.floor(votersAfter / 2) + 1;
    if (up >= quorum) return null;
    return `etcdserver: unhealthy cluster: after this change the cluster has ${votersAfter} voters and ` +
      `needs ${quorum} up for a quorum, but only ${up} are up now; bring members back first, ` +
      `or force the change`;
  }

  private async proposeAndWait(change: ConfChange): Promise<MemberChangeResult | null> {
    const result = this.member.core.proposeConfChange(change);
    if (!result.ok) {
      const message = result.reason === 'not-leader' ? 'etcdserver: not leader' : `etcdserver: ${result.detail}`;
      return { ok: false, status: result.reason === 'not-leader' ? 500 : 412, message };
    }
    const index = this.member.core.log.lastIndex();
    const applied = await this.member.waitApplied(index, this.timeoutMs);
    return applied ? null : { ok: false, status: 500, message: 'etcdserver: request timed out' };
  }
}
