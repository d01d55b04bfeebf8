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
