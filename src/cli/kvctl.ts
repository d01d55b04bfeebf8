// kvctl: the operator's CLI (commander). Talks to kvd (or etcd) only through the v2 HTTP/JSON
// API. Owns the program, the global options and the mapping of failures to exit codes
// (exit-codes.ts); each command lives in commands/<verb>.ts. Imports nothing outside src/cli
// and src/check.
import { Command, CommanderError, Option } from 'commander';
import { registerClusterHealth } from './commands/cluster-health.js';
import { registerElect } from './commands/elect.js';
import { registerEndpoint } from './commands/endpoint.js';
import { registerExecWatch } from './commands/exec-watch.js';
import { registerGet } from './commands/get.js';
import { registerLock } from './commands/lock.js';
import { registerLs } from './commands/ls.js';
import { registerMember } from './commands/member.js';
import { registerPut } from './commands/put.js';
import { registerRm } from './commands/rm.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerDiscovery } from './commands/discovery.js';
import { registerVerify } from './commands/verify.js';
import { registerWatch } from './commands/watch.js';
import { CliContext, type CliIo, type GlobalOptions } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';
import { outputFormats } from './output.js';

export const KVCTL_VERSION = '0.1.0';
const defaultEndpoint = 'http://127.0.0.1:2379';

/** Runs kvctl with `argv` (without node and script) and resolves with the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let context: CliContext | null = null;
  const program = buildProgram(io, (command) => {
    context ??= new CliContext(command.optsWithGlobals<GlobalOptions>(), io);
    return context;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return (context as CliContext | null)?.exitCode ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

/** The process entry (bin/kvctl.js): wires SIGINT/SIGTERM to a stop signal, then exits. */
export async function main(argv: readonly string[]): Promise<void> {
  const stopper = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopper.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopper.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stop: stopper.signal,
  };
  const code = await run(argv, io);
  process.exit(code);
}

function buildProgram(io: CliIo, contextOf: (command: Command) => CliContext): Command {
  const program = new Command('kvctl')
    .description(
      'kvctl: the operator CLI for kvd, speaking etcd v2 HTTP/JSON (works against etcd too).\n' +
        'Exit codes: 0 ok, 1 usage or no reachable endpoint, 4 etcd error, ' +
        '5 cluster unhealthy, 6 verify failed.',
    )
    .version(KVCTL_VERSION, '--version')
    .option(
      '--endpoints <urls>',
      'comma-separated client URLs, tried in order (env KVCTL_ENDPOINTS)',
      io.env['KVCTL_ENDPOINTS'] ?? defaultEndpoint,
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(outputFormats).default('simple'),
    )
    .option('--timeout <duration>', 'timeout of each request (500ms, 5s, 1m)', '5s')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.addHelpText(
    'after',
    '\nExamples:\n  kvctl --endpoints http://127.0.0.1:2379,http://127.0.0.1:22379 put /a 1\n' +
      '  KVCTL_ENDPOINTS=http://127.0.0.1:2379 kvctl -o json get /a\n' +
      '  kvctl endpoint status -o table\n',
  );
  for (const register of [
    registerGet,
    registerPut,
    registerRm,
    registerLs,
    registerWatch,
    registerExecWatch,
    registerMember,
    registerEndpoint,
    registerClusterHealth,
    registerLock,
    registerElect,
    registerVerify,
    registerSnapshot,
    registerDiscovery,
  ]) {
    register(program, contextOf);
  }
  return program;
}
