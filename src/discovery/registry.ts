// The token's registrations as the discovery client judges them, from plain v2 reads: parse
// each `<member id>` = `name=peerURL[,name=peerURL]` node, order by createdIndex, find this
// member's place, and spot duplicated names or peer URLs. Pure; no I/O.
import type { WireNode } from './discovery-http.js';

export interface Registration {
  /** The key's last path element: the member ID in lowercase hex. */
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  /** The raw value, for messages. */
  readonly value: string;
  readonly createdIndex: number;
  readonly modifiedIndex: number;
}

/** The last element of a key ('/_etcd/registry/t/555d' -> '555d'). */
export function baseName(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** A registration node, or a message saying why it is not one. */
export function parseRegistration(node: WireNode): Registration | string {
  const id = baseName(node.key ?? '');
  const value = node.value ?? '';
  const pairs = value.split(',').map((part) => {
    const eq = part.indexOf('=');
    return eq <= 0 ? null : { name: part.slice(0, eq).trim(), url: part.slice(eq + 1).trim() };
  });
  if (node.dir === true || value === '' || pairs.some((p) => p === null || p.url === '')) {
    return `registration ${id} holds ${JSON.stringify(value)}, not name=peerURL`;
  }
  const names = new Set(pairs.map((p) => p!.name));
  if (names.size !== 1) {
    return `registration ${id} holds ${JSON.stringify(value)}, which names several members`;
  }
  return {
    id, value, name: pairs[0]!.name, peerUrls: pairs.map((p) => p!.url).sort(),
    createdIndex: node.createdIndex ?? 0,
    modifiedIndex: node.modifiedIndex ?? node.createdIndex ?? 0,
  };
}

/** The listing's registrations in createdIndex order (hidden keys skipped), or a message. */
export function registrationsOf(listing: WireNode): Registration[] | string {
  const found: Registration[] = [];
  for (const node of listing.nodes ?? []) {
    if (baseName(node.key ?? '').startsWith('_')) continue;
    const parsed = parseRegistration(node);
    if (typeof parsed === 'string') return parsed;
    found.push(parsed);
  }
  return sortRegistrations(found);
}

export function sortRegistrations(registrations: readonly Registration[]): Registration[] {
  const byIndex = (a: Registration, b: Registration): number =>
    a.createdIndex - b.createdIndex || (a.id < b.id ? -1 : 1);
  return [...registrations].sort(byIndex);
}

/** Adds or replaces (same id) a registration, keeping createdIndex order. */
export function withRegistration(
  list: readonly Registration[], added: Registration,
): Registration[] {
  return sortRegistrations([...list.filter((r) => r.id !== added.id), added]);
}

/** Where `id` sits in the ordered list: 'member' (among the first `size`), 'late', or 'absent'. */
export function placeOf(
  list: readonly Registration[], id: string, size: number,
): 'member' | 'late' | 'absent' {
  const at = list.findIndex((r) => r.id === id);
  if (at < 0) return 'absent';
  return at < size ? 'member' : 'late';
}

export interface Duplicate {
  readonly what: 'name' | 'peer URL';
  readonly shared: string;
  readonly registrations: readonly [Registration, Registration];
}

/** The first name or peer URL that two registrations share, or null. */
export function findDuplicate(list: readonly Registration[]): Duplicate | null {
  const byName = new Map<string, Registration>();
  const byUrl = new Map<string, Registration>();
  for (const r of list) {
    const other = byName.get(r.name);
    if (other !== undefined) return { what: 'name', shared: r.name, registrations: [other, r] };
    byName.set(r.name, r);
    for (const url of r.peerUrls) {
      const holder = byUrl.get(url);
      if (holder !== undefined) {
        return { what: 'peer URL', shared: url, registrations: [holder, r] };
      }
      byUrl.set(url, r);
    }
  }
  return null;
}

/** `name=url,name=url` for --initial-cluster, in registration order. */
export function initialClusterText(list: readonly Registration[]): string {
  return list.map((r) => r.peerUrls.map((url) => `${r.name}=${url}`).join(',')).join(',');
}

/** "m1 (555d…) at http://…" lines for messages. */
export function describeRegistrations(list: readonly Registration[]): string {
  return list.map((r) => `${r.name} (${r.id}) at ${r.peerUrls.join(',')}`).join('; ');
}
