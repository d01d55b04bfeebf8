// Binary encoding of one log entry for LevelDB: term (8 bytes), index (8 bytes), type (1 byte),
// then the data. Model-agnostic: the data is opaque. Imports src/raft types only.
import type { Entry } from '../raft/index.js';
import { StorageCorruptError } from './raft-storage.js';

const headerBytes = 17;

export function encodeEntry(entry: Entry): Uint8Array {
  const out = Buffer.allocUnsafe(headerBytes + entry.data.length);
  out.writeDoubleBE(entry.term, 0);
  out.writeDoubleBE(entry.index, 8);
  out.writeUInt8(entry.type === 'conf-change' ? 1 : 0, 16);
  out.set(entry.data, headerBytes);
  return out;
}

export function decodeEntry(bytes: Uint8Array): Entry {
  if (bytes.length < headerBytes) throw new StorageCorruptError(`log entry of ${bytes.length} bytes is truncated`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const term = view.readDoubleBE(0);
  const index = view.readDoubleBE(8);
  const type = view.readUInt8(16);
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(index) || type > 1) {
    throw new StorageCorruptError(`log entry header is corrupt (term ${term}, index ${index}, type ${type})`);
  }
  return { term, index, type: type === 1 ? 'conf-change' : 'normal', data: bytes.subarray(headerBytes) };
}
