// The peer handshake as pure decisions: protocol version ranges, the listener's checks of a
// Handshake (version, cluster ID, sender, receiver, channel) and the dialer's check of the reply.
// PURE: no sockets, timers, logging or protobuf; peer-codec.ts maps these types to the wire.
// Imports only src/lib and src/raft/types.ts.

import { assert } from '../lib/assert.js';
import type { NodeId } from '../raft/types.js';

/** A protocol version range: one major, an inclusive minor range. */
export interface VersionRange {
  readonly major: number;
  readonly minorMin: number;
  readonly minorMax: number;
}

/** The peer protocol this build speaks. Bump minorMax for additive changes. */
export const PROTOCOL_VERSION: VersionRange = { major: 1, minorMin: 0, minorMax: 0 };

/** What a connection carries: small messages and requests, or snapshot chunks only. */
export type Channel = 'messages' | 'snapshot';

/** Sent by the dialing side as its first frame. */
export interface Handshake {
  readonly version: VersionRange;
  readonly clusterId: string;
  readonly senderId: NodeId;
  readonly receiverId: NodeId;
  /** Undefined when the dialer named a channel this version does not know. */
  readonly channel: Channel | undefined;
}

export type RefuseReason =
  'version' | 'cluster-mismatch' | 'unknown-sender' | 'wrong-receiver' | 'malformed';

export type HandshakeReply =
  | {
      readonly accepted: true;
      readonly minor: number;
      readonly version: VersionRange;
      readonly responderId: NodeId;
    }
  | {
      readonly accepted: false;
      readonly reason: RefuseReason;
      readonly detail: string;
      readonly version: VersionRange;
      readonly responderId: NodeId;
    };

/** What the listening side knows about itself when judging a Handshake. */
export interface ListenerIdentity {
  readonly version: VersionRange;
  readonly clusterId: string;
  readonly selfId: NodeId;
  readonly isMember: (id: NodeId) => boolean;
}

export type ReplyVerdict =
  | { readonly ok: true; readonly minor: number }
  | { readonly ok: false; readonly reason: RefuseReason; readonly detail: string };

const NODE_ID_PATTERN = /^[0-9a-f]{1,16}$/;

/** A member ID: 1..16 lowercase hex characters. */
export function isNodeId(value: string): boolean {
  return NODE_ID_PATTERN.test(value);
}

export function formatVersion(range: VersionRange): string {
  return `${range.major}.${range.minorMin}-${range.major}.${range.minorMax}`;
}

/** The minor both sides speak (min of both maxima), or undefined when they cannot talk. */
export function negotiateMinor(local: VersionRange, remote: VersionRange): number | undefined {
  assert(local.minorMin <= local.minorMax, () => `local range ${formatVersion(local)} inverted`);
  if (local.major !== remote.major) return undefined;
  if (remote.minorMin > remote.minorMax) return undefined;
  const minor = Math.min(local.minorMax, remote.minorMax);
  if (minor < Math.max(local.minorMin, remote.minorMin)) return undefined;
  return minor;
}

/** The listener's decision on a Handshake; checks run in a fixed order, first failure wins. */
export function checkHandshake(hello: Handshake, local: ListenerIdentity): HandshakeReply {
  const refuse = (reason: RefuseReason, detail: string): HandshakeReply => ({
    accepted: false,
    reason,
    detail,
    version: local.version,
    responderId: local.selfId,
  });
  const minor = negotiateMinor(local.version, hello.version);
  if (minor === undefined) {
    const ranges = `${formatVersion(hello.version)} vs ${formatVersion(local.version)}`;
    return refuse('version', `no common protocol version: dialer ${ranges} here`);
  }
  if (hello.clusterId !== local.clusterId) {
    return refuse('cluster-mismatch', `cluster ${hello.clusterId} != ${local.clusterId}`);
  }
  if (!isNodeId(hello.senderId) || !local.isMember(hello.senderId)) {
    return refuse('unknown-sender', `sender ${JSON.stringify(hello.senderId)} is not a member`);
  }
  if (hello.receiverId !== local.selfId) {
    return refuse('wrong-receiver', `receiver ${hello.receiverId} != self ${local.selfId}`);
  }
  if (hello.channel === undefined) return refuse('malformed', 'unknown channel');
  assert(minor >= local.version.minorMin, () => `minor ${minor} below local minimum`);
  return { accepted: true, minor, version: local.version, responderId: local.selfId };
}

/** The dialer's check of the listener's reply to `hello`. */
export function checkHandshakeReply(reply: HandshakeReply, hello: Handshake): ReplyVerdict {
  if (!reply.accepted) return { ok: false, reason: reply.reason, detail: reply.detail };
  if (reply.responderId !== hello.receiverId) {
    const detail = `responder ${reply.responderId} != dialed ${hello.receiverId}`;
    return { ok: false, reason: 'wrong-receiver', detail };
  }
  const minor = negotiateMinor(hello.version, reply.version);
  if (minor === undefined || reply.minor !== minor) {
    const detail = `listener chose minor ${reply.minor}, expected ${String(minor)}`;
    return { ok: false, reason: 'version', detail };
  }
  return { ok: true, minor };
}
