// kvctl cluster-health: etcdctl v2's summary: each member healthy, unhealthy or unreachable
// (tried at each of its client URLs), then "cluster is healthy" (exit 0), "degraded" (a
// majority healthy) or "unavailable" (exit 5 for both). Imports the context, members-api,
// probe, help and exit-codes.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { examples } from '../help.js';
import { listMembers, type MemberJson } from '../members-api.js';
import { health } from '../probe.js';
import type { KvClient } from '../client.js';

type MemberHealth = 'healthy' | 'unhealthy' | 'unreachable';

interface Verdict {
  readonly member: MemberJson;
  readonly health: MemberHealth;
  readonly endpoint: string;
}

export function registerClusterHealth(program: Command, contextOf: ContextOf): void {
  program
    .command('cluster-health')
    .description('check the health of every member and of the cluster')
    .addHelpText('after', examples('cluster-health', '-o json cluster-health'))
    .action(async (_options: object, command: Command) => {
      const context = contextOf(command);
      const members = await listMembers(context.client);
      const verdicts = await Promise.all(members.map((m) => memberHealth(context.client, m)));
      const healthy = verdicts.filter((v) => v.health === 'healthy').length;
      const cluster =
        healthy === members.length
          ? 'healthy'
          : healthy > members.length / 2
            ? 'degraded'
            : 'unavailable';
      if (cluster !== 'healthy') context.exitCode = ExitCode.clusterUnhealthy;
      if (context.out.format === 'json') {
        return context.out.json({
          members: verdicts.map((v) => ({
            id: v.member.id,
            name: v.member.name,
            health: v.health,
            endpoint: v.endpoint,
          })),
          cluster,
        });
      }
      if (context.out.format === 'table') {
        context.out.table(
          ['ID', 'NAME', 'HEALTH', 'ENDPOINT'],
          verdicts.map((v) => [v.member.id, v.member.name, v.health, v.endpoint]),
        );
        return context.out.line(`cluster is ${cluster}`);
      }
      for (const v of verdicts) context.out.line(describe(v));
      context.out.line(`cluster is ${cluster}`);
    });
}

async function memberHealth(client: KvClient, member: MemberJson): Promise<Verdict> {
  let answered: Verdict | null = null;
  for (const endpoint of member.clientURLs) {
    const result = await health(client, { endpoint, id: member.id, name: member.name });
    if (result.healthy) return { member, health: 'healthy', endpoint };
    if (result.error?.startsWith('answered') === true) {
      answered ??= { member, health: 'unhealthy', endpoint };
    }
  }
  return answered ?? { member, health: 'unreachable', endpoint: member.clientURLs.join(',') };
}

function describe(v: Verdict): string {
  const who = `member ${v.member.id}`;
  switch (v.health) {
    case 'healthy':
      return `${who} is healthy: got healthy result from ${v.endpoint}`;
    case 'unhealthy':
      return `${who} is unhealthy: got unhealthy result from ${v.endpoint}`;
    case 'unreachable':
      return `${who} is unreachable: [${v.endpoint}] are all unreachable`;
  }
}
