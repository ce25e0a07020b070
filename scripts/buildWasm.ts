// Compiles src/reference/matMul64.wat into src/reference/matMul64Wasm.ts (the module's bytes,
// base64), which is what derivcheck loads: `npm run build:wasm` after editing the .wat.
// spec/reference/matMul64Wasm.spec.ts checks the two are in step.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wasmSource } from './wasmSource';

const root = join(__dirname, '..');
wasmSource(readFileSync(join(root, 'src/reference/matMul64.wat'), 'utf8')).then((source) => {
  writeFileSync(join(root, 'src/reference/matMul64Wasm.ts'), source);
  process.stdout.write('wrote src/reference/matMul64Wasm.ts\n');
});
