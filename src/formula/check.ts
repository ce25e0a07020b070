// Semantic check of one claim (lhs, rhs, optional where) against a symbol table: names, index
// variables and their ranges, function arities, where conditions may appear. The checker knows
// nothing about networks: every symbol, x and a0 included, comes from the table.

import type { Expr, IndexArg } from './ast';
import { failAt, FormulaError } from './formulaError';
import { FUNCTIONS } from './functions';
import { AxisUse, Field, say } from './messages';
import { nearestName, nearestSymbol } from './nearestName';
import { BINARY_OPERATORS } from './operators';
import { parseFormula } from './parser';
import type { SymbolTable } from '../foundation/symbols';


export interface CheckedClaim {
  lhs: Expr;
  rhs: Expr;
  where?: Expr;
  /** free index variables of the claim (lhs ∪ rhs), in order of first appearance, with their sizes */
  freeIndices: { name: string; size: number }[];
  /** size of the bound variable of every sum/mean call node */
  boundSizes: Map<Expr, number>;
  /** sizes of the two index variables of every delta call node */
  deltaSizes: Map<Expr, [number, number]>;
  /**
   * Free index variables of every node of lhs, rhs and where, in order of first appearance.
   * A `sum`/`mean` node leaves out its bound variable; the index-variable arguments of
   * sum/mean/delta (symbol nodes) map to their own name.
   */
  freeVars: Map<Expr, string[]>;
  /**
   * Symbol nodes (in `where` only) that stand for the value of an index variable rather than a
   * tensor, e.g. `k` in `k == 0`. Every other symbol node names an entry of the table.
   */
  indexValues: Set<Expr>;
}

export type CheckResult =
  | { ok: true; claim: CheckedClaim }
  | { ok: false; field: Field; error: FormulaError };

export function checkClaim(
  texts: { lhs: string; rhs: string; where?: string },
  table: SymbolTable,
): CheckResult {
  const fields: Field[] = texts.where === undefined ? ['lhs', 'rhs'] : ['lhs', 'rhs', 'where'];
  const trees = new Map<Field, Expr>();
  const checker = new ClaimChecker(table);
  for (const field of fields) {
    try {
      trees.set(field, parseFormula(texts[field]!));
    } catch (error) {
      if (error instanceof FormulaError) return { ok: false, field, error };
      throw error;
    }
  }
  try {
    for (const field of fields) checker.checkField(field, texts[field]!, trees.get(field)!);
    checker.finishClaim();
  } catch (error) {
    if (error instanceof FormulaError) return { ok: false, field: checker.field, error };
    throw error;
  }
  const lhs = trees.get('lhs')!;
  const rhs = trees.get('rhs')!;
  return {
    ok: true,
    claim: {
      lhs,
      rhs,
      ...(trees.has('where') ? { where: trees.get('where')! } : {}),
      freeIndices: checker.freeIndicesOf([lhs, rhs]),
      boundSizes: checker.boundSizes,
      deltaSizes: checker.deltaSizes,
      freeVars: checker.freeVars,
      indexValues: checker.indexValues,
    },
  };
}

type ValueType = 'number' | 'condition';

/** One index variable: free in the claim, or bound by one sum/mean. */
interface Binding {
  name: string;
  /** the use that set the range */
  range?: AxisUse;
  /** first appearance, for "range unknown" errors */
  first: { field: Field; formula: string; pos: number; end: number };
}

interface PendingDelta {
  node: Expr;
  args: [Binding, Binding];
}

class ClaimChecker {
  readonly boundSizes = new Map<Expr, number>();
  readonly deltaSizes = new Map<Expr, [number, number]>();
  readonly freeVars = new Map<Expr, string[]>();
  readonly indexValues = new Set<Expr>();
  private readonly free = new Map<string, Binding>();
  /** innermost last; each sum/mean pushes its bound variable */
  private readonly scopes: Binding[] = [];
  private readonly deltas: PendingDelta[] = [];
  /** true while visiting the F of grad(F, Q): derivatives of derivatives are not supported */
  private insideGrad = false;
  /** the field being checked, or of the last error */
  field: Field = 'lhs';
  private formula = '';

