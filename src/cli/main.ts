import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CheckOptions } from './check';
import { FORMATS } from '../report/formatNames';
import { EXIT } from '../report/runReport';
import { BACKEND_CHOICES, type BackendChoice } from '../tfjs/backendChoices';
import { parseShard, type Shard } from '../run/shard';
import { packageVersion } from '../foundation/version';

// The derivcheck command: argument parsing only. Each command's module (and with it
// TensorFlow.js) is loaded when that command runs, so --help, --version and schema start fast.

function wholeNumber(what: string, lo: number, highest: number | (() => number)): (text: string) => number {
  return (text) => {
    const hi = typeof highest === 'number' ? highest : highest();
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
    if (!(n >= lo && n <= hi)) throw new InvalidArgumentError(`${what} must be a whole number from ${lo} to ${hi}.`);
    return n;
  };
}

function shard(text: string): Shard {
  const parsed = parseShard(text);
  if ('error' in parsed) throw new InvalidArgumentError(`${parsed.error}.`);
  return parsed;
}

// the scenario schema (and zod) is loaded only when --trials is given, not for --help or --version
const trialsLimit = () => (require('../scenario/schema') as typeof import('../scenario/schema')).LIMITS.trials;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend: auto takes tfjs-node when it loads, else wasm, else cpu').choices(BACKEND_CHOICES).default('auto').env('DERIVCHECK_BACKEND');
const trialsOption = () => new Option('--trials <n>', "trials per claim, instead of each scenario's own").argParser(wholeNumber('--trials', 1, trialsLimit));
const seedOption = () => new Option('--seed <s>', "random seed, instead of each scenario's own").argParser(wholeNumber('--seed', 0, 2 ** 31 - 1));

const HELP_AFTER = `
Exit codes:
  0  every claim meets its expectation
  1  some claim does not (its verdict differs from "expect", or it is vacuous or an error)
  2  a scenario file is invalid (the others still run and are reported), or bad usage;
     2 wins over 1

Examples:
  derivcheck scenarios
  derivcheck scenarios/article --format markdown
  derivcheck scenarios --format junit --output derivcheck-junit.xml
  derivcheck scenarios --shard 2/3
  derivcheck notes.md
  derivcheck explain scenarios/article/demo-label0.json --claim final-formula
  derivcheck init`;

interface ExplainFlags {
  claim: string;
  backend: BackendChoice;
  trials?: number;
  seed?: number;
  rows: number;
  cell?: string;
}

/** The program; `setExitCode` receives the exit code a command decided on. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('derivcheck');
  program
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(derivcheck --help shows the usage)')
    .description('Checks the claims of gradient derivations: each scenario file\'s claims are evaluated with TensorFlow.js autodiff and a float64 reference.')
    .usage('[options] [paths...]\n       derivcheck explain FILE --claim ID\n       derivcheck schema\n       derivcheck init [dir]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .argument('[paths...]', 'scenario files (*.json, or Markdown with derivcheck blocks), or folders searched for them (default: scenarios)')
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS).default('text'))
    .addOption(backendOption())
    .addOption(trialsOption())
    .addOption(seedOption())
    .option('--claim <id>', 'only the claims with this id (repeatable)', collect)
    .addOption(new Option('--shard <i/n>', 'only part i of n of the sorted files (n contiguous parts, as jest --shard)').argParser(shard))
    .option('--output <file>', 'write the report to FILE; the text report then goes to stdout')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], flags: CheckOptions) => {
      const { runCheck } = await import('./check');
      setExitCode(await runCheck(paths, flags));
    });

  program
    .command('explain')
    .description("one claim's element table (index, lhs, rhs, difference, within tolerance) in both worlds, for its worst trial")
    .argument('<file>', 'a scenario file')
    .requiredOption('--claim <id>', 'the claim to explain')
    .addOption(backendOption())
    .addOption(trialsOption())
    .addOption(seedOption())
    .option('--cell <condition>', "in a sweep, only the cells this condition matches (as a rule's when: \"activation == 'relu'\")")
    .addOption(new Option('--rows <n>', 'rows shown per world, worst first').default(20).argParser(wholeNumber('--rows', 1, 1_000_000)))
    .helpOption('-h, --help', 'print this help')
    .action(async (file: string, flags: ExplainFlags) => {
      const { runExplain } = await import('./explain');
      setExitCode(await runExplain(file, flags));
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .helpOption('-h, --help', 'print this help')
    .action(async () => {
      const { runSchema } = await import('./schema');
      setExitCode(runSchema());
    });

  program
    .command('init')
    .description('write a starter scenario and a jest spec that checks it (nothing is overwritten)')
    .argument('[dir]', 'the folder to write them in', '.')
    .helpOption('-h, --help', 'print this help')
    .action(async (dir: string) => {
      const { runInit } = await import('./init');
      setExitCode(runInit(dir));
    });

  return program;
}

/** Parses argv (node's, with the two leading entries) and runs the command; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // commander has printed its message (unknown option, bad value, --help, --version)
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.invalid;
    throw e;
  }
  return code;
}

/** The process entry: sets the exit code and lets pending output drain (no process.exit). */
export function run(): void {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`derivcheck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT.invalid;
    },
  );
}

if (require.main === module) run();
