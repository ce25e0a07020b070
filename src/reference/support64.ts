import type { Expr } from '../formula/ast';
import type { CheckedFormulas } from '../formula/check';
import { plainVariable } from '../formula/indexForms';

// Where a move can change a tensor: its support, one entry per axis, a whole number where only
// that index can change, null where any can. Moving one element of Q changes Q at that element
// only; a definition that reads Q[n, j] with n and j its own axes then changes only at that (n, j),
// one that sums over j only at that n. The reference evaluates a definition only on its support
// (a slice), and a loss that is a sum over rows only in the row that moves: the same numbers, and
// finite differences of one row's loss rather than of the whole batch's (whose rounding would
// swamp them).

export type Support = (number | null)[];

/** Every element may change. */
export const anywhere = (rank: number): Support => new Array<number | null>(rank).fill(null);

/** Whether a support fixes some axis. */
export const isRestricted = (support: Support): boolean => support.some((s) => s !== null);

/** The reads of `names` in a formula: index nodes on them (or on pad of them), and bare reads. */
function readsOf(node: Expr, names: ReadonlyMap<string, Support>, out: { read: Expr; name: string }[] = []): { read: Expr; name: string }[] {
  switch (node.kind) {
    case 'symbol':
      if (names.has(node.name)) out.push({ read: node, name: node.name });
      break;
    case 'index': {
      const base = node.base;
      const target = base.kind === 'symbol' ? base.name : base.kind === 'call' && base.name === 'pad' && base.args[0].kind === 'symbol' ? base.args[0].name : null;
      if (target !== null && names.has(target)) out.push({ read: node, name: target });
      else readsOf(base, names, out);
      node.indices.forEach((i) => readsOf(i, names, out));
      break;
    }
    case 'unary':
      readsOf(node.operand, names, out);
      break;
    case 'binary':
      readsOf(node.left, names, out);
      readsOf(node.right, names, out);
      break;
    case 'call':
      node.args.forEach((a) => readsOf(a, names, out));
      break;
    default:
      break;
  }
  return out;
}

/**
 * The support of a definition over `vars` (its axes) whose formula reads the changed tensors
 * `changed` (name → support): an axis is fixed at c when every read of a changed tensor reads it
 * as that axis's plain index at an axis fixed at c (through pad: c + the padding).
 */
export function supportOf(body: Expr, checked: CheckedFormulas, vars: readonly string[], changed: ReadonlyMap<string, Support>): Support {
  const reads = readsOf(body, changed);
  return vars.map((v) => {
    let fixed: number | null = null;
    for (const { read, name } of reads) {
      if (read.kind !== 'index') return null;
      const forms = checked.indexForms.get(read) ?? [];
      const pads = read.base.kind === 'call' ? checked.pads.get(read.base) : undefined;
      const support = changed.get(name)!;
      let here: number | null = null;
      for (let a = 0; a < forms.length; a++) {
        if (plainVariable(forms[a]) !== v) continue;
        const at = support[a];
        if (at === null) return null;
        here ??= at + (pads ? pads[a] : 0);
      }
      if (here === null || (fixed !== null && fixed !== here)) return null;
      fixed = here;
    }
    return fixed;
  });
}
