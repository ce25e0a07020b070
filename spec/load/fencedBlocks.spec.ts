import { derivcheckBlocks } from '../../src/load/fencedBlocks';

// Which fenced blocks of a Markdown text are derivcheck blocks, by CommonMark's fence rules
// (markdown-it), with the line of each and the indentation the file has before its content.

const blocks = (text: string) => derivcheckBlocks(text).map(({ kind, line, content, contentLine, indents }) => ({ kind, line, content, contentLine, indents }));

describe('derivcheck blocks of a Markdown text', () => {
  it.each([
    ['backticks', '# t\n\n```derivcheck\n{}\n```\n', [{ kind: 'scenario', line: 3, content: '{}\n', contentLine: 4, indents: [0] }]],
    ['tildes, and a claim', '~~~derivcheck\n{}\n~~~\n\n~~~derivcheck-claim\n[]\n~~~\n', [
      { kind: 'scenario', line: 1, content: '{}\n', contentLine: 2, indents: [0] },
      { kind: 'claim', line: 5, content: '[]\n', contentLine: 6, indents: [0] },
    ]],
    ['words after the info string', '```derivcheck the network\n{}\n```\n', [{ kind: 'scenario', line: 1, content: '{}\n', contentLine: 2, indents: [0] }]],
    ['in a list item (indentation taken off)', '- item\n\n  ```derivcheck-claim\n  {\n    "a": 1 }\n  ```\n', [
      { kind: 'claim', line: 3, content: '{\n  "a": 1 }\n', contentLine: 4, indents: [2, 2] },
    ]],
    ['in a block quote', '> ```derivcheck\n> {}\n> ```\n', [{ kind: 'scenario', line: 1, content: '{}\n', contentLine: 2, indents: [2] }]],
    ['unclosed: runs to the end of the text', 'a\n\n```derivcheck\n{}\n', [{ kind: 'scenario', line: 3, content: '{}\n', contentLine: 4, indents: [0] }]],
    ['Windows line ends', '```derivcheck\r\n{}\r\n```\r\n', [{ kind: 'scenario', line: 1, content: '{}\n', contentLine: 2, indents: [0] }]],
  ])('%s', (_name, text, expected) => {
    expect(blocks(text)).toEqual(expected);
  });

  it.each([
    ['another language', '```json\n{}\n```\n'],
    ['a fence inside a longer fence', '````md\n```derivcheck\n{}\n```\n````\n'],
    ['indented code (four spaces)', 'a\n\n    ```derivcheck\n    {}\n    ```\n'],
    ['an info string that only starts with derivcheck', '```derivchecks\n{}\n```\n'],
    ['inline code', 'see `derivcheck` and ```derivcheck {}``` inline\n'],
  ])('none in %s', (_name, text) => {
    expect(blocks(text)).toEqual([]);
  });
});
