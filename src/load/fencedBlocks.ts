import MarkdownIt from 'markdown-it';

// The derivcheck blocks of a Markdown file, found by a CommonMark parser (markdown-it), so that
// fences follow the Markdown rules: ``` or ~~~, longer fences around shorter ones, fences inside
// list items and block quotes, and indented code that is no fence.

/** The info strings of DESIGN §7: a scenario, and one claim added to the scenario above it. */
export const BLOCK_KINDS = { derivcheck: 'scenario', 'derivcheck-claim': 'claim' } as const;
export type BlockKind = (typeof BLOCK_KINDS)[keyof typeof BLOCK_KINDS];

export interface FencedBlock {
  kind: BlockKind;
  /** 1-based line of the opening fence */
  line: number;
  /** the block's text, as markdown-it gives it (the list or quote indentation taken off) */
  content: string;
  /** 1-based line in the file of the content's first line */
  contentLine: number;
  /** for each content line, how many characters the file's line has before it (indentation, `> `) */
  indents: number[];
}

const markdown = new MarkdownIt();

const kindOf = (info: string): BlockKind | undefined => {
  const word = info.trim().split(/\s+/)[0];
  return Object.hasOwn(BLOCK_KINDS, word) ? BLOCK_KINDS[word as keyof typeof BLOCK_KINDS] : undefined;
};

/** The derivcheck and derivcheck-claim blocks of a Markdown text, in order. */
export function derivcheckBlocks(text: string): FencedBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (const token of markdown.parse(text, {})) {
    const kind = token.type === 'fence' ? kindOf(token.info) : undefined;
    if (!kind || !token.map) continue;
    const contentLine = token.map[0] + 2;
    const indents = token.content
      .replace(/\n$/, '')
      .split('\n')
      .map((contentText, k) => {
        const source = lines[contentLine - 1 + k] ?? '';
        return source.endsWith(contentText) ? source.length - contentText.length : 0;
      });
    blocks.push({ kind, line: token.map[0] + 1, content: token.content, contentLine, indents });
  }
  return blocks;
}

/** Whether a Markdown text has any derivcheck block (a folder search takes only such files). */
export function hasDerivcheckBlock(text: string): boolean {
  return derivcheckBlocks(text).length > 0;
}
