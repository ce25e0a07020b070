import type { Scenario } from '../scenario/schema';
import { cellLabel, type SweepGrid } from './grid';

export interface LabelledCell {
  /** ` [activation=linear, classes=2]`, with a leading space; empty for a file without a sweep */
  label: string;
  values: unknown[];
  scenario: Scenario;
}

/** The scenarios a loaded file runs: each cell of its sweep, or the file's one scenario. */
export function cellsOf(loaded: { scenario: Scenario; sweep?: SweepGrid<Scenario> }): LabelledCell[] {
  if (!loaded.sweep) return [{ label: '', values: [], scenario: loaded.scenario }];
  const { axes, cells } = loaded.sweep;
  return cells.map((c) => ({ label: ` ${cellLabel(axes, c.values)}`, values: c.values, scenario: c.scenario }));
}
