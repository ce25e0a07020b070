import { cellIndices, formatAxisValue, type Axis } from './grid';

// The simplest condition over a sweep's axes that matches exactly the cells where a claim holds.
//
// A condition here is an `or` of terms, each term an `and` of literals, each literal `axis in
// {values}` (a proper subset of the axis's values; `axis == v` for one value). A term is a box of
// the grid; the condition is the union of its terms' boxes. "Simplest" is the fewest literals,
// then the fewest terms. An optimal condition can always be made of maximal boxes (a box inside
// the cells that no larger such box contains: widening a literal to every value drops it), so
// the search lists the maximal boxes and finds the cheapest exact cover among them, branch and
// bound. Both searches are bounded; past the bound no condition is stated.

/** One term: for each axis, the value indices it allows (all of them: no literal). */
export type Term = number[][];

export type SimplestCondition =
  | { kind: 'every' }
  | { kind: 'none' }
  | { kind: 'condition'; terms: Term[]; literals: number; text: string }
  /** the search went past its bound */
  | { kind: 'unknown' };

/** Cell look-ups both searches together may make before they give up (a few hundred ms at most). */
export const SEARCH_BUDGET = 2_000_000;

class OverBudget extends Error {}

/** Counts the searches' work; throws OverBudget past SEARCH_BUDGET. */
class Work {
  private done = 0;
  tick(n = 1): void {
    this.done += n;
    if (this.done > SEARCH_BUDGET) throw new OverBudget();
  }
}

const literalsOf = (term: Term, sizes: readonly number[]) => term.filter((values, axis) => values.length < sizes[axis]).length;

/** Cells as flat indices, row-major with the last axis fastest. */
function flatIndex(index: readonly number[], sizes: readonly number[]): number {
  let flat = 0;
  for (let k = 0; k < sizes.length; k++) flat = flat * sizes[k] + index[k];
  return flat;
}

/** The flat indices of a box's cells. */
function boxCells(term: Term, sizes: readonly number[]): number[] {
  return cellIndices(term.map((values) => ({ values }))).map((picks) => flatIndex(picks.map((p, k) => term[k][p]), sizes));
}

/** Every nonempty subset of 0..n−1, as sorted lists, smaller subsets first. */
function subsets(n: number): number[][] {
  const out: number[][] = [];
  for (let mask = 1; mask < 1 << n; mask++) out.push(Array.from({ length: n }, (_, v) => v).filter((v) => mask & (1 << v)));
  return out.sort((a, b) => a.length - b.length);
}

/** The maximal boxes inside `holds`. */
function maximalBoxes(sizes: readonly number[], holds: readonly boolean[], work: Work): Term[] {
  // every box whose cells all hold, axis by axis, dropping a prefix no completion of which can hold
  const stack: Term[] = [[]];
  const inside: Term[] = [];
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    if (prefix.length === sizes.length) {
      inside.push(prefix);
      continue;
    }
    if (sizes[prefix.length] > 16) throw new OverBudget();
    for (const values of subsets(sizes[prefix.length])) {
      const term = [...prefix, values];
      if (completable(term, sizes, holds, work)) stack.push(term);
    }
  }
  // maximal: no axis takes one more value with every cell still holding
  const widens = (box: Term) =>
    box.some((values, axis) =>
      Array.from({ length: sizes[axis] }, (_, v) => v).some((v) => {
        if (values.includes(v)) return false;
        const cells = boxCells(box.map((vs, k) => (k === axis ? [v] : vs)), sizes);
        work.tick(cells.length);
        return cells.every((c) => holds[c]);
      }),
    );
  return inside.filter((box) => !widens(box));
}

/** Whether a box with this prefix can lie inside: some choice of one value per remaining axis holds for every prefix cell. */
function completable(prefix: Term, sizes: readonly number[], holds: readonly boolean[], work: Work): boolean {
  const rest = sizes.slice(prefix.length);
  const tails = cellIndices(rest.map((n) => ({ values: Array.from({ length: n }) })));
  const heads = cellIndices(prefix.map((values) => ({ values }))).map((picks) => picks.map((p, k) => prefix[k][p]));
  work.tick(tails.length * heads.length);
  return tails.some((tail) => heads.every((head) => holds[flatIndex([...head, ...tail], sizes)]));
}

