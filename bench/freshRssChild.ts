// One verification in a fresh process, for the peak-RSS figures (bench/freshRss.ts, and the
// formula variants of bench/variantTable.ts):
//   node --expose-gc -r ts-node/register/transpile-only bench/freshRssChild.ts inputs hidden outputs batch [activation [timed [rhs]]]
// prints one JSON line. What any program on this backend pays (node, tfjs and its backend
// started, derivcheck's code loaded, one tiny tfjs forward+backward) comes before the baseline;
// everything the verification does comes after it. In the bench's own process, peak RSS is
// already pushed up by the networks before, so what a network adds there depends on the order.
// With `timed` > 0 the verification runs that many times more after the peak is read, each
// followed by one tfjs forward+backward of the network (after one untimed): verifyMs holds every
// verification's time, fwdBwdMs the median pass. Alternating the two, a slow spell of the machine
// (these machines have them, seconds long) lands on both alike, and their ratio keeps.
import { readFileSync, writeFileSync } from 'node:fs';
import { runScenario } from '../src/claim/runScenario';
import { drawTrial } from '../src/scenario/trialValues';
import { useBackend } from '../src/tfjs/backend';
import { disposeTrialTensors, trialTensors } from '../src/tfjs/trialTensors';
import { firstLayerScenario, forwardBackward, modelBytes, parameterCount, type Activation, type Network } from './firstLayer';
import { gc, wasmHeapBytes } from './gc';
import { median } from './median';

const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;

/**
 * Resets the kernel's peak-RSS mark to the current RSS (Linux: `5` to /proc/self/clear_refs;
 * getrusage's maxRSS follows it). Without it the baseline would be the startup's peak (ts-node
 * transpiling, tfjs loading), above the RSS the verification starts from: growth would read low.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return /VmHWM/.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

/** `timed` more verifications, each followed by one timed tfjs forward+backward of the scenario's network (after one untimed). */
function alternately(scenario: ReturnType<typeof firstLayerScenario>, timed: number, verify: () => number): { verifyMs: number[]; fwdBwdMs: number[] } {
  const inputs = trialTensors(drawTrial(scenario, 0));
  forwardBackward(scenario, inputs);
  const verifyMs: number[] = [];
  const fwdBwdMs: number[] = [];
  for (let run = 0; run < timed; run++) {
    verifyMs.push(verify());
    const t0 = performance.now();
    forwardBackward(scenario, inputs);
    fwdBwdMs.push(performance.now() - t0);
  }
  disposeTrialTensors(inputs);
  return { verifyMs, fwdBwdMs };
}

async function main(): Promise<void> {
  const net = process.argv.slice(2, 6).map(Number) as Network;
  if (net.length !== 4 || net.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('usage: freshRssChild.ts inputs hidden outputs batch [activation [timed [rhs]]]');
  const activation = (process.argv[6] ?? 'linear') as Activation;
  const timed = Number(process.argv[7] ?? 0);
  const rhs = process.argv[8];
  const backend = await useBackend();
  const scenario = firstLayerScenario(net, ['first-layer'], { activation, ...(rhs === undefined ? {} : { rhs }) });
  // a tiny network's forward+backward: the kernels and the wasm heap's first use, as any tfjs program
  const tiny = firstLayerScenario([2, 2, 2, 1]);
  const tinyInputs = trialTensors(drawTrial(tiny, 0));
  forwardBackward(tiny, tinyInputs);
  disposeTrialTensors(tinyInputs);
  gc();
  // back to the event loop for a moment: V8 returns the pages the collection freed on background
  // threads, and without this the baseline RSS varied by ~10 MB from run to run (~2.5× the 4e5 model)
  await new Promise((r) => setTimeout(r, 200));
  const startupPeakRssBytes = maxRssBytes();
  const peakReset = resetPeakRss();
  const baselineRssBytes = maxRssBytes();
  const wasmBefore = wasmHeapBytes();
  const verify = (): number => {
    const t0 = performance.now();
    const verdict = runScenario(scenario, { trials: 1 })[0].verdict;
    if (verdict !== 'holds') throw new Error(`${scenario.title}: ${scenario.claims[0].rhs} came out ${verdict}`);
    return performance.now() - t0;
  };
  const verifyMs = [verify()];
  const peakRssBytes = maxRssBytes();
  const wasmHeapGrowthBytes = wasmHeapBytes() - wasmBefore;
  const after = timed > 0 ? alternately(scenario, timed, verify) : null;
  verifyMs.push(...(after?.verifyMs ?? []));
  const line = {
    backend,
    network: scenario.title,
    params: parameterCount(net),
    modelBytes: modelBytes(net),
    startupPeakRssBytes,
    peakReset,
    baselineRssBytes,
    peakRssBytes,
    wasmHeapGrowthBytes,
    verifyMs,
    ...(after ? { fwdBwdMs: median(after.fwdBwdMs) } : {}),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
