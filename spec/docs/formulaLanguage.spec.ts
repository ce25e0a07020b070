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

// Every example in docs/formula-language.md runs here: each ```claim block must get its verdict
// on the ```scenario block above it (the page's example network, or one of its computations), and
// every ```error block must be rejected there with exactly the message it shows. A fenced block of
// any other kind fails, so no example escapes the test.

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
  /** the line of the scenario block above it */
  scenario: number;
  claim: Record<string, unknown>;
  verdict: string;
  message?: string;
}

/** The line of the last scenario block before `line`. */
const scenarioAbove = (line: number): number => Math.max(...blocks.filter((b) => b.kind === 'scenario' && b.line < line).map((b) => b.line));

const docClaims: DocClaim[] = blocks
  .filter((b) => b.kind === 'claim')
  .map((b) => {
    const { verdict, message, ...claim } = JSON.parse(b.body) as Record<string, unknown>;
    claim.id ??= `line-${b.line}`;
    claim.says ??= `${claim.lhs} ${claim.rel ?? '=='} ${claim.rhs}`;
    return { line: b.line, scenario: scenarioAbove(b.line), claim, verdict: (verdict ?? claim.expect) as string, ...(typeof message === 'string' ? { message } : {}) };
  });

const errorBlocks = blocks
  .filter((b) => b.kind === 'error')
  .map((b) => {
    const [first, ...rest] = b.body.replace(/\n$/, '').split('\n');
    return { line: b.line, scenario: scenarioAbove(b.line), texts: JSON.parse(first) as { lhs: string; rhs: string; where?: string }, message: rest.join('\n') };
  });

const scenarioBlocks = blocks.filter((b) => b.kind === 'scenario');

useSpecBackend();

describe('docs/formula-language.md', () => {
  it('has only scenario, claim and error blocks, a scenario first', () => {
    expect(blocks.filter((b) => !['scenario', 'claim', 'error'].includes(b.kind)).map((b) => `line ${b.line}: '${b.kind}'`)).toEqual([]);
    expect(blocks[0].kind).toBe('scenario');
    expect(scenarioBlocks.length).toBeGreaterThanOrEqual(4);
    expect(docClaims.length).toBeGreaterThan(60);
    expect(errorBlocks.length).toBeGreaterThan(30);
  });

  describe.each(scenarioBlocks.map((b) => [`the scenario at line ${b.line}`, b] as const))('%s', (_name, block) => {
    const given = JSON.parse(block.body) as Record<string, unknown>;
    const claims = docClaims.filter((c) => c.scenario === block.line);
    const errors = errorBlocks.filter((e) => e.scenario === block.line);
    const scenario = Scenario.parse({ ...given, claims: claims.map((c) => c.claim) });

    it('loads: schema, meaning, definitions and the claims\' formulas', () => {
      expect(checkFormulas(scenario)).toEqual([]);
      expect(claims.length + errors.length).toBeGreaterThan(0);
    });

    describe('claim examples get the verdict the page gives them', () => {
      let results: Map<string, ClaimResult>;
      beforeAll(() => {
        results = new Map(runScenario(scenario).map((r) => [r.id, r]));
      });

      it.each(claims.map((c) => [`line ${c.line}: ${c.claim.lhs} ${c.claim.rel ?? '=='} ${c.claim.rhs}${c.claim.where ? ` where ${c.claim.where}` : ''}`, c] as const))(
        '%s',
        (_name, { claim, verdict, message }) => {
          const result = results.get(claim.id as Claim['id'])!;
          const got = { verdict: result.verdict, message: message === undefined ? undefined : result.message?.slice(-message.length) };
          expect({ ...got, detail: got.verdict === verdict ? '' : describeClaim(result) }).toEqual({ verdict, message, detail: '' });
        },
      );
    });

    if (errors.length > 0) {
      describe('error examples are rejected with exactly the message shown', () => {
        it.each(errors.map((e) => [`line ${e.line}: ${JSON.stringify(e.texts)}`, e] as const))('%s', (_name, { texts, message }) => {
          const result = checkClaim(texts, symbolTableOf(scenario));
          expect(result.ok ? 'accepted' : `${result.field}: ${renderFormulaError(result.error)}`).toBe(message);
        });
      });
    }
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
