// kvctl ls [DIR]: lists a directory's keys (etcdctl v2 `ls`): -r for everything under it,
// --sort for key order, -p to mark directories with a trailing slash. Imports the context,
// keys-api, render-node and help.
import { Command } from 'commander';
import type { ContextOf } from '../context.js';
import { examples } from '../help.js';
import { answerJson, keysRequest, type V2Node } from '../keys-api.js';
import { nodeHeaders, nodeRow } from '../render-node.js';

interface LsOptions {
  readonly recursive?: boolean;
  readonly sort?: boolean;
  readonly p?: boolean;
  readonly quorum?: boolean;
}

export function registerLs(program: Command, contextOf: ContextOf): void {
  program
    .command('ls')
    .description('list a directory')
    .argument('[dir]', 'the directory', '/')
    .option('-r, --recursive', 'list everything under the directory')
    .option('--sort', 'print keys in sorted order')
    .option('-p', 'append a slash to directories')
    .option('--quorum', 'linearizable read')
    .addHelpText('after', examples('ls', 'ls -r -p --sort /config', '-o table ls -r /config'))
    .action(async (dir: string, options: LsOptions, command: Command) => {
      const context = contextOf(command);
      const answer = await keysRequest(context.client, 'GET', dir, {
        recursive: options.recursive === true ? true : undefined,
        sorted: options.sort === true ? true : undefined,
        quorum: options.quorum === true ? true : undefined,
      });
      const listed = listing(answer.node, options.recursive === true);
      switch (context.out.format) {
        case 'json':
          return context.out.json(answerJson(answer));
        case 'table':
          return context.out.table(nodeHeaders, listed.map(nodeRow));
        case 'simple':
          for (const node of listed) {
            const slash = options.p === true && node.dir === true ? '/' : '';
            context.out.line(`${node.key ?? ''}${slash}`);
          }
      }
    });
}

/** The nodes ls prints: the key itself when it is not a directory, else its children. */
function listing(node: V2Node, recursive: boolean): V2Node[] {
  if (node.dir !== true) return [node];
  const out: V2Node[] = [];
  const walk = (children: readonly V2Node[]): void => {
    for (const child of children) {
      out.push(child);
      if (recursive && child.dir === true) walk(child.nodes ?? []);
    }
  };
  walk(node.nodes ?? []);
  return out;
}
