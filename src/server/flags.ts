// kvd's command-line flags (etcd's names) and KVD_* environment variables, validated into
// one config before anything touches the disk. A bad flag is a one-line error naming it.
import { Command, Option } from 'commander';
// discovery (owned by src/discovery/): --discovery, --discovery-timeout, --discovery-token-ttl
import { discoveryFlagSpecs, parseDiscoveryFlags, type DiscoveryConfig } from '../discovery/discovery-flags.js';

export interface KvdConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly listenClientUrls: readonly URL[];
  readonly advertiseClientUrls: readonly string[];
  readonly listenPeerUrl: URL;
  readonly initialAdvertisePeerUrls: readonly string[];
  readonly initialCluster: ReadonlyMap<string, readonly string[]>;
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken: string;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: number;
  readonly snapshotCount: number;
  readonly logFormat: 'json' | 'pretty';
  readonly logLevel: string;
  /** Disaster recovery: restart alone from this data dir (see force-new-cluster.ts). */
  readonly forceNewCluster: boolean;
  /** discovery: the --discovery* flags (src/discovery/discovery-flags.ts). */
  readonly discovery: DiscoveryConfig;
}

export class FlagError extends Error {}

const flagSpecs: [string, string, string | undefined][] = [
  ['--name <name>', 'human-readable name of this member', 'default'],
  ['--data-dir <path>', 'where this member keeps its data', './data'],
  ['--listen-client-urls <urls>', 'URLs to serve clients on', 'http://127.0.0.1:2379'],
  ['--advertise-client-urls <urls>', 'client URLs told to the cluster', undefined],
  ['--listen-peer-urls <urls>', 'URL to serve peers on', 'http://127.0.0.1:2380'],
  ['--initial-advertise-peer-urls <urls>', 'peer URLs told to the cluster', undefined],
  ['--initial-cluster <list>', 'name=peerURL,... of the initial members', undefined],
  ['--initial-cluster-state <state>', 'new or existing', 'new'],
  ['--initial-cluster-token <token>', 'distinguishes clusters bootstrapped from the same list', 'kvd-cluster'],
  ['--heartbeat-interval <ms>', 'ms between leader heartbeats', '100'],
  ['--election-timeout <ms>', 'ms without a leader before an election', '1000'],
  ['--snapshot-count <n>', 'applied entries between snapshots', '10000'],
  ['--log-format <format>', 'json or pretty', undefined],
  ['--log-level <level>', 'trace, debug, info, warn, error', 'info'],
  ['--force-new-cluster', 'DISASTER RECOVERY: restart this member alone, keeping its data', undefined],
  ...discoveryFlagSpecs, // discovery
];

export function buildCommand(version: string): Command {
  const command = new Command('kvd')
    .description('kvd: a Raft-replicated key/value store, compatible with etcd\'s v2 API')
    .version(version, '--version')
    .allowExcessArguments(false)
    .exitOverride();
  for (const [flags, description, fallback] of flagSpecs) {
    const envName = 'KVD_' + flags.split(' ')[0]!.slice(2).toUpperCase().replace(/-/g, '_');
    const option = new Option(flags, description).env(envName);
    command.addOption(fallback === undefined ? option : option.default(fallback));
  }
  return command;
}

