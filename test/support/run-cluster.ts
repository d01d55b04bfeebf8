// `npm run cluster [-- --size N --base-port P --data-dir DIR]`: runs the same 3-member cluster
// as docker-compose.yml, as local processes, for trying kvd out. Ctrl-C stops every member.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kvdBin } from './process-cluster.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const size = Number(flag('--size', '3'));
const basePort = Number(flag('--base-port', '2379'));
const dataRoot = flag('--data-dir', 'data/cluster');
if (!Number.isInteger(size) || size < 1 || size > 9) {
  process.stderr.write('cluster: --size must be 1..9\n');
  process.exit(2);
}
const names = Array.from({ length: size }, (_, i) => `kvd${i + 1}`);
const clientPort = (i: number): number => basePort + 10 * i;
const peerPort = (i: number): number => basePort + 10 * i + 1;
const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${peerPort(i)}`).join(',');
const children: ChildProcess[] = names.map((name, i) => {
  const dataDir = join(dataRoot, name);
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [kvdBin, '--name', name, '--data-dir', dataDir,
    '--listen-client-urls', `http://127.0.0.1:${clientPort(i)}`,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort(i)}`,
    '--initial-cluster', initialCluster, '--log-format', 'pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix + chunk.toString().replace(/\n(?=.)/g, `\n${prefix}`)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix + chunk.toString()));
  return child;
});
process.stdout.write(`cluster: ${size} members; client URLs: ${names.map((_, i) => `http://127.0.0.1:${clientPort(i)}`).join(',')}\n`);
const stop = (): void => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
