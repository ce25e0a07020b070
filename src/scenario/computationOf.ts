import type { Problem } from '../foundation/problem';
import { checkClaim } from '../formula/check';
import type { SymbolTable } from '../foundation/symbols';
import { compile, formulaProblem, type CheckedComputation, type CompileResult } from './compile';
import { computationBlueprint } from './computationBlock';
import { networkBlueprint } from './network';
import type { Scenario } from './schema';

// A valid scenario's computation (compile.ts), compiled once per scenario object, and the checks
// of its claims' formulas against the symbols it gives them.

const compiled = new WeakMap<Scenario, CompileResult>();

/** The scenario's computation, checked; for a scenario that passed the schema and meaning checks. */
export function compileScenario(scenario: Scenario): CompileResult {
  let result = compiled.get(scenario);
  if (result === undefined) {
    const blueprint = scenario.computation ? computationBlueprint(scenario.computation).blueprint : networkBlueprint(scenario.model!, scenario.data!);
    result = compile(blueprint, scenario.constants, scenario.optimizer);
    compiled.set(scenario, result);
  }
  return result;
}

/** The computation of a scenario known to be valid (a loaded one); throws with the problems otherwise. */
export function computationOf(scenario: Scenario): CheckedComputation {
  const result = compileScenario(scenario);
  if (!result.ok) throw new Error(`the scenario does not compile: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.computation;
}

/** What a valid scenario's formulas may name. */
export function symbolTableOf(scenario: Scenario): SymbolTable {
  return computationOf(scenario).table;
}

/**
 * Every claim's formulas parsed and checked against the scenario's symbols: a formula error
 * makes the file invalid, with the claim's path, the field and the position (caret in detail).
 */
export function checkClaims(scenario: Scenario, table: SymbolTable): Omit<Problem, 'file'>[] {
  const problems: Omit<Problem, 'file'>[] = [];
  scenario.claims.forEach((claim, i) => {
    const result = checkClaim({ lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
    if (!result.ok) problems.push(formulaProblem(['claims', i, result.field], result.error));
  });
  return problems;
}

/** The checks after the schema and meaning: the computation compiles and every claim's formulas check. */
export function checkFormulas(scenario: Scenario): Omit<Problem, 'file'>[] {
  const result = compileScenario(scenario);
  if (!result.ok) return result.problems;
  return checkClaims(scenario, result.computation.table);
}
