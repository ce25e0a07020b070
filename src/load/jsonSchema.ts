import { z } from 'zod';
import { ScenarioFile } from '../sweep/schema';

/** The JSON Schema of scenario files (a sweep included), generated from the zod schema (input side: defaults optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioFile, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'derivcheck scenario', description: 'A network, its data and loss, and claims about its gradients (see DESIGN §1).' };
}

export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
