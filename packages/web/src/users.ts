import type { ParleyClient } from '@parley/sdk';

export interface ResolvedUser {
  readonly id: bigint;
  readonly label: string;
}

/** A user id (digits) or an exact username (with or without `@`), found with the user search. */
export async function resolveUser(client: ParleyClient, input: string): Promise<ResolvedUser> {
  const value = input.trim().replace(/^@/, '');
  if (/^\d{1,20}$/.test(value)) return { id: BigInt(value), label: value };
  if (value === '') throw new Error('enter a username or a user id');
  const found = await client.users.search(value, 20);
  const user = found.find((u) => u.username.toLowerCase() === value.toLowerCase());
  if (user === undefined) throw new Error(`no user named ${value}`);
  return { id: user.userId, label: user.username };
}

/** `@name` tokens of a text (for mentions); `all` stands for everybody. */
export function mentionedNames(text: string): string[] {
  return [...text.matchAll(/(?:^|\s)@([A-Za-z0-9_.-]{1,64})/g)].flatMap((m) =>
    m[1] === undefined ? [] : [m[1].toLowerCase()],
  );
}
