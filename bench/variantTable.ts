// The formula-variant table of `npm run bench` (BENCHMARKS.md): the first-layer claim written in
// each way of bench/formulaVariants.ts, on linear, sigmoid, tanh and relu networks, each variant
// verified in a fresh process (bench/freshRssChild.ts): its median verification time, the
// growth of its peak resident memory, and both next to the fastest and leanest variant of the
// same network and activation (target: within 1.5× of them), and its time over one tfjs
// forward+backward of that network measured in the same process.
import { modelBytes, parameterCount, type Activation, type Network } from './firstLayer';
import { ACTIVATIONS, FORMULA_VARIANTS, variantRhs } from './formulaVariants';
import { freshChild } from './freshRss';

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
  /** over the fastest variant's verifyMs, and over the smallest rssGrowthBytes, of this network and activation */
  timeVsFastest: number;
  rssVsLeanest: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Every variant on every network and activation, one fresh process each, one after another.
 * `timed`: verifications per process after the measured one. `progress` gets a line per process.
 */
export function variantTable(networks: Network[], backend: string, timed: number, progress: (line: string) => void): VariantRow[] {
  const rows: VariantRow[] = [];
  for (const net of networks) {
    for (const activation of ACTIVATIONS) {
      const group: Omit<VariantRow, 'timeVsFastest' | 'rssVsLeanest'>[] = [];
      for (const v of FORMULA_VARIANTS) {
        const rhs = variantRhs(v, activation);
        const point = freshChild(net, backend, { activation, rhs, timed });
        const verifyMs = median(point.verifyMs);
        const rssGrowthBytes = point.peakRssBytes - point.baselineRssBytes;
        group.push({
          params: parameterCount(net),
          network: point.network,
          activation,
          variant: v.name,
          rhs,
          verifyMs,
          fwdBwdMs: point.fwdBwdMs!,
          ratio: verifyMs / point.fwdBwdMs!,
          rssGrowthBytes,
          rssGrowthRatio: rssGrowthBytes / modelBytes(net),
        });
        progress(`  ${point.network.padEnd(28)} ${v.name.padEnd(20)} ${verifyMs.toFixed(0).padStart(6)} ms  RSS +${(rssGrowthBytes / 2 ** 20).toFixed(1)} MiB`);
      }
      const fastest = Math.min(...group.map((r) => r.verifyMs));
      const leanest = Math.max(1, Math.min(...group.map((r) => r.rssGrowthBytes)));
      for (const r of group) rows.push({ ...r, timeVsFastest: r.verifyMs / fastest, rssVsLeanest: r.rssGrowthBytes / leanest });
    }
  }
  return rows;
}

const x = (r: number) => `${r.toFixed(2)}×`;

/** The table as text: one line per variant, grouped by network and activation; misses of the target marked. */
export function describeVariants(rows: VariantRow[]): string[] {
  const lines = [`formula variants (fresh process each; time and peak RSS growth next to the fastest and leanest of the group, target ≤ ${VARIANT_TARGET}×):`];
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
