/**
 * A light tokenizer for the languages Algorithmia runs: enough to tell code
 * from comments and string literals, so a call named in a comment or a string
 * that merely looks like a call is never taken for one. It yields words,
 * punctuation and string literals (with whether they interpolate values);
 * numbers and operators come out as punctuation one character at a time.
 */
import { type Language, SYNTAX, type Syntax } from './syntax.js'

export interface Token {
  readonly kind: 'word' | 'punct' | 'string'
  /** A word or punctuation as written; a string literal's body without its quotes and prefix. */
  readonly value: string
  /** A string literal whose value is built at run time (`f"{x}"`, `` `${x}` ``, `s"$x"`, `"#{x}"`). */
  readonly interpolated: boolean
  readonly line: number
  readonly start: number
  readonly end: number
}

export function tokenize(source: string, language: Language): Token[] {
  return new Lexer(source, SYNTAX[language]).run()
}

const CHAR_LITERAL = /'(?:\\(?:u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'/y
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y
/** After these, a `/` in JavaScript starts a regular expression rather than dividing. */
const REGEX_AFTER_PUNCT = new Set('(,=:[!&|?{};+-*%<>~^'.split(''))
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await'])

class Lexer {
  private pos = 0
  private line = 1
  private readonly tokens: Token[] = []

  constructor(
    private readonly src: string,
    private readonly syntax: Syntax
  ) {}

  run(): Token[] {
    while (this.pos < this.src.length) this.step()
    return this.tokens
  }

  private step(): void {
    const c = this.src[this.pos]
    if (/\s/.test(c)) return this.advanceTo(this.pos + 1)
    if (this.comment() || this.quoted('')) return
    if (/[A-Za-z_]/.test(c)) return this.word()
    if (c === '/' && this.syntax.regexLiterals && this.regexAllowed() && this.regex()) return
    this.push('punct', c, this.pos, this.pos + 1)
  }

  private comment(): boolean {
    const rest = (text: string) => this.src.startsWith(text, this.pos)
    if (this.syntax.hashComments && rest('#')) return this.skipTo(this.lineEnd())
    if (!this.syntax.slashComments) return this.rubyBlockComment()
    if (rest('//')) return this.skipTo(this.lineEnd())
    if (rest('/*')) return this.skipTo(this.blockCommentEnd())
    return false
  }

  /** Ruby's `=begin` … `=end`, each at the start of a line. */
  private rubyBlockComment(): boolean {
    const atLineStart = this.pos === 0 || this.src[this.pos - 1] === '\n'
    if (!this.syntax.rubyBlockComments || !atLineStart || !/^=begin\b/.test(this.src.slice(this.pos, this.pos + 7))) return false
    const end = /^=end\b.*$/m.exec(this.src.slice(this.pos + 6))
    return this.skipTo(end ? this.pos + 6 + end.index + end[0].length : this.src.length)
  }

  /** Where a `/*` comment ends; Rust and Scala nest them. */
  private blockCommentEnd(): number {
    let depth = 0
    let i = this.pos
    while (i < this.src.length - 1) {
      const pair = this.src.slice(i, i + 2)
      const opens = pair === '/*' && (depth === 0 || this.syntax.nestedBlockComments)
      if (opens) depth++
      else if (pair === '*/') depth--
      if (depth === 0) return i + 2
      i += opens || pair === '*/' ? 2 : 1
    }
    return this.src.length
  }

  private word(): void {
    WORD.lastIndex = this.pos
    const word = (WORD.exec(this.src) as RegExpExecArray)[0]
    if (this.syntax.stringPrefix(word) && this.quoted(word)) return
    this.push('word', word, this.pos, this.pos + word.length)
  }

  /** A string literal at the current position (after `prefix`, already read), if one starts there. */
  private quoted(prefix: string): boolean {
    const at = this.pos + prefix.length
    const raw = this.syntax.rawString(prefix, this.src, at)
    if (raw) return this.pushString(prefix, raw.body, raw.end, false)
    const quote = this.openingQuote(at)
    if (quote === undefined) return this.charOrLifetime(prefix, at)
    const end = this.closingQuote(at + quote.length, quote)
    const body = this.src.slice(at + quote.length, end)
    return this.pushString(prefix, body, end + quote.length, this.syntax.interpolates(prefix, quote, body))
  }

  private openingQuote(at: number): string | undefined {
    for (const quote of this.syntax.quotes) if (this.src.startsWith(quote, at)) return quote
    return undefined
  }

  /** `'x'` is a character where single quotes are not strings; a lone `'` (a Rust lifetime, a Scala symbol) is punctuation. */
  private charOrLifetime(prefix: string, at: number): boolean {
    if (prefix !== '' || this.src[at] !== "'") return false
    CHAR_LITERAL.lastIndex = at
    const char = CHAR_LITERAL.exec(this.src)
    if (!char) return false
    this.push('punct', char[0], at, at + char[0].length)
    return true
  }

  /** The index of the closing quote; a backslash escapes the next character (even in Python's raw strings). */
  private closingQuote(from: number, quote: string): number {
    for (let i = from; i < this.src.length; i++) {
      if (this.src[i] === '\\') i++
      else if (this.src.startsWith(quote, i)) return i
      else if (this.src[i] === '\n' && quote.length === 1 && !this.syntax.multilineQuotes.includes(quote)) return i
    }
    return this.src.length
  }

  private pushString(prefix: string, body: string, end: number, interpolated: boolean): true {
    const start = this.pos
    this.tokens.push({ kind: 'string', value: body, interpolated, line: this.line, start, end })
    this.advanceTo(Math.max(end, start + prefix.length + 1))
    return true
  }

  private regexAllowed(): boolean {
    const previous = this.tokens[this.tokens.length - 1]
    if (previous === undefined) return true
    if (previous.kind === 'punct') return REGEX_AFTER_PUNCT.has(previous.value)
    return previous.kind === 'word' && REGEX_AFTER_WORD.has(previous.value)
  }

  /** Skips a JavaScript regular expression literal; a `/` that does not close on its line is division after all. */
  private regex(): boolean {
    let inClass = false
    for (let i = this.pos + 1; i < this.src.length && this.src[i] !== '\n'; i++) {
      const c = this.src[i]
      if (c === '\\') i++
      else if (c === '[' || c === ']') inClass = c === '['
      else if (c === '/' && !inClass) return this.skipTo(i + 1)
    }
    return false
  }

  private push(kind: Token['kind'], value: string, start: number, end: number): void {
    this.tokens.push({ kind, value, interpolated: false, line: this.line, start, end })
    this.advanceTo(end)
  }

  private lineEnd(): number {
    const end = this.src.indexOf('\n', this.pos)
    return end < 0 ? this.src.length : end
  }

  private skipTo(end: number): true {
    this.advanceTo(end)
    return true
  }

  private advanceTo(end: number): void {
    for (let i = this.pos; i < end; i++) if (this.src[i] === '\n') this.line++
    this.pos = end
  }
}
