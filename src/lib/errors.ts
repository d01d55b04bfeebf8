// KvdError and the one registry of edge-error codes (bugs are asserts, core outcomes are unions;
// this file is for errors at the edges: framing, handshake, peers, requests). Codes are prefixed
// by area and registered once in `errorCodes`; callers test `.code`, never the message.
// Imports nothing.

export interface ErrorCodeSpec {
  /** What went wrong, in one line, without the instance detail. */
  readonly message: string;
}

/** Every edge-error code kvd can raise. Add a code here, never build one ad hoc. */
export const errorCodes = {
  KVD_ERR_FRAME_TOO_LARGE: { message: 'frame length exceeds frameBytesMax' },
  KVD_ERR_FRAME_MALFORMED: { message: 'frame length prefix is not a valid varint' },
  KVD_ERR_MESSAGE_MALFORMED: { message: 'frame body is not a decodable peer message' },
  KVD_ERR_SNAPSHOT_MALFORMED: { message: 'snapshot chunks out of order or over the limit' },
  KVD_ERR_HANDSHAKE_REFUSED: { message: 'peer refused the handshake' },
  KVD_ERR_HANDSHAKE_TIMEOUT: { message: 'handshake did not complete in time' },
  KVD_ERR_HANDSHAKE_PROTOCOL: { message: 'handshake frame missing or out of place' },
  KVD_ERR_PEER_ADDRESS_INVALID: { message: 'peer address is not an http://host:port URL' },
  KVD_ERR_PEER_UNKNOWN: { message: 'no such peer' },
  KVD_ERR_PEER_UNREACHABLE: { message: 'peer is not connected' },
  KVD_ERR_SEND_QUEUE_FULL: { message: 'peer send queue is at sendQueueBytesMax' },
  KVD_ERR_REQUEST_TIMEOUT: { message: 'forwarded request timed out' },
  KVD_ERR_REQUEST_FAILED: { message: 'forwarded request failed at the peer' },
  KVD_ERR_TRANSPORT_CLOSED: { message: 'transport is closed' },
  KVD_ERR_CONFIG_INVALID: { message: 'configuration value out of range' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof errorCodes;

export class KvdError extends Error {
  override readonly name = 'KvdError';
  readonly code: ErrorCode;

  /** `detail` names the instance: values, bounds, peers. */
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = errorCodes[code].message;
    super(detail === undefined ? base : `${base}: ${detail}`, options);
    this.code = code;
  }
}

/** True when `error` is a KvdError, and when `code` is given, one with that code. */
export function isKvdError(error: unknown, code?: ErrorCode): error is KvdError {
  return error instanceof KvdError && (code === undefined || error.code === code);
}
