// Micro-benchmark of the peer codec: encode, decode, and encode+frame+decode of append messages
// with 64 entries of 256 bytes. Standalone: `npm run build && node dist/bench/codec.bench.js`
// (optional args: seconds per run, runs). Prints ops/s and MB/s (MB = 10^6 bytes of encoded body).
// Imports only src/transport codecs and src/lib.

import { pathToFileURL } from 'node:url';
import { Prng } from '../src/lib/prng.js';
import { makeMessage, type Entry, type Message } from '../src/raft/types.js';
import { FrameDecoder, encodeFrame } from '../src/transport/frame-codec.js';
import { decodeMessage, encodeMessage } from '../src/transport/peer-codec.js';

const ENTRIES_PER_MESSAGE = 64;
const ENTRY_DATA_BYTES = 256;

export interface BenchResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly megabytesPerSecond: number;
}

export function appendMessage(seed: number): Message {
  const random = new Prng(seed);
  const entries: Entry[] = [];
  for (let i = 0; i < ENTRIES_PER_MESSAGE; i++) {
    const data = new Uint8Array(ENTRY_DATA_BYTES);
    for (let j = 0; j < data.length; j++) data[j] = random.int(256);
    entries.push({ term: 7, index: 1_000_001 + i, type: 'normal', data });
  }
  return makeMessage({
    type: 'append',
    from: 'a1b2',
    to: 'c3d4',
    term: 7,
    logTerm: 7,
    index: 1_000_000,
    commit: 999_990,
    entries,
  });
}

/** Runs `op` repeatedly for `seconds`; `op` returns the encoded bytes it handled. */
export function measure(name: string, seconds: number, op: () => number): BenchResult {
  for (let i = 0; i < 200; i++) op();
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let ops = 0;
  let bytes = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) bytes += op();
    ops += 100;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  return { name, opsPerSecond: ops / elapsed, megabytesPerSecond: bytes / elapsed / 1e6 };
}

export function runCodecBench(seconds: number): BenchResult[] {
  const message = appendMessage(1);
  const body = encodeMessage(message);
  const decoder = new FrameDecoder();
  let sink = 0;
  const results = [
    measure('encode', seconds, () => encodeMessage(message).length),
    measure('decode', seconds, () => {
      sink += decodeMessage(body).entries.length;
      return body.length;
    }),
    measure('encode+decode', seconds, () => {
      const bytes = encodeMessage(message);
      sink += decodeMessage(bytes).entries.length;
      return bytes.length;
    }),
    measure('encode+frame+decode', seconds, () => {
      const frame = encodeFrame(encodeMessage(message));
      for (const got of decoder.push(frame)) sink += decodeMessage(got).entries.length;
      return frame.length;
    }),
  ];
  if (sink === 0) throw new Error('benchmark decoded nothing');
  return results;
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  const seconds = Number(argv[0] ?? 1);
  const runs = Number(argv[1] ?? 3);
  const bodyBytes = encodeMessage(appendMessage(1)).length;
  console.log(
    `codec bench: append, ${ENTRIES_PER_MESSAGE} entries x ${ENTRY_DATA_BYTES} B, ` +
      `body ${bodyBytes} B, ${runs} runs x ${seconds}s, node ${process.version}`,
  );
  for (let run = 1; run <= runs; run++) {
    for (const r of runCodecBench(seconds)) {
      const ops = r.opsPerSecond.toFixed(0).padStart(8);
      const mb = r.megabytesPerSecond.toFixed(1).padStart(7);
      console.log(`run ${run}  ${r.name.padEnd(20)} ${ops} ops/s ${mb} MB/s`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