  constructor(private readonly table: SymbolTable) {}

  checkField(field: Field, formula: string, expr: Expr): void {
    this.field = field;
    this.formula = formula;
    const type = this.visit(expr);
    if (field === 'where' && type !== 'condition') this.fail(expr, say.whereNotCondition());
  }

  /** Every free index needs a range (one used only in delta has none). */
  finishClaim(): void {
    for (const binding of this.free.values()) {
      if (binding.range === undefined) {
        const { field, formula, pos, end } = binding.first;
        this.field = field;
        failAt(formula, pos, end, say.unknownRange(binding.name));
      }
    }
    for (const { node, args } of this.deltas) this.deltaSizes.set(node, [args[0].range!.size, args[1].range!.size]);
  }

  freeIndicesOf(sides: Expr[]): { name: string; size: number }[] {
    const names = union(sides.map((side) => this.freeVars.get(side)!));
    return names.map((name) => ({ name, size: this.free.get(name)!.range!.size }));
  }

  private visit(expr: Expr): ValueType {
    const { type, free } = this.visitNode(expr);
    this.freeVars.set(expr, free);
    return type;
  }

  private visitNode(expr: Expr): { type: ValueType; free: string[] } {
    switch (expr.kind) {
      case 'number':
        return { type: 'number', free: [] };
      case 'symbol':
        return this.visitSymbol(expr);
      case 'index':
        return this.visitIndex(expr);
      case 'call':
        return this.visitCall(expr);
      case 'unary': {
        const type = this.visit(expr.operand);
        if (expr.op === 'not') {
          if (this.field !== 'where') this.fail(expr, say.conditionOutsideWhere('not', this.field));
          if (type !== 'condition') this.fail(expr.operand, say.needsConditions('not'));
          return { type: 'condition', free: this.freeOf(expr.operand) };
        }
        if (type !== 'number') this.fail(expr.operand, say.needsNumbers('-'));
        return { type: 'number', free: this.freeOf(expr.operand) };
      }
      case 'binary': {
        const { family } = BINARY_OPERATORS.get(expr.op)!;
        if (family !== 'arithmetic' && this.field !== 'where') this.fail(expr, say.conditionOutsideWhere(expr.op, this.field));
        const operandType: ValueType = family === 'logical' ? 'condition' : 'number';
        for (const operand of [expr.left, expr.right]) {
          if (this.visit(operand) !== operandType) {
            this.fail(operand, operandType === 'number' ? say.needsNumbers(expr.op) : say.needsConditions(expr.op));
          }
        }
        return { type: family === 'arithmetic' ? 'number' : 'condition', free: union([this.freeOf(expr.left), this.freeOf(expr.right)]) };
      }
    }
  }

  /** A bare name: a scalar symbol, or (in where) the value of an index variable. */
  private visitSymbol(expr: Expr & { kind: 'symbol' }): { type: ValueType; free: string[] } {
    const info = this.table.symbols.get(expr.name);
    if (info !== undefined) {
      if (info.shape.length > 0) this.fail(expr, say.needsIndices(expr.name, info.shape.length));
      return { type: 'number', free: [] };
    }
    const variable = this.lookupVariable(expr.name);
    if (variable !== undefined && this.field === 'where') {
      this.indexValues.add(expr);
      return { type: 'number', free: [expr.name] };
    }
    if (FUNCTIONS.has(expr.name)) this.fail(expr, say.functionWithoutCall(expr.name));
    if (variable !== undefined) this.fail(expr, say.indexVariableAsValue(expr.name));
    return this.failUnknownSymbol(expr, this.field === 'where');
  }

