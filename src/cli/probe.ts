// Asks one member at a time how it is, for endpoint health/status and cluster-health: the
// members to ask (from /v2/members, else --endpoints), /health, and a status made of
// /v2/stats/self (ID, name, leader), the keys root (X-Raft-Term, X-Raft-Index, key count) and
// /version. A member that does not answer yields an error string, never a throw.
// Imports client, keys-api, members-api and exit-codes.
import { headerNumber, parseJson, type KvClient } from './client.js';
import { CliError } from './exit-codes.js';
import { keysPath, leaves, type V2Node } from './keys-api.js';
import { listMembers } from './members-api.js';

export interface Target {
  readonly endpoint: string;
  readonly id: string;
  readonly name: string;
}

export interface Health {
  readonly target: Target;
  readonly healthy: boolean;
  readonly tookMs: number;
  readonly error?: string;
}

export interface Status {
  readonly target: Target;
  readonly id: string;
  readonly name: string;
  readonly isLeader: boolean;
  readonly raftTerm: number | null;
  readonly raftIndex: number | null;
  readonly keys: number | null;
  readonly version: string;
  readonly latencyMs: number;
}

/** Every member's first client URL; the --endpoints list when members cannot be listed. */
export async function targets(client: KvClient, warn: (text: string) => void): Promise<Target[]> {
  try {
    const members = await listMembers(client);
    return members.map((m) => ({ endpoint: m.clientURLs[0] ?? '', id: m.id, name: m.name }));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    warn(`kvctl: cannot list members (${why}); checking --endpoints only`);
    return client.endpoints.map((endpoint) => ({ endpoint, id: '', name: '' }));
  }
}

export async function health(client: KvClient, target: Target): Promise<Health> {
  if (target.endpoint === '') return { target, healthy: false, tookMs: 0, error: 'no client URL' };
  const started = performance.now();
  try {
    const reply = await client.requestAt(target.endpoint, { method: 'GET', path: '/health' });
    const body = parseJson(reply.text) as { health?: unknown } | undefined;
    const healthy = reply.status === 200 && body?.health === 'true';
    const error = healthy ? {} : { error: `answered ${reply.status} ${reply.text.trim()}` };
    return { target, healthy, tookMs: reply.latencyMs, ...error };
  } catch (error) {
    return { target, healthy: false, tookMs: performance.now() - started, error: reason(error) };
  }
}

/** The member's status, or the reason it could not be had. */
export async function status(client: KvClient, target: Target): Promise<Status | string> {
  if (target.endpoint === '') return 'no client URL';
  try {
    const get = (path: string) => client.requestAt(target.endpoint, { method: 'GET', path });
    const self = await get('/v2/stats/self');
    const stats = parseJson(self.text) as SelfStats | undefined;
    if (self.status !== 200 || stats === undefined) return `stats answered ${self.status}`;
    const root = await client.requestAt(target.endpoint, {
      method: 'GET',
      path: keysPath('/'),
      query: { recursive: true },
    });
    const rootNode = (parseJson(root.text) as { node?: V2Node } | undefined)?.node;
    const versions = parseJson((await get('/version')).text) as Versions | undefined;
    return {
      target,
      id: stats.id ?? target.id,
      name: stats.name ?? target.name,
      isLeader: stats.state === 'StateLeader',
      raftTerm: headerNumber(root, 'x-raft-term') ?? null,
      raftIndex: headerNumber(root, 'x-raft-index') ?? null,
      keys:
        rootNode === undefined ? null : leaves(rootNode).filter((n) => n.key !== undefined).length,
      version: describeVersion(versions),
      latencyMs: self.latencyMs,
    };
  } catch (error) {
    return reason(error);
  }
}

interface SelfStats {
  id?: string;
  name?: string;
  state?: string;
}

interface Versions {
  etcdserver?: string;
  kvd?: string;
}

function describeVersion(versions: Versions | undefined): string {
  if (versions?.etcdserver === undefined) return '';
  return versions.kvd !== undefined
    ? `${versions.etcdserver} (kvd ${versions.kvd})`
    : versions.etcdserver;
}

function reason(error: unknown): string {
  if (error instanceof CliError || error instanceof Error) return error.message;
  return String(error);
}