export function parseFlags(raw: Record<string, string | undefined>): KvdConfig {
  const discovery = parseDiscoveryFlags(raw); // discovery: checked first (--initial-cluster clash)
  if (typeof discovery === 'string') throw new FlagError(discovery);
  const name = nonEmpty('--name', raw['name']);
  const listenClientUrls = urlList('--listen-client-urls', raw['listenClientUrls']!);
  const listenPeerUrls = urlList('--listen-peer-urls', raw['listenPeerUrls']!);
  if (listenPeerUrls.length !== 1) throw new FlagError('--listen-peer-urls: exactly one URL is supported');
  const advertiseClientUrls = raw['advertiseClientUrls']
    ? urlList('--advertise-client-urls', raw['advertiseClientUrls']).map(String).map(trimSlash)
    : listenClientUrls.map(String).map(trimSlash);
  const initialAdvertisePeerUrls = raw['initialAdvertisePeerUrls']
    ? urlList('--initial-advertise-peer-urls', raw['initialAdvertisePeerUrls']).map(String).map(trimSlash)
    : listenPeerUrls.map(String).map(trimSlash);
  const initialCluster = parseInitialCluster(raw['initialCluster'] ?? `${name}=${initialAdvertisePeerUrls.join(`,${name}=`)}`);
  const mine = initialCluster.get(name);
  if (mine === undefined) throw new FlagError(`--initial-cluster: has no entry for --name "${name}"`);
  if (mine.join(',') !== [...initialAdvertisePeerUrls].sort().join(',') && mine.join(',') !== initialAdvertisePeerUrls.join(',')) {
    throw new FlagError(`--initial-cluster: "${name}" is ${mine.join(',')} but --initial-advertise-peer-urls is ${initialAdvertisePeerUrls.join(',')}`);
  }
  const state = raw['initialClusterState'];
  if (state !== 'new' && state !== 'existing') throw new FlagError(`--initial-cluster-state: must be new or existing, got "${state}"`);
  const heartbeatIntervalMs = integer('--heartbeat-interval', raw['heartbeatInterval']!, 1, 10_000);
  const electionTimeoutMs = integer('--election-timeout', raw['electionTimeout']!, 1, 50_000);
  if (electionTimeoutMs < 5 * heartbeatIntervalMs) {
    throw new FlagError(`--election-timeout (${electionTimeoutMs}) must be at least 5 times --heartbeat-interval (${heartbeatIntervalMs})`);
  }
  const logFormat = raw['logFormat'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new FlagError(`--log-format: must be json or pretty, got "${logFormat}"`);
  return {
    name, dataDir: nonEmpty('--data-dir', raw['dataDir']), listenClientUrls, advertiseClientUrls,
    listenPeerUrl: listenPeerUrls[0]!, initialAdvertisePeerUrls, initialCluster,
    initialClusterState: state, initialClusterToken: nonEmpty('--initial-cluster-token', raw['initialClusterToken']),
    heartbeatIntervalMs, electionTimeoutMs,
    snapshotCount: integer('--snapshot-count', raw['snapshotCount']!, 1, 100_000_000),
    logFormat, logLevel: raw['logLevel'] ?? 'info',
    forceNewCluster: (raw['forceNewCluster'] as unknown) === true || raw['forceNewCluster'] === 'true',
    discovery, // discovery
  };
}

function nonEmpty(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new FlagError(`${flag}: must not be empty`);
  return value.trim();
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new FlagError(`${flag}: must be a whole number in ${min}..${max}, got "${value}"`);
  return n;
}

function urlList(flag: string, value: string): URL[] {
  return value.split(',').map((text) => {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      throw new FlagError(`${flag}: "${text}" is not a URL (expected like http://127.0.0.1:2379)`);
    }
    if (url.protocol !== 'http:') throw new FlagError(`${flag}: "${text}" must use http:// (TLS is not supported yet)`);
    if (url.port === '') throw new FlagError(`${flag}: "${text}" needs an explicit port`);
    if (url.pathname !== '/' && url.pathname !== '') throw new FlagError(`${flag}: "${text}" must not have a path`);
    return url;
  });
}

function trimSlash(url: string): string {
  return url.replace(/\/$/, '');
}

export function parseInitialCluster(value: string): Map<string, string[]> {
  const cluster = new Map<string, string[]>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FlagError(`--initial-cluster: "${part}" is not name=URL`);
    const name = part.slice(0, eq).trim();
    const url = urlList('--initial-cluster', part.slice(eq + 1)).map(String).map(trimSlash);
    cluster.set(name, [...(cluster.get(name) ?? []), ...url]);
  }
  for (const [name, urls] of cluster) cluster.set(name, urls.sort());
  const seen = new Map<string, string>();
  for (const [name, urls] of cluster) {
    for (const url of urls) {
      if (seen.has(url)) throw new FlagError(`--initial-cluster: ${url} is listed for both "${seen.get(url)}" and "${name}"`);
      seen.set(url, name);
    }
  }
  return cluster;
}
