// `npm run jepsen -- [--time S] [--nodes 3|5] [--seed N] [--seeds K] [--bug NAME] [--faults a,b]
// [--fsync-delay MS|MS1,MS2,..] [--pace GAP,HOLD] [--snapshot-count N] [--clients N] [--keep]`:
// Jepsen-style runs of real kvd processes (build first: npx tsc -p .). Exit codes: 0 passed,
// 127 harness crash, 128 liveness, 129 correctness (the first failing seed's).
import { parseFaults } from './nemesis-plan.js';
import { exitCodes, type JepsenResult } from './report.js';
import { runJepsen } from './run.js';
import { defaultOptions, type JepsenOptions } from './run-settings.js';

const knownBugs = ['reads-skip-read-index', 'ack-before-fsync'];

interface Args { options: JepsenOptions; seeds: number }

function parseArgs(argv: readonly string[]): Args {
  let options: JepsenOptions = { ...defaultOptions, seed: Date.now() % 1_000_000 };
  let seeds = 1;
  const bugs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = argv[i + 1];
    const next = (): string => {
      i++;
      if (value === undefined) fail(`${flag} needs a value`);
      return value;
    };
    if (flag === '--time') options = { ...options, timeSec: whole(flag, next(), 1) };
    else if (flag === '--seed') options = { ...options, seed: whole(flag, next(), 0) };
    else if (flag === '--seeds') seeds = whole(flag, next(), 1);
    else if (flag === '--nodes') options = { ...options, nodes: clusterSize(next()) };
    else if (flag === '--fsync-delay') options = { ...options, fsyncDelaysMs: delays(next()) };
    else if (flag === '--keep') options = { ...options, keep: true };
    else if (flag === '--snapshot-count') {
      options = { ...options, snapshotCount: whole(flag, next(), 1) };
    } else if (flag === '--clients') options = { ...options, clients: whole(flag, next(), 1) };
    else if (flag === '--faults') options = { ...options, faults: faults(next()) };
    else if (flag === '--pace') options = { ...options, pace: pace(next()) };
    else if (flag === '--bug') {
      const bug = next();
      if (!knownBugs.includes(bug)) fail(`--bug must be one of ${knownBugs.join(', ')}`);
      bugs.push(bug);
    } else fail(`unknown argument ${flag}`);
  }
  return { options: { ...options, bugs }, seeds };
}

function whole(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`${flag} needs a whole number >= ${min}, got ${value}`);
  return n;
}

/** One delay for every member, or one per member (n1 first). */
function delays(value: string): number[] {
  return value.split(',').map((part) => whole('--fsync-delay', part, 0));
}

function clusterSize(value: string): number {
  if (value !== '3' && value !== '5') fail(`--nodes must be 3 or 5, got ${value}`);
  return Number(value);
}

function faults(value: string): JepsenOptions['faults'] {
  try {
    return parseFaults(value);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function pace(value: string): JepsenOptions['pace'] {
  const [gap, hold] = value.split(',');
  return {
    gapMsMax: whole('--pace gap', gap ?? '', 1), holdMsMax: whole('--pace hold', hold ?? '', 1),
  };
}

function fail(message: string): never {
  process.stderr.write(`jepsen: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { options, seeds } = parseArgs(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // The exit hook in jepsen-cluster.ts kills every kvd this process started.
    process.once(signal, () => process.exit(130));
  }
  const echo = (line: string): void => void process.stdout.write(`${line}\n`);
  let failed: JepsenResult | null = null;
  for (let seed = options.seed; seed < options.seed + seeds && failed === null; seed++) {
    const result = await runJepsen({ ...options, seed }, echo);
    if (result.outcome !== 'ok') failed = result;
    echo('');
  }
  process.exit(failed === null ? 0 : exitCodes[failed.outcome]);
}

void main();
