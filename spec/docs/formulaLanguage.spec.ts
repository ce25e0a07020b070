import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFormulas } from '../../src/scenario/computationOf';
import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { DEFAULT_TOLERANCE } from '../../src/claim/tolerances';
import { checkClaim } from '../../src/formula/check';
import { renderFormulaError } from '../../src/formula/formulaError';
import { BINARY_OPERATORS, PREFIX_OPERATORS } from '../../src/formula/operators';
import { MAX_NESTING } from '../../src/formula/parser';
import { MAX_FORMULA_LENGTH } from '../../src/formula/scanner';
import { describeClaim } from '../../src/report/describeClaim';
import { Scenario, type Claim } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// Every example in docs/formula-language.md runs here: the one ```scenario block is the network,
// every ```claim block must get its verdict on it, and every ```error block must be rejected
// with exactly the message it shows. A fenced block of any other kind fails, so no example
// escapes the test.

const docFile = join(__dirname, '..', '..', 'docs', 'formula-language.md');
const doc = readFileSync(docFile, 'utf8');

interface Block {
  kind: string;
  body: string;
  /** 1-based line of the opening fence */
  line: number;
}

const blocks: Block[] = [...doc.matchAll(/^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => ({
  kind: m[1].trim(),
  body: m[2],
  line: doc.slice(0, m.index).split('\n').length,
}));

/** A claim block: a scenario claim, with `id`/`says` optional and the page's own `verdict`/`message`. */
interface DocClaim {
  line: number;
  claim: Record<string, unknown>;
  verdict: string;
  message?: string;
}

const docClaims: DocClaim[] = blocks
  .filter((b) => b.kind === 'claim')
  .map((b) => {
    const { verdict, message, ...claim } = JSON.parse(b.body) as Record<string, unknown>;
    claim.id ??= `line-${b.line}`;
    claim.says ??= `${claim.lhs} ${claim.rel ?? '=='} ${claim.rhs}`;
    return { line: b.line, claim, verdict: (verdict ?? claim.expect) as string, ...(typeof message === 'string' ? { message } : {}) };
  });

const errorBlocks = blocks
  .filter((b) => b.kind === 'error')
  .map((b) => {
    const [first, ...rest] = b.body.replace(/\n$/, '').split('\n');
    return { line: b.line, texts: JSON.parse(first) as { lhs: string; rhs: string; where?: string }, message: rest.join('\n') };
  });

const scenarioBlocks = blocks.filter((b) => b.kind === 'scenario');

useSpecBackend();

describe('docs/formula-language.md', () => {
  it('has only scenario, claim and error blocks, and one scenario', () => {
    expect(blocks.filter((b) => !['scenario', 'claim', 'error'].includes(b.kind)).map((b) => `line ${b.line}: '${b.kind}'`)).toEqual([]);
    expect(scenarioBlocks.length).toBe(1);
    expect(docClaims.length).toBeGreaterThan(30);
    expect(errorBlocks.length).toBeGreaterThan(20);
  });

  const network = JSON.parse(scenarioBlocks[0].body) as Record<string, unknown>;
  const scenario = Scenario.parse({ ...network, claims: docClaims.map((c) => c.claim) });

  it('its claims load: schema, meaning and formulas', () => {
    expect(checkFormulas(scenario)).toEqual([]);
  });

  describe('claim examples get the verdict the page gives them', () => {
    let results: Map<string, ClaimResult>;
    beforeAll(() => {
      results = new Map(runScenario(scenario).map((r) => [r.id, r]));
    });

    it.each(docClaims.map((c) => [`line ${c.line}: ${c.claim.lhs} ${c.claim.rel ?? '=='} ${c.claim.rhs}${c.claim.where ? ` where ${c.claim.where}` : ''}`, c] as const))(
      '%s',
      (_name, { claim, verdict, message }) => {
        const result = results.get(claim.id as Claim['id'])!;
        const got = { verdict: result.verdict, message: message === undefined ? undefined : result.message?.slice(-message.length) };
        expect({ ...got, detail: got.verdict === verdict ? '' : describeClaim(result) }).toEqual({ verdict, message, detail: '' });
      },
    );
  });

  describe('error examples are rejected with exactly the message shown', () => {
    const table = symbolTableOf(scenario);
    it.each(errorBlocks.map((e) => [`line ${e.line}: ${JSON.stringify(e.texts)}`, e] as const))('%s', (_name, { texts, message }) => {
      const result = checkClaim(texts, table);
      expect(result.ok ? 'accepted' : `${result.field}: ${renderFormulaError(result.error)}`).toBe(message);
    });
  });

  describe('the numbers it states are the code’s', () => {
    it('limits', () => {
      expect(doc).toContain(`at most ${MAX_FORMULA_LENGTH} characters long, and nests at most ${MAX_NESTING} levels deep`);
    });

    it('default tolerances', () => {
      for (const [world, { rtol, atol }] of Object.entries(DEFAULT_TOLERANCE)) {
        const row = new RegExp(`^\\| ${world} \\([^)]*\\) \\| ([^|]+) \\| ([^|]+) \\|$`, 'm').exec(doc);
        expect({ world, stated: row ? [Number(row[1]), Number(row[2])] : 'no row' }).toEqual({ world, stated: [rtol, atol] });
      }
    });

    it('operator precedence', () => {
      const rows = new Map<string, number>();
      for (const m of doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) {
        for (const op of m[2].matchAll(/`([^`]+)`/g)) rows.set(`${op[1]}${m[2].includes('prefix') ? ' prefix' : ''}`, Number(m[1]));
      }
      for (const [op, { prec }] of BINARY_OPERATORS) expect({ op, prec: rows.get(op) }).toEqual({ op, prec });
      for (const [op, { prec }] of PREFIX_OPERATORS) expect({ op, prec: rows.get(`${op} prefix`) }).toEqual({ op, prec });
    });
  });
});
