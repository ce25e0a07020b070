import type { SymbolInfo, SymbolTable } from '../foundation/symbols';
import { networkSymbols } from '../model/symbols';
import { nestedShape } from '../foundation/nested';
import type { Scenario } from '../scenario/schema';

/** What a scenario's formulas may name: the network's symbols and the scenario's constants. */
export function symbolTableOf(scenario: Scenario): SymbolTable {
  const symbols = new Map<string, SymbolInfo>(networkSymbols(scenario.model, scenario.data.batch));
  for (const [name, value] of Object.entries(scenario.constants)) symbols.set(name, { shape: nestedShape(value), kind: 'constant' });
  return { symbols, hasOptimizer: scenario.optimizer !== undefined };
}
