import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioJsonSchemaText } from './jsonSchema';

// npm run schema: regenerates schema/scenario.schema.json from the zod schema.
const target = join(__dirname, '..', '..', 'schema', 'scenario.schema.json');
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${target}`);
