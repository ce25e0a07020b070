import { boundIndex, childrenOf, type Expr } from './ast';
import { FUNCTIONS } from './functions';

/**
 * Whether a call in `node` (or `node` itself) binds the index variable `name` again: inside
 * `sum(n, x[n,0] * sum(n, x[n,1]))` the inner n runs over every row, so the outer summand reads
 * every row, not only its own.
 */
export function bindsInside(node: Expr, name: string): boolean {
  if (node.kind === 'call' && FUNCTIONS.get(node.name)?.bindsIndex && boundIndex(node).name === name) return true;
  return childrenOf(node).some((child) => bindsInside(child, name));
}
