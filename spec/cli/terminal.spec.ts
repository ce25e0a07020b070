import { colourWanted, progressOn } from '../../src/cli/terminal';

// Colour only on a terminal (NO_COLOR wins, FORCE_COLOR forces); progress only on a terminal.

describe('colourWanted', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    [false, { CI: 'true' }, false],
  ])('terminal %s, environment %j: %s', (isTTY, env, expected) => {
    expect(colourWanted({ isTTY }, env)).toBe(expected);
  });
});

describe('progressOn', () => {
  const fake = (isTTY: boolean) => {
    const written: string[] = [];
    const stream = { isTTY, columns: 40, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    return { stream, written };
  };

  it('writes nothing when the stream is not a terminal', () => {
    const { stream, written } = fake(false);
    const progress = progressOn(stream);
    progress.file(1, 2, 'a.json');
    progress.trial(1, 3);
    progress.done();
    expect(written).toEqual([]);
  });

  it('redraws one line in place, cut to the terminal width, and clears it at the end', () => {
    const { stream, written } = fake(true);
    const progress = progressOn(stream);
    progress.file(1, 2, 'a.json');
    progress.trial(2, 3);
    progress.file(2, 2, 'scenarios/a-rather-long-folder-name/b.json');
    progress.done();
    expect(written).toEqual([
      '\r\x1b[Kderivcheck [1/2] a.json',
      '\r\x1b[Kderivcheck [1/2] a.json · trial 2/3',
      '\r\x1b[Kderivcheck [2/2] scenarios/a-rather-lo…',
      '\r\x1b[K',
    ]);
  });
});
