import { join } from 'node:path';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { loadScenarioFile } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';
import type { Scenario } from '../../src/scenario/schema';

/** The repository root, and every shipped scenarios/**\/*.json, sorted. */
export const root = join(__dirname, '..', '..');
export const shippedScenarioFiles = (): string[] => findScenarioFiles([join(root, 'scenarios')]);

/** A scenario that must load; its problems become the error otherwise. */
export function loadValid(file: string): Scenario {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded.scenario;
}
