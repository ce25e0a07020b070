import { createColors } from 'picocolors';
import type { Colors } from 'picocolors/types';

// What goes to a terminal only: colour on stdout and the progress line on stderr.

/**
 * Colour when the stream is a terminal (TERM not dumb), never when NO_COLOR is set to anything
 * but the empty string (no-color.org); FORCE_COLOR (not 0) turns it on anywhere.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  return createColors(colourWanted(stream, env));
}

export interface Progress {
  /** file k of n starts */
  file(k: number, n: number, file: string): void;
  /** cell k of n of the current file's sweep starts */
  cell(k: number, n: number): void;
  /** a trial of the current file is done (RunOptions.onTrial) */
  trial(trial: number, trials: number): void;
  /** clears the line */
  done(): void;
}

const silent: Progress = { file() {}, cell() {}, trial() {}, done() {} };

/** One line on stderr, redrawn in place; nothing at all when stderr is not a terminal. */
export function progressOn(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  let head = '';
  let cell = '';
  let shown = false;
  const draw = (text: string) => {
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    shown = true;
  };
  return {
    file(k, n, file) {
      head = `derivcheck [${k}/${n}] ${file}`;
      cell = '';
      draw(head);
    },
    cell(k, n) {
      cell = ` · cell ${k}/${n}`;
      draw(`${head}${cell}`);
    },
    trial(trial, trials) {
      draw(`${head}${cell} · trial ${trial}/${trials}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
