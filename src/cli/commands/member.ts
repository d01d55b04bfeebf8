// kvctl member list|add|remove|update: the cluster's membership through the v2 members API,
// printed as etcdctl v2 prints it (add also prints the ETCD_* settings the new member must
// start with). Imports the context, members-api, help and exit-codes.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help.js';
import {
  addMember,
  leaderId,
  listMembers,
  parseUrlList,
  promoteMember,
  removeMember,
  updateMember,
} from '../members-api.js';

export function registerMember(program: Command, contextOf: ContextOf): void {
  const member = program
    .command('member')
    .description('list, add, remove or update cluster members')
    .addHelpText(
      'after',
      examples(
        'member list',
        'member add m4 http://127.0.0.1:2480',
        'member update 8e9e05c52164694d http://127.0.0.1:2481',
        'member remove 8e9e05c52164694d',
      ),
    );
  registerList(member, contextOf);
  registerAdd(member, contextOf);
  registerRemove(member, contextOf);
  registerUpdate(member, contextOf);
  registerPromote(member, contextOf);
}

function registerPromote(member: Command, contextOf: ContextOf): void {
  member
    .command('promote')
    .description('make a learner a voting member, once it has caught up (kvd extension)')
    .argument('<memberID>', 'the learner\'s member ID in hex')
    .addHelpText('after', examples('member promote 8e9e05c52164694d'))
    .action(async (id: string, _options: object, command: Command) => {
      const context = contextOf(command);
      await promoteMember(context.client, id);
      if (context.out.format === 'json') return context.out.json({ promoted: id });
      context.out.line(`Promoted member ${id} to a voting member`);
    });
}

function registerList(member: Command, contextOf: ContextOf): void {
  member
    .command('list')
    .description('list the members (ID, name, peer and client URLs, leader)')
    .addHelpText('after', examples('member list', '-o table member list'))
    .action(async (_options: object, command: Command) => {
      const context = contextOf(command);
      const members = await listMembers(context.client);
      const leader = await leaderId(context.client).catch(() => null);
      const rows = members.map((m) => ({ ...m, isLeader: m.id === leader }));
      if (context.out.format === 'json') return context.out.json({ members: rows });
      if (context.out.format === 'table') {
        return context.out.table(
          ['ID', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEADER'],
          rows.map((m) => [
            m.id,
            m.name,
            m.peerURLs.join(','),
            m.clientURLs.join(','),
            String(m.isLeader),
          ]),
        );
      }
      for (const m of rows) {
        context.out.line(
          `${m.id}: name=${m.name} peerURLs=${m.peerURLs.join(',')} ` +
            `clientURLs=${m.clientURLs.join(',')} isLeader=${m.isLeader}`,
        );
      }
    });
}

function registerAdd(member: Command, contextOf: ContextOf): void {
  member
    .command('add')
    .description('add a member; then start it with the printed settings')
    .argument('<name>', "the new member's name")
    .argument('<peerURLs>', 'its peer URLs, comma-separated')
    .option('--learner', 'add it as a non-voting learner (kvd extension); promote it later')
    .addHelpText('after', examples('member add m4 http://127.0.0.1:2480', 'member add --learner m5 http://127.0.0.1:2481'))
    .action(async (name: string, peers: string, options: { learner?: boolean }, command: Command) => {
      const context = contextOf(command);
      const added = await addMember(context.client, urls(peers), options.learner === true);
      const members = await listMembers(context.client).catch(() => [added]);
      const initialCluster = members
        .flatMap((m) => m.peerURLs.map((url) => `${m.id === added.id ? name : m.name}=${url}`))
        .filter((entry) => !entry.startsWith('='))
        .join(',');
      if (context.out.format === 'json') {
        return context.out.json({
          member: { ...added, name },
          initialCluster,
          initialClusterState: 'existing',
        });
      }
      context.out.line(`Added member named ${name} with ID ${added.id} to cluster\n`);
      context.out.line(`ETCD_NAME="${name}"`);
      context.out.line(`ETCD_INITIAL_CLUSTER="${initialCluster}"`);
      context.out.line('ETCD_INITIAL_CLUSTER_STATE="existing"');
    });
}

function registerRemove(member: Command, contextOf: ContextOf): void {
  member
    .command('remove')
    .description('remove a member')
    .argument('<memberID>', 'the member ID in hex, as member list prints it')
    .addHelpText('after', examples('member remove 8e9e05c52164694d'))
    .action(async (id: string, _options: object, command: Command) => {
      const context = contextOf(command);
      await removeMember(context.client, id);
      if (context.out.format === 'json') return context.out.json({ removed: id });
      context.out.line(`Removed member ${id} from cluster`);
    });
}

function registerUpdate(member: Command, contextOf: ContextOf): void {
  member
    .command('update')
    .description("change a member's peer URLs")
    .argument('<memberID>', 'the member ID in hex')
    .argument('<peerURLs>', 'the new peer URLs, comma-separated')
    .addHelpText('after', examples('member update 8e9e05c52164694d http://10.0.0.5:2380'))
    .action(async (id: string, peers: string, _options: object, command: Command) => {
      const context = contextOf(command);
      const peerURLs = urls(peers);
      await updateMember(context.client, id, peerURLs);
      if (context.out.format === 'json') return context.out.json({ updated: id, peerURLs });
      context.out.line(`Updated member with ID ${id} in cluster`);
    });
}

function urls(text: string): string[] {
  try {
    const list = parseUrlList(text, 'peerURLs');
    if (list.length === 0) throw new Error('peerURLs: none given');
    return list;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
