/** @module crash/sluice-process — `sluice serve` as a child process: started, waited for, killed with SIGKILL. */
import type { ChildProcess } from 'node:child_process';
import { serve } from '../helpers/cli.js';

/** A running `sluice serve`. */
export interface SluiceProcess {
  /** `http://host:port` from its ready line. */
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (its log of internal failures, among others). */
  stderr(): string;
  /** SIGKILL, resolved once it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `sluice serve --port 0 --data-dir dir --config config` and resolves once it prints its ready line
 * (`sluice listening on http://…`); rejects with its exit code and stderr if it exits first. The test helpers kill
 * whatever is left after the test.
 */
export async function startSluice(dataDir: string, config: string): Promise<SluiceProcess> {
  const s = await serve(['--port', '0', '--data-dir', dataDir, '--config', config]);
  return {
    url: s.url,
    child: s.child,
    stderr: s.stderr,
    kill: async () => {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await s.exit;
    },
  };
}
