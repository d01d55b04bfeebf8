// Peer frames <-> protobuf bytes (proto/peer.proto), including Message <-> RaftMessage; bodies
// only, framing is frame-codec.ts's. protobufjs reflection on the schema read at load: it tied
// with pbjs static code (encode+decode, 64x256 B append: ~13-18k/s each, in noise), so there is
// no generated code to keep in step (bench/codec.bench.ts). Must not import node:net.

import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import type { Entry, Message, MessageType, Snapshot } from '../raft/types.js';
import type {
  Channel,
  Handshake,
  HandshakeReply,
  RefuseReason,
  VersionRange,
} from './handshake.js';
import type { SnapshotChunk } from './snapshot-chunks.js';
import {
  CHANNELS,
  ENTRY_TYPES,
  MESSAGE_TYPES,
  REFUSE_REASONS,
  enumNumber,
  wireBytes,
  wireNumber,
  wireString,
  type WireObject,
} from './peer-wire.js';

export interface ForwardRequest {
  readonly id: number;
  readonly kind: string;
  readonly payload: Uint8Array;
}

export interface ForwardResponse {
  readonly id: number;
  readonly payload: Uint8Array;
  /** Non-empty when the responder's handler failed. */
  readonly error: string;
}

export type PeerFrame =
  | { readonly kind: 'handshake'; readonly handshake: Handshake }
  | { readonly kind: 'handshake-reply'; readonly reply: HandshakeReply }
  | { readonly kind: 'raft'; readonly message: Message }
  | { readonly kind: 'snapshot-chunk'; readonly chunk: SnapshotChunk }
  | { readonly kind: 'forward-request'; readonly request: ForwardRequest }
  | { readonly kind: 'forward-response'; readonly response: ForwardResponse };

/**
 * A decoded frame body. 'unknown': a Frame case from a newer version (ignore it). 'invalid':
 * well-formed protobuf whose values this version cannot accept (e.g. an unknown message type,
 * a number above 2^53): drop that frame, keep the connection.
 */
export type DecodedFrame =
  PeerFrame | { readonly kind: 'unknown' } | { readonly kind: 'invalid'; readonly detail: string };

const SCHEMA_CANDIDATES = ['../../proto/peer.proto', '../../../proto/peer.proto'];
const frameType = loadFrameType();

/**
 * Test-only: behave like a newer minor version on the wire, to show a mixed-version cluster
 * works. Every frame carries an extra field (number 1000) this version does not know, and
 * `nextVersionExtraFrame()` is a frame of a message type it does not know (field 100).
 */
let nextVersionWire = false;

export function enableNextVersionWireForTesting(): void {
  nextVersionWire = true;
}

export function nextVersionWireEnabled(): boolean {
  return nextVersionWire;
}

/** Field 1000 (varint) = 1: tag 8000 as a varint is 0xc0 0x3e. */
const unknownFieldBytes = Uint8Array.from([0xc0, 0x3e, 0x01]);

/** A whole frame whose oneof case is field 100 ("ping"), unknown to version 1.0. */
export function nextVersionExtraFrame(): Uint8Array {
  return Uint8Array.from([0xa2, 0x06, 0x04, 0x70, 0x69, 0x6e, 0x67]);
}

/** Encodes one frame body (no length prefix). Throws InvariantViolation on impossible values. */
export function encodePeerFrame(frame: PeerFrame): Uint8Array {
  const body = frameType.encode(frameToWire(frame)).finish();
  if (!nextVersionWire) return body;
  const extended = new Uint8Array(body.length + unknownFieldBytes.length);
  extended.set(body, 0);
  extended.set(unknownFieldBytes, body.length);
  return extended;
}

/**
 * Decodes one frame body. Throws KVD_ERR_MESSAGE_MALFORMED when it is not valid protobuf. Byte
 * fields of the result are views into one private copy of `body` (made only when `body` shares
 * a larger buffer), so they never pin a socket read buffer and cost one allocation per frame.
 */
export function decodePeerFrame(body: Uint8Array): DecodedFrame {
  const owned = body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
  let wire: WireObject;
  try {
    wire = frameType.decode(owned) as unknown as WireObject;
  } catch (error) {
    throw new KvdError('KVD_ERR_MESSAGE_MALFORMED', (error as Error).message, { cause: error });
  }
  try {
    return frameFromWire(wire);
  } catch (error) {
    if (error instanceof InvalidValue) return { kind: 'invalid', detail: error.message };
    throw error;
  }
}

