import { childrenOf, type Expr } from '../formula/ast';
import type { CheckedClaim } from '../formula/check';
import { computationOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import type { AgreementResult } from './agreement';
import type { ClaimResult, ClaimState } from './claimResult';

// A disputed claim whose tfjs side reads a gradient the built-in agreement check finds departing
// from the reference is disputed for that reason: its message says so and points at the check.

const usesE = (node: Expr): boolean => (node.kind === 'symbol' && node.name === 'E') || childrenOf(node).some(usesE);

/**
 * The symbols S whose ∂E/∂S a claim reads in the tfjs world: S of every grad(F, S) whose F uses E,
 * and P of every next(P), whose step is taken with ∂E/∂P (with more than one step, with every
 * parameter's). Other names of a symbol (a0) are given as the symbol (x).
 */
export function lossGradientsRead(checked: CheckedClaim, scenario: Scenario): Set<string> {
  const computation = computationOf(scenario);
  const read = new Set<string>();
  const visit = (node: Expr): void => {
    if (node.kind === 'call' && (node.name === 'grad' || node.name === 'next')) {
      const [F, Q] = node.name === 'grad' ? node.args : [null, node.args[0]];
      if (Q?.kind === 'symbol' && (F === null || usesE(F))) read.add(computation.aliases.get(Q.name) ?? Q.name);
      if (node.name === 'next' && (computation.optimizer?.steps ?? 1) > 1) for (const p of computation.parameters) read.add(p);
    }
    childrenOf(node).forEach(visit);
  };
  [checked.lhs, checked.rhs, ...(checked.where ? [checked.where] : [])].forEach(visit);
  return read;
}

/** `∂E/∂W1`, `∂E/∂W1 and ∂E/∂b1`, `∂E/∂x, ∂E/∂W1 and ∂E/∂b1` */
function listGradients(symbols: readonly string[]): string {
  const named = symbols.map((s) => `∂E/∂${s}`);
  return named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/** The results, each disputed claim that reads a departing gradient with a message saying so. */
export function pointToAgreement(results: ClaimResult[], states: readonly ClaimState[], scenario: Scenario, agreement: AgreementResult): ClaimResult[] {
  if (agreement.departing.length === 0) return results;
  const departing = agreement.departing.map((d) => d.symbol);
  return results.map((result, k) => {
    const checked = states[k].checked;
    if (result.verdict !== 'disputed' || checked === null) return result;
    const read = lossGradientsRead(checked, scenario);
    const hit = departing.filter((s) => read.has(s));
    if (hit.length === 0) return result;
    const message = `tfjs's own ${listGradients(hit)} ${hit.length === 1 ? 'departs' : 'depart'} from the reference: see the gradient agreement check`;
    return { ...result, message: result.message ? `${message}\n${result.message}` : message };
  });
}
