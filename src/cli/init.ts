import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EXIT } from '../report/runReport';
import { fail } from './fail';
import { STARTER_SCENARIO, STARTER_SPEC, starterScenario, starterSpec } from './starterFiles';

// `derivcheck init [dir]`: a starter scenario and a jest spec that runs it, so that `npm test`
// checks derivations from the first minute. Nothing the user has is overwritten: when a file
// init would write is there, it writes nothing and exits 2. The one edit is a missing (or npm's
// placeholder) test script in package.json, set to jest.

const NPM_PLACEHOLDER = /^echo "Error: no test specified" && exit 1$/;

/** The package.json at or above dir, if any. */
function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, 'package.json');
    if (existsSync(file)) return file;
    if (dirname(at) === at) return undefined;
  }
}

/** Sets scripts.test to jest when it is missing or npm's placeholder; says what it did. */
function testScript(file: string | undefined): string {
  if (!file) return 'found no package.json: add one with "scripts": { "test": "jest" }';
  const name = relative(process.cwd(), file) || file;
  const text = readFileSync(file, 'utf8');
  let json: { scripts?: Record<string, string> };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return `left ${name} alone: it is not valid JSON (its test script should run jest)`;
  }
  const current = json.scripts?.test;
  if (current !== undefined && !NPM_PLACEHOLDER.test(current)) {
    return /\bjest\b/.test(current) ? `kept the test script of ${name}: it runs jest` : `kept the test script of ${name} (${current}): it should run jest`;
  }
  json.scripts = { ...json.scripts, test: 'jest' };
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  writeFileSync(file, `${JSON.stringify(json, null, indent)}\n`);
  return `set "test": "jest" in the scripts of ${name}`;
}

export function runInit(dir = '.'): number {
  const targets = [STARTER_SCENARIO, STARTER_SPEC].map((f) => join(dir, f));
  const there = targets.filter((f) => existsSync(f));
  if (there.length > 0) {
    return fail(`${there.join(' and ')} ${there.length === 1 ? 'is' : 'are'} there already; init writes nothing over a file (init another folder: derivcheck init DIR)`);
  }
  // the JSON Schema beside this package, for completion in an editor
  const schema = relative(dirname(resolve(targets[0])), join(__dirname, '..', '..', 'schema', 'scenario.schema.json')).split('\\').join('/');
  mkdirSync(dirname(targets[0]), { recursive: true });
  writeFileSync(targets[0], starterScenario(schema));
  writeFileSync(targets[1], starterSpec());

  let jest = true;
  try {
    require.resolve('jest', { paths: [resolve(dir)] });
  } catch {
    jest = false;
  }
  const lines = [
    `wrote ${targets[0]}: a starter scenario, three claims (one refuted on purpose)`,
    `wrote ${targets[1]}: a jest spec, one test per claim of the files in ${dirname(targets[0])}`,
    testScript(nearestPackageJson(resolve(dir))),
    jest ? 'next: npm test' : 'next: npm install --save-dev jest, then npm test',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.allMet;
}
