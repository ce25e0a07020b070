// The names a formula may use, as every stage sees them: what each name is and its shape. The
// scenario builds the table, the formula checker reads it, the worlds give each name a value.

/**
 * input, parameter, target: real tensors a scenario draws (parameters are what an optimizer steps
 * and what the gradient scale is taken over); integer: data that indexes (never differentiated);
 * intermediate: a definition; loss: E; count: a whole number (N, a size); constant: given numbers.
 */
export type SymbolKind = 'input' | 'parameter' | 'intermediate' | 'target' | 'integer' | 'loss' | 'count' | 'constant';

export interface SymbolInfo {
  shape: number[];
  kind: SymbolKind;
  /** a count's value (it may stand in an index expression) */
  value?: number;
  /** an integer tensor's values run over 0 … classes − 1 */
  classes?: number;
}

export interface SymbolTable {
  symbols: Map<string, SymbolInfo>;
  hasOptimizer: boolean;
}
