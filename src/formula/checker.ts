import type { SymbolInfo, SymbolTable } from '../foundation/symbols';
import { boundIndex, childrenOf, type Expr } from './ast';
import { failAt } from './formulaError';
import { FUNCTIONS } from './functions';
import { addForms, constantForm, describeForm, formBounds, isConstant, plainVariable, scaleForm, validRange, variableForm, type IndexForm } from './indexForms';
import { say, type AxisUse, type Field } from './messages';
import { nearestName, nearestSymbol } from './nearestName';
import { BINARY_OPERATORS } from './operators';

// The semantic check of formulas against a symbol table: names, index variables and their ranges,
// index expressions, function arities, where conditions may stand. One checker sees every formula
// of a claim (lhs, rhs, where share their free indices) or one definition; it knows nothing about
// networks: every name, x included, comes from the table.

type ValueType = 'number' | 'condition';

interface Place {
  field: Field;
  formula: string;
  pos: number;
  end: number;
}

/** One index variable: free in the formulas, or bound by one sum/mean/maxover/minover call. */
interface Binding {
  name: string;
  /** the call that binds it; absent for a free index */
  call?: Expr;
  /** the plain use that set its range */
  range?: AxisUse;
  /** its range when no plain use sets it: the largest that keeps every read inside (DESIGN §6) */
  size?: number;
  first: Place;
}

/** A read of an axis by an index expression other than a plain variable, checked once every range is known. */
interface Access {
  form: IndexForm;
  /** the binding of each variable of the form, as seen where it is read */
  bindings: Map<string, Binding>;
  /** the axis's size (a padded tensor's, padding included) */
  extent: number;
  axis: string;
  place: Place;
}

export interface CheckerOptions {
  /** the free indices, declared up front (a definition's axes): no other free index may appear */
  declaredFree?: readonly string[];
  /** the name a definition defines, for messages */
  defines?: string;
  /** grad and next may appear (claims); a definition and the loss are functions of the tensors */
  derivatives: boolean;
  /** why a name that is not (yet) a symbol cannot be used here (a definition's own name, a later one) */
  notYet?: (name: string) => string | undefined;
}

const sizeOf = (b: Binding): number | undefined => b.range?.size ?? b.size;

export class Checker {
  readonly boundSizes = new Map<Expr, number>();
  readonly freeVars = new Map<Expr, string[]>();
  readonly indexValues = new Set<Expr>();
  readonly indexForms = new Map<Expr, IndexForm[]>();
  readonly pads = new Map<Expr, number[]>();
  readonly free = new Map<string, Binding>();
  private readonly bound: Binding[] = [];
  /** innermost last; each binding call pushes its variable */
  private readonly scopes: Binding[] = [];
  private readonly accesses: Access[] = [];
  /** true while visiting the F of grad(F, Q): derivatives of derivatives are not supported */
  private insideGrad = false;
  /** nesting of ind(...): conditions and index values may stand inside */
  private insideIndicator = 0;
  /** the field being checked, or of the last error */
  field: Field = 'lhs';
  private formula = '';

  constructor(
    private readonly table: SymbolTable,
    private readonly options: CheckerOptions,
  ) {
    for (const name of options.declaredFree ?? []) this.free.set(name, { name, first: { field: 'define', formula: '', pos: 0, end: 0 } });
  }

  /** Checks one formula of the set; `first` places a declared index's first appearance for messages. */
  checkField(field: Field, formula: string, expr: Expr): ValueType {
    this.field = field;
    this.formula = formula;
    const type = this.visit(expr);
    if (field === 'where' && type !== 'condition') this.fail(expr, say.whereNotCondition());
    if (field !== 'where' && type !== 'number') this.fail(expr, say.needsNumbers(field));
    return type;
  }

  /** Places a declared free index (a definition's axis) where it is written, for messages. */
  placeDeclared(name: string, place: Place): void {
    const binding = this.free.get(name);
    if (binding) binding.first = place;
  }