  private visitIndex(expr: Expr & { kind: 'index' }): { type: ValueType; free: string[] } {
    const { base } = expr;
    let shape: number[];
    let label: string;
    if (base.kind === 'symbol') {
      const info = this.table.symbols.get(base.name) ?? this.failUnknownSymbol(base);
      this.freeVars.set(base, []);
      shape = info.shape;
      label = base.name;
    } else if (base.kind === 'call' && (base.name === 'grad' || base.name === 'next')) {
      shape = this.visitGradOrNext(base).shape;
      label = this.textOf(base);
    } else if (base.kind === 'call') {
      return this.fail(base, FUNCTIONS.has(base.name) ? say.callNotIndexable(base.name) : say.unknownFunction(base.name, nearestName(base.name, FUNCTIONS.keys())));
    } else {
      return this.fail(base, say.notIndexable(this.textOf(base)));
    }
    const indices = { pos: expr.indices[0].pos, end: expr.indices[expr.indices.length - 1].end };
    if (shape.length === 0) this.fail(indices, say.scalarIndexed(label));
    if (expr.indices.length !== shape.length) this.fail(indices, say.wrongIndexCount(label, shape.length, expr.indices.length));
    const names: string[] = [];
    expr.indices.forEach((index, axis) => {
      const where = `axis ${axis} of ${label}`;
      if (index.kind === 'int') {
        if (index.value >= shape[axis]) this.fail(index, say.indexOutOfRange(index.value, where, shape[axis]));
      } else {
        this.useIndex(index, where, shape[axis]);
        names.push(index.name);
      }
    });
    return { type: 'number', free: union([this.freeVars.get(base)!, names]) };
  }

  private visitCall(expr: Expr & { kind: 'call' }): { type: ValueType; free: string[] } {
    const fn = FUNCTIONS.get(expr.name);
    if (fn === undefined) {
      const symbol = this.table.symbols.get(expr.name);
      if (symbol !== undefined) this.fail(expr, say.symbolCalled(expr.name, symbol.shape.length));
      return this.fail(expr, say.unknownFunction(expr.name, nearestName(expr.name, FUNCTIONS.keys())));
    }
    if (expr.args.length !== fn.arity) this.fail(expr, say.wrongArity(expr.name, fn.arity, expr.args.length));
    switch (fn.role) {
      case 'elementwise': {
        if (this.visit(expr.args[0]) !== 'number') this.fail(expr.args[0], say.needsNumbers(expr.name));
        return { type: 'number', free: this.freeOf(expr.args[0]) };
      }
      case 'reduce':
        return this.visitReduce(expr);
      case 'delta': {
        const [i, j] = expr.args.map((arg) => {
          const name = this.indexArgument(expr, arg);
          this.freeVars.set(arg, [name]);
          return this.lookupVariable(name) ?? this.declareFree(name, arg);
        });
        this.deltas.push({ node: expr, args: [i, j] });
        return { type: 'number', free: union([[i.name], [j.name]]) };
      }
      case 'grad':
      case 'next': {
        const { shape, free } = this.visitGradOrNext(expr);
        if (shape.length > 0) {
          const of = expr.args[expr.name === 'grad' ? 1 : 0];
          this.fail(expr, say.needsIndices(this.textOf(expr), shape.length, this.textOf(of)));
        }
        return { type: 'number', free };
      }
    }
  }

  /** sum(k, e) / mean(k, e): k is local to e and takes its range from e. */
  private visitReduce(expr: Expr & { kind: 'call' }): { type: ValueType; free: string[] } {
    const [variable, body] = expr.args;
    const name = this.indexArgument(expr, variable);
    this.freeVars.set(variable, [name]);
    const binding: Binding = { name, first: { field: this.field, formula: this.formula, pos: variable.pos, end: variable.end } };
    this.scopes.push(binding);
    const type = this.visit(body);
    this.scopes.pop();
    if (type !== 'number') this.fail(body, say.needsNumbers(expr.name));
    if (binding.range === undefined) this.fail(variable, say.unusedBoundIndex(expr.name, name));
    this.boundSizes.set(expr, binding.range.size);
    return { type: 'number', free: this.freeOf(body).filter((v) => v !== name) };
  }

