import type { Expr } from './ast';

// An index expression in normal form: Σ coef·variable + Σ coef·(integer tensor's element) +
// offset. The checker builds one for every index position and every argument of delta; ranges
// and reads are computed from it (check.ts, evaluate.ts), never from the text again.

export interface IndexForm {
  /** index variables and their whole-number coefficients (no zero coefficient, each name once) */
  terms: { name: string; coef: number }[];
  /** integer tensors' elements (`index` nodes on integer tensors), each with its coefficient */
  gathers: { node: Expr & { kind: 'index' }; coef: number; classes: number }[];
  offset: number;
}

export const constantForm = (value: number): IndexForm => ({ terms: [], gathers: [], offset: value });
export const variableForm = (name: string): IndexForm => ({ terms: [{ name, coef: 1 }], gathers: [], offset: 0 });

/** The plain variable a form is (`i`), or null (`2*i`, `i + 1`, `t[n]`, `0`). */
export function plainVariable(form: IndexForm): string | null {
  return form.gathers.length === 0 && form.offset === 0 && form.terms.length === 1 && form.terms[0].coef === 1 ? form.terms[0].name : null;
}

/** Whether the form is a whole number alone. */
export const isConstant = (form: IndexForm): boolean => form.terms.length === 0 && form.gathers.length === 0;

export function addForms(a: IndexForm, b: IndexForm, sign: 1 | -1 = 1): IndexForm {
  const terms = a.terms.map((t) => ({ ...t }));
  for (const t of b.terms) {
    const same = terms.find((u) => u.name === t.name);
    if (same) same.coef += sign * t.coef;
    else terms.push({ name: t.name, coef: sign * t.coef });
  }
  return {
    terms: terms.filter((t) => t.coef !== 0),
    gathers: [...a.gathers, ...b.gathers.map((g) => ({ ...g, coef: sign * g.coef }))],
    offset: a.offset + sign * b.offset,
  };
}

export function scaleForm(form: IndexForm, by: number): IndexForm {
  if (by === 0) return constantForm(0);
  return { terms: form.terms.map((t) => ({ ...t, coef: t.coef * by })), gathers: form.gathers.map((g) => ({ ...g, coef: g.coef * by })), offset: form.offset * by };
}

/**
 * The smallest and largest value of the form when every variable v runs over 0 … size(v) − 1 and
 * every integer tensor over 0 … classes − 1, leaving out the variable `except` (it counts as 0).
 */
export function formBounds(form: IndexForm, size: (name: string) => number, except?: string): { lo: number; hi: number } {
  let lo = form.offset;
  let hi = form.offset;
  const add = (coef: number, top: number) => {
    lo += Math.min(0, coef * top);
    hi += Math.max(0, coef * top);
  };
  for (const t of form.terms) if (t.name !== except) add(t.coef, size(t.name) - 1);
  for (const g of form.gathers) add(g.coef, g.classes - 1);
  return { lo, hi };
}

/**
 * The largest range 0 … R − 1 of `name` that keeps the form inside 0 … extent − 1 for every value
 * of the other variables (the "valid" rule of DESIGN §6), or 0 when no value does.
 */
export function validRange(form: IndexForm, name: string, extent: number, size: (name: string) => number): number {
  const coef = form.terms.find((t) => t.name === name)?.coef ?? 0;
  const { lo, hi } = formBounds(form, size, name);
  if (lo < 0 || hi > extent - 1 || coef === 0) return coef === 0 ? Infinity : 0;
  // c > 0: c·(R − 1) + hi ≤ extent − 1;  c < 0: c·(R − 1) + lo ≥ 0
  const room = coef > 0 ? extent - 1 - hi : lo;
  return Math.floor(room / Math.abs(coef)) + 1;
}

/** `2*i + p - 1`, `t[n]` for messages: the variables and gathers as written, in a canonical order. */
export function describeForm(form: IndexForm, text: (node: Expr) => string): string {
  const parts: string[] = [];
  const push = (coef: number, what: string) => {
    const size = Math.abs(coef);
    const term = size === 1 ? what : `${size}*${what}`;
    parts.push(parts.length === 0 ? (coef < 0 ? `-${term}` : term) : `${coef < 0 ? '-' : '+'} ${term}`);
  };
  for (const t of form.terms) push(t.coef, t.name);
  for (const g of form.gathers) push(g.coef, text(g.node));
  if (form.offset !== 0 || parts.length === 0) parts.push(parts.length === 0 ? String(form.offset) : `${form.offset < 0 ? '-' : '+'} ${Math.abs(form.offset)}`);
  return parts.join(' ');
}
