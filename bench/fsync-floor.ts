// W8, the fsync floor of the disk under the data dirs: 4 KiB writes into a preallocated file
// (as a WAL does) each followed by fdatasync, p50/p99 and syncs/s. No replicated write can be
// acknowledged faster than one of these. Standalone: node dist/bench/fsync-floor.js [dir] [seconds]
import { closeSync, fdatasyncSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { percentile } from './util.js';

export interface FsyncFloor {
  readonly samples: number;
  readonly syncsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const blockBytes = 4096;
const fileBytes = 16 * 1024 * 1024;

export function measureFsyncFloor(dir: string, seconds: number): FsyncFloor {
  const work = mkdtempSync(join(dir, 'fsync-floor-'));
  const path = join(work, 'wal.tmp');
  const fd = openSync(path, 'w');
  try {
    const block = Buffer.alloc(blockBytes, 0x61);
    const zeros = Buffer.alloc(1024 * 1024);
    for (let offset = 0; offset < fileBytes; offset += zeros.length) writeSync(fd, zeros, 0, zeros.length, offset);
    fsyncSync(fd);
    const times: number[] = [];
    const started = performance.now();
    const end = started + seconds * 1000;
    let offset = 0;
    while (performance.now() < end) {
      const t = performance.now();
      writeSync(fd, block, 0, blockBytes, offset);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
      offset = (offset + blockBytes) % fileBytes;
    }
    const elapsedS = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(times).sort();
    return {
      samples: times.length,
      syncsPerSec: times.length / elapsedS,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? NaN,
    };
  } finally {
    closeSync(fd);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = measureFsyncFloor(process.argv[2] ?? tmpdir(), Number(process.argv[3] ?? 3));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
