// Formula text → tokens. ASCII only: anything else is an error at its position.

import { failAt } from './formulaError';
import { say } from './messages';

export const MAX_FORMULA_LENGTH = 10_000;

export type TokenKind = 'number' | 'name' | 'operator' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  end: number;
  /** for numbers */
  value?: number;
}

/** Longest first, so `<=` wins over `<`. */
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '^'];
const PUNCTUATION = new Set(['(', ')', '[', ']', ',']);
export const KEYWORD_OPERATORS: ReadonlySet<string> = new Set(['and', 'or', 'not']);

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

export function scanFormula(text: string): Token[] {
  if (text.length > MAX_FORMULA_LENGTH) {
    failAt(text, MAX_FORMULA_LENGTH, text.length, say.tooLong(text.length, MAX_FORMULA_LENGTH));
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      const token = scanNumber(text, i);
      tokens.push(token);
      i = token.end;
    } else if (isNameStart(c)) {
      let end = i + 1;
      while (isNameChar(text[end])) end++;
      const name = text.slice(i, end);
      tokens.push({ kind: KEYWORD_OPERATORS.has(name) ? 'operator' : 'name', text: name, pos: i, end });
      i = end;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: 'punct', text: c, pos: i, end: i + 1 });
      i++;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op === undefined) {
        const ch = String.fromCodePoint(text.codePointAt(i)!);
        failAt(text, i, i + ch.length, say.unexpectedCharacter(ch));
      }
      tokens.push({ kind: 'operator', text: op, pos: i, end: i + op.length });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: text.length, end: text.length });
  return tokens;
}

/** 123, 1.5, 1., .5, 1e-3, 2.5E+4 */
function scanNumber(text: string, start: number): Token {
  let i = start;
  while (isDigit(text[i])) i++;
  if (text[i] === '.') {
    i++;
    while (isDigit(text[i])) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (!isDigit(text[j])) {
      let end = j;
      while (isNameChar(text[end])) end++;
      failAt(text, start, end, say.exponentWithoutDigits(text.slice(start, end)));
    }
    while (isDigit(text[j])) j++;
    i = j;
  }
  const numberText = text.slice(start, i);
  const value = Number(numberText);
  if (!Number.isFinite(value)) failAt(text, start, i, say.numberTooLarge(numberText));
  return { kind: 'number', text: numberText, pos: start, end: i, value };
}
