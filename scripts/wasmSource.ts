import wabt from 'wabt';

/** The TypeScript source of matMul64Wasm.ts for the module text `wat` (compiled with SIMD). */
export async function wasmSource(wat: string): Promise<string> {
  const compiler = await wabt();
  const parsed = compiler.parseWat('matMul64.wat', wat, { simd: true });
  parsed.validate();
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  const base64 = Buffer.from(buffer).toString('base64');
  return [
    '// Generated from matMul64.wat by `npm run build:wasm` (scripts/buildWasm.ts): do not edit.',
    '',
    '/** The WebAssembly module of matMul64.wat, base64. */',
    `export const MATMUL64_WASM = '${base64}';`,
    '',
  ].join('\n');
}
