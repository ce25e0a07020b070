import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/load/jsonSchema';
import { loadScenarioFile } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';

// The committed JSON Schema is generated from the zod schema; editors validate scenario files
// against it through their "$schema". No JSON Schema validator is installed, so shipped
// scenarios are checked by pointing at the schema, using only its top-level keys, and loading.

const root = join(__dirname, '..', '..');
const schemaFile = join(root, 'schema', 'scenario.schema.json');

/** The first line where two texts part ways, or null when they are equal. */
function firstDifference(committed: string, generated: string): string | null {
  if (committed === generated) return null;
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `schema/scenario.schema.json is out of date: run \`npm run schema\`. First difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  generated: ${b[at] ?? '(end of file)'}`;
}

describe('schema/scenario.schema.json', () => {
  it('equals what `npm run schema` generates from src/scenario/schema.ts', () => {
    expect(firstDifference(readFileSync(schemaFile, 'utf8'), scenarioJsonSchemaText())).toBeNull();
  });
});

describe('shipped scenarios and the JSON Schema', () => {
  const files = findScenarioFiles([join(root, 'scenarios')]);
  const properties = Object.keys((scenarioJsonSchema().properties ?? {}) as Record<string, unknown>);

  it.each(files.map((f) => [relative(root, f), f]))('%s points at the schema, uses its keys and loads', (_name, file) => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const pointsAt = typeof json.$schema === 'string' ? relative(root, resolve(dirname(file), json.$schema)) : json.$schema;
    const loaded = loadScenarioFile(file);
    expect({
      $schema: pointsAt,
      keysOutsideTheSchema: Object.keys(json).filter((k) => !properties.includes(k)),
      problems: loaded.ok ? [] : loaded.problems.map(formatProblem),
    }).toEqual({ $schema: join('schema', 'scenario.schema.json'), keysOutsideTheSchema: [], problems: [] });
  });
});
