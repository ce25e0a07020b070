import { z } from 'zod';
import { Scenario } from './schema';

/** The JSON Schema of scenario files, generated from the zod schema (input side: defaults optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'derivcheck scenario', description: 'A network, its data and loss, and claims about its gradients (see DESIGN §1).' };
}

export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
