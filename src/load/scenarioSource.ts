import type { LoadResult } from './loadScenario';

/** One scenario as a file holds it: a JSON file holds one, a Markdown file one per derivcheck block. */
export interface ScenarioSource {
  /** the file it is in */
  file: string;
  /** what reports call it (`loaded.file`): the file, or `notes.md:12` for the block at line 12 */
  loaded: LoadResult;
  /** the 1-based line in `file` where each claim of a valid scenario starts */
  claimLines: number[];
}
