/** Polls `check` until it returns a value other than undefined/false, or fails at the deadline. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
  describeLast: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const last = describeLast();
      throw new Error(`timed out waiting for ${what}${last === '' ? '' : `\n--- last seen ---\n${last}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
