import { scenarioJsonSchemaText } from '../load/jsonSchema';

// `derivcheck schema`: the JSON Schema of scenario files, for editors and other tools.

export function runSchema(): number {
  process.stdout.write(scenarioJsonSchemaText());
  return 0;
}
