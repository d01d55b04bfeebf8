// kvctl endpoint health|status: asks every member (as /v2/members lists them) how it is.
// health: /health and its latency; status: ID, name, leader or not, Raft term and commit
// index, key count, version and latency. Exit 5 when any member is unhealthy or silent.
// Imports the context, probe, duration, help and exit-codes.
import { Command } from 'commander';
import type { CliContext, ContextOf } from '../context.js';
import { formatMs } from '../duration.js';
import { ExitCode } from '../exit-codes.js';
import { examples } from '../help.js';
import { health, status, targets, type Status, type Target } from '../probe.js';

export function registerEndpoint(program: Command, contextOf: ContextOf): void {
  const endpoint = program
    .command('endpoint')
    .description('health and status of every member')
    .addHelpText('after', examples('endpoint health', '-o table endpoint status'));

  endpoint
    .command('health')
    .description('check /health of every member')
    .addHelpText('after', examples('endpoint health', '-o json endpoint health'))
    .action(async (_options: object, command: Command) => {
      const context = contextOf(command);
      const all = await targets(context.client, (text) => context.out.warn(text));
      const results = await Promise.all(all.map((t) => health(context.client, t)));
      if (results.some((r) => !r.healthy)) context.exitCode = ExitCode.clusterUnhealthy;
      const out = context.out;
      if (out.format === 'json') {
        return out.json(
          results.map((r) => ({
            endpoint: r.target.endpoint,
            id: r.target.id,
            name: r.target.name,
            health: r.healthy,
            tookMs: round(r.tookMs),
            ...(r.error !== undefined ? { error: r.error } : {}),
          })),
        );
      }
      if (out.format === 'table') {
        return out.table(
          ['ENDPOINT', 'ID', 'NAME', 'HEALTH', 'TOOK', 'ERROR'],
          results.map((r) => [
            r.target.endpoint,
            r.target.id,
            r.target.name,
            String(r.healthy),
            formatMs(r.tookMs),
            r.error ?? '',
          ]),
        );
      }
      for (const r of results) {
        const where = r.target.endpoint || `member ${r.target.id}`;
        if (r.healthy) out.line(`${where} is healthy: took = ${formatMs(r.tookMs)}`);
        else out.line(`${where} is unhealthy: ${r.error ?? 'unknown'}`);
      }
    });

  endpoint
    .command('status')
    .description('ID, name, leader, Raft term and commit index, keys, version of every member')
    .addHelpText('after', examples('endpoint status', '-o table endpoint status'))
    .action(async (_options: object, command: Command) => {
      const context = contextOf(command);
      const all = await targets(context.client, (text) => context.out.warn(text));
      const results = await Promise.all(all.map((t) => status(context.client, t)));
      printStatus(context, all, results);
    });
}

function printStatus(context: CliContext, all: Target[], results: (Status | string)[]): void {
  const out = context.out;
  const failed = results.flatMap((r, i) => (typeof r === 'string' ? [[all[i]!, r] as const] : []));
  const ok = results.filter((r): r is Status => typeof r !== 'string');
  if (failed.length > 0) context.exitCode = ExitCode.clusterUnhealthy;
  for (const [target, why] of failed) {
    out.warn(`kvctl: ${target.endpoint || `member ${target.id}`} (${target.name}) failed: ${why}`);
  }
  if (out.format === 'json') {
    return out.json(
      ok.map((s) => ({
        endpoint: s.target.endpoint,
        id: s.id,
        name: s.name,
        isLeader: s.isLeader,
        raftTerm: s.raftTerm,
        raftIndex: s.raftIndex,
        keys: s.keys,
        version: s.version,
        latencyMs: round(s.latencyMs),
      })),
    );
  }
  const rows = ok.map((s) => [
    s.target.endpoint,
    s.id,
    s.name,
    String(s.isLeader),
    String(s.raftTerm ?? '?'),
    String(s.raftIndex ?? '?'),
    String(s.keys ?? '?'),
    s.version,
    formatMs(s.latencyMs),
  ]);
  if (out.format === 'table') {
    return out.table(
      [
        'ENDPOINT',
        'ID',
        'NAME',
        'IS LEADER',
        'RAFT TERM',
        'RAFT INDEX',
        'KEYS',
        'VERSION',
        'LATENCY',
      ],
      rows,
    );
  }
  for (const row of rows) {
    const [endpoint, id, name, leader, term, index, keys, version, latency] = row;
    out.line(
      `${endpoint}, ${id}, ${name}, leader=${leader}, term=${term}, index=${index}, ` +
        `keys=${keys}, version=${version}, took=${latency}`,
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
