import { parseTree, type Node } from 'jsonc-parser';

// Where a value sits in JSON text: the offset of the node at a path, from jsonc-parser's syntax
// tree (JSON.parse gives values, not places). A path into something the text does not have (a
// missing field) ends at the deepest node that is there: the object that lacks the field.

type Path = readonly (string | number)[];

function child(node: Node, key: string | number): Node | undefined {
  if (node.type === 'array' && typeof key === 'number') return node.children?.[key];
  if (node.type !== 'object') return undefined;
  // JSON.parse keeps the last of duplicate keys; so does this
  const properties = (node.children ?? []).filter((p) => p.children?.[0]?.value === String(key));
  return properties.at(-1)?.children?.[1];
}

/** Offset of the value at `path` in JSON text, or of the deepest value on the way there. */
export function offsetOf(text: string, path: Path): number {
  let node = parseTree(text);
  if (!node) return 0;
  for (const key of path) {
    const next = child(node, key);
    if (!next) break;
    node = next;
  }
  return node.offset;
}
