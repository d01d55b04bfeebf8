// src/lib/errors.ts tested as data (as fastify tests its registry): codes are unique, follow
// KVD_ERR_<AREA>_<WHAT>, have a message, and KvdError carries code and detail. Lives here
// because the transport introduced the registry.

import { describe, expect, it } from 'vitest';
import { KvdError, errorCodes, isKvdError, type ErrorCode } from '../../src/lib/errors.js';

describe('errors registry', () => {
  it('errors: registry: every code is well-formed and has a one-line message', () => {
    const codes = Object.keys(errorCodes) as ErrorCode[];
    expect(codes.length).toBe(15);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^KVD_ERR_[A-Z]+(_[A-Z]+)+$/);
      expect(errorCodes[code].message).toMatch(/^[a-z][^\n]*[^.]$/);
    }
  });

  it('errors: KvdError keeps code, message and detail, and isKvdError checks the code', () => {
    const error = new KvdError('KVD_ERR_FRAME_TOO_LARGE', '9 > 8');
    expect(error.code).toBe('KVD_ERR_FRAME_TOO_LARGE');
    expect(error.message).toBe('frame length exceeds frameBytesMax: 9 > 8');
    expect(error).toBeInstanceOf(Error);
    expect(isKvdError(error, 'KVD_ERR_FRAME_TOO_LARGE')).toBe(true);
    expect(isKvdError(error, 'KVD_ERR_FRAME_MALFORMED')).toBe(false);
    expect(isKvdError(new Error('x'))).toBe(false);
    expect(new KvdError('KVD_ERR_TRANSPORT_CLOSED').message).toBe('transport is closed');
  });
});
