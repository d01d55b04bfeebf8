// Member removal and re-adding through kvd's v2 members API, as an operator does it: DELETE
// /v2/members/<id> at another member, stop the removed one and wipe its data, later POST
// /v2/members with its peer URL and start it empty with --initial-cluster-state existing.
// An answer that may or may not have applied is settled by reading GET /v2/members.
import { rmSync } from 'node:fs';
import type { JepsenCluster, JepsenNode } from './jepsen-cluster.js';
import { describeHttp } from './client-ops.js';
import { httpRequest } from './v2-client.js';
import { sleep } from './workload.js';

export type ChangeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One members request may take this long (kvd's own bound is 5 s). */
const requestMsMax = 8000;
/** How long re-adding keeps retrying refusals (no quorum up yet, no leader). */
const rejoinMsMax = 20_000;

/** The member IDs `via` lists, or null when it does not answer. */
export async function listedIds(via: JepsenNode): Promise<string[] | null> {
  const answer = await httpRequest(`${via.clientUrl}/v2/members`, { method: 'GET', timeoutMs: 2000 });
  if (answer.kind !== 'answer' || answer.status !== 200) return null;
  const members = answer.body?.['members'];
  if (!Array.isArray(members)) return null;
  return members.map((m) => String((m as Record<string, unknown>)['id']));
}

/** Running, unpaused members other than `node`. */
function others(cluster: JepsenCluster, node: JepsenNode): JepsenNode[] {
  return cluster.nodes.filter((n) => n !== node && n.running && !n.paused && !n.removed);
}

/**
 * Removes `node` (asking `via`); once removed, stops it and wipes its data. Refusals (412: the
 * rest would lack a quorum) leave it a member and are reported as the reason.
 */
export async function removeMember(cluster: JepsenCluster, node: JepsenNode, via: JepsenNode):
  Promise<ChangeResult> {
  const answer = await httpRequest(`${via.clientUrl}/v2/members/${node.id}`, {
    method: 'DELETE', timeoutMs: requestMsMax,
  });
  const definite = answer.kind === 'answer' && (answer.status === 204 || answer.status === 404);
  if (!definite) {
    const ids = await listedIds(via);
    if (ids === null || ids.includes(node.id)) {
      return { ok: false, reason: `DELETE answered ${describeHttp(answer)}; still a member` };
    }
  }
  node.removed = true;
  await cluster.stop(node, 'SIGKILL');
  rmSync(node.dataDir, { recursive: true, force: true });
  return { ok: true };
}

/** Adds `node` back with its peer URL and starts it with an empty data dir. */
export async function rejoinMember(cluster: JepsenCluster, node: JepsenNode): Promise<ChangeResult> {
  const deadline = Date.now() + rejoinMsMax;
  let last = 'no member to ask';
  while (Date.now() < deadline) {
    const candidates = others(cluster, node);
    const via = candidates[Math.floor(Date.now() / 100) % Math.max(1, candidates.length)];
    if (via !== undefined) {
      const answer = await httpRequest(`${via.clientUrl}/v2/members`, {
        method: 'POST', json: { peerURLs: [node.advertisedPeerUrl] }, timeoutMs: requestMsMax,
      });
      last = describeHttp(answer);
      const added = answer.kind === 'answer' && (answer.status === 201 || answer.status === 409);
      if (added || (await listedIds(via))?.includes(node.id) === true) {
        node.removed = false;
        node.joinsExisting = true;
        cluster.start(node);
        return { ok: true };
      }
    }
    await sleep(500);
  }
  return { ok: false, reason: `POST /v2/members for ${node.name}: ${last} until the bound` };
}
