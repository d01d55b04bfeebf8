// `npm run bench -- [--quick] [--rounds N] [--only W1,W5,...] [--out FILE] [--base-port P] [--keep]
// [--profile [W2|W2b|W3|W4|W1]]`: measures the fsync floor, starts a kvd and an etcd 3.4 cluster,
// alternates every workload between them, runs W6/W7 on fresh clusters and writes bench/RESULTS.md.
// Every process it starts is stopped on every exit path. --profile CPU-profiles kvd under W2 (or ID).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BenchCluster, type Kind } from './clusters.js';
import { measureFsyncFloor } from './fsync-floor.js';
import { summarizeProfile } from './profile.js';
import { renderReport, type Machine, type PerKind, type Results, type Settings } from './report.js';
import { killAllChildren, loadAverage, repoRoot } from './util.js';
import { httpWorkloads, loadKeys, runHttpWorkload, type HttpResult, type HttpWorkload } from './workloads/http-load.js';
import { runMemory, runRestart } from './workloads/memory-restart.js';
import { runWatchWorkload, watchWorkloads, type WatchResult, type WatchWorkload } from './workloads/watch.js';

interface Cli {
  quick: boolean;
  rounds: number;
  only: Set<string> | null;
  out: string;
  basePort: number;
  keep: boolean;
  /** A wrk workload to CPU-profile kvd under (--profile [ID]), or null. */
  profile: string | null;
}

function parseCli(argv: readonly string[]): Cli {
  const cli: Cli = { quick: false, rounds: 0, only: null, out: join(repoRoot, 'bench/RESULTS.md'), basePort: 27400, keep: false, profile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') cli.quick = true;
    else if (arg === '--rounds') cli.rounds = Number(value());
    else if (arg === '--only') cli.only = new Set(value().split(',').map((s) => s.trim().toUpperCase()));
    else if (arg === '--out') cli.out = value();
    else if (arg === '--base-port') cli.basePort = Number(value());
    else if (arg === '--keep') cli.keep = true;
    else if (arg === '--profile') {
      cli.profile = /^W\d/i.test(argv[i + 1] ?? '') ? argv[++i]!.toUpperCase() : 'W2';
    }
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench -- [--quick] [--rounds N] [--only W1,W2,...] [--out FILE] [--base-port P] [--keep] [--profile [W2|W2b|W3|W4|W1]]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (cli.rounds === 0) cli.rounds = cli.quick ? 1 : 3;
  if (!Number.isInteger(cli.rounds) || cli.rounds < 1) throw new Error('--rounds must be a positive integer');
  return cli;
}

function settingsFor(cli: Cli): Settings {
  return cli.quick
    ? { quick: true, rounds: cli.rounds, httpSeconds: 4, watchSeconds: 5, watchGraceSeconds: 2, keySpace: 10_000,
      bigKeys: 10_000, restarts: 1, snapshotCount: 10_000, fsyncSeconds: 2 }
    : { quick: false, rounds: cli.rounds, httpSeconds: 10, watchSeconds: 12, watchGraceSeconds: 3, keySpace: 10_000,
      bigKeys: 100_000, restarts: 3, snapshotCount: 10_000, fsyncSeconds: 5 };
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return (e.stdout || e.stderr || 'unknown').trim();
  }
}

function describeMachine(dataRoot: string): Machine {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const df = run('df', ['-T', dataRoot]).split('\n')[1]?.split(/\s+/) ?? [];
  return {
    cpuModel,
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    etcd: run('etcd', ['--version']).split('\n').slice(0, 1).join('').replace('etcd Version: ', ''),
    wrk: run('wrk', ['--version']).split('\n')[0]!.replace(/ Copyright.*/, ''),
    disk: `${dataRoot} on ${df[0] ?? '?'} (${df[1] ?? '?'})`,
  };
}

/** Sources (src/, bench/) newer than their compiled dist/ file: the bench would run stale code. */
function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
        const built = join(repoRoot, 'dist', path.replace(/\.ts$/, '.js'));
        let builtMs = 0;
        try {
          builtMs = statSync(built).mtimeMs;
        } catch {
          builtMs = 0;
        }
        if (statSync(join(repoRoot, path)).mtimeMs > builtMs) stale.push(path);
      }
    }
  };
  walk('src');
  walk('bench');
  return stale;
}

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

const selected = (cli: Cli, id: string): boolean => cli.only === null || cli.only.has(id.toUpperCase());

