// One verification in a fresh process, for the peak-RSS figures (bench/freshRss.ts):
//   node --expose-gc -r ts-node/register/transpile-only bench/freshRssChild.ts inputs hidden outputs batch
// prints one JSON line. What any program on this backend pays (node, tfjs and its backend
// started, derivcheck's code loaded, one tiny tfjs forward+backward) comes before the baseline;
// everything the verification does comes after it. In the bench's own process, peak RSS is
// already pushed up by the networks before, so what a network adds there depends on the order.
import { readFileSync, writeFileSync } from 'node:fs';
import { runScenario } from '../src/claim/runScenario';
import { drawTrial } from '../src/scenario/trialValues';
import { useBackend } from '../src/tfjs/backend';
import { disposeTrialTensors, trialTensors } from '../src/tfjs/trialTensors';
import { firstLayerScenario, forwardBackward, modelBytes, parameterCount, type Network } from './firstLayer';
import { gc, wasmHeapBytes } from './gc';

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

async function main(): Promise<void> {
  const net = process.argv.slice(2, 6).map(Number) as Network;
  if (net.length !== 4 || net.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('usage: freshRssChild.ts inputs hidden outputs batch');
  const backend = await useBackend();
  const scenario = firstLayerScenario(net);
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
  const verdict = runScenario(scenario, { trials: 1 })[0].verdict;
  const peakRssBytes = maxRssBytes();
  if (verdict !== 'holds') throw new Error(`${scenario.title}: the corrected claim came out ${verdict}`);
  const line = {
    backend,
    network: scenario.title,
    params: parameterCount(net),
    modelBytes: modelBytes(net),
    startupPeakRssBytes,
    peakReset,
    baselineRssBytes,
    peakRssBytes,
    wasmHeapGrowthBytes: wasmHeapBytes() - wasmBefore,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
