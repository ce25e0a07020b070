// npm run bench [-- --quick] [-- --json] [-- --variants-only]: what verification costs next to
// the computation it checks. Every figure is a ratio to one tfjs forward+backward pass of the
// same network on the same backend, measured in the same run (machines and load differ; ratios
// travel better). BENCHMARKS.md explains the figures and records a run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import * as v8 from 'node:v8';
import { Bench } from 'tinybench';
import { runScenario } from '../src/claim/runScenario';
import { symbolTableOf } from '../src/scenario/computationOf';
import { checkClaim } from '../src/formula/check';
import { expandTo, FormulaEvaluator } from '../src/formula/evaluate';
import { matMulPlain } from '../src/reference/matMul64';
import { referenceWorld } from '../src/reference/world64';
import { runScenarioFile } from '../src/run/runFile';
import { findScenarioFiles } from '../src/load/findScenarioFiles';
import { Scenario } from '../src/scenario/schema';
import { drawTrial } from '../src/scenario/trialValues';
import { useBackend } from '../src/tfjs/backend';
import { disposeTrialTensors, trialTensors } from '../src/tfjs/trialTensors';
import { computationRow } from './computationRow';
import { firstLayerScenario, forwardBackward, modelBytes, worldForwardBackward, type Network } from './firstLayer';
import { gc, jsBytes, wasmHeapBytes } from './gc';
import { describeMemory, liveFigure, memoryFigures, type LiveFigure } from './memory';
import { describeFormulaGradient, describeVariants, formulaGradientRows, variantTable } from './variantTable';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const variantsOnly = args.has('--variants-only');
const root = join(__dirname, '..');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

/** [inputs, hidden, outputs, batch]: about 1e3 to 1e6 parameters (784-512-10 at 64 ≈ 4e5). */
const NETWORKS: Network[] = quick
  ? [[32, 32, 10, 16], [100, 100, 10, 32], [256, 256, 10, 64], [784, 512, 10, 64], [1024, 960, 10, 64]]
  : [[32, 32, 10, 16], [64, 64, 10, 32], [100, 100, 10, 32], [256, 256, 10, 64], [512, 384, 10, 64], [784, 512, 10, 64], [1024, 640, 10, 64], [1024, 960, 10, 64]];

/** The formula-variant table's networks (4e5 and 1e6 parameters) and timed runs per process after the measured one. */
const VARIANT_NETWORKS: Network[] = quick ? [[784, 512, 10, 64]] : [[784, 512, 10, 64], [1024, 960, 10, 64]];
const VARIANT_TIMED_RUNS = quick ? 2 : 6;

async function median(name: string, fn: () => void, iterations: number): Promise<number> {
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
  bench.add(name, fn);
  const [task] = await bench.run();
  const result = task.result as unknown as { latency?: { p50: number } };
  if (!result.latency) throw new Error(`bench ${name} failed`);
  return result.latency.p50;
}

/**
 * Peak of the JS side (V8 heap in use + external memory, i.e. ArrayBuffers such as every
 * Float64Array) while `run` runs, above what was live before it: memory only grows between
 * collections, so the peak is the largest value seen just before a collection, or at the end.
 */
function jsPeakGrowth(run: () => void): number {
  gc();
  const now = jsBytes;
  const before = now();
  const profiler = new v8.GCProfiler();
  profiler.start();
  run();
  const end = now();
  const stats = profiler.stop()?.statistics ?? [];
  let peak = end;
  for (const s of stats) peak = Math.max(peak, s.beforeGC.heapStatistics.usedHeapSize + s.beforeGC.heapStatistics.externalMemory);
  return peak - before;
}

