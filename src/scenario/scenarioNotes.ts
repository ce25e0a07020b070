import { flattenNested, nestedShape, type Nested } from '../foundation/nested';
import { unravel } from '../foundation/indices';
import type { Path } from './blueprint';
import { computationOf } from './computationOf';
import type { Scenario, TensorSpec } from './schema';

// What a valid scenario should know before its verdicts are read: notes, not problems. The run
// goes on; every report shows them with the scenario.
//  - Numbers given exactly (`constants`, `{"constant": c}`, `{"values": …}`) that float32 cannot
//    hold: both worlds start from the same float32 numbers (DESIGN §1), so 0.1 becomes
//    0.100000001490116…. A load error would reject nearly every file a person writes (0.1 is not
//    a float32 number); a note says which number the worlds used, which matters when the
//    derivation is compared with a computation elsewhere in float64.
//  - softmax-cross-entropy targets that are not rows summing to 1: tf.losses.softmaxCrossEntropy
//    differentiates as softmax − targets, which is the gradient only for such rows (in general
//    o·Σy − y), so tfjs's own gradient of the logits, and of all before them, departs from the
//    reference, and the gradient agreement check will say so.

export interface Note {
  path: Path;
  message: string;
}

const isFloat32 = (v: number) => Math.fround(v) === v;

/** The first number of `value` that float32 cannot hold, as a note at its place, with how many more there are. */
function float32Note(value: Nested, path: Path): Note | null {
  const flat = flattenNested(value);
  const first = flat.findIndex((v) => !isFloat32(v));
  if (first < 0) return null;
  const others = flat.filter((v) => !isFloat32(v)).length - 1;
  const at = typeof value === 'number' ? path : [...path, ...unravel(first, nestedShape(value))];
  const v = flat[first];
  const more = others > 0 ? ` (and ${others} more number${others === 1 ? '' : 's'} here)` : '';
  return { path: at, message: `${v} is not a float32 number: both worlds use ${Math.fround(v)}, the nearest one${more}` };
}

function specNotes(spec: TensorSpec, path: Path): Note[] {
  const note = 'constant' in spec ? float32Note(spec.constant, [...path, 'constant']) : 'values' in spec ? float32Note(spec.values, [...path, 'values']) : null;
  return note ? [note] : [];
}

const SOFT_TARGETS =
  "tf.losses.softmaxCrossEntropy differentiates as softmax − targets, the gradient only for rows summing to 1 (in general o·Σy − y), so tfjs's ∂E/∂ of the logits and of everything before them departs from the reference: the gradient agreement check will say so (a scenario that means it sets \"agreement\": \"disputed\")";

/** How far a row's sum may be from 1: float32 rounding of the targets, not a different distribution. */
const ROW_SUM_SLACK = 1e-6;

function softTargetNotes(scenario: Scenario): Note[] {
  const targets = scenario.data?.targets;
  if (scenario.model?.loss.type !== 'softmax-cross-entropy' || targets === undefined) return [];
  const path: Path = ['data', 'targets'];
  if ('values' in targets) {
    for (const [n, row] of targets.values.entries()) {
      const sum = flattenNested(row).reduce((a, v) => a + Math.fround(v), 0);
      if (Math.abs(sum - 1) > ROW_SUM_SLACK) return [{ path: [...path, 'values', n], message: `row ${n} of the targets sums to ${Number(sum.toPrecision(7))}, not 1: ${SOFT_TARGETS}` }];
    }
    return [];
  }
  const classes = scenario.model.layers[scenario.model.layers.length - 1].units;
  if ('constant' in targets) {
    const sum = Math.fround(targets.constant) * classes;
    return Math.abs(sum - 1) > ROW_SUM_SLACK ? [{ path: [...path, 'constant'], message: `each row of the targets sums to ${Number(sum.toPrecision(7))}, not 1: ${SOFT_TARGETS}` }] : [];
  }
  return [{ path: [...path, Object.keys(targets)[0]], message: `drawn targets are not rows summing to 1: ${SOFT_TARGETS}` }];
}

/** The notes of a valid scenario (one that loaded), in the order of the file. */
export function notesOf(scenario: Scenario): Note[] {
  const computation = computationOf(scenario);
  const notes: Note[] = [];
  for (const t of computation.tensors) {
    // a network's tensors point at their spec; a computation's at their declaration
    if (t.draw.kind === 'real') notes.push(...specNotes(t.draw.spec, computation.form === 'computation' ? [...t.path, 'init'] : t.path));
  }
  for (const [name, value] of Object.entries(scenario.constants)) {
    const note = float32Note(value, ['constants', name]);
    if (note) notes.push(note);
  }
  return [...notes, ...softTargetNotes(scenario)];
}
