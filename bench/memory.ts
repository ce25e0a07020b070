// The memory figures of `npm run bench` besides the per-network ones (BENCHMARKS.md: the target
// peak memory ≤ 4× the float64 model): each as a ratio to the model (float64 parameters plus
// activations, bench/firstLayer.ts `modelBytes`).
import { runScenario } from '../src/claim/runScenario';
import { firstLayerScenario, modelBytes, parameterCount, type Network } from './firstLayer';
import { freshRss, type FreshRss } from './freshRss';
import { settledGc } from './gc';
import { livePeak } from './livePeak';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export interface LiveFigure {
  params: number;
  network: string;
  trials: number;
  claims: number;
  /** exact live peak of the JS side / model (`livePeakMemoryRatio`) */
  ratio: number;
  /** the same at the phase checkpoints only (`jsLivePeakMemoryRatio`, the older figure) */
  checkpointRatio: number;
  site: string;
  /** large allocations seen, and how many of them needed a collection */
  allocations: number;
  collections: number;
  /** live / model at each checkpoint */
  checkpoints: [string, number][];
  /** live peak / model of each claim in each trial (then of what follows the last), in order */
  perClaimTrial: number[];
}

/** The exact live peak of one verification (`trials` trials, the first-layer claim `claims` times). */
export async function liveFigure(net: Network, trials = 1, claims = 1): Promise<LiveFigure> {
  const scenario = firstLayerScenario(net, Array.from({ length: claims }, (_, i) => (claims === 1 ? 'first-layer' : `first-layer-${'abcdefgh'[i]}`)));
  const model = modelBytes(net);
  let verdicts: string[] = [];
  // what the runs before left dead is freed before the baseline is read (bench/gc.ts)
  await settledGc();
  const peak = livePeak(
    () => {
      verdicts = runScenario(scenario, { trials }).map((r) => r.verdict);
    },
    { segmentAfter: 'reference sides' },
  );
  // the hook must not change what is computed
  if (verdicts.some((v) => v !== 'holds')) throw new Error(`${scenario.title}: under the allocation hook the corrected claim came out ${verdicts}`);
  return {
    params: parameterCount(net),
    network: scenario.title,
    trials,
    claims,
    ratio: peak.bytes / model,
    checkpointRatio: Math.max(0, ...peak.checkpoints.map(([, b]) => b)) / model,
    site: peak.site,
    allocations: Object.values(peak.allocations).reduce((a, b) => a + b, 0),
    collections: peak.collections,
    checkpoints: peak.checkpoints.map(([name, b]) => [name, round3(b / model)]),
    perClaimTrial: peak.segments.map((b) => round3(b / model)),
  };
}

export interface MemoryFigures {
  /** exact live peak per network of the scaling series (1 trial, 1 claim) */
  livePeak: LiveFigure[];
  /** peak-RSS growth of one verification in a fresh process (the median of FRESH_RUNS), and the marginal ratio */
  freshProcess: FreshRss;
  /** the 784-512-10 network with 3 trials, and with the claim 3 times (1 trial) */
  trials3: LiveFigure;
  claims3: LiveFigure;
}

/**
 * [784, 512, 10, 64] and up: where memory is the model's, not the fixed costs'. Up to 4.2e6
 * parameters: the tfjs wasm heap starts at 16 MiB, which the smaller networks fit in, so what it
 * costs per byte of model shows only further up (~5 s a process).
 */
export const FRESH_NETWORKS: Network[] = [[784, 512, 10, 64], [1024, 960, 10, 64], [1024, 1536, 10, 64], [2048, 2048, 10, 64]];
export const REPEATED_NETWORK: Network = [784, 512, 10, 64];

export async function memoryFigures(livePeakSeries: LiveFigure[], backend: string): Promise<MemoryFigures> {
  return {
    livePeak: livePeakSeries,
    trials3: await liveFigure(REPEATED_NETWORK, 3, 1),
    claims3: await liveFigure(REPEATED_NETWORK, 1, 3),
    freshProcess: freshRss(FRESH_NETWORKS, backend),
  };
}

const x = (r: number) => `${r.toFixed(2)}×`;

/** The human-readable lines (without --json). */
export function describeMemory(m: MemoryFigures): string[] {
  const lines = ['memory, each over the float64 model (parameters + activations):'];
  for (const p of m.livePeak) lines.push(`  live peak ${p.network.padEnd(22)} ${x(p.ratio).padStart(8)} (checkpoints only ${x(p.checkpointRatio)}; ${p.collections}/${p.allocations} large allocations collected) ${p.site}`);
  for (const p of [m.trials3, m.claims3]) {
    lines.push(`  live peak ${p.network}, ${p.trials} trial(s) × ${p.claims} claim(s): ${x(p.ratio)}; per claim and trial ${p.perClaimTrial.map(x).join(', ')}; ${p.site}`);
  }
  for (const p of m.freshProcess.series) {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    lines.push(`  fresh process ${p.network.padEnd(22)} peak RSS ${mb(p.baselineRssBytes)} → ${mb(p.peakRssBytes)}: growth ${x(p.rssGrowthRatio)}, median of ${p.rssGrowthRatios.map(x).join(' / ')} (wasm heap growth ${x(p.wasmHeapGrowthRatio)})${p.peakReset ? '' : ' [peak mark not reset: reads low]'}`);
  }
  const [a, b] = m.freshProcess.marginalBetween;
  lines.push(`  marginal RSS growth ${a} → ${b} params: ${x(m.freshProcess.marginalRatio)} per byte of model`);
  return lines;
}
