// Deterministic member and cluster IDs, as etcd derives them: a member ID from its peer URLs
// and the cluster token, a cluster ID from the token. Lowercase hex without leading zeros.
import { createHash } from 'node:crypto';

function hashId(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 16).replace(/^0+/, '');
  return hex === '' ? '1' : hex;
}

export function memberIdFor(peerURLs: readonly string[], clusterToken: string): string {
  return hashId(`${[...peerURLs].sort().join(',')}|${clusterToken}`);
}

/**
 * The cluster ID comes from the cluster token alone, so a member joining later
 * (--initial-cluster-state existing) derives the same ID without asking anyone.
 */
export function clusterIdFor(clusterToken: string): string {
  return hashId(`${clusterToken}|cluster`);
}
