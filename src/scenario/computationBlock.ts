import { nearestName } from '../formula/nearestName';
import type { Blueprint, Path, TensorBlueprint } from './blueprint';
import type { Computation } from './schema';

// A `computation` block (DESIGN §6) as a blueprint: sizes become counts, each tensor's shape is
// resolved to whole numbers; real tensors are the variables (parameters), integer tensors data.

export interface BlockProblem {
  path: Path;
  message: string;
}

export function computationBlueprint(block: Computation): { blueprint: Blueprint; problems: BlockProblem[] } {
  const problems: BlockProblem[] = [];
  const counts = new Map(Object.entries(block.sizes).map(([name, value]) => [name, { value, path: ['computation', 'sizes', name] as Path }]));
  const tensors: TensorBlueprint[] = [];
  for (const [name, declaration] of Object.entries(block.tensors)) {
    const path: Path = ['computation', 'tensors', name];
    if (counts.has(name)) problems.push({ path, message: `'${name}' is already a size` });
    const shape = declaration.shape.map((dimension, axis) => {
      if (typeof dimension === 'number') return dimension;
      const size = counts.get(dimension);
      if (size !== undefined) return size.value;
      const near = nearestName(dimension, counts.keys());
      problems.push({ path: [...path, 'shape', axis], message: `unknown size '${dimension}'${near ? ` (did you mean '${near}'?)` : ''}; sizes are named in computation.sizes` });
      return 1;
    });
    if ('classes' in declaration) {
      tensors.push({ name, shape, kind: 'integer', draw: { kind: 'integer', classes: declaration.classes, ...(declaration.values ? { values: declaration.values } : {}) }, path });
    } else {
      tensors.push({ name, shape, kind: 'parameter', draw: { kind: 'real', spec: declaration.init }, path });
    }
  }
  const blueprint: Blueprint = {
    form: 'computation',
    counts,
    tensors,
    definitions: block.define.map((text, k) => ({ text, kind: 'intermediate', path: ['computation', 'define', k] })),
    loss: { text: block.loss, path: ['computation', 'loss'] },
    aliases: new Map(),
  };
  return { blueprint, problems };
}
