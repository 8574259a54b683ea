/**
 * What makes a value usable as an API key, checked before anything is sent.
 * Neither check echoes the key.
 */

/** Shorter values are not masked reliably (masking skips short strings, or they match ordinary words); real keys are 28 characters. */
export const MIN_KEY_LENGTH = 8

/** Why `key` cannot be used, if it cannot: messages that follow the input's name. */
export function keyProblems(key: string): string[] {
  const problems: string[] = []
  if (key.length < MIN_KEY_LENGTH) {
    problems.push(
      `is shorter than ${MIN_KEY_LENGTH} characters, too short to be masked reliably in logs (a server that repeats it would show it): copy the whole key (standard keys are 28 characters)`
    )
  }
  // Keys travel in HTTP headers, which carry Latin-1 only: such a key would fail every API call while git accepted it.
  const outside = [...key].findIndex(character => (character.codePointAt(0) ?? 0) > 0xff)
  if (outside >= 0) {
    problems.push(
      `has a character outside Latin-1 (character ${outside + 1}), which an HTTP header cannot carry: copy the key again from the cluster (keys are plain ASCII)`
    )
  }
  return problems
}
