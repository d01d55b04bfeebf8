// kvctl's exit codes and the error classes that carry them. Every failure a command reports
// is one of these; anything else reaching the top level is a bug (printed with its stack).
// Imports nothing.

export const ExitCode = {
  ok: 0,
  /** Bad flags or arguments, and every failure to reach the cluster. */
  usage: 1,
  unreachable: 1,
  /** etcd answered with an error (key not found, compare failed, ...) or an unexpected status. */
  etcdError: 4,
  /** endpoint health / cluster-health found a member unhealthy or unreachable. */
  clusterUnhealthy: 5,
  /** verify: the history is not linearizable, or the checker could not decide. */
  notLinearizable: 6,
} as const;

/** A failure kvctl reports on stderr as `Error: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** No endpoint could be reached, or a request failed in a way that leaves its effect unknown. */
export class UnreachableError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.unreachable);
    this.name = 'UnreachableError';
  }
}

/** etcd's error body: `{"errorCode":100,"message":"Key not found","cause":"/a","index":7}`. */
export interface EtcdErrorBody {
  readonly errorCode: number;
  readonly message: string;
  readonly cause?: string;
  readonly index?: number;
}

/** An etcd keys-API error, printed as etcdctl prints it: `100: Key not found (/a) [7]`. */
export class EtcdError extends CliError {
  constructor(
    readonly body: EtcdErrorBody,
    readonly status: number,
  ) {
    const cause = body.cause !== undefined && body.cause !== '' ? ` (${body.cause})` : '';
    const index = body.index !== undefined ? ` [${body.index}]` : '';
    super(`${body.errorCode}: ${body.message}${cause}${index}`, ExitCode.etcdError);
    this.name = 'EtcdError';
  }

  get errorCode(): number {
    return this.body.errorCode;
  }
}

/** A non-keys answer the command cannot use: members API errors, 404/405 pages, bad JSON. */
export class HttpError extends CliError {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly endpoint: string,
  ) {
    super(`${endpoint} answered HTTP ${status}: ${detail}`, ExitCode.etcdError);
    this.name = 'HttpError';
  }
}

/** etcd v2 error codes kvctl reacts to. */
export const EtcdCode = {
  keyNotFound: 100,
  compareFailed: 101,
  notFile: 102,
  nodeExist: 105,
  eventIndexCleared: 401,
} as const;

export function isEtcdCode(error: unknown, code: number): error is EtcdError {
  return error instanceof EtcdError && error.errorCode === code;
}
