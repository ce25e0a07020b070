import type { SymbolInfo } from '../foundation/symbols';
import type { Model } from '../scenario/schema';

// The names a formula can use for one network (DESIGN §2) and their shapes.

export type NetworkSymbol = SymbolInfo;

/** Layer widths d0..dL. */
export function layerWidths(model: Model): number[] {
  return [model.inputs, ...model.layers.map((l) => l.units)];
}

/**
 * Every symbol of the network in dependency order: each symbol depends only on symbols
 * before it, which is what "recompute downstream of an override" relies on.
 */
export function networkSymbols(model: Model, batch: number): Map<string, NetworkSymbol> {
  const d = layerWidths(model);
  const L = model.layers.length;
  const symbols = new Map<string, NetworkSymbol>();
  symbols.set('x', { shape: [batch, d[0]], kind: 'input' });
  symbols.set('a0', { shape: [batch, d[0]], kind: 'input' });
  for (let l = 1; l <= L; l++) {
    symbols.set(`W${l}`, { shape: [d[l - 1], d[l]], kind: 'parameter' });
    if (model.layers[l - 1].bias) symbols.set(`b${l}`, { shape: [d[l]], kind: 'parameter' });
  }
  for (let l = 1; l <= L; l++) {
    symbols.set(`net${l}`, { shape: [batch, d[l]], kind: 'intermediate' });
    symbols.set(`a${l}`, { shape: [batch, d[l]], kind: 'intermediate' });
  }
  symbols.set('o', { shape: [batch, d[L]], kind: 'intermediate' });
  symbols.set('y', { shape: [batch, d[L]], kind: 'target' });
  symbols.set('E', { shape: [], kind: 'loss' });
  symbols.set('N', { shape: [], kind: 'count' });
  return symbols;
}

/** Parameter names in order: W1, b1, W2, … (biases only where the layer has one). */
export function parameterNames(model: Model): string[] {
  const names: string[] = [];
  model.layers.forEach((layer, i) => {
    names.push(`W${i + 1}`);
    if (layer.bias) names.push(`b${i + 1}`);
  });
  return names;
}

/** A parameter's kind and layer from its name (W2 → { kind: 'W', layer: 2 }), or null for any other symbol. */
export function parameterOf(symbol: string): { kind: 'W' | 'b'; layer: number } | null {
  const m = /^([Wb])(\d+)$/.exec(symbol);
  return m ? { kind: m[1] as 'W' | 'b', layer: Number(m[2]) } : null;
}

/**
 * The symbols whose gradient the built-in check compares: every parameter, the input and every
 * intermediate (o for the losses where it differs from aL).
 */
export function differentiableSymbols(model: Model): string[] {
  const L = model.layers.length;
  const names = ['x', ...parameterNames(model)];
  for (let l = 1; l <= L; l++) names.push(`net${l}`, `a${l}`);
  names.push('o');
  return names;
}