/** Encodes a Message as a whole frame body (snapshot data inline): lossless, for tests/sims. */
export function encodeMessage(message: Message): Uint8Array {
  return encodePeerFrame({ kind: 'raft', message });
}

/** Inverse of encodeMessage; throws KVD_ERR_MESSAGE_MALFORMED for anything but a valid one. */
export function decodeMessage(body: Uint8Array): Message {
  const frame = decodePeerFrame(body);
  if (frame.kind === 'raft') return frame.message;
  const detail = frame.kind === 'invalid' ? frame.detail : `a ${frame.kind} frame`;
  throw new KvdError('KVD_ERR_MESSAGE_MALFORMED', detail);
}

// ---- to wire ----

function frameToWire(frame: PeerFrame): object {
  switch (frame.kind) {
    case 'raft':
      return { raft: messageToWire(frame.message, true) };
    case 'snapshot-chunk':
      return { snapshotChunk: chunkToWire(frame.chunk) };
    case 'handshake':
      return { handshake: handshakeToWire(frame.handshake) };
    case 'handshake-reply':
      return { handshakeReply: replyToWire(frame.reply) };
    case 'forward-request':
      return { forwardRequest: frame.request };
    case 'forward-response':
      return { forwardResponse: frame.response };
  }
}

function messageToWire(m: Message, withSnapshotData: boolean): object {
  checkNumbers(m.term, m.logTerm, m.index, m.commit, m.rejectHint, m.rejectTerm);
  const snapshot = m.snapshot === undefined ? null : snapshotToWire(m.snapshot, withSnapshotData);
  return {
    type: enumNumber(MESSAGE_TYPES, m.type),
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map(entryToWire),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    rejectTerm: m.rejectTerm,
    context: m.context,
    transfer: m.transfer,
    snapshot,
  };
}

function entryToWire(e: Entry): object {
  checkNumbers(e.term, e.index);
  return { term: e.term, index: e.index, type: enumNumber(ENTRY_TYPES, e.type, 0), data: e.data };
}

function snapshotToWire(s: Snapshot, withData: boolean): object {
  checkNumbers(s.meta.index, s.meta.term);
  const conf = { voters: s.meta.conf.voters, learners: s.meta.conf.learners };
  return { meta: { index: s.meta.index, term: s.meta.term, conf }, data: withData ? s.data : null };
}

function chunkToWire(chunk: SnapshotChunk): object {
  checkNumbers(chunk.totalBytes, chunk.offset);
  const header = chunk.header === undefined ? null : messageToWire(chunk.header, false);
  return { header, totalBytes: chunk.totalBytes, offset: chunk.offset, data: chunk.data };
}

function handshakeToWire(h: Handshake): object {
  assert(h.channel !== undefined, 'handshake without a channel');
  return {
    version: h.version,
    clusterId: h.clusterId,
    senderId: h.senderId,
    receiverId: h.receiverId,
    channel: enumNumber(CHANNELS, h.channel),
  };
}

function replyToWire(r: HandshakeReply): object {
  const common = { version: r.version, responderId: r.responderId };
  if (r.accepted) return { ...common, accepted: true, minor: r.minor };
  return {
    ...common,
    accepted: false,
    reason: enumNumber(REFUSE_REASONS, r.reason),
    detail: r.detail,
  };
}

function checkNumbers(...values: number[]): void {
  for (const value of values) {
    assert(Number.isSafeInteger(value) && value >= 0, () => `wire number ${value} not a uint53`);
  }
}

// ---- from wire ----

class InvalidValue extends Error {}

function frameFromWire(w: WireObject): DecodedFrame {
  if (w.raft) return { kind: 'raft', message: messageFromWire(w.raft as WireObject) };
  if (w.snapshotChunk) {
    return { kind: 'snapshot-chunk', chunk: chunkFromWire(w.snapshotChunk as WireObject) };
  }
  if (w.handshake)
    return { kind: 'handshake', handshake: handshakeFromWire(w.handshake as WireObject) };
  if (w.handshakeReply)
    return { kind: 'handshake-reply', reply: replyFromWire(w.handshakeReply as WireObject) };
  if (w.forwardRequest) {
    const r = w.forwardRequest as WireObject;
    const request = { id: num(r.id, 'id'), kind: str(r.kind), payload: wireBytes(r.payload) };
    return { kind: 'forward-request', request };
  }
  if (w.forwardResponse) {
    const r = w.forwardResponse as WireObject;
    const response = { id: num(r.id, 'id'), payload: wireBytes(r.payload), error: str(r.error) };
    return { kind: 'forward-response', response };
  }
  return { kind: 'unknown' };
}

