import { checkClaim } from '../formula/check';
import { renderFormulaError } from '../formula/formulaError';
import type { Problem } from '../foundation/problem';
import type { Scenario } from '../scenario/schema';
import { symbolTableOf } from './symbolTable';

/**
 * Every claim's formulas parsed and checked against the scenario's symbols: a formula error
 * makes the file invalid, with the claim's path, the field and the position (caret in detail).
 */
export function checkFormulas(scenario: Scenario): Omit<Problem, 'file'>[] {
  const table = symbolTableOf(scenario);
  const problems: Omit<Problem, 'file'>[] = [];
  scenario.claims.forEach((claim, i) => {
    const result = checkClaim({ lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
    if (!result.ok) {
      const [reason, ...detail] = renderFormulaError(result.error).split('\n');
      problems.push({ path: ['claims', i, result.field], message: reason, detail: detail.join('\n') });
    }
  });
  return problems;
}
