import { nearestName } from '../formula/nearestName';
import { runLoaded, scenarioSourcesOf, type FileRunOptions, type ScenarioReport } from './runFile';

// One run over many files, as the command, the API and nothing else do it: every scenario of
// every file in order (a Markdown file may hold several), and ids asked for that none has.

export interface RunFilesOptions extends Pick<FileRunOptions, 'trials' | 'seed' | 'claimIds' | 'onTrial' | 'onCell'> {
  /** called before each file (progress) */
  onFile?: (k: number, files: number, file: string) => void;
}

/** Every scenario of the files, run; with `claimIds`, a valid scenario without any of them is left out. */
export function runFiles(files: readonly string[], options: RunFilesOptions = {}): ScenarioReport[] {
  const { onFile, ...run } = options;
  const scenarios: ScenarioReport[] = [];
  files.forEach((file, k) => {
    onFile?.(k + 1, files.length, file);
    for (const source of scenarioSourcesOf(file)) {
      const scenario = runLoaded(source.loaded, run);
      if (!options.claimIds || scenario.problems || scenario.claims.length > 0) scenarios.push(scenario);
    }
  });
  return scenarios;
}

/** Ids asked for that no scenario of the files has, each in words with a "did you mean". */
export function missingClaims(asked: readonly string[], files: readonly string[], found: readonly ScenarioReport[]): string[] {
  const known = () => files.flatMap((file) => scenarioSourcesOf(file).flatMap(({ loaded }) => (loaded.ok ? loaded.scenario.claims.map((c) => c.id) : [])));
  return claimsNotFound(asked, idsOf(found), known, `the ${files.length} file${files.length === 1 ? '' : 's'} checked`);
}

export const idsOf = (found: readonly ScenarioReport[]): Set<string> => new Set(found.flatMap((s) => s.claims.map((c) => c.id)));

/** Ids asked for that were not `seen`, in words; `known` gives every id there is (looked up only when one is missing). */
export function claimsNotFound(asked: readonly string[], seen: ReadonlySet<string>, known: () => readonly string[], where: string): string[] {
  const missing = asked.filter((id) => !seen.has(id));
  if (missing.length === 0) return [];
  const ids = new Set(known());
  return missing.map((id) => {
    const near = nearestName(id, ids);
    return `no claim has the id '${id}' in ${where}${near ? ` (did you mean '${near}'?)` : ''}`;
  });
}
