// The formula-variant table of `npm run bench` (BENCHMARKS.md): the first-layer claim written in
// each way of bench/formulaVariants.ts, on linear, sigmoid, tanh and relu networks, each variant
// verified in a fresh process (bench/freshRssChild.ts): its median verification time, its time
// over one tfjs forward+backward of that network timed in the same process between its
// verifications, the growth of its peak resident memory, and time and memory next to the fastest
// and leanest variant of the same network and activation (target: within 1.5× of them). Time is
// compared in those tfjs passes: a process that ran through a slow spell of the machine (these
// machines have them, seconds long; 50 against 80 ms for the same pass in one run) is slow in
// both, and its variant is not counted slower for it.
import { modelBytes, parameterCount, type Activation, type Network } from './firstLayer';
import { ACTIVATIONS, FORMULA_GRADIENT_RHS, FORMULA_VARIANTS, variantRhs } from './formulaVariants';
import { freshChild } from './freshRss';
import { median } from './median';

/** Within this factor of the fastest (and of the leanest) variant. */
export const VARIANT_TARGET = 1.5;

export interface VariantRow {
  params: number;
  network: string;
  activation: Activation;
  variant: string;
  rhs: string;
  /** median over the runs (the first run, whose memory is measured, and the timed ones) */
  verifyMs: number;
  fwdBwdMs: number;
  /** verifyMs / fwdBwdMs */
  ratio: number;
  /** peak RSS growth of the first verification, bytes, and over the float64 model */
  rssGrowthBytes: number;
  rssGrowthRatio: number;
  /** over the fastest variant's, in tfjs passes (ratio), and over the smallest rssGrowthBytes, of this network and activation */
  timeVsFastest: number;
  rssVsLeanest: number;
}

type Measured = Omit<VariantRow, 'timeVsFastest' | 'rssVsLeanest'>;

/** One claim's rhs verified in a fresh process: its times, over the same process's tfjs passes, and its peak RSS growth. */
function measure(net: Network, backend: string, activation: Activation, variant: string, rhs: string, timed: number, progress: (line: string) => void): Measured {
  const point = freshChild(net, backend, { activation, rhs, timed });
  const verifyMs = median(point.verifyMs);
  const rssGrowthBytes = point.peakRssBytes - point.baselineRssBytes;
  progress(`  ${point.network.padEnd(28)} ${variant.padEnd(20)} ${verifyMs.toFixed(0).padStart(6)} ms  RSS +${(rssGrowthBytes / 2 ** 20).toFixed(1)} MiB`);
  return {
    params: parameterCount(net),
    network: point.network,
    activation,
    variant,
    rhs,
    verifyMs,
    fwdBwdMs: point.fwdBwdMs!,
    ratio: verifyMs / point.fwdBwdMs!,
    rssGrowthBytes,
    rssGrowthRatio: rssGrowthBytes / modelBytes(net),
  };
}

/**
 * Every variant on every network and activation, one fresh process each, one after another.
 * `timed`: verifications per process after the measured one. `progress` gets a line per process.
 */
export function variantTable(networks: Network[], backend: string, timed: number, progress: (line: string) => void): VariantRow[] {
  const rows: VariantRow[] = [];
  for (const net of networks) {
    for (const activation of ACTIVATIONS) {
      const group = FORMULA_VARIANTS.map((v) => measure(net, backend, activation, v.name, variantRhs(v, activation), timed, progress));
      const fastest = Math.min(...group.map((r) => r.ratio));
      const leanest = Math.max(1, Math.min(...group.map((r) => r.rssGrowthBytes)));
      for (const r of group) rows.push({ ...r, timeVsFastest: r.ratio / fastest, rssVsLeanest: r.rssGrowthBytes / leanest });
    }
  }
  return rows;
}

/**
 * The claim with FORMULA_GRADIENT_RHS for its rhs (a derivative of a formula other than E over a
 * large parameter) on every network and activation, a fresh process each: outside the variant
 * table's groups, as it takes a derivative where they compute a closed form.
 */
export function formulaGradientRows(networks: Network[], backend: string, timed: number, progress: (line: string) => void): Measured[] {
  return networks.flatMap((net) => ACTIVATIONS.map((activation) => measure(net, backend, activation, 'grad(F, W1)', FORMULA_GRADIENT_RHS, timed, progress)));
}

const x = (r: number) => `${r.toFixed(2)}×`;

/** The table as text: one line per variant, grouped by network and activation; misses of the target marked. */
export function describeVariants(rows: VariantRow[]): string[] {
  const lines = [`formula variants (fresh process each; time in tfjs passes and peak RSS growth next to the fastest and leanest of the group, target ≤ ${VARIANT_TARGET}×):`];
  let group = '';
  for (const r of rows) {
    if (r.network !== group) {
      group = r.network;
      lines.push(`  ${group}`);
    }
    const miss = r.timeVsFastest > VARIANT_TARGET || r.rssVsLeanest > VARIANT_TARGET ? '  ← past the target' : '';
    lines.push(
      `    ${r.variant.padEnd(20)} ${r.verifyMs.toFixed(0).padStart(6)} ms ${x(r.timeVsFastest).padStart(7)}  ${x(r.ratio).padStart(7)} fwd+bwd  RSS +${(r.rssGrowthBytes / 2 ** 20).toFixed(1).padStart(5)} MiB ${x(r.rssVsLeanest).padStart(7)} (${x(r.rssGrowthRatio)} model)${miss}`,
    );
  }
  return lines;
}

/** The formula-gradient rows as text: time, over tfjs's pass, and peak RSS growth over the model. */
export function describeFormulaGradient(rows: Measured[]): string[] {
  return [
    `grad(F, W1) in the rhs, F the loss written out (${FORMULA_GRADIENT_RHS}):`,
    ...rows.map((r) => `    ${r.network.padEnd(28)} ${r.verifyMs.toFixed(0).padStart(6)} ms ${x(r.ratio).padStart(7)} fwd+bwd  RSS +${(r.rssGrowthBytes / 2 ** 20).toFixed(1).padStart(5)} MiB (${x(r.rssGrowthRatio)} model)`),
  ];
}
