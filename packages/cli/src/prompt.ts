import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './errors.js';

/**
 * Asks one question on the terminal. With `hidden`, what is typed is not echoed (passwords):
 * readline writes through a sink that drops everything after the question.
 */
export function ask(
  question: string,
  io: { readonly input: NodeJS.ReadableStream; readonly output: NodeJS.WritableStream },
  hidden = false,
): Promise<string> {
  let muted = false;
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) io.output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: io.input, output: sink, terminal: true });
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      if (hidden) io.output.write('\n');
      rl.close();
      resolve(answer);
    });
    muted = hidden;
    // Ctrl+C at a prompt (the terminal is in raw mode, so it is not a signal) cancels.
    rl.on('SIGINT', () => {
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) reject(new CliError('cancelled'));
    });
  });
}

/** The first line of stdin (`--password-stdin`), without its line break. */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input, terminal: false });
  try {
    for await (const line of rl) return line;
  } finally {
    rl.close();
  }
  throw new CliError('nothing on stdin');
}
