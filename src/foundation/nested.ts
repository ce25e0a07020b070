export type Nested = number | Nested[];

/** Shape of a rectangular nested array ([] for a number); throws on a ragged one. */
export function nestedShape(value: Nested): number[] {
  if (typeof value === 'number') return [];
  if (value.length === 0) return [0];
  const inner = nestedShape(value[0]);
  for (let i = 1; i < value.length; i++) {
    const other = nestedShape(value[i]);
    if (other.length !== inner.length || other.some((s, k) => s !== inner[k])) {
      throw new RaggedArrayError(i, inner, other);
    }
  }
  return [value.length, ...inner];
}

export class RaggedArrayError extends Error {
  constructor(
    readonly index: number,
    readonly expected: number[],
    readonly found: number[],
  ) {
    super(`ragged array: element ${index} has shape [${found}], element 0 has [${expected}]`);
  }
}

export function flattenNested(value: Nested): number[] {
  if (typeof value === 'number') return [value];
  const out: number[] = [];
  const walk = (v: Nested): void => {
    if (typeof v === 'number') out.push(v);
    else v.forEach(walk);
  };
  walk(value);
  return out;
}
