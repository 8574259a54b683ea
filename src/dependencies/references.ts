/**
 * Algorithm references in a promoted tree: calls through the official
 * clients' `algo(...)` with one string literal, and string literals that are
 * wholly an `algo://owner/name[/version]` address. A call whose argument is
 * built at run time is listed as dynamic: it cannot be resolved, only shown.
 *
 * Only code counts: comments are skipped, and a string literal counts only
 * when it is a call's argument or the whole address. Prose that mentions an
 * address (a docstring, a log message: "calls algo://a/b") is not a call, so
 * it is not a reference either.
 */
import { ALGORITHM_PATTERN, FULL_COMMIT_PATTERN, OWNER_PATTERN, SEMVER_PATTERN } from '../core/rules.js'
import { type Token, tokenize } from './lexer.js'
import { type Language, languageOf } from './syntax.js'

export type VersionForm =
  | { readonly kind: 'semver'; readonly version: string }
  | { readonly kind: 'minor'; readonly major: number; readonly minor: number }
  | { readonly kind: 'major'; readonly major: number }
  | { readonly kind: 'hash'; readonly hash: string }
  | { readonly kind: 'latestPrivate' }
  | { readonly kind: 'latest' }

export interface AlgorithmReference {
  readonly file: string
  readonly line: number
  readonly owner: string
  readonly name: string
  readonly version: VersionForm
  /** The string literal as written, without its quotes. */
  readonly text: string
}

export interface DynamicReference {
  readonly file: string
  readonly line: number
  readonly kind: 'dynamic'
  /** Why it cannot be resolved: a value built at run time, or a literal that is no `owner/name[/version]`. */
  readonly reason: 'built at run time' | 'not an algorithm address'
  /** The call as written (whitespace collapsed, at most 160 characters). */
  readonly text: string
}

export type FoundReference = AlgorithmReference | DynamicReference

/** Larger files are data or generated code, not an algorithm's source. */
export const MAX_SCANNED_BYTES = 1024 * 1024

/**
 * What a file must contain to hold a call or an address, as an extended regular expression for
 * `git grep -E`: `.algo` or `$algo` as a whole word, or `algo://`. Files without it are neither
 * read nor parsed (a word like "algorithm" alone does not count).
 */
export const CALL_PATTERN = '[.$][[:space:]]*algo([^A-Za-z0-9_]|$)|algo://'

export function isDynamic(reference: FoundReference): reference is DynamicReference {
  return 'kind' in reference && reference.kind === 'dynamic'
}

/** Every reference in the files of a tree (path → text), sorted by file and line, identical ones once per file. */
export function findAlgorithmReferences(files: ReadonlyMap<string, string> | Iterable<readonly [string, string]>): FoundReference[] {
  const found: FoundReference[] = []
  for (const [path, text] of files) {
    const language = languageOf(path)
    if (language === undefined || !scannable(text)) continue
    found.push(...dedupe(referencesInSource(path, text, language)))
  }
  return found.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
}

function scannable(text: string): boolean {
  return !text.includes('\0') && Buffer.byteLength(text, 'utf8') <= MAX_SCANNED_BYTES
}

/** The references of one source file, in the order they appear. */
export function referencesInSource(file: string, source: string, language: Language): FoundReference[] {
  const tokens = tokenize(source, language)
  const found: FoundReference[] = []
  const consumed = new Set<Token>()
  for (let i = 0; i < tokens.length; i++) {
    if (!isAlgoCall(tokens, i)) continue
    const call = readCall(tokens, i, language)
    if (call === undefined) continue
    call.argument.forEach(token => consumed.add(token))
    found.push(referenceOfCall(file, source, call))
  }
  for (const token of tokens) {
    if (token.kind !== 'string' || consumed.has(token)) continue
    const reference = addressLiteral(file, token)
    if (reference) found.push(reference)
  }
  return found.sort((a, b) => a.line - b.line)
}

/** `.algo` (or R's `$algo`) as a method of some client. */
function isAlgoCall(tokens: readonly Token[], i: number): boolean {
  const token = tokens[i]
  const receiver = tokens[i - 1]
  return token.kind === 'word' && token.value === 'algo' && receiver?.kind === 'punct' && (receiver.value === '.' || receiver.value === '$')
}

interface Call {
  readonly start: Token
  readonly end: Token
  readonly argument: readonly Token[]
}

