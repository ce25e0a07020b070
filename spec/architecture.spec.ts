import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The layers of src/, each built on the ones before it: a file imports only from its own layer
// and the layers listed before it, so the foundation imports nothing of derivcheck's, the formula
// language knows nothing of scenarios, and neither world knows of claims or reports. A new folder
// must be given its place here.

const LAYERS = [
  'foundation', // tensors, symbols, problems, random numbers, indices: no derivcheck imports
  'formula', // the formula language: parse, check, plan, evaluate over any algebra
  'scenario', // the schema, computations (networks expanded into definitions), trial values
  'sweep', // grids of scenarios, their conditions
  'load', // files to checked scenarios: JSON, Markdown, sweeps expanded, the JSON Schema
  'reference', // the float64 world
  'tfjs', // the float32 world
  'claim', // judging a claim in both worlds, verdicts
  'run', // scenarios of files, run
  'report', // report formats
  'api', // the package's functions
  'cli', // the derivcheck command
  'jest', // derivcheck/jest
  'index.ts', // the package's entry
];

const src = join(__dirname, '..', 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (file: string): string => relative(src, file).split(/[\\/]/)[0];

/** Whether `file` importing `target` goes against the layers. */
const upward = (file: string, target: string): boolean => LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file));

/** Every relative import of a source file, resolved to the file it names. */
function importsOf(file: string): { line: number; target: string }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((text, at) => {
    const match = /from '(\.{1,2}\/[^']+)'/.exec(text) ?? /import\('(\.{1,2}\/[^']+)'\)/.exec(text) ?? /require\('(\.{1,2}\/[^']+)'\)/.exec(text);
    return match ? [{ line: at + 1, target: resolve(dirname(file), match[1]) }] : [];
  });
}

describe('the layers of src/', () => {
  const files = filesUnder(src);

  it('every folder has its place', () => {
    expect([...new Set(files.map(layerOf))].filter((layer) => !LAYERS.includes(layer))).toEqual([]);
  });

  it('each file imports only its own layer and the layers before it', () => {
    const wrong = files.flatMap((file) =>
      importsOf(file)
        .filter(({ target }) => upward(file, target))
        .map(({ line, target }) => `${relative(src, file)}:${line} imports ${relative(src, target)}`),
    );
    expect(wrong).toEqual([]);
  });

  it('the rule sees an import that goes the wrong way, and reads the imports there are', () => {
    expect(upward(join(src, 'foundation', 'tensor.ts'), join(src, 'formula', 'ast.ts'))).toBe(true);
    expect(upward(join(src, 'formula', 'ast.ts'), join(src, 'foundation', 'tensor.ts'))).toBe(false);
    expect(upward(join(src, 'claim', 'judge.ts'), join(src, 'claim', 'relations.ts'))).toBe(false);
    expect(importsOf(join(src, 'formula', 'evaluate.ts')).map(({ target }) => layerOf(target))).toContain('foundation');
  });
});
