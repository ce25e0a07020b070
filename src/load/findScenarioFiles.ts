import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { holdsDerivcheckBlock, isMarkdownFile } from './markdownFiles';

/**
 * Scenario files under the given paths: files as given; folders searched for *.json, and for
 * Markdown files that hold a derivcheck block (a README among the scenarios is not one).
 */
export function findScenarioFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && (entry.name.endsWith('.json') || (isMarkdownFile(entry.name) && holdsDerivcheckBlock(full)))) found.push(full);
    }
  };
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // a missing path is reported by the loader as "cannot read"
    }
    if (isDirectory) walk(path);
    else found.push(path);
  }
  return found;
}