/** The tokens between `algo(` and its `)`; Ruby may leave the parentheses out (`client.algo 'a/b'`). */
function readCall(tokens: readonly Token[], i: number, language: Language): Call | undefined {
  const open = tokens[i + 1]
  if (open?.kind === 'string' && language === 'ruby') return rubyCallWithoutParentheses(tokens, i)
  if (open?.kind !== 'punct' || open.value !== '(') return undefined
  let depth = 0
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j]
    if (token.kind !== 'punct') continue
    if (token.value === '(' || token.value === '[' || token.value === '{') depth++
    else if ((token.value === ')' || token.value === ']' || token.value === '}') && --depth === 0) {
      return { start: tokens[i], end: token, argument: tokens.slice(i + 2, j) }
    }
  }
  return undefined
}

function rubyCallWithoutParentheses(tokens: readonly Token[], i: number): Call {
  const literal = tokens[i + 1]
  const next = tokens[i + 2]
  const continues = next !== undefined && next.line === literal.line && next.kind === 'punct' && /[+%*]/.test(next.value)
  return { start: tokens[i], end: continues ? next : literal, argument: continues ? [literal, next] : [literal] }
}

function referenceOfCall(file: string, source: string, call: Call): FoundReference {
  const [only, ...rest] = call.argument
  const literal = only?.kind === 'string' && !only.interpolated && rest.length === 0 ? only : undefined
  const address = literal && parseAddress(literal.value.replace(/^algo:\/\//, ''))
  if (literal && address) return { file, line: literal.line, ...address, text: literal.value }
  const text = source.slice(call.start.start, call.end.end).replace(/\s+/g, ' ').slice(0, 160)
  const reason = literal ? 'not an algorithm address' : 'built at run time'
  return { file, line: call.start.line, kind: 'dynamic', reason, text }
}

/** A string literal that is wholly an `algo://` address; one that builds it at run time is dynamic. */
function addressLiteral(file: string, token: Token): FoundReference | undefined {
  const value = token.value.trim()
  if (!value.startsWith('algo://')) return undefined
  if (token.interpolated) return { file, line: token.line, kind: 'dynamic', reason: 'built at run time', text: token.value }
  const address = parseAddress(value.slice('algo://'.length))
  return address && { file, line: token.line, ...address, text: token.value }
}

/** `owner/name[/version]`, or undefined when it is not one. */
export function parseAddress(text: string): { owner: string; name: string; version: VersionForm } | undefined {
  const [owner, name, version, ...rest] = text.split('/')
  if (rest.length > 0 || !OWNER_PATTERN.test(owner) || name === undefined || !ALGORITHM_PATTERN.test(name)) return undefined
  const form = parseVersion(version)
  return form && { owner, name, version: form }
}

export function parseVersion(text: string | undefined): VersionForm | undefined {
  if (text === undefined || text === '') return { kind: 'latest' }
  if (text === 'latestPrivate') return { kind: 'latestPrivate' }
  if (SEMVER_PATTERN.test(text)) return { kind: 'semver', version: text }
  if (FULL_COMMIT_PATTERN.test(text)) return { kind: 'hash', hash: text }
  const pin = /^(\d+)\.(?:(\d+)\.)?\*$/.exec(text)
  if (!pin) return undefined
  const major = Number(pin[1])
  return pin[2] === undefined ? { kind: 'major', major } : { kind: 'minor', major, minor: Number(pin[2]) }
}

/** The version form as a reference writes it: `1.2.3`, `1.2.*`, `1.*`, a hash, `latestPrivate`, or `latest` for none. */
export function describeVersion(version: VersionForm): string {
  switch (version.kind) {
    case 'semver':
      return version.version
    case 'minor':
      return `${version.major}.${version.minor}.*`
    case 'major':
      return `${version.major}.*`
    case 'hash':
      return version.hash
    default:
      return version.kind
  }
}

/** `owner/name/1.2.*`, or `owner/name` for the latest version: the address as a report names it. */
export function addressOf(reference: Pick<AlgorithmReference, 'owner' | 'name' | 'version'>): string {
  const base = `${reference.owner}/${reference.name}`
  return reference.version.kind === 'latest' ? base : `${base}/${describeVersion(reference.version)}`
}

function dedupe(found: readonly FoundReference[]): FoundReference[] {
  const seen = new Set<string>()
  return found.filter(reference => {
    const key = isDynamic(reference)
      ? `dynamic ${reference.line} ${reference.text}`
      : `${reference.owner}/${reference.name}/${describeVersion(reference.version)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
