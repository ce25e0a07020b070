import type { ScalarFormula } from '../formula/algebra';
import { readsOf, type CheckedComputation, type Definition } from '../scenario/compile';
import { withArrayPool } from '../foundation/arrayPool';
import { evaluateDefinition, mainForm, namesOf, type Env64, type KinkWatch } from './definitions64';

// A computation whose loss is another scalar formula F of its symbols: F as E, after the
// definitions F depends on (the others are left out, so that each symbol's readers are those on
// the way to F). The reference world's ways of taking ∂E/∂Q at scale (the chain rule, columns)
// then give ∂F/∂Q: a claim's grad(F, Q) with F other than E, one output of F at a time.

/** The computation with `root` for its loss, and its trial values with E = root; null where `root` reads E. */
export function rootedAt(computation: CheckedComputation, env: Env64, watch: KinkWatch, root: ScalarFormula): { computation: CheckedComputation; env: Env64 } | null {
  // its free indices are fixed: it has none of its own
  let form: ScalarFormula = { body: root.body, checked: { ...root.checked, freeIndices: [] } };
  // a bare scalar definition is its own formula: E's row structure is then seen in its body
  for (let d = definitionNamed(computation, form.body); d && d.vars.length === 0 && !d.through; d = definitionNamed(computation, form.body)) form = { body: d.body, checked: d.checked };
  const reads = readsOf(form.body);
  if ([...reads].some((name) => namesOf(computation, name).includes('E'))) return null;
  const E: Definition = { name: 'E', vars: [], shape: [], body: form.body, checked: form.checked, kind: 'loss', hidden: false, smooth: false, reads };
  // the definitions F reads, and theirs, in their order
  const needed = new Set([...reads].flatMap((name) => namesOf(computation, name)));
  const kept: Definition[] = [];
  for (const d of [...computation.definitions].reverse()) {
    if (d.name === 'E' || !needed.has(d.name)) continue;
    kept.unshift(d);
    for (const name of [...d.reads, ...(d.through?.reads ?? [])]) for (const other of namesOf(computation, name)) needed.add(other);
  }
  const rooted = new Map(env);
  // the world keeps it: never from a claim's pool
  rooted.set('E', withArrayPool(null, () => evaluateDefinition(E, mainForm(E), env, watch)));
  return { computation: { ...computation, definitions: [...kept, E] }, env: rooted };
}

/** The definition a formula that is one bare symbol names, else undefined. */
function definitionNamed(computation: CheckedComputation, body: ScalarFormula['body']): Definition | undefined {
  if (body.kind !== 'symbol') return undefined;
  const names = namesOf(computation, body.name);
  return computation.definitions.find((d) => d.name !== 'E' && names.includes(d.name));
}
