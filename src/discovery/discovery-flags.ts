// kvd's discovery flags (--discovery, --discovery-timeout, --discovery-token-ttl): their specs
// for the flag table in src/server/flags.ts and their validation into DiscoveryConfig. Returns
// a message string on a bad flag (flags.ts turns it into a FlagError). Imports duration only.
import { parseDurationMs } from './duration.js';

export interface DiscoveryConfig {
  /** The token URL to bootstrap through, exactly as given (it is also the cluster token). */
  readonly url: string | null;
  /** How long discovery keeps retrying a service that fails or cannot be reached. */
  readonly timeoutMs: number;
  /** Lifetime of the tokens this member creates for GET /new. */
  readonly tokenTtlSeconds: number;
}

export const discoveryTimeoutMsDefault = 5 * 60_000;
export const discoveryTokenTtlSecondsDefault = 7 * 24 * 3600;

/** [flags, description, default] rows, in the shape of flags.ts's table. */
export const discoveryFlagSpecs: [string, string, string | undefined][] = [
  ['--discovery <url>', 'bootstrap a new cluster through this discovery token URL', undefined],
  ['--discovery-timeout <duration>', 'give up when the discovery service fails this long', '5m'],
  ['--discovery-token-ttl <duration>', 'lifetime of tokens this member creates at GET /new', '7d'],
];

export function parseDiscoveryFlags(
  raw: Record<string, string | undefined>,
): DiscoveryConfig | string {
  const timeoutMs = parseDurationMs(raw['discoveryTimeout'] ?? '5m');
  if (timeoutMs === null || timeoutMs < 1) {
    return `--discovery-timeout: "${raw['discoveryTimeout']}" is not a duration like 30s or 5m`;
  }
  const ttlMs = parseDurationMs(raw['discoveryTokenTtl'] ?? '7d');
  if (ttlMs === null || ttlMs < 1000) {
    return `--discovery-token-ttl: "${raw['discoveryTokenTtl']}" is not a duration of at `
      + 'least 1s (like 7d or 12h)';
  }
  const tokenTtlSeconds = Math.round(ttlMs / 1000);
  const text = raw['discovery']?.trim();
  if (text === undefined || text === '') return { url: null, timeoutMs, tokenTtlSeconds };
  if (raw['initialCluster'] !== undefined) {
    return '--discovery and --initial-cluster cannot be used together: with --discovery the '
      + 'members are found through the token; give one or the other';
  }
  if (raw['initialClusterState'] === 'existing') {
    return '--discovery bootstraps a new cluster and cannot be used with --initial-cluster-state '
      + 'existing; to add a member to a running cluster use "kvctl member add" and '
      + '--initial-cluster';
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--discovery: "${text}" is not a URL (expected a token URL like `
      + 'http://host:2379/v2/keys/_etcd/registry/<token>)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `--discovery: "${text}" must be an http:// or https:// URL`;
  }
  if (url.pathname === '/' || url.pathname === '') {
    return `--discovery: "${text}" has no token path (expected a URL printed by a discovery `
      + 'service\'s /new, like http://host:2379/v2/keys/_etcd/registry/<token>)';
  }
  if (url.search !== '' || url.hash !== '') {
    return `--discovery: "${text}" must not have a query or fragment`;
  }
  return { url: text, timeoutMs, tokenTtlSeconds };
}