  /** grad(F, Q) or next(P) before its indices: the shape of Q or P, and the free indices of F. */
  private visitGradOrNext(expr: Expr & { kind: 'call' }): { shape: number[]; free: string[] } {
    const fn = FUNCTIONS.get(expr.name)!;
    if (expr.args.length !== fn.arity) this.fail(expr, say.wrongArity(expr.name, fn.arity, expr.args.length));
    if (this.insideGrad) this.fail(expr, say.insideGrad(expr.name));
    const target = expr.args[expr.name === 'grad' ? 1 : 0];
    if (target.kind !== 'symbol') this.fail(target, expr.name === 'grad' ? say.gradTarget() : say.nextTarget());
    const info = this.table.symbols.get(target.name) ?? this.failUnknownSymbol(target);
    this.freeVars.set(target, []);
    let free: string[] = [];
    if (expr.name === 'grad') {
      if (info.kind === 'count') this.fail(target, say.gradOfCount(target.name));
      if (info.kind === 'constant') this.fail(target, say.gradOfConstant(target.name));
      const of = expr.args[0];
      this.insideGrad = true;
      try {
        if (this.visit(of) !== 'number') this.fail(of, say.needsNumbers('grad'));
      } finally {
        this.insideGrad = false;
      }
      free = this.freeOf(of);
    } else {
      if (info.kind !== 'parameter') this.fail(target, say.nextOfNonParameter(target.name, info.kind));
      if (!this.table.hasOptimizer) this.fail(expr, say.nextWithoutOptimizer(target.name));
    }
    this.freeVars.set(expr, free);
    return { shape: info.shape, free };
  }

  /** An index variable used for one axis: it takes that axis's range, or must agree with it. */
  private useIndex(index: IndexArg & { kind: 'var' }, axis: string, size: number): void {
    const binding = this.lookupVariable(index.name) ?? this.declareFree(index.name, index);
    if (binding.range === undefined) {
      binding.range = { field: this.field, pos: index.pos, axis, size };
    } else if (binding.range.size !== size) {
      this.fail(index, say.sizeMismatch(index.name, axis, size, binding.range));
    }
  }

  private lookupVariable(name: string): Binding | undefined {
    for (let s = this.scopes.length - 1; s >= 0; s--) if (this.scopes[s].name === name) return this.scopes[s];
    return this.free.get(name);
  }

  /** A new free index; lhs and rhs define them, where may only use them. */
  private declareFree(name: string, span: { pos: number; end: number }): Binding {
    if (this.field === 'where') this.fail(span, say.strayWhereIndex(name));
    const binding: Binding = { name, first: { field: this.field, formula: this.formula, pos: span.pos, end: span.end } };
    this.free.set(name, binding);
    return binding;
  }

  private indexArgument(call: Expr & { kind: 'call' }, arg: Expr): string {
    if (arg.kind !== 'symbol') this.fail(arg, say.indexArgument(call.name));
    return arg.name;
  }

  /** `mayBeIndex`: a bare name in where, which may also have meant an index variable */
  private failUnknownSymbol(expr: Expr & { kind: 'symbol' }, mayBeIndex = false): never {
    const variables = mayBeIndex ? [...this.scopes.map((b) => b.name), ...this.free.keys()] : [];
    const candidates = [...this.table.symbols.keys(), ...variables];
    const near = nearestSymbol(expr.name, candidates);
    return this.fail(expr, mayBeIndex ? say.unknownNameInWhere(expr.name, near) : say.unknownSymbol(expr.name, near));
  }

  private freeOf(expr: Expr): string[] {
    return this.freeVars.get(expr)!;
  }

  private textOf(expr: Expr): string {
    return this.formula.slice(expr.pos, expr.end);
  }

  private fail(span: { pos: number; end: number }, reason: string): never {
    return failAt(this.formula, span.pos, span.end, reason);
  }
}

/** Names of several lists, each once, in order of first appearance. */
function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