  /**
   * After every formula: ranges of the indices no plain use fixed (the valid rule), then every
   * read of an index expression checked against its axis.
   */
  finish(): void {
    const all = [...this.free.values(), ...this.bound];
    const accessesOf = new Map<Binding, Access[]>(all.map((b) => [b, []]));
    for (const access of this.accesses) for (const t of access.form.terms) accessesOf.get(access.bindings.get(t.name)!)?.push(access);
    let progress = true;
    while (progress) {
      progress = false;
      for (const b of all) {
        if (sizeOf(b) !== undefined) continue;
        const reads = accessesOf.get(b)!;
        const ready = reads.length > 0 && reads.every((a) => a.form.terms.every((t) => t.name === b.name || sizeOf(a.bindings.get(t.name)!) !== undefined));
        if (!ready) continue;
        let size = Infinity;
        for (const a of reads) {
          const range = validRange(a.form, b.name, a.extent, (n) => sizeOf(a.bindings.get(n)!)!);
          if (range <= 0) this.failAtPlace(a.place, say.noValidRange(b.name, this.formText(a), a.axis, a.extent));
          size = Math.min(size, range);
        }
        b.size = size;
        progress = true;
      }
    }
    for (const b of all) {
      if (sizeOf(b) !== undefined) continue;
      if (b.call && accessesOf.get(b)!.length === 0) {
        const call = b.call as Expr & { kind: 'call' };
        this.failAtPlace(b.first, say.unusedBoundIndex(call.name, b.name));
      }
      this.failAtPlace(b.first, this.options.declaredFree?.includes(b.name) ? say.definitionIndexUnused(b.name, this.options.defines ?? 'the definition') : say.unknownRange(b.name));
    }
    for (const a of this.accesses) {
      const { lo, hi } = formBounds(a.form, (n) => sizeOf(a.bindings.get(n)!)!);
      if (lo < 0 || hi > a.extent - 1) this.failAtPlace(a.place, say.readsOutside(this.formText(a), a.axis, a.extent, lo, hi));
    }
    for (const b of this.bound) this.boundSizes.set(b.call!, sizeOf(b)!);
  }

  /** The free indices of some formulas, in order of first appearance, with their sizes. */
  freeIndicesOf(sides: Expr[]): { name: string; size: number }[] {
    const names = union(sides.map((side) => this.freeVars.get(side)!));
    return names.map((name) => ({ name, size: sizeOf(this.free.get(name)!)! }));
  }

  /** The sizes of declared free indices, in their order. */
  declaredSizes(): number[] {
    return (this.options.declaredFree ?? []).map((name) => sizeOf(this.free.get(name)!)!);
  }

  private visit(expr: Expr): ValueType {
    const { type, free } = this.visitNode(expr);
    this.freeVars.set(expr, free);
    return type;
  }

