// "The core imports nothing" is checked, not hoped: every import under src/raft stays inside
// src/raft or src/lib, and the deterministic layers (src/raft, src/store) read no clock, no
// global randomness and set no timers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('architecture', () => {
  it('architecture: src/raft imports only src/raft and src/lib (no node:*, level, fastify, protobufjs)', () => {
    const files = sources(join(root, 'src/raft'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const spec of importsOf(file)) {
        const where = relative(root, file);
        expect(spec.startsWith('./') || spec.startsWith('../lib/'), `${where} imports ${spec}`).toBe(true);
      }
    }
  });

  it('architecture: src/raft and src/store use no clock, global randomness or timers', () => {
    const banned = /\b(Date\.now|Math\.random|setTimeout|setInterval|performance\.now)\s*\(/;
    const files = [...sources(join(root, 'src/raft')), ...sources(join(root, 'src/store'))];
    for (const file of files) {
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
      expect(banned.test(code), `${relative(root, file)} uses ${banned.exec(code)?.[1]}`).toBe(false);
    }
  });

  it('architecture: the check itself catches a banned import', () => {
    expect(importsOf(join(root, 'src/server/kvd.ts')).some((s) => s.startsWith('node:'))).toBe(true);
  });
});