/** Restarts any member that crashed during the previous run (same data dir), bounded. */
async function heal(cluster: BenchCluster, notes: string[]): Promise<void> {
  for (const member of cluster.crashed()) {
    notes.push(`${cluster.kind} ${member.name} had exited (code ${member.child?.exitCode}, signal ${member.child?.signalCode}); restarted it`);
    member.child = null;
    cluster.startMember(member);
  }
  await cluster.waitReady(30_000);
}

/**
 * Seconds to keep for W6/W7 at the end: loading the big key set into both clusters at the rate
 * the preload showed (keys/s), plus starts, settling and the restart cycles.
 */
function reserveForBigLoad(cli: Cli, settings: Settings, results: Results): number {
  if (!selected(cli, 'W6') && !selected(cli, 'W7')) return 10;
  let loadS = 0;
  for (const kind of ['kvd', 'etcd'] as const) {
    const p = results.preload[kind];
    loadS += p ? (settings.bigKeys / settings.keySpace) * p.seconds * 1.2 : (cli.quick ? 40 : 200);
  }
  return Math.round(loadS + 30 + settings.restarts * 2 * 15);
}

async function benchmark(cli: Cli, dataRoot: string): Promise<void> {
  const settings = settingsFor(cli);
  // The bench's own time; `npm run bench` also builds first (up to a minute on a busy machine).
  const budgetMs = (cli.quick ? 220 : 1120) * 1000;
  const started = Date.now();
  const machine = describeMachine(dataRoot);
  const results: Results = {
    startedAt: new Date(), finishedAt: new Date(), loadAvgStart: loadAverage(), loadAvgEnd: '',
    http: new Map(), watch: new Map(), memory: {}, restart: { kvd: [], etcd: [] }, fsync: null, preload: {}, notes: [],
  };
  const writeReport = (): void => {
    results.finishedAt = new Date();
    results.loadAvgEnd = loadAverage();
    writeFileSync(cli.out, renderReport(machine, settings, results));
  };
  const overBudget = (reserveS: number): boolean => Date.now() - started > budgetMs - reserveS * 1000;
  log(`${cli.quick ? 'quick' : 'full'} run, ${settings.rounds} round(s), data under ${dataRoot}, load average ${results.loadAvgStart}`);
  const stale = staleBuild();
  if (stale.length > 0) {
    const message = `dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): run \`npm run build\` first; these numbers may be of stale code`;
    log(`WARNING: ${message}`);
    results.notes.push(message);
  }

  if (selected(cli, 'W8')) {
    results.fsync = measureFsyncFloor(dataRoot, settings.fsyncSeconds);
    log(`W8 fsync floor: p50 ${results.fsync.p50Ms.toFixed(2)} ms, p99 ${results.fsync.p99Ms.toFixed(2)} ms`);
  }

  const httpSelected = httpWorkloads.filter((w) => selected(cli, w.id));
  const watchSelected = watchWorkloads.filter((w) => selected(cli, w.id));
  if (httpSelected.length + watchSelected.length > 0) {
    const clusters: Record<Kind, BenchCluster> = {
      kvd: new BenchCluster({ kind: 'kvd', root: join(dataRoot, 'kvd'), basePort: cli.basePort, snapshotCount: settings.snapshotCount }),
      etcd: new BenchCluster({ kind: 'etcd', root: join(dataRoot, 'etcd'), basePort: cli.basePort + 50, snapshotCount: settings.snapshotCount }),
    };
    try {
      await Promise.all([clusters.kvd.start(), clusters.etcd.start()]);
      log('both clusters are up');
      if (httpSelected.some((w) => w.script === 'get.lua')) {
        for (const kind of ['kvd', 'etcd'] as const) {
          const leader = await clusters[kind].leader();
          const load = await loadKeys(leader.clientUrl, '/bench/k', settings.keySpace, 256, 120_000);
          results.preload[kind] = { seconds: load.seconds, failed: load.failed };
          log(`preloaded ${settings.keySpace} keys into ${kind} in ${load.seconds.toFixed(1)} s (${load.failed} failed)`);
        }
      }
      for (const w of httpSelected) results.http.set(w, { kvd: [], etcd: [] });
      for (const w of watchSelected) results.watch.set(w, { kvd: [], etcd: [] });
      const reserveS = reserveForBigLoad(cli, settings, results);
      rounds: for (let round = 1; round <= settings.rounds; round++) {
        const order: Kind[] = round % 2 === 1 ? ['kvd', 'etcd'] : ['etcd', 'kvd'];
        for (const w of [...httpSelected, ...watchSelected]) {
          for (const kind of order) {
            if (overBudget(reserveS)) {
              results.notes.push(`time budget reached in round ${round} at ${w.id}: later runs skipped`);
              break rounds;
            }
            const cluster = clusters[kind];
            try {
              await heal(cluster, results.notes);
              if ('script' in w) {
                const leader = await cluster.leader();
                const r = await runHttpWorkload(w, leader.clientUrl, cluster.pids(), settings.httpSeconds, settings.keySpace);
                (results.http.get(w) as PerKind<HttpResult>)[kind].push(r);
                log(`round ${round} ${w.id} ${kind}: ${r.opsPerSec.toFixed(0)} ops/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors}, wrk ${r.genCores.toFixed(2)} cores, load ${r.loadAvg}`);
              } else {
                const r = await runWatchWorkload(w, cluster, settings.watchSeconds, settings.watchGraceSeconds);
                (results.watch.get(w) as PerKind<WatchResult>)[kind].push(r);
                log(r.na ? `round ${round} ${w.id} ${kind}: n/a (${r.na})`
                  : `round ${round} ${w.id} ${kind}: ${r.deliveriesPerSec.toFixed(0)}/${r.idealPerSec.toFixed(0)} deliveries/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, misses ${r.misses}, cleared ${r.cleared}, errors ${r.errors}+${r.writeErrors}, client ${r.genCores.toFixed(2)} cores`);
              }
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              results.notes.push(`round ${round} ${w.id} ${kind} failed: ${message}`);
              log(`round ${round} ${w.id} ${kind} FAILED: ${message}`);
            }
          }
        }
        writeReport();
      }
    } finally {
      await Promise.all([clusters.kvd.stop(), clusters.etcd.stop()]);
    }
  }

  if (selected(cli, 'W6') || selected(cli, 'W7')) {
    const clusters: Record<Kind, BenchCluster> = {
      kvd: new BenchCluster({ kind: 'kvd', root: join(dataRoot, 'kvd-big'), basePort: cli.basePort + 100, snapshotCount: settings.snapshotCount }),
      etcd: new BenchCluster({ kind: 'etcd', root: join(dataRoot, 'etcd-big'), basePort: cli.basePort + 150, snapshotCount: settings.snapshotCount }),
    };
    try {
      await Promise.all([clusters.kvd.start(), clusters.etcd.start()]);
      const loaded: Partial<Record<Kind, boolean>> = {};
      for (const kind of ['kvd', 'etcd'] as const) {
        try {
          const m = await runMemory(clusters[kind], settings.bigKeys, cli.quick ? 100_000 : 420_000);
          results.memory[kind] = m;
          loaded[kind] = true;
          log(`W6 ${kind}: ${m.keys} keys in ${m.loadSeconds.toFixed(1)} s; RSS ${m.loadedMiB.map((v) => v.toFixed(0)).join('/')} MiB (${m.members.join('/')})`);
        } catch (error) {
          results.notes.push(`W6 ${kind} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      writeReport();
      if (selected(cli, 'W7')) {
        for (let rep = 1; rep <= settings.restarts; rep++) {
          for (const kind of (rep % 2 === 1 ? ['kvd', 'etcd'] : ['etcd', 'kvd']) as Kind[]) {
            if (!loaded[kind]) continue;
            if (overBudget(5)) {
              results.notes.push(`time budget reached at W7 cycle ${rep}: later cycles skipped`);
              break;
            }
            try {
              const r = await runRestart(clusters[kind], settings.bigKeys, 60_000);
              results.restart[kind].push(r);
              log(`W7 ${kind} cycle ${rep}: health ${r.healthMs.toFixed(0)} ms, readable ${r.readableMs.toFixed(0)} ms`);
            } catch (error) {
              results.notes.push(`W7 ${kind} cycle ${rep} failed: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }
      }
    } finally {
      await Promise.all([clusters.kvd.stop(), clusters.etcd.stop()]);
    }
  }
  writeReport();
  log(`wrote ${cli.out} in ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${results.loadAvgEnd}`);
}

/**
 * --profile [ID]: kvd alone under one wrk workload (W2 by default), every member's node started
 * with --cpu-prof; writes bench/PROFILE.md (W2) or bench/PROFILE-<ID>.md.
 */
async function profileWorkload(cli: Cli, dataRoot: string, id: string): Promise<void> {
  const seconds = cli.quick ? 10 : 20;
  const profDir = (name: string): string => join(dataRoot, `prof-${name}`);
  const cluster = new BenchCluster({
    kind: 'kvd', root: join(dataRoot, 'kvd'), basePort: cli.basePort, snapshotCount: 10_000,
    nodeFlags: (m) => ['--cpu-prof', `--cpu-prof-dir=${profDir(m.name)}`],
  });
  let leaderName = '';
  let result: HttpResult;
  let fromUs = 0;
  let toUs = 0;
  const workload = httpWorkloads.find((w) => w.id.toUpperCase() === id);
  if (workload === undefined) throw new Error(`--profile ${id}: not one of ${httpWorkloads.map((w) => w.id).join(', ')}`);
  try {
    await cluster.start();
    const leader = await cluster.leader();
    leaderName = leader.name;
    if (workload.script === 'get.lua') {
      const load = await loadKeys(leader.clientUrl, '/bench/k', 10_000, 256, 120_000);
      log(`preloaded 10000 keys in ${load.seconds.toFixed(1)} s`);
    }
    log(`profiling kvd under ${workload.id} for ${seconds} s; leader ${leader.name}`);
    const nowUs = (): number => Number(process.hrtime.bigint() / 1000n); // V8 profiles use this clock
    fromUs = nowUs() + 500_000; // skip wrk's connection setup
    result = await runHttpWorkload(workload, leader.clientUrl, cluster.pids(), seconds, 10_000);
    toUs = nowUs();
    log(`${workload.id}: ${result.opsPerSec.toFixed(0)} ops/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, server ${result.serverCores.toFixed(2)} cores, ${result.serverUsPerOp.toFixed(0)} µs/op`);
  } finally {
    await cluster.stop('SIGTERM', 15_000); // a graceful exit writes the profiles
  }
  const profileOf = (name: string): string => {
    const dir = profDir(name);
    const file = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).map((n) => join(dir, n))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (file === undefined) throw new Error(`no .cpuprofile in ${dir}: did ${name} exit gracefully?`);
    const kept = join(os.tmpdir(), `kvd-${workload.id.toLowerCase()}-${name === leaderName ? 'leader' : 'follower'}-${name}-${Date.now()}.cpuprofile`);
    copyFileSync(file, kept);
    return kept;
  };
  const requests = Math.round(result!.opsPerSec * ((toUs - fromUs) / 1e6));
  const leaderProfile = profileOf(leaderName);
  const follower = cluster.members.find((m) => m.name !== leaderName)!.name;
  const followerProfile = profileOf(follower);
  const out = join(repoRoot, workload.id === 'W2' ? 'bench/PROFILE.md' : `bench/PROFILE-${workload.id}.md`);
  writeFileSync(out, [
    `# kvd CPU profile under ${workload.id} (${workload.title})`, '',
    `${new Date().toISOString()}, ${seconds} s of ${workload.id} against a 3-member kvd cluster on loopback ` +
    `(\`npm run bench -- --profile ${workload.id}\`, every member run as \`node --cpu-prof\`), load average ${loadAverage()} on ${os.availableParallelism()} shared cores. ` +
    `${workload.id} meanwhile: ${result!.opsPerSec.toFixed(0)} ops/s, p50 ${result!.p50Ms.toFixed(2)} ms, p99 ${result!.p99Ms.toFixed(2)} ms; ` +
    `the 3 members used ${result!.serverCores.toFixed(2)} cores, ${result!.serverUsPerOp.toFixed(0)} µs of CPU per request (all threads, from /proc).`, '',
    'Profile times are wall-clock samples of the main thread: on a shared, oversubscribed machine they include time the OS gave to other processes, so read the percentages (the split of the work), not the absolute µs.', '',
    'Function locations are compiled dist/ files and lines (sources: the same path under src/ with .ts).', '',
    `## Leader (${leaderName})`, '',
    summarizeProfile(leaderProfile, { fromUs, toUs, requests }).markdown,
    `## A follower (${follower})`, '',
    summarizeProfile(followerProfile, { fromUs, toUs, requests, top: 15 }).markdown,
  ].join('\n'));
  log(`profiles: ${leaderProfile}, ${followerProfile}; summary in ${out}`);
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const dataRoot = mkdtempSync(join(os.tmpdir(), 'kvd-bench-'));
  mkdirSync(dataRoot, { recursive: true });
  const cleanup = (): void => {
    killAllChildren();
    if (!cli.keep) rmSync(dataRoot, { recursive: true, force: true });
  };
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process the bench started`);
      cleanup();
      process.exit(130);
    });
  }
  try {
    if (cli.profile !== null) await profileWorkload(cli, dataRoot, cli.profile);
    else await benchmark(cli, dataRoot);
  } finally {
    cleanup();
    if (cli.keep) log(`data and logs kept under ${dataRoot}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    killAllChildren();
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
