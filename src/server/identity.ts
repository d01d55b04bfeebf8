// Deterministic member and cluster IDs, as etcd derives them: a member ID from its peer URLs
// and the cluster token, a cluster ID from the member IDs. Lowercase hex without leading zeros.
import { createHash } from 'node:crypto';

function hashId(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 16).replace(/^0+/, '');
  return hex === '' ? '1' : hex;
}

export function memberIdFor(peerURLs: readonly string[], clusterToken: string): string {
  return hashId(`${[...peerURLs].sort().join(',')}|${clusterToken}`);
}

export function clusterIdFor(memberIds: readonly string[], clusterToken: string): string {
  return hashId(`${[...memberIds].sort().join(',')}|${clusterToken}|cluster`);
}
