import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the real command, bin/derivcheck.js on the compiled dist/, as a subprocess. dist/ is
// rebuilt only when a source is newer than its output (npm ci's prepare leaves it fresh);
// spec files in parallel workers build it once between them, under a lock.

export const root = join(__dirname, '..', '..');
export const bin = join(root, 'bin', 'derivcheck.js');
export const fixtures = join('spec', 'fixtures', 'cli');

function sourcesNewerThanOutputs(): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  return walk(join(root, 'src')).some((source) => {
    const output = join(root, 'dist', source.slice(join(root, 'src').length).replace(/\.ts$/, ''));
    try {
      // the JavaScript, and the declarations the package ships
      return ['.js', '.d.ts'].some((ext) => statSync(`${output}${ext}`).mtimeMs < statSync(source).mtimeMs);
    } catch {
      return true;
    }
  });
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds dist/ with tsc when it is stale. Type errors do not stop the emit; `npm test` reports them. */
export function ensureCliBuilt(): void {
  const lock = join(tmpdir(), `derivcheck-build-${createHash('sha1').update(root).digest('hex').slice(0, 12)}`);
  const deadline = Date.now() + 240_000;
  while (sourcesNewerThanOutputs()) {
    try {
      mkdirSync(lock);
    } catch {
      // another worker builds; a lock older than its longest build is left over from a crash
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for the build lock ${lock}`);
      sleep(250);
      continue;
    }
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch {
      // emitted with type errors: the specs still run the emitted code
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The command with these arguments, from the repository root. The backend is the one this
 * spec run uses (DERIVCHECK_BACKEND, passed on); colour variables are cleared unless given.
 */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, options: { cwd?: string; bin?: string } = {}): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI']) delete base[name];
  const merged = { ...base, ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return runProcess(process.execPath, [options.bin ?? bin, ...args], { cwd: options.cwd ?? root, env: merged });
}

/** A process run to its end, with its exit code and output. */
export function runProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a run gave, for assertion messages. */
export function shown(run: CliRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
