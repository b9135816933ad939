#!/usr/bin/env node
/**
 * @module cli — the `sluice` command: `sluice serve [options]` and `sluice repair [--apply] DIR` (see args.ts).
 *
 * Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 2 for a bad command line or config file, 1 when the data
 * directory or the port cannot be used (or the server fails). A second signal during shutdown exits at once (130).
 * Failures the dialects answer with a generic 500 (storage, bugs) are logged on stderr with their details.
 */
import { readFileSync } from 'node:fs';
import { parseCommand, USAGE, UsageError } from './args.js';
import { loadConfig } from './config-file.js';
import type { ServerOptions } from './options.js';
import type { SluiceServer } from './server.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function fail(code: number, message: string): never {
  process.stderr.write(`sluice: ${message}\n`);
  process.exit(code);
}

async function main(argv: readonly string[]): Promise<void> {
  let command: ReturnType<typeof parseCommand>;
  let options: ServerOptions;
  try {
    command = parseCommand(argv);
    if (command.kind === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    if (command.kind === 'version') {
      process.stdout.write(`${version()}\n`);
      return;
    }
    if (command.kind === 'repair') {
      const { repairDataDir } = await import('./repair.js');
      const outcome = await repairDataDir(command.dir, command.apply).catch((error: unknown) =>
        fail(1, `repair failed: ${(error as Error).message}`),
      );
      process.stdout.write(`${outcome.lines.join('\n')}\n`);
      process.exit(outcome.exitCode);
    }
    // Flags win over the file; a repeated flag (--access-key) replaces the file's list.
    const file = command.config === undefined ? {} : loadConfig(command.config);
    options = { ...file, ...command.options };
    // A limit flag overrides that one limit of the file, not all of them.
    if (file.limits !== undefined && command.options.limits !== undefined) {
      options.limits = { ...file.limits, ...command.options.limits };
    }
    // The --rocketmq-* flags replace the file's defaults, not its per-instance overrides.
    if (file.rocketmq !== undefined && command.options.rocketmq !== undefined) {
      options.rocketmq = { ...file.rocketmq, ...command.options.rocketmq };
    }
  } catch (error) {
    if (error instanceof UsageError) fail(2, `${error.message} (see sluice --help)`);
    throw error;
  }

  // Installed before the port is bound: a signal at any moment from then on shuts down gracefully (during the
  // start-up, once it has finished), never by the default action.
  let server: SluiceServer | undefined;
  let signals = 0;
  const closeAndExit = (running: SluiceServer) =>
    running.close().then(
      () => {
        process.stdout.write('sluice: stopped\n');
        process.exit(0);
      },
      (error: unknown) => fail(1, `shutdown failed: ${(error as Error).message}`),
    );
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`sluice: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    process.stdout.write(`sluice: ${signal}, shutting down (again to exit at once)\n`);
    if (server !== undefined) closeAndExit(server);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Loaded only now, so help and bad flags answer without loading the broker and the dialects.
  const { startServer, StartupError, storageWarnings } = await import('./server.js');
  const { bannerLines } = await import('./banner.js');
  const { logInternalFailures, logStorageEvents } = await import('./error-log.js');
  try {
    server = await startServer(options);
  } catch (error) {
    if (error instanceof TypeError) fail(2, error.message);
    if (error instanceof StartupError) fail(1, error.message);
    fail(1, (error as Error).message);
  }
  if (signals > 0) {
    // Signalled while starting: nothing was announced, so stop without the banner.
    closeAndExit(server);
    return;
  }
  // What the dialects answered with a generic 500 (a full disk, a bug): the details go here, never to clients.
  logInternalFailures((line) => process.stderr.write(line));
  logStorageEvents(server.broker, (line) => process.stderr.write(line));

  // Last: whoever waits for this line may signal at once.
  process.stdout.write(`${bannerLines(server, storageWarnings(server.broker)).join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(1, (error as Error).message ?? String(error)));
