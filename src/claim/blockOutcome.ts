import { outcomeFromTally, reportsOf, type ElementReport, type ImpreciseReport, type KinkReport, type WorldOutcome } from './compare';
import { judgeSides, outcomeOf, type Tally } from './judge';
import type { Quantifier, Relation } from './relations';
import { selfTestTally } from './selfTest';
import { flatOf, type Sides } from './sides';
import type { Tolerance } from './tolerances';

// One world's sides judged a block at a time (src/claim/rowBlocks.ts), in order, with the outcome
// one pass over all of them would give: counts added up, the deciding element the worst (`all`)
// or best (`any`) over the blocks, the first kink and the first non-finite element the first in
// element order (no block after a non-finite one is judged: the loop stops there), the element
// the estimate decides the one whose estimate is largest next to its tolerance. Ties go to the
// earlier element, as in the loop. Each report is read from its block while the block is there.
// The vacuity self-test's tally (the rhs moved past the relation) is gathered alongside.

const emptyTally = (): Tally => ({ selected: 0, failing: 0, worst: -1, worstExcess: 0, kinks: 0, firstKink: -1, imprecise: 0, impreciseAt: -1, impreciseRatio: 0, notFinite: -1, notFiniteWhat: null });

/** Adds `block`'s tally (positions from `offset` on) to `into`; says which of its positions became the tally's. */
function merge(into: Tally, block: Tally, offset: number, all: boolean): { worst: boolean; kink: boolean; imprecise: boolean; notFinite: boolean } {
  const taken = { worst: false, kink: false, imprecise: false, notFinite: false };
  into.selected += block.selected;
  into.failing += block.failing;
  if (block.worst >= 0 && (into.worst < 0 || (all ? block.worstExcess > into.worstExcess : block.worstExcess < into.worstExcess))) {
    into.worst = offset + block.worst;
    into.worstExcess = block.worstExcess;
    taken.worst = true;
  }
  if (block.kinks > 0 && into.kinks === 0) {
    into.firstKink = offset + block.firstKink;
    taken.kink = true;
  }
  into.kinks += block.kinks;
  if (block.imprecise > 0 && (into.imprecise === 0 || block.impreciseRatio > into.impreciseRatio)) {
    into.impreciseAt = offset + block.impreciseAt;
    into.impreciseRatio = block.impreciseRatio;
    taken.imprecise = true;
  }
  into.imprecise += block.imprecise;
  if (block.notFinite >= 0 && into.notFinite < 0) {
    into.notFinite = offset + block.notFinite;
    into.notFiniteWhat = block.notFiniteWhat;
    taken.notFinite = true;
  }
  return taken;
}

export class BlockOutcome {
  private readonly tally = emptyTally();
  private readonly flipTally = emptyTally();
  private readonly all: boolean;
  private worst: ElementReport | null = null;
  private kink: KinkReport | null = null;
  private estimate: { report: Omit<ImpreciseReport, 'count'>; element: ElementReport } | null = null;
  private notFinite: { element: ElementReport; message: string } | null = null;

  constructor(
    private readonly rel: Relation,
    private readonly quantifier: Quantifier,
    private readonly tol: Tolerance,
  ) {
    this.all = quantifier === 'all';
  }

  /** Whether the blocks so far leave the claim able to hold (under `all`, no element failed): its self-test may be read. */
  get mayHold(): boolean {
    return this.tally.notFinite < 0 && (!this.all || this.tally.failing === 0);
  }

  /** Whether a non-finite element was met: the blocks after it are not judged. */
  get stopped(): boolean {
    return this.tally.notFinite >= 0;
  }

  /**
   * Judges one block (dense sides with `offset`, the blocks in order), and its vacuity self-test
   * while `selfTest` is true and no block has stopped it (callers pass `mayHold`: the self-test is
   * read only for a claim that holds).
   */
  add(block: Sides, selfTest: boolean): void {
    if (this.stopped) return;
    const offset = flatOf(block, 0);
    const tally = judgeSides(block, this.rel, this.quantifier, this.tol);
    const taken = merge(this.tally, tally, offset, this.all);
    const reports = reportsOf(block, this.rel, this.tol);
    if (taken.worst) this.worst = reports.element(tally.worst);
    if (taken.kink) this.kink = reports.kink(tally.firstKink);
    if (taken.imprecise) this.estimate = { report: reports.estimate(tally.impreciseAt), element: reports.element(tally.impreciseAt) };
    if (taken.notFinite) this.notFinite = { element: reports.element(tally.notFinite), message: reports.notFinite(tally.notFinite, tally.notFiniteWhat) };
    if (selfTest && this.flipTally.notFinite < 0) merge(this.flipTally, selfTestTally(block, this.rel, this.quantifier, this.tol), offset, this.all);
  }

  /** The outcome over every block added. */
  outcome(): WorldOutcome {
    const stored = (position: number, expected: number, report: ElementReport | null): ElementReport => {
      if (position !== expected || report === null) throw new Error(`blockOutcome: no report kept for element ${position}`);
      return report;
    };
    return outcomeFromTally(
      this.tally,
      {
        element: (position) =>
          position === this.tally.notFinite ? this.notFinite!.element : position === this.tally.impreciseAt && this.estimate ? this.estimate.element : stored(position, this.tally.worst, this.worst),
        kink: () => this.kink!,
        estimate: () => this.estimate!.report,
        notFinite: () => this.notFinite!.message,
      },
      this.quantifier,
    );
  }

  /** The vacuity self-test's outcome over every block added with `selfTest`. */
  flipOutcome(): ReturnType<typeof outcomeOf> {
    return outcomeOf(this.flipTally, this.quantifier);
  }
}
