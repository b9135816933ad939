/** @module crash/sluice-process — `sluice serve` as a child process: started, waited for, killed with SIGKILL. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));

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

/** Every child started, so a failing test can still kill them all. */
export const started = new Set<ChildProcess>();

/**
 * Starts `sluice serve --port 0 --data-dir dir --config config` and resolves once it prints its ready line
 * (`sluice listening on http://…`); rejects with its exit code and stderr if it exits first or takes too long.
 */
export function startSluice(dataDir: string, config: string, timeoutMs = 20_000): Promise<SluiceProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--config', config],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve(String(code ?? signal));
    });
  });
  return new Promise<SluiceProcess>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      const m = /sluice listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearInterval(timer);
        resolve({
          url: m[1]!,
          child,
          stderr: () => err,
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        child.kill('SIGKILL');
        reject(new Error(`sluice did not print its ready line within ${timeoutMs} ms; stderr: ${err}`));
      }
    }, 10);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`sluice exited with ${code} before it was ready; stderr: ${err}`));
    });
  });
}
