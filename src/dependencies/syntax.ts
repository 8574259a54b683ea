/**
 * What the tokenizer needs to know of each language: its comments, its quotes,
 * which words prefix a string literal, and which literals build their value at
 * run time.
 */
export type Language = 'python' | 'javascript' | 'java' | 'scala' | 'r' | 'ruby' | 'rust'

export interface Syntax {
  readonly hashComments: boolean
  readonly slashComments: boolean
  readonly nestedBlockComments: boolean
  readonly rubyBlockComments: boolean
  readonly regexLiterals: boolean
  /** Opening (and closing) quotes, longest first. */
  readonly quotes: readonly string[]
  /** Quotes a newline does not end. */
  readonly multilineQuotes: readonly string[]
  readonly stringPrefix: (word: string) => boolean
  readonly interpolates: (prefix: string, quote: string, body: string) => boolean
  /** A raw string whose delimiters are not plain quotes (Rust `r#"…"#`, R `r"(…)"`), if one starts at `at`. */
  readonly rawString: (prefix: string, src: string, at: number) => { body: string; end: number } | undefined
}

const EXTENSIONS: Readonly<Record<string, Language>> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'javascript',
  java: 'java',
  scala: 'scala',
  r: 'r',
  R: 'r',
  rb: 'ruby',
  rs: 'rust'
}

/** Pathspecs of every file an Algorithmia language reads (`*.py`, …), for git to look in those alone. */
export const SOURCE_PATHSPECS: readonly string[] = Object.keys(EXTENSIONS).map(extension => `*.${extension}`)

/** The language of a file, by its extension; undefined for files no Algorithmia language reads. */
export function languageOf(path: string): Language | undefined {
  const dot = path.lastIndexOf('.')
  if (dot < 0 || path.lastIndexOf('/') > dot) return undefined
  const extension = path.slice(dot + 1)
  return Object.hasOwn(EXTENSIONS, extension) ? EXTENSIONS[extension] : undefined
}

const none = () => false
const noRaw = () => undefined
const hashLanguage = { hashComments: true, slashComments: false, nestedBlockComments: false, regexLiterals: false }
const slashLanguage = { hashComments: false, slashComments: true, rubyBlockComments: false }
const withoutDoubledBraces = (body: string) => body.replace(/\{\{|\}\}/g, '')

export const SYNTAX: Readonly<Record<Language, Syntax>> = {
  python: {
    ...hashLanguage,
    rubyBlockComments: false,
    quotes: ['"""', "'''", '"', "'"],
    multilineQuotes: [],
    stringPrefix: word => /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/.test(word),
    interpolates: (prefix, _quote, body) => /[fF]/.test(prefix) && withoutDoubledBraces(body).includes('{'),
    rawString: noRaw
  },
  javascript: {
    ...slashLanguage,
    nestedBlockComments: false,
    regexLiterals: true,
    quotes: ['"', "'", '`'],
    multilineQuotes: ['`'],
    stringPrefix: none,
    interpolates: (_prefix, quote, body) => quote === '`' && body.includes('${'),
    rawString: noRaw
  },
  java: {
    ...slashLanguage,
    nestedBlockComments: false,
    regexLiterals: false,
    quotes: ['"""', '"'],
    multilineQuotes: [],
    stringPrefix: none,
    interpolates: none,
    rawString: noRaw
  },
  scala: {
    ...slashLanguage,
    nestedBlockComments: true,
    regexLiterals: false,
    quotes: ['"""', '"'],
    multilineQuotes: [],
    // Any identifier right before a quote is an interpolator (s"…", f"…", raw"…").
    stringPrefix: () => true,
    interpolates: (prefix, _quote, body) => prefix !== '' && body.replace(/\$\$/g, '').includes('$'),
    rawString: noRaw
  },
  rust: {
    ...slashLanguage,
    nestedBlockComments: true,
    regexLiterals: false,
    quotes: ['"'],
    multilineQuotes: ['"'],
    stringPrefix: word => word === 'b' || word === 'r' || word === 'br',
    interpolates: none,
    rawString: rustRawString
  },
  r: {
    ...hashLanguage,
    rubyBlockComments: false,
    quotes: ['"', "'"],
    multilineQuotes: ['"', "'"],
    stringPrefix: word => word === 'r' || word === 'R',
    interpolates: none,
    rawString: rRawString
  },
  ruby: {
    ...hashLanguage,
    rubyBlockComments: true,
    quotes: ['"', "'"],
    multilineQuotes: ['"', "'"],
    stringPrefix: none,
    interpolates: (_prefix, quote, body) => quote === '"' && body.includes('#{'),
    rawString: noRaw
  }
}

/** `r"…"`, `r#"…"#`, `br##"…"##`: no escapes, closed by a quote and as many `#`. */
function rustRawString(prefix: string, src: string, at: number): { body: string; end: number } | undefined {
  if (!prefix.endsWith('r')) return undefined
  const open = /#*"/y
  open.lastIndex = at
  const opening = open.exec(src)
  if (!opening) return undefined
  const closing = '"' + '#'.repeat(opening[0].length - 1)
  const bodyStart = at + opening[0].length
  const close = src.indexOf(closing, bodyStart)
  const bodyEnd = close < 0 ? src.length : close
  return { body: src.slice(bodyStart, bodyEnd), end: bodyEnd + closing.length }
}

/** R 4's raw strings: `r"(…)"`, `r'[…]'`, `r"---{…}---"`. */
function rRawString(prefix: string, src: string, at: number): { body: string; end: number } | undefined {
  if (prefix === '') return undefined
  const open = /(["'])(-*)([([{])/y
  open.lastIndex = at
  const opening = open.exec(src)
  if (!opening) return undefined
  const closer = { '(': ')', '[': ']', '{': '}' }[opening[3] as '(' | '[' | '{']
  const closing = closer + opening[2] + opening[1]
  const bodyStart = at + opening[0].length
  const close = src.indexOf(closing, bodyStart)
  const bodyEnd = close < 0 ? src.length : close
  return { body: src.slice(bodyStart, bodyEnd), end: bodyEnd + closing.length }
}
