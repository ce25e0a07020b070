import type { Nested } from '../foundation/nested';
import type { SymbolKind } from '../foundation/symbols';
import type { TensorSpec } from './schema';

// What a scenario computes, before its formulas are checked: its tensors (how each trial draws
// them), its definitions and its loss, as formula text. A `computation` block is one already
// (DESIGN §6); a network (`model` + `data`, DESIGN §1) expands into one (network.ts). compile.ts
// checks a blueprint into the computation both worlds run.

/** Where something sits in the scenario file, for problems. */
export type Path = (string | number)[];

/** How a trial fills a tensor. */
export type Draw =
  | { kind: 'real'; spec: TensorSpec }
  | { kind: 'integer'; classes: number; values?: Nested[] }
  /** rows one-hot of class labels (a network's y), given or drawn uniformly */
  | { kind: 'labels'; classes: number; labels: number[] | 'random' };

export interface TensorBlueprint {
  name: string;
  shape: number[];
  kind: Extract<SymbolKind, 'input' | 'parameter' | 'target' | 'integer'>;
  draw: Draw;
  /** the place in the file that declares it */
  path: Path;
}

export interface DefinitionBlueprint {
  /** `name[i, j] = formula` */
  text: string;
  kind: Extract<SymbolKind, 'intermediate' | 'target'>;
  /** a helper of the expansion that formulas cannot name */
  hidden?: boolean;
  /** its kinks cancel in what uses it (a softmax's shift by the row's largest logit): not watched for kinks */
  smooth?: boolean;
  path: Path;
}

export interface LossBlueprint {
  text: string;
  path: Path;
  /**
   * The same loss written through other names, used while one of them is the symbol moved: a
   * network's E is computed from the logits (stable), but moving o must change E through o.
   */
  through?: { moved: string[]; text: string };
}

export interface Blueprint {
  form: 'network' | 'computation';
  /** names for whole numbers: sizes of a computation, a network's N */
  counts: Map<string, { value: number; path: Path }>;
  tensors: TensorBlueprint[];
  definitions: DefinitionBlueprint[];
  loss: LossBlueprint;
  /** other names of tensors (a network's a0 is x) */
  aliases: Map<string, string>;
  /** the symbols the built-in gradient check compares (∂E with respect to each) */
  compared?: string[];
}
