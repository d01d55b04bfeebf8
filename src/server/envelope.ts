// What a normal log entry carries: a request ID (so the proposing member can answer its
// client) and one state machine's command, tagged by model ('v2' now; 'v3' later). Also the
// member attributes carried in conf-change contexts. Imports only src/store types.
import type { V2Command } from '../store/v2/index.js';

export interface Envelope {
  /** `<member id>-<counter>`: unique across the cluster. */
  readonly r: string;
  readonly v2?: V2Command;
  /** A member publishing its attributes (client URLs) after it starts, as etcd does. */
  readonly publish?: { readonly id: string; readonly attributes: MemberAttributes };
}

export interface MemberAttributes {
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encoder.encode(JSON.stringify(envelope));
}

export function decodeEnvelope(data: Uint8Array): Envelope | null {
  if (data.length === 0) return null;
  try {
    return JSON.parse(decoder.decode(data)) as Envelope;
  } catch {
    return null;
  }
}

export function encodeAttributes(attributes: MemberAttributes): Uint8Array {
  return encoder.encode(JSON.stringify(attributes));
}

export function decodeAttributes(data: Uint8Array): MemberAttributes {
  if (data.length === 0) return { name: '', peerURLs: [], clientURLs: [] };
  return JSON.parse(decoder.decode(data)) as MemberAttributes;
}

/**
 * A member's Raft snapshot data: the member registry and the v2 keyspace image with the
 * keyspace's own applied index (the last v2 command, at or before the snapshot index).
 */
export interface SnapshotImage {
  readonly members: readonly (readonly [string, MemberAttributes])[];
  readonly v2: Uint8Array;
  readonly v2Applied: number;
}

export function encodeSnapshotImage(image: SnapshotImage): Uint8Array {
  return encoder.encode(JSON.stringify({
    members: image.members, v2: Buffer.from(image.v2).toString('base64'), v2Applied: image.v2Applied,
  }));
}

export function decodeSnapshotImage(data: Uint8Array): SnapshotImage {
  const raw = JSON.parse(decoder.decode(data)) as { members: [string, MemberAttributes][]; v2: string; v2Applied: number };
  return { members: raw.members, v2: new Uint8Array(Buffer.from(raw.v2, 'base64')), v2Applied: raw.v2Applied };
}
