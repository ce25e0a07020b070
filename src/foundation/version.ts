import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's version, read from package.json beside src/ (ts-node) or dist/ (built). */
export function packageVersion(): string {
  const file = join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