  private conditionsAllowed(): boolean {
    return this.field === 'where' || this.insideIndicator > 0;
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
          if (!this.conditionsAllowed()) this.fail(expr, say.conditionOutsideWhere('not', this.field));
          if (type !== 'condition') this.fail(expr.operand, say.needsConditions('not'));
          return { type: 'condition', free: this.freeOf(expr.operand) };
        }
        if (type !== 'number') this.fail(expr.operand, say.needsNumbers('-'));
        return { type: 'number', free: this.freeOf(expr.operand) };
      }
      case 'binary': {
        const { family } = BINARY_OPERATORS.get(expr.op)!;
        if (family !== 'arithmetic' && !this.conditionsAllowed()) this.fail(expr, say.conditionOutsideWhere(expr.op, this.field));
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

  /** A bare name: a scalar symbol, or (in where and ind) the value of an index variable. */
  private visitSymbol(expr: Expr & { kind: 'symbol' }): { type: ValueType; free: string[] } {
    const info = this.table.symbols.get(expr.name);
    if (info !== undefined) {
      if (info.shape.length > 0) this.fail(expr, say.needsIndices(expr.name, info.shape.length));
      return { type: 'number', free: [] };
    }
    const variable = this.lookupVariable(expr.name);
    if (variable !== undefined && this.conditionsAllowed()) {
      this.indexValues.add(expr);
      return { type: 'number', free: [expr.name] };
    }
    if (FUNCTIONS.has(expr.name)) this.fail(expr, say.functionWithoutCall(expr.name));
    if (variable !== undefined) this.fail(expr, say.indexVariableAsValue(expr.name));
    if (this.insideIndicator > 0 && this.field !== 'where' && this.mayDeclareFree()) {
      // an index value inside ind(...) may be a free index met here first
      this.declareFree(expr.name, expr);
      this.indexValues.add(expr);
      return { type: 'number', free: [expr.name] };
    }
    return this.failUnknownSymbol(expr, this.conditionsAllowed());
  }

  private visitIndex(expr: Expr & { kind: 'index' }): { type: ValueType; free: string[] } {
    const { base } = expr;
    let shape: number[];
    let label: string;
    let baseFree: string[] = [];
    if (base.kind === 'symbol') {
      const info = this.table.symbols.get(base.name) ?? this.failUnknownSymbol(base);
      this.freeVars.set(base, []);
      shape = info.shape;
      label = base.name;
    } else if (base.kind === 'call' && (base.name === 'grad' || base.name === 'next')) {
      const of = this.visitGradOrNext(base);
      shape = of.shape;
      baseFree = of.free;
      label = this.textOf(base);
    } else if (base.kind === 'call' && base.name === 'pad') {
      shape = this.visitPad(base);
      label = this.textOf(base);
    } else if (base.kind === 'call') {
      return this.fail(base, FUNCTIONS.has(base.name) ? say.callNotIndexable(base.name) : say.unknownFunction(base.name, nearestName(base.name, FUNCTIONS.keys())));
    } else {
      return this.fail(base, say.notIndexable(this.textOf(base)));
    }
    const indices = { pos: expr.indices[0].pos, end: expr.indices[expr.indices.length - 1].end };
    if (shape.length === 0) this.fail(indices, say.scalarIndexed(label));
    if (expr.indices.length !== shape.length) this.fail(indices, say.wrongIndexCount(label, shape.length, expr.indices.length));
    const forms: IndexForm[] = [];
    const names: string[] = [];
    expr.indices.forEach((index, axis) => {
      const where = `axis ${axis} of ${label}`;
      const form = this.indexForm(index);
      forms.push(form);
      names.push(...this.freeOf(index));
      const plain = plainVariable(form);
      if (plain !== null) {
        this.useIndex(plain, index, where, shape[axis]);
      } else if (isConstant(form)) {
        if (form.offset < 0 || form.offset >= shape[axis]) this.fail(index, form.offset < 0 ? say.negativeIndex(form.offset, where, shape[axis]) : say.indexOutOfRange(form.offset, where, shape[axis]));
      } else {
        const bindings = new Map(form.terms.map((t) => [t.name, this.lookupVariable(t.name)!]));
        this.accesses.push({ form, bindings, extent: shape[axis], axis: where, place: this.place(index) });
      }
    });
    this.indexForms.set(expr, forms);
    return { type: 'number', free: union([baseFree, names]) };
  }

  /** An index position or a delta argument in normal form; its variables are used (declared if new). */
  private indexForm(expr: Expr): IndexForm {
    const form = this.formOf(expr);
    this.freeVars.set(expr, union([form.terms.map((t) => t.name), ...form.gathers.map((g) => this.freeOf(g.node))]));
    return form;
  }

  private formOf(expr: Expr): IndexForm {
    switch (expr.kind) {
      case 'number':
        if (!Number.isInteger(expr.value)) this.fail(expr, say.notWholeNumber(this.textOf(expr)));
        return constantForm(expr.value);
      case 'symbol': {
        const info = this.table.symbols.get(expr.name);
        if (info !== undefined) {
          if (info.kind === 'count' && info.value !== undefined && info.shape.length === 0) return constantForm(info.value);
          return this.fail(expr, say.tensorAsIndex(expr.name, info.kind));
        }
        if (FUNCTIONS.has(expr.name)) this.fail(expr, say.functionWithoutCall(expr.name));
        const binding = this.lookupVariable(expr.name) ?? this.declareFree(expr.name, expr);
        return variableForm(binding.name);
      }
      case 'index': {
        const info = expr.base.kind === 'symbol' ? this.table.symbols.get(expr.base.name) : undefined;
        if (info?.kind !== 'integer' || info.classes === undefined) {
          const name = expr.base.kind === 'symbol' ? expr.base.name : this.textOf(expr.base);
          return this.fail(expr, say.realTensorInIndex(this.textOf(expr), name));
        }
        this.visit(expr);
        return { terms: [], gathers: [{ node: expr, coef: 1, classes: info.classes }], offset: 0 };
      }
      case 'unary':
        if (expr.op === '-') return scaleForm(this.indexForm(expr.operand), -1);
        break;
      case 'binary':
        if (expr.op === '+' || expr.op === '-') return addForms(this.indexForm(expr.left), this.indexForm(expr.right), expr.op === '+' ? 1 : -1);
        if (expr.op === '*') {
          const left = this.indexForm(expr.left);
          const right = this.indexForm(expr.right);
          if (isConstant(left)) return scaleForm(right, left.offset);
          if (isConstant(right)) return scaleForm(left, right.offset);
          return this.fail(expr, say.nonAffineIndex(this.textOf(expr)));
        }
        break;
      default:
        break;
    }
    return this.fail(expr, say.notIndexExpression(this.textOf(expr)));
  }

  private visitCall(expr: Expr & { kind: 'call' }): { type: ValueType; free: string[] } {
    const fn = FUNCTIONS.get(expr.name);
    if (fn === undefined) {
      const symbol = this.table.symbols.get(expr.name);
      if (symbol !== undefined) this.fail(expr, say.symbolCalled(expr.name, symbol.shape.length));
      return this.fail(expr, say.unknownFunction(expr.name, nearestName(expr.name, FUNCTIONS.keys())));
    }
    if (fn.role !== 'pad' && expr.args.length !== fn.arity) this.fail(expr, say.wrongArity(expr.name, fn.arity, expr.args.length));
    switch (fn.role) {
      case 'elementwise': {
        this.checkNotReduction(expr);
        for (const arg of expr.args) if (this.visit(arg) !== 'number') this.fail(arg, say.needsNumbers(expr.name));
        return { type: 'number', free: union(expr.args.map((a) => this.freeOf(a))) };
      }
      case 'reduce':
        return this.visitReduce(expr);
      case 'delta': {
        this.indexForms.set(expr, expr.args.map((arg) => this.indexForm(arg)));
        return { type: 'number', free: union(expr.args.map((arg) => this.freeOf(arg))) };
      }
      case 'indicator': {
        this.insideIndicator++;
        try {
          if (this.visit(expr.args[0]) !== 'condition') this.fail(expr.args[0], say.needsConditions('ind'));
        } finally {
          this.insideIndicator--;
        }
        return { type: 'number', free: this.freeOf(expr.args[0]) };
      }
      case 'pad':
        return this.fail(expr, say.padNotIndexed());
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

  /**
   * max(k, e) or min(k, e) written as a maximum over an index (the first argument a name that is
   * no symbol and indexes a tensor in e): say it is maxover(k, e).
   */
  private checkNotReduction(expr: Expr & { kind: 'call' }): void {
    // in where and ind an index may be a number, so max(k, …) may mean what it says there
    if ((expr.name !== 'max' && expr.name !== 'min') || expr.args.length !== 2 || this.conditionsAllowed()) return;
    const [k, e] = expr.args;
    if (k.kind !== 'symbol' || this.table.symbols.has(k.name) || !indexesWith(e, k.name)) return;
    this.fail(expr, say.maxAsReduction(expr.name, k.name));
  }

  /** sum/mean/maxover/minover(k, e): k is local to e and takes its range from e. */
  private visitReduce(expr: Expr & { kind: 'call' }): { type: ValueType; free: string[] } {
    const body = expr.args[1];
    const { name, node: variable, limit } = boundIndex(expr);
    this.freeVars.set(variable, [name]);
    this.freeVars.set(expr.args[0], [name]);
    if (this.table.symbols.has(name)) this.fail(variable, say.indexNamesSymbol(name));
    // a bound index named like a free index hides it in its body: almost always a slip (DESIGN §2)
    if (this.free.has(name)) this.fail(variable, say.shadowedIndex(name, this.options.declaredFree ? `an axis of ${this.options.defines}` : 'a free index of the claim'));
    const binding: Binding = { name, call: expr, first: this.place(variable) };
    if (limit !== null) {
      const form = this.formOf(limit);
      this.freeVars.set(limit, []);
      if (!isConstant(form) || form.offset < 1) this.fail(limit, say.boundLimit(this.textOf(limit)));
      binding.range = { field: this.field, pos: expr.args[0].pos, axis: `${this.textOf(expr.args[0])}`, size: form.offset };
    }
    this.bound.push(binding);
    this.scopes.push(binding);
    let type: ValueType;
    try {
      type = this.visit(body);
    } finally {
      this.scopes.pop();
    }
    if (type !== 'number') this.fail(body, say.needsNumbers(expr.name));
    return { type: 'number', free: this.freeOf(body).filter((v) => v !== name) };
  }

  /** pad(T, p0, …, p_{r−1}): T's shape grown by 2·p on each axis. */
  private visitPad(expr: Expr & { kind: 'call' }): number[] {
    const [target, ...amounts] = expr.args;
    if (target === undefined || target.kind !== 'symbol') return this.fail(target ?? expr, say.padTarget());
    const info = this.table.symbols.get(target.name) ?? this.failUnknownSymbol(target);
    this.freeVars.set(target, []);
    if (amounts.length !== info.shape.length) this.fail(expr, say.padArity(target.name, info.shape.length, amounts.length));
    const pads = amounts.map((amount) => {
      const form = this.formOf(amount);
      this.freeVars.set(amount, []);
      if (!isConstant(form) || form.offset < 0) this.fail(amount, say.padAmount(this.textOf(amount)));
      return form.offset;
    });
    this.freeVars.set(expr, []);
    this.pads.set(expr, pads);
    return info.shape.map((s, a) => s + 2 * pads[a]);
  }

  /** grad(F, Q) or next(P) before its indices: the shape of Q or P, and the free indices of F. */
  private visitGradOrNext(expr: Expr & { kind: 'call' }): { shape: number[]; free: string[] } {
    const fn = FUNCTIONS.get(expr.name)!;
    if (!this.options.derivatives) this.fail(expr, say.derivativeInDefinition(expr.name));
    if (expr.args.length !== fn.arity) this.fail(expr, say.wrongArity(expr.name, fn.arity, expr.args.length));
    if (this.insideGrad) this.fail(expr, say.insideGrad(expr.name));
    const target = expr.args[expr.name === 'grad' ? 1 : 0];
    if (target.kind !== 'symbol') this.fail(target, expr.name === 'grad' ? say.gradTarget() : say.nextTarget());
    const info: SymbolInfo = this.table.symbols.get(target.name) ?? this.failUnknownSymbol(target);
    this.freeVars.set(target, []);
    let free: string[] = [];
    if (expr.name === 'grad') {
      if (info.kind === 'count') this.fail(target, say.gradOfCount(target.name));
      if (info.kind === 'constant') this.fail(target, say.gradOfConstant(target.name));
      if (info.kind === 'integer') this.fail(target, say.gradOfInteger(target.name));
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

  /** An index variable used plainly for one axis: it takes that axis's range, or must agree with it. */
  private useIndex(name: string, index: Expr, axis: string, size: number): void {
    const binding = this.lookupVariable(name)!;
    if (binding.range === undefined) {
      binding.range = { field: this.field, pos: index.pos, axis, size };
    } else if (binding.range.size !== size) {
      this.fail(index, say.sizeMismatch(name, axis, size, binding.range));
    }
  }

  private lookupVariable(name: string): Binding | undefined {
    for (let s = this.scopes.length - 1; s >= 0; s--) if (this.scopes[s].name === name) return this.scopes[s];
    return this.free.get(name);
  }

  private mayDeclareFree(): boolean {
    return this.options.declaredFree === undefined && this.field !== 'where';
  }

  /** A new free index; lhs and rhs define them, where may only use them, a definition declares its own. */
  private declareFree(name: string, span: { pos: number; end: number }): Binding {
    if (this.field === 'where') this.fail(span, say.strayWhereIndex(name));
    if (this.options.declaredFree !== undefined) this.fail(span, say.definitionStrayIndex(name, this.options.defines ?? 'the definition'));
    const shadowing = this.bound.find((b) => b.name === name);
    if (shadowing) this.failAtPlace(shadowing.first, say.shadowedIndex(name, 'a free index of the claim'));
    const binding: Binding = { name, first: this.place(span) };
    this.free.set(name, binding);
    return binding;
  }

  /** `mayBeIndex`: a bare name where an index value may stand, which may also have meant an index variable */
  private failUnknownSymbol(expr: Expr & { kind: 'symbol' }, mayBeIndex = false): never {
    const notYet = this.options.notYet?.(expr.name);
    if (notYet !== undefined) this.fail(expr, notYet);
    const symbols = [...this.table.symbols.keys()];
    if (!mayBeIndex) return this.fail(expr, say.unknownSymbol(expr.name, nearestSymbol(expr.name, symbols)));
    // where a number may be an index's value, a short unknown name is most often an index: the
    // index variables come first (a near one alone), then the nearest symbol ('n' is not 'N')
    const variables = [...new Set([...this.scopes.map((b) => b.name), ...this.free.keys()])];
    const nearVariable = nearestName(expr.name, variables);
    const nearSymbol = nearestSymbol(expr.name, symbols);
    if (nearVariable !== undefined) return this.fail(expr, say.unknownNameInWhere(expr.name, [nearVariable], undefined));
    return this.fail(expr, say.unknownNameInWhere(expr.name, INDEX_LIKE.test(expr.name) ? variables : [], nearSymbol));
  }

  private formText(access: Access): string {
    return describeForm(access.form, (node) => access.place.formula.slice(node.pos, node.end));
  }

  private freeOf(expr: Expr): string[] {
    return this.freeVars.get(expr)!;
  }

  private textOf(expr: Expr): string {
    return this.formula.slice(expr.pos, expr.end);
  }

  private place(span: { pos: number; end: number }): Place {
    return { field: this.field, formula: this.formula, pos: span.pos, end: span.end };
  }

  private fail(span: { pos: number; end: number }, reason: string): never {
    return failAt(this.formula, span.pos, span.end, reason);
  }

  private failAtPlace(place: Place, reason: string): never {
    this.field = place.field;
    return failAt(place.formula, place.pos, place.end, reason);
  }
}

/** Names written as index variables are: a lowercase letter, perhaps with a digit or two (n, k2). */
const INDEX_LIKE = /^[a-z][a-z0-9]{0,2}$/;

/** Whether `name` stands in an index of some tensor read in `node` (`o[n,k]` indexes with k). */
function indexesWith(node: Expr, name: string): boolean {
  const mentions = (e: Expr): boolean => (e.kind === 'symbol' && e.name === name) || childrenOf(e).some(mentions);
  if (node.kind === 'index' && node.indices.some(mentions)) return true;
  return childrenOf(node).some((c) => indexesWith(c, name));
}

/** Names of several lists, each once, in order of first appearance. */
export function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
