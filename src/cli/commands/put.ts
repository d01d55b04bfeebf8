// The writing commands of etcdctl v2: put (alias set), mk (create only; --in-order appends a
// key under a directory), mkdir, update (only an existing key). Each takes --ttl where etcd
// does. Imports the context, keys-api, render-node, help and duration.
import { Command } from 'commander';
import type { Params } from '../client.js';
import type { ContextOf } from '../context.js';
import { parseInteger } from '../duration.js';
import { examples } from '../help.js';
import { keysRequest, type KeysMethod } from '../keys-api.js';
import { printAnswer, type SimpleForm } from '../render-node.js';

interface WriteOptions {
  readonly ttl?: string;
  readonly swapWithValue?: string;
  readonly swapWithIndex?: string;
  readonly inOrder?: boolean;
}

type Write = (
  command: Command,
  method: KeysMethod,
  key: string,
  params: Params,
  simple: SimpleForm,
) => Promise<void>;

export function registerPut(program: Command, contextOf: ContextOf): void {
  const write: Write = async (command, method, key, params, simple) => {
    const context = contextOf(command);
    printAnswer(context.out, await keysRequest(context.client, method, key, params), simple);
  };
  registerSet(program, write);
  registerMk(program, write);
  registerMkdir(program, write);
  registerUpdate(program, write);
}

function registerSet(program: Command, write: Write): void {
  withTtl(program.command('put').alias('set'))
    .description('set the value of a key, creating it if needed')
    .argument('<key>', 'the key')
    .argument('<value>', 'the new value')
    .option('--swap-with-value <value>', 'only if the current value is <value>')
    .option('--swap-with-index <index>', 'only if the current modified index is <index>')
    .addHelpText(
      'after',
      examples('put /config/a 1', 'set /lease/a up --ttl 30', 'put /a 2 --swap-with-value 1'),
    )
    .action(async (key: string, value: string, options: WriteOptions, command: Command) => {
      const index = options.swapWithIndex;
      const params = {
        value,
        ttl: ttlOf(options),
        prevValue: options.swapWithValue,
        prevIndex: index === undefined ? undefined : parseInteger(index, '--swap-with-index', 1),
      };
      await write(command, 'PUT', key, params, 'value');
    });
}

function registerMk(program: Command, write: Write): void {
  withTtl(program.command('mk'))
    .description('create a key that must not exist (--in-order: a new key under a directory)')
    .argument('<key>', 'the key (with --in-order: the directory)')
    .argument('<value>', 'the value')
    .option('--in-order', 'append a key named by its creation index under the directory <key>')
    .addHelpText('after', examples('mk /config/b 1', 'mk --in-order /queue job-1'))
    .action(async (key: string, value: string, options: WriteOptions, command: Command) => {
      const ttl = ttlOf(options);
      if (options.inOrder === true) await write(command, 'POST', key, { value, ttl }, 'value');
      else await write(command, 'PUT', key, { value, ttl, prevExist: false }, 'value');
    });
}

function registerMkdir(program: Command, write: Write): void {
  withTtl(program.command('mkdir'))
    .description('create a directory that must not exist yet')
    .argument('<key>', 'the directory')
    .addHelpText('after', examples('mkdir /config', 'mkdir /sessions/s1 --ttl 60'))
    .action(async (key: string, options: WriteOptions, command: Command) => {
      const params = { dir: true, ttl: ttlOf(options), prevExist: false };
      await write(command, 'PUT', key, params, 'nothing');
    });
}

function registerUpdate(program: Command, write: Write): void {
  withTtl(program.command('update'))
    .description('change the value of a key that must exist')
    .argument('<key>', 'the key')
    .argument('<value>', 'the new value')
    .addHelpText('after', examples('update /config/a 3', 'update /lease/a up --ttl 30'))
    .action(async (key: string, value: string, options: WriteOptions, command: Command) => {
      const params = { value, ttl: ttlOf(options), prevExist: true };
      await write(command, 'PUT', key, params, 'value');
    });
}

function withTtl(command: Command): Command {
  return command.option('--ttl <seconds>', 'time to live in seconds (the key expires after it)');
}

function ttlOf(options: WriteOptions): number | undefined {
  return options.ttl === undefined ? undefined : parseInteger(options.ttl, '--ttl', 0);
}
