// Every bound of the peer transport, with defaults and validation: each value is checked at both
// ends, and relations between two settings name both. What happens at each limit: frames over
// frameBytesMax close the connection; a full send queue drops and counts. PURE; imports src/lib.

import { KvdError } from '../lib/errors.js';
import { FRAME_BYTES_MAX_DEFAULT, FRAME_BYTES_MAX_LIMIT } from './frame-codec.js';
import { SNAPSHOT_CHUNK_BYTES_MAX_DEFAULT } from './snapshot-chunks.js';

export interface TransportLimits {
  /** Largest frame body sent or received; a larger one closes the connection. */
  readonly frameBytesMax: number;
  /** Largest frame accepted before the handshake completes (keeps strangers cheap). */
  readonly handshakeFrameBytesMax: number;
  /** Bytes queued per peer on the message connection; beyond it messages are dropped. */
  readonly sendQueueBytesMax: number;
  /** Snapshot data bytes per chunk frame. */
  readonly snapshotChunkBytesMax: number;
  /** Largest snapshot data a receiver reassembles. */
  readonly snapshotBytesMax: number;
  /** Snapshots waiting per peer behind the one being streamed; more are dropped. */
  readonly snapshotQueueLengthMax: number;
  /** Forwarded requests a member serves at once per inbound connection; more get 'busy'. */
  readonly requestsInflightMax: number;
  /** Inbound connections open at once; more are closed on accept. */
  readonly connectionsAcceptedMax: number;
  /** Time from dial (or accept) to a completed handshake. */
  readonly handshakeTimeoutMs: number;
  readonly reconnectBackoffMsMin: number;
  readonly reconnectBackoffMsMax: number;
}

export const TRANSPORT_LIMITS_DEFAULT: TransportLimits = {
  frameBytesMax: FRAME_BYTES_MAX_DEFAULT,
  handshakeFrameBytesMax: 4 * 1024,
  sendQueueBytesMax: 16 * 1024 * 1024,
  snapshotChunkBytesMax: SNAPSHOT_CHUNK_BYTES_MAX_DEFAULT,
  snapshotBytesMax: 1024 * 1024 * 1024,
  snapshotQueueLengthMax: 1,
  requestsInflightMax: 1024,
  connectionsAcceptedMax: 1024,
  handshakeTimeoutMs: 5_000,
  reconnectBackoffMsMin: 100,
  reconnectBackoffMsMax: 5_000,
};

/** Room a snapshot chunk frame needs beyond its data: header message, offsets, tags. */
export const SNAPSHOT_CHUNK_OVERHEAD_BYTES_MAX = 16 * 1024;

const RANGES: { readonly [K in keyof TransportLimits]: readonly [number, number] } = {
  frameBytesMax: [64 * 1024, FRAME_BYTES_MAX_LIMIT],
  handshakeFrameBytesMax: [256, 1024 * 1024],
  sendQueueBytesMax: [1024, 2 ** 40],
  snapshotChunkBytesMax: [1, FRAME_BYTES_MAX_LIMIT],
  snapshotBytesMax: [0, 2 ** 32],
  snapshotQueueLengthMax: [0, 1024],
  requestsInflightMax: [1, 1_000_000],
  connectionsAcceptedMax: [1, 1_000_000],
  handshakeTimeoutMs: [1, 600_000],
  reconnectBackoffMsMin: [1, 600_000],
  reconnectBackoffMsMax: [1, 3_600_000],
};

/** Defaults overridden by `overrides`, validated; throws KVD_ERR_CONFIG_INVALID. */
export function resolveTransportLimits(overrides: Partial<TransportLimits> = {}): TransportLimits {
  const limits: TransportLimits = { ...TRANSPORT_LIMITS_DEFAULT, ...overrides };
  for (const key of Object.keys(RANGES) as (keyof TransportLimits)[]) {
    const [low, high] = RANGES[key];
    const value = limits[key];
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new KvdError(
        'KVD_ERR_CONFIG_INVALID',
        `${key} ${value} not an integer in ${low}..${high}`,
      );
    }
  }
  requireAtMost(limits, 'handshakeFrameBytesMax', 'frameBytesMax', 0);
  requireAtMost(
    limits,
    'snapshotChunkBytesMax',
    'frameBytesMax',
    SNAPSHOT_CHUNK_OVERHEAD_BYTES_MAX,
  );
  requireAtMost(limits, 'reconnectBackoffMsMin', 'reconnectBackoffMsMax', 0);
  return limits;
}

function requireAtMost(
  limits: TransportLimits,
  small: keyof TransportLimits,
  large: keyof TransportLimits,
  slack: number,
): void {
  if (limits[small] + slack > limits[large]) {
    const room = slack === 0 ? '' : ` - ${slack}`;
    const values = `${limits[small]} > ${limits[large]}${room}`;
    throw new KvdError('KVD_ERR_CONFIG_INVALID', `${small} must be <= ${large}${room}: ${values}`);
  }
}
