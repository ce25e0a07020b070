import { readFileSync } from 'node:fs';
import { hasDerivcheckBlock } from './fencedBlocks';

/** Files read as Markdown derivations rather than as JSON, by their extension. */
export const isMarkdownFile = (file: string): boolean => /\.(md|markdown)$/i.test(file);

/** Whether a Markdown file found in a folder search holds a derivcheck block (others are prose, not scenarios). */
export function holdsDerivcheckBlock(file: string): boolean {
  try {
    return hasDerivcheckBlock(readFileSync(file, 'utf8'));
  } catch {
    // an unreadable file is not taken in a folder search; named on its own, the loader says why
    return false;
  }
}
