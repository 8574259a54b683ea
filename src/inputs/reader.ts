import { defaultOf } from './defaults.js'
import type { InputProblem } from '../core/input-error.js'

/** Returns an input's value, trimmed, or '' when it was not given. */
export type InputReader = (name: string) => string

/** The environment a run sees, handed in by its front end (never read from `process` here). */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * What every input parser works with: the inputs, the environment, and the list
 * of problems found so far (so every problem is reported at once, not the first).
 */
export class InputContext {
  readonly problems: InputProblem[] = []

  constructor(
    private readonly reader: InputReader,
    readonly env: Environment
  ) {}

  /** The value given, else the input's declared default, else ''. */
  read(name: string): string {
    return this.reader(name) || defaultOf(name)
  }

  /** Whether the user gave the input at all (a default does not count). */
  given(name: string): boolean {
    return this.reader(name) !== ''
  }

  problem(input: string, message: string): void {
    this.problems.push({ input, message })
  }

  optional(name: string): string | undefined {
    return this.read(name) || undefined
  }

  required(name: string, hint: string): string {
    const value = this.read(name)
    if (!value) this.problem(name, `is required: ${hint}`)
    return value
  }

  /** Items separated by commas or line breaks, trimmed, empty ones dropped. */
  list(name: string): string[] {
    return splitList(this.read(name))
  }

  boolean(name: string): boolean {
    const value = this.read(name)
    if (/^(true|yes|on)$/i.test(value)) return true
    if (/^(false|no|off)$/i.test(value) || value === '') return false
    this.problem(name, `${quoteUnlessSecretLike(value)} is not a boolean: use 'true' or 'false'`)
    return defaultOf(name) === 'true'
  }

  positiveNumber(name: string): number {
    const value = this.read(name)
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed <= 0) {
      this.problem(name, `${quoteUnlessSecretLike(value)} is not a positive number: use, for example, '${defaultOf(name)}'`)
      return Number(defaultOf(name))
    }
    return parsed
  }

  /** One of a fixed set of words; `explain` says what to use instead. */
  choice<T extends string>(name: string, allowed: readonly T[], explain: string): T {
    const value = this.read(name)
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problem(name, `${quoteUnlessSecretLike(value)} ${explain}`)
    return defaultOf(name) as T
  }
}

export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(Boolean)
}

/**
 * Quotes a bad value so the user sees what was wrong, unless it could be a key
 * pasted into the wrong input (long, or with the characters keys carry).
 */
export function quoteUnlessSecretLike(value: string): string {
  const looksLikeKey = value.length > 24 || /^sim\w{8,}/.test(value) || !/^[\w .:/-]*$/.test(value)
  return looksLikeKey ? 'the value given' : `'${value}'`
}
