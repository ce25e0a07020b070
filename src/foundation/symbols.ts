// The names a formula may use, as every stage sees them: what each name is and its shape. The
// scenario builds the table, the formula checker reads it, the worlds give each name a value.

export type SymbolKind = 'input' | 'parameter' | 'intermediate' | 'target' | 'loss' | 'count' | 'constant';

export interface SymbolInfo {
  shape: number[];
  kind: SymbolKind;
}

export interface SymbolTable {
  symbols: Map<string, SymbolInfo>;
  hasOptimizer: boolean;
}