function fitExponent(points: { params: number; verifyMs: number }[]): number {
  const xs = points.map((p) => Math.log(p.params));
  const ys = points.map((p) => Math.log(p.verifyMs));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

/**
 * `sum(n, x[n,i] * d[n,j])` in the reference world (x: [N, d0], d: [N, d1], a constant), by the
 * formula evaluator, next to matMulPlain of a [d0, N] by a [N, d1] array (the same product,
 * operands already laid out for it).
 */
async function contraction([inputs, hidden, , batch]: [number, number, number, number]) {
  const scenario = Scenario.parse({
    title: 'contraction',
    seed: 1,
    model: { inputs, layers: [{ units: 2, activation: 'linear', bias: false, init: { normal: [0, 0.05] } }], loss: { type: 'mse', reduction: 'mean' } },
    data: { batch, targets: { normal: [0, 1] } },
    constants: { d: Array.from({ length: batch }, (_, n) => Array.from({ length: hidden }, (_, j) => Math.sin(n * hidden + j))) },
    claims: [{ id: 'c', says: 'c', lhs: 'sum(n, x[n,i] * d[n,j])', rhs: '0', expect: 'holds' }],
  });
  const expression = 'sum(n, x[n,i] * d[n,j])';
  const checked = checkClaim({ lhs: expression, rhs: '0' }, symbolTableOf(scenario));
  if (!checked.ok) throw new Error('contraction: the formula does not check');
  const world = referenceWorld(scenario, drawTrial(scenario, 0));
  const vars = checked.claim.freeIndices.map((f) => f.name);
  const sizes = checked.claim.freeIndices.map((f) => f.size);
  const evaluate = () => expandTo(world.algebra, new FormulaEvaluator(checked.claim, world).evaluate(checked.claim.lhs), vars, sizes);
  const xt = new Float64Array(inputs * batch);
  const x = world.env.get('x')!.data;
  for (let n = 0; n < batch; n++) for (let i = 0; i < inputs; i++) xt[i * batch + n] = x[n * inputs + i];
  const d = world.env.get('d')!.data;
  const iterations = quick ? 10 : 30;
  const matMulMs = await median('matMul', () => matMulPlain(xt, d, inputs, batch, hidden), iterations);
  const evaluateMs = await median('contraction', () => evaluate(), iterations);
  return { expression, shape: `[${batch},${inputs}]·[${batch},${hidden}] over n`, evaluateMs, matMulMs, ratio: evaluateMs / matMulMs };
}

function timedChild(command: string, argv: string[]): number {
  const t0 = performance.now();
  const run = spawnSync(command, argv, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${command} ${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const backend = await useBackend();
  log(`backend ${backend}, node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const variants = () => {
    // the first-layer claim written in each way of bench/formulaVariants.ts, a fresh process each
    log('formula variants, one fresh process each:');
    const rows = variantTable(VARIANT_NETWORKS, backend, VARIANT_TIMED_RUNS, log);
    for (const line of describeVariants(rows)) log(line);
    // and the rhs as grad(F, W1), F a formula other than E
    const formulaGradient = formulaGradientRows(VARIANT_NETWORKS, backend, VARIANT_TIMED_RUNS, log);
    for (const line of describeFormulaGradient(formulaGradient)) log(line);
    return { variants: rows, formulaGradient };
  };
  if (variantsOnly) {
    const rows = variants();
    if (json) process.stdout.write(`${JSON.stringify({ backend, quick, ...rows })}\n`);
    return;
  }

  // scaling: verify the first-layer claim (both worlds, 1 trial) next to one fwd+bwd
  const scaling: { params: number; network: string; fwdBwdMs: number; worldFwdBwdMs: number; verifyMs: number; ratio: number; peakMemoryRatio?: number }[] = [];
  const livePeaks: LiveFigure[] = [];
  for (const net of NETWORKS) {
    const scenario = firstLayerScenario(net);
    const [d0, d1, d2] = net;
    const params = d0 * d1 + d1 * d2;
    const inputs = trialTensors(drawTrial(scenario, 0));
    const big = params > 2e5;
    const fwdBwdMs = await median('fwd+bwd', () => forwardBackward(scenario, inputs), quick ? 5 : 20);
    // the same pass through derivcheck's own tfjs network (on wasm, a product's gradient as plain products)
    const worldFwdBwdMs = await median('world fwd+bwd', () => worldForwardBackward(scenario, inputs), quick ? 5 : 20);
    disposeTrialTensors(inputs);
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    const wasmBefore = wasmHeapBytes();
    let verdict = '';
    const verifyMs = await median('verify', () => {
      verdict = runScenario(scenario)[0].verdict;
    }, quick || big ? 2 : 5);
    const rssGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
    const wasmGrowth = wasmHeapBytes() - wasmBefore;
    // more verifications, watched by the GC profiler: the JS side's own peak, tfjs wasm heap
    // excluded; it depends on when collections happen, so the largest of 3 (varies ~2× run to run)
    const jsGrowth = Math.max(...Array.from({ length: 3 }, () => jsPeakGrowth(() => runScenario(scenario))));
    // live memory only (bench/livePeak.ts): a forced collection after every large allocation and
    // at the phase checkpoints; the checkpoints alone give the older jsLivePeakMemoryRatio
    const live = await liveFigure(net);
    livePeaks.push(live);
    if (verdict !== 'holds') throw new Error(`${scenario.title}: the corrected claim came out ${verdict}`);
    const model = modelBytes(net);
    const point = {
      params,
      network: scenario.title,
      fwdBwdMs,
      worldFwdBwdMs,
      verifyMs,
      ratio: verifyMs / fwdBwdMs,
      ...(rssGrowth > 0 ? { peakMemoryRatio: rssGrowth / model } : {}),
      livePeakMemoryRatio: live.ratio,
      jsLivePeakMemoryRatio: live.checkpointRatio,
      jsPeakMemoryRatio: jsGrowth / model,
      wasmHeapGrowthRatio: wasmGrowth / model,
    };
    scaling.push(point);
    log(`${scenario.title.padEnd(24)} ${String(params).padStart(8)} params  fwd+bwd ${fwdBwdMs.toFixed(1).padStart(7)} ms (derivcheck's tfjs pass ${worldFwdBwdMs.toFixed(1)})  verify ${verifyMs.toFixed(1).padStart(8)} ms  ratio ${point.ratio.toFixed(1).padStart(6)}  JS live peak ${point.livePeakMemoryRatio.toFixed(2)}× model (at checkpoints ${point.jsLivePeakMemoryRatio.toFixed(2)}×, with garbage ${point.jsPeakMemoryRatio.toFixed(2)}×), wasm heap growth ${point.wasmHeapGrowthRatio.toFixed(2)}×${point.peakMemoryRatio !== undefined ? `, peak RSS growth ${point.peakMemoryRatio.toFixed(2)}×` : ''}`);
  }
  const fitted = scaling.filter((p) => p.params >= 1e4 && p.params <= 1.1e6);
  const exponent = fitExponent(fitted);
  log(`growth exponent of verifyMs with params (1e4–1e6): ${exponent.toFixed(2)}`);

  // memory: 3 trials and 3 claims (live), and peak RSS in fresh processes (bench/memory.ts)
  const memory = await memoryFigures(livePeaks, backend);
  for (const line of describeMemory(memory)) log(line);

  // formula evaluation: a contraction next to a plain float64 matrix product of the same shape
  const formula = await contraction([784, 512, 10, 64]);
  log(`formula: ${formula.expression} over ${formula.shape}: ${formula.evaluateMs.toFixed(1)} ms, plain float64 matMul ${formula.matMulMs.toFixed(1)} ms, ratio ${formula.ratio.toFixed(2)}`);

  // a computation that is not a network: batch normalisation's input gradient at 5e5 numbers
  const computation = computationRow(quick ? 2 : 3);
  log(`computation: ${computation.computation} (${computation.numbers} numbers), ${computation.claim}: verify ${computation.verifyMs.toFixed(0)} ms, fwd+bwd ${computation.fwdBwdMs.toFixed(1)} ms, ratio ${computation.ratio.toFixed(1)}`);

  const { variants: variantRows, formulaGradient } = variants();

  // the suite: every shipped scenario, and the time per claim, next to the article network's fwd+bwd
  const files = findScenarioFiles([join(root, 'scenarios')]);
  const demo = firstLayerScenario([10, 20, 2, 1]);
  const demoInputs = trialTensors(drawTrial(demo, 0));
  const demoFwdBwdMs = await median('fwd+bwd demo', () => forwardBackward(demo, demoInputs), 20);
  disposeTrialTensors(demoInputs);
  const t0 = performance.now();
  let claims = 0;
  for (const file of files) claims += runScenarioFile(file).claims.length;
  const suiteMs = performance.now() - t0;
  const suite = { files: files.length, claims, ms: suiteMs, msPerClaim: suiteMs / Math.max(1, claims), demoFwdBwdMs, perClaimRatio: suiteMs / Math.max(1, claims) / demoFwdBwdMs };
  log(`suite: ${files.length} files, ${claims} claims in ${suiteMs.toFixed(0)} ms (${suite.msPerClaim.toFixed(1)} ms per claim, ${suite.perClaimRatio.toFixed(0)}× a 10-20-2 fwd+bwd of ${demoFwdBwdMs.toFixed(2)} ms)`);

  // cold start: the CLI on the article demo, next to loading tfjs and starting the same backend
  const demoFile = join('scenarios', 'article', 'demo-label0.json');
  const compiled = existsSync(join(root, 'dist', 'cli', 'main.js'));
  const cli = compiled ? ['bin/derivcheck.js', demoFile] : ['-r', 'ts-node/register/transpile-only', '-e', `require('./src/cli/main').run()`, demoFile];
  const runs = quick ? 1 : 3;
  const best = (f: () => number) => Math.min(...Array.from({ length: runs }, f));
  const derivcheckMs = best(() => timedChild(process.execPath, cli));
  const loadTfjsMs = best(() => timedChild(process.execPath, ['-e', "require('@tensorflow/tfjs')"]));
  const loadBackendMs = best(() => timedChild(process.execPath, ['-e', `require('@tensorflow/tfjs'); ${backend === 'wasm' ? "require('@tensorflow/tfjs-backend-wasm');" : ''} require('@tensorflow/tfjs').setBackend('${backend}').then(() => process.exit(0))`]));
  const coldStart = { derivcheckMs, loadTfjsMs, loadTfjsWithBackendMs: loadBackendMs, cli: compiled ? 'dist (compiled)' : 'ts-node (transpiles at start)' };
  log(`cold start: derivcheck on ${demoFile} ${derivcheckMs.toFixed(0)} ms (${coldStart.cli}); bare require of tfjs ${loadTfjsMs.toFixed(0)} ms; tfjs + ${backend} backend ${loadBackendMs.toFixed(0)} ms`);

  if (json) {
    process.stdout.write(`${JSON.stringify({ backend, quick, scaling, exponent, memory, formula, computation, variants: variantRows, formulaGradient, suite, coldStart })}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