/** The cheapest exact cover of the cells that hold by maximal boxes: fewest literals, then fewest terms. */
function cheapestCover(boxes: Term[], sizes: readonly number[], holds: readonly boolean[], work: Work): Term[] {
  const target = holds.flatMap((h, c) => (h ? [c] : []));
  const cover = boxes.map((box) => new Set(boxCells(box, sizes)));
  const cost = boxes.map((box) => literalsOf(box, sizes));
  let best: { terms: number[]; literals: number } | null = null;
  const better = (literals: number, terms: number) => best === null || literals < best.literals || (literals === best.literals && terms < best.terms.length);
  const search = (chosen: number[], literals: number, covered: Set<number>): void => {
    work.tick(target.length);
    const open = target.filter((c) => !covered.has(c));
    if (open.length === 0) {
      if (better(literals, chosen.length)) best = { terms: [...chosen], literals };
      return;
    }
    // branch on the open cell with the fewest boxes over it
    let pick = -1;
    let options: number[] = [];
    for (const c of open) {
      work.tick(boxes.length);
      const over = cover.flatMap((cells, b) => (cells.has(c) ? [b] : []));
      if (pick < 0 || over.length < options.length) [pick, options] = [c, over];
    }
    options.sort((a, b) => cost[a] - cost[b] || a - b);
    for (const b of options) {
      if (!better(literals + cost[b], chosen.length + 1)) continue;
      const next = new Set(covered);
      for (const c of cover[b]) next.add(c);
      search([...chosen, b], literals + cost[b], next);
    }
  };
  search([], 0, new Set());
  // the maximal boxes cover every cell that holds, so a cover exists
  return (best as { terms: number[] } | null)!.terms.map((b) => boxes[b]);
}

/** Terms in the axes' order: a term with a literal on an earlier axis first, then by its values. */
function termOrder(a: Term, b: Term, sizes: readonly number[]): number {
  for (let k = 0; k < sizes.length; k++) {
    const [ca, cb] = [a[k].length < sizes[k], b[k].length < sizes[k]];
    if (ca !== cb) return ca ? -1 : 1;
    for (let v = 0; v < Math.min(a[k].length, b[k].length); v++) if (a[k][v] !== b[k][v]) return a[k][v] - b[k][v];
    if (a[k].length !== b[k].length) return a[k].length - b[k].length;
  }
  return 0;
}

/** `activation == 'linear'`, `classes in {2, 3}` */
function literalText(axis: Axis, values: readonly number[]): string {
  const shown = values.map((v) => formatAxisValue(axis.values[v]));
  return shown.length === 1 ? `${axis.name} == ${shown[0]}` : `${axis.name} in {${shown.join(', ')}}`;
}

/** The condition in the `when` language (a term of several literals in parentheses when there are several terms). */
export function conditionText(axes: readonly Axis[], terms: readonly Term[]): string {
  const sizes = axes.map((a) => a.values.length);
  const words = terms.map((term) => term.flatMap((values, k) => (values.length < sizes[k] ? [literalText(axes[k], values)] : [])));
  return words.map((literals) => (literals.length > 1 && words.length > 1 ? `(${literals.join(' and ')})` : literals.join(' and '))).join(' or ');
}

/**
 * The simplest condition matching exactly the cells where `holds` is true (one flag per cell,
 * in the grid's order): every cell, no cell, a condition, or unknown past the search's bound.
 */
export function simplestCondition(axes: readonly Axis[], holds: readonly boolean[]): SimplestCondition {
  if (holds.every(Boolean)) return { kind: 'every' };
  if (!holds.some(Boolean)) return { kind: 'none' };
  const sizes = axes.map((a) => a.values.length);
  const work = new Work();
  let terms: Term[];
  try {
    terms = cheapestCover(maximalBoxes(sizes, holds, work), sizes, holds, work);
  } catch (e) {
    if (e instanceof OverBudget) return { kind: 'unknown' };
    throw e;
  }
  const ordered = [...terms].sort((a, b) => termOrder(a, b, sizes));
  return { kind: 'condition', terms: ordered, literals: ordered.reduce((n, t) => n + literalsOf(t, sizes), 0), text: conditionText(axes, ordered) };
}
