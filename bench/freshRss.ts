// Peak-RSS growth of one verification, each network in a fresh process (bench/freshRssChild.ts):
// the process's whole footprint (V8 heap with its young generation and collection lag, ArrayBuffers,
// the tfjs wasm heap, allocator slack), unaffected by what ran before. The marginal ratio between
// the largest and smallest network cancels the costs that do not grow with the network (the young
// generation, compiled code): what each further byte of model costs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Activation, Network } from './firstLayer';

export interface FreshRssPoint {
  params: number;
  network: string;
  modelBytes: number;
  /** RSS when the verification starts (peak mark reset to it, when `peakReset`) */
  baselineRssBytes: number;
  /** the process's peak RSS when it ends */
  peakRssBytes: number;
  /** false: the peak mark could not be reset, so the baseline is the startup's peak (growth reads low) */
  peakReset: boolean;
  /** (peak − baseline) / model */
  rssGrowthRatio: number;
  /** growth of the tfjs wasm heap (in the RSS growth as far as its new pages were touched) / model */
  wasmHeapGrowthRatio: number;
  /** each verification's time (the first one's peak is the one measured); one unless `timed` */
  verifyMs: number[];
  /** with `timed`: the median of `timed` tfjs forward+backward passes in the same process, each after one of the timed verifications */
  fwdBwdMs?: number;
}

/** What the child verifies besides the network: the hidden activation, the claim's rhs, and how many runs more to time. */
export interface ChildClaim {
  activation: Activation;
  rhs: string;
  timed: number;
}

export interface FreshRss {
  /** each network's median run (of FRESH_RUNS), with every run's growth ratio */
  series: (FreshRssPoint & { rssGrowthRatios: number[] })[];
  /** (growth of the largest − growth of the smallest) / (their models' difference) */
  marginalRatio: number;
  /** the two networks (params) the marginal ratio is taken between */
  marginalBetween: [number, number];
}

const root = join(__dirname, '..');

/** One verification of the first-layer claim (linear network unless `claim` says otherwise) in a fresh process. */
export function freshChild(net: Network, backend: string, claim?: ChildClaim): FreshRssPoint {
  const extra = claim ? [claim.activation, String(claim.timed), claim.rhs] : [];
  const run = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', join('bench', 'freshRssChild.ts'), ...net.map(String), ...extra], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DERIVCHECK_BACKEND: backend },
  });
  if (run.status !== 0) throw new Error(`bench/freshRssChild.ts ${[...net, ...extra].join(' ')} exited ${run.status}: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<FreshRssPoint, 'rssGrowthRatio' | 'wasmHeapGrowthRatio'> & { wasmHeapGrowthBytes: number };
  return {
    params: out.params,
    network: out.network,
    modelBytes: out.modelBytes,
    baselineRssBytes: out.baselineRssBytes,
    peakRssBytes: out.peakRssBytes,
    peakReset: out.peakReset,
    rssGrowthRatio: (out.peakRssBytes - out.baselineRssBytes) / out.modelBytes,
    wasmHeapGrowthRatio: out.wasmHeapGrowthBytes / out.modelBytes,
    verifyMs: out.verifyMs,
    ...(out.fwdBwdMs === undefined ? {} : { fwdBwdMs: out.fwdBwdMs }),
  };
}

/**
 * Fresh processes per network of the series: one peak varies from process to process (by up to
 * 0.4× the model at 4e5 in the runs of BENCHMARKS.md), so each point is the median run.
 */
export const FRESH_RUNS = 3;

/** The run of median growth among FRESH_RUNS fresh processes, with every run's growth. */
function medianChild(net: Network, backend: string): FreshRssPoint & { rssGrowthRatios: number[] } {
  const runs = Array.from({ length: FRESH_RUNS }, () => freshChild(net, backend)).sort((a, b) => a.rssGrowthRatio - b.rssGrowthRatio);
  return { ...runs[Math.floor(runs.length / 2)], rssGrowthRatios: runs.map((r) => r.rssGrowthRatio) };
}

/** FRESH_RUNS fresh processes per network, one after another (they would share the 2 cores otherwise). */
export function freshRss(networks: Network[], backend: string): FreshRss {
  const series = networks.map((net) => medianChild(net, backend)).sort((a, b) => a.params - b.params);
  const small = series[0];
  const big = series[series.length - 1];
  const growth = (p: FreshRssPoint) => p.peakRssBytes - p.baselineRssBytes;
  return { series, marginalRatio: (growth(big) - growth(small)) / (big.modelBytes - small.modelBytes), marginalBetween: [small.params, big.params] };
}
