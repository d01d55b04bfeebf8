// `npm run sim -- --seeds N [--seed S] [--bug NAME] [--jobs J]`: runs simulator seeds (in J
// worker processes), prints every derived option of a failing seed, its message and how to
// replay it. Exit codes: 0 all passed, 127 crash, 128 liveness, 129 correctness.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { allBugs, type Bug } from './bugs.js';
import { describeOptions, optionsFromSeed, runSimulation, type SimResult } from './simulator.js';

interface Args { seeds: number; seed: number | null; first: number; bugs: Bug[]; jobs: number; verbose: boolean }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 100, seed: null, first: 1, bugs: [], jobs: 2, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--seeds') args.seeds = positive(flag, value), i++;
    else if (flag === '--seed') args.seed = positive(flag, value), i++;
    else if (flag === '--first') args.first = positive(flag, value), i++;
    else if (flag === '--jobs') args.jobs = positive(flag, value), i++;
    else if (flag === '--verbose') args.verbose = true;
    else if (flag === '--bug') {
      if (!allBugs.includes(value as Bug)) fail(`--bug must be one of ${allBugs.join(', ')}`);
      args.bugs.push(value as Bug), i++;
    } else fail(`unknown argument ${flag}`);
  }
  return args;
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`${flag} needs a whole number, got ${value}`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

const exitCodes = { ok: 0, crash: 127, liveness: 128, correctness: 129 } as const;

function report(result: SimResult): void {
  process.stdout.write(`\nFAILED (${result.outcome}) ${describeOptions(result.options)}\n`);
  process.stdout.write(`${result.message}\n`);
  process.stdout.write(`stats: ${JSON.stringify(result.stats)}\n`);
  const bugs = result.options.bugs.map((b) => ` --bug ${b}`).join('');
  process.stdout.write(`replay: npm run sim -- --seed ${result.options.seed}${bugs}\n`);
}

function runRange(first: number, count: number, bugs: Bug[]): SimResult | null {
  for (let seed = first; seed < first + count; seed++) {
    const result = runSimulation(optionsFromSeed(seed, { bugs }));
    if (result.outcome !== 'ok') return result;
  }
  return null;
}

async function main(): Promise<void> {
  if (process.env['KVD_SIM_WORKER'] !== undefined) {
    const [first, count, bugs] = JSON.parse(process.env['KVD_SIM_WORKER']) as [number, number, Bug[]];
    process.send?.(runRange(first, count, bugs));
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (args.seed !== null) {
    const options = optionsFromSeed(args.seed, { bugs: args.bugs });
    process.stdout.write(`${describeOptions(options)}\n`);
    const result = runSimulation(options);
    if (result.outcome !== 'ok') report(result);
    else process.stdout.write(`ok ${JSON.stringify(result.stats)} ${result.message}\n`);
    process.exit(exitCodes[result.outcome]);
  }
  const perJob = Math.ceil(args.seeds / args.jobs);
  const self = fileURLToPath(import.meta.url);
  const results = await Promise.all(Array.from({ length: args.jobs }, (_, j) => {
    const first = args.first + j * perJob;
    const count = Math.max(0, Math.min(perJob, args.first + args.seeds - first));
    return new Promise<SimResult | null>((resolve, reject) => {
      const child = fork(self, [], { env: { ...process.env, KVD_SIM_WORKER: JSON.stringify([first, count, args.bugs]) } });
      let answer: SimResult | null = null;
      child.on('message', (m) => { answer = m as SimResult | null; });
      child.on('exit', (code) => (code === 0 ? resolve(answer) : reject(new Error(`worker exited ${code}`))));
    });
  }));
  const failure = results.find((r) => r !== null) ?? null;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failure) {
    report(failure);
    process.stdout.write(`seeds ${args.first}..${args.first + args.seeds - 1}: failed (${seconds}s)\n`);
    process.exit(exitCodes[failure.outcome]);
  }
  process.stdout.write(`seeds ${args.first}..${args.first + args.seeds - 1}: ${args.seeds} passed, 0 violations (${seconds}s)\n`);
}

void main();
