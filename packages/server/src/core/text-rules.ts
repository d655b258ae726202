/**
 * Text checks shared by every service that accepts names, urls and free text, so the rules are
 * the same wherever a user can type.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** An absolute http(s) URL or a path on this server (not `//host/...`, which leaves it). */
const URL = /^(https?:\/\/[^\s/]|\/(?!\/))\S{0,2000}$/;

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

/** For search text: control characters (NUL included, which PostgreSQL rejects) become spaces. */
export function blankControlChars(text: string): string {
  return text.replace(CONTROL_EXCEPT_LINE_BREAKS, ' ');
}

export function isMediaUrl(url: string): boolean {
  return URL.test(url);
}

/** A display name, group name and the like: 1..max characters, none of them control characters. */
export function isDisplayText(text: string, max: number): boolean {
  return text.trim() !== '' && text.length <= max && !hasControlChars(text);
}