function messageFromWire(w: WireObject): Message {
  const type = MESSAGE_TYPES[Number(w.type) - 1];
  if (type === undefined) throw new InvalidValue(`unknown message type ${String(w.type)}`);
  const entries = ((w.entries ?? []) as WireObject[]).map(entryFromWire);
  const message: Message = {
    type,
    from: str(w.from),
    to: str(w.to),
    term: num(w.term, 'term'),
    logTerm: num(w.logTerm, 'logTerm'),
    index: num(w.index, 'index'),
    entries,
    commit: num(w.commit, 'commit'),
    reject: w.reject === true,
    rejectHint: num(w.rejectHint, 'rejectHint'),
    rejectTerm: num(w.rejectTerm, 'rejectTerm'),
    context: str(w.context),
    transfer: w.transfer === true,
  };
  if (!w.snapshot) return message;
  return { ...message, snapshot: snapshotFromWire(w.snapshot as WireObject) };
}

function entryFromWire(w: WireObject): Entry {
  const type = ENTRY_TYPES[Number(w.type ?? 0)];
  if (type === undefined) throw new InvalidValue(`unknown entry type ${String(w.type)}`);
  const data = wireBytes(w.data);
  return { term: num(w.term, 'entry term'), index: num(w.index, 'entry index'), type, data };
}

function snapshotFromWire(w: WireObject): Snapshot {
  const meta = (w.meta ?? {}) as WireObject;
  const conf = (meta.conf ?? {}) as WireObject;
  const strings = (list: unknown): string[] => ((list ?? []) as unknown[]).map(str);
  return {
    meta: {
      index: num(meta.index, 'snapshot index'),
      term: num(meta.term, 'snapshot term'),
      conf: { voters: strings(conf.voters), learners: strings(conf.learners) },
    },
    data: wireBytes(w.data),
  };
}

function chunkFromWire(w: WireObject): SnapshotChunk {
  return {
    header: w.header ? messageFromWire(w.header as WireObject) : undefined,
    totalBytes: num(w.totalBytes, 'totalBytes'),
    offset: num(w.offset, 'offset'),
    data: wireBytes(w.data),
  };
}

function handshakeFromWire(w: WireObject): Handshake {
  return {
    version: versionFromWire(w.version),
    clusterId: str(w.clusterId),
    senderId: str(w.senderId),
    receiverId: str(w.receiverId),
    channel: CHANNELS[Number(w.channel) - 1] as Channel | undefined,
  };
}

function replyFromWire(w: WireObject): HandshakeReply {
  const version = versionFromWire(w.version);
  const responderId = str(w.responderId);
  if (w.accepted === true) {
    return { accepted: true, minor: Number(w.minor ?? 0), version, responderId };
  }
  // A refusal reason from a newer version still refuses; keep its detail.
  const reason: RefuseReason = REFUSE_REASONS[Number(w.reason) - 1] ?? 'malformed';
  return { accepted: false, reason, detail: str(w.detail), version, responderId };
}

function versionFromWire(value: unknown): VersionRange {
  const w = (value ?? {}) as WireObject;
  return {
    major: Number(w.major ?? 0),
    minorMin: Number(w.minorMin ?? 0),
    minorMax: Number(w.minorMax ?? 0),
  };
}

function num(value: unknown, what: string): number {
  const result = wireNumber(value);
  if (result === undefined) throw new InvalidValue(`${what} exceeds 2^53`);
  return result;
}

function str(value: unknown): string {
  return wireString(value);
}

function loadFrameType(): protobuf.Type {
  const errors: string[] = [];
  for (const candidate of SCHEMA_CANDIDATES) {
    const url = new URL(candidate, import.meta.url);
    try {
      const text = readFileSync(url, 'utf8');
      return protobuf.parse(text, { keepCase: false }).root.lookupType('kvd.peer.v1.Frame');
    } catch (error) {
      errors.push(`${url.pathname}: ${(error as Error).message}`);
    }
  }
  throw new Error(`cannot load proto/peer.proto: ${errors.join('; ')}`);
}
