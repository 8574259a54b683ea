// The algorithm-reference finder against a corpus of real-looking algorithm
// sources in every language Algorithmia runs: calls with each version form,
// calls in comments (not found), strings that only look like calls, and calls
// built from variables (listed as dynamic).
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type FoundReference,
  MAX_SCANNED_BYTES,
  addressOf,
  findAlgorithmReferences,
  parseAddress,
  referencesInSource
} from '../../src/dependencies/references.js'

const CORPUS = join(__dirname, '../fixtures/dependency-corpus')

function corpus(language: string): Map<string, string> {
  const files = new Map<string, string>()
  const root = join(CORPUS, language)
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files.set(relative(root, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8'))
  }
  return files
}

/** One line per reference: `file:line owner/name version` or `file:line dynamic (reason) text`. */
function lines(found: readonly FoundReference[]): string[] {
  return found.map(r =>
    'owner' in r
      ? `${r.file}:${r.line} ${r.owner}/${r.name} ${JSON.stringify(r.version)} ${r.text}`
      : `${r.file}:${r.line} dynamic (${r.reason}) ${r.text}`
  )
}

const semver = (version: string) => JSON.stringify({ kind: 'semver', version })
const minor = (major: number, minor: number) => JSON.stringify({ kind: 'minor', major, minor })
const major = (major: number) => JSON.stringify({ kind: 'major', major })
const LATEST = JSON.stringify({ kind: 'latest' })
const PRIVATE = JSON.stringify({ kind: 'latestPrivate' })
const RUNTIME = 'dynamic (built at run time)'

describe('the reference corpus', () => {
  it('Python: every version form, a module-level client and Algorithmia.client(); comments, docstring prose, URLs and f-strings are not references', () => {
    const hash = '0123456789abcdef0123456789abcdef01234567'
    expect(lines(findAlgorithmReferences(corpus('python')))).toEqual([
      `src/pipeline.py:9 nlp/LanguageDetector ${semver('0.3.1')} algo://nlp/LanguageDetector/0.3.1`,
      `src/pipeline.py:15 nlp/Tokenizer ${minor(1, 2)} nlp/Tokenizer/1.2.*`,
      `src/pipeline.py:19 nlp/SentimentAnalysis ${major(1)} nlp/SentimentAnalysis/1.*`,
      `src/pipeline.py:25 ${RUNTIME} algo(f"nlp/Summarizer/{version}")`,
      `src/pipeline.py:31 ${RUNTIME} algo(model)`,
      `src/pipeline.py:32 nlp/Tokenizer ${LATEST} nlp/Tokenizer`,
      `src/pipeline.py:33 nlp/Tokenizer ${PRIVATE} nlp/Tokenizer/latestPrivate`,
      `src/pipeline.py:34 nlp/Tokenizer ${JSON.stringify({ kind: 'hash', hash })} algo://nlp/Tokenizer/${hash}`,
      `src/pipeline.py:36 ${RUNTIME} algo("nlp/" + "Tokenizer")`
    ])
  })

  it('JavaScript and TypeScript: quotes and templates, a call across lines; comments, a regular expression and a URL are not references', () => {
    expect(lines(findAlgorithmReferences(corpus('javascript')))).toEqual([
      `src/helpers.ts:8 vision/Upscaler ${PRIVATE} vision/Upscaler/latestPrivate`,
      `src/index.js:7 vision/Resizer ${semver('2.1.0')} algo://vision/Resizer/2.1.0`,
      `src/index.js:12 vision/ObjectDetection ${major(3)} vision/ObjectDetection/3.*`,
      `src/index.js:13 vision/Tagger ${minor(1, 4)} vision/Tagger/1.4.*`,
      `src/index.js:15 ${RUNTIME} algo(\`vision/\${name}/1.0.0\`)`,
      `src/index.js:16 vision/Thumbnail ${semver('0.1.0')} vision/Thumbnail/0.1.0`,
      `src/index.js:17 ${RUNTIME} algo(name)`
    ])
  })

  it('Java: Javadoc, line comments, text blocks and char literals are not calls; String.format and variables are dynamic', () => {
    const file = 'src/main/java/algorithmia/Pipeline/Pipeline.java'
    expect(lines(findAlgorithmReferences(corpus('java')))).toEqual([
      `${file}:11 text/Splitter ${semver('1.0.0')} algo://text/Splitter/1.0.0`,
      `${file}:16 text/WordCount ${minor(0, 2)} text/WordCount/0.2.*`,
      `${file}:17 text/Stemmer ${LATEST} algo://text/Stemmer`,
      `${file}:19 ${RUNTIME} algo(name)`,
      `${file}:20 ${RUNTIME} algo(String.format("text/%s/1.0.0", input))`
    ])
  })

  it('Scala: nested block comments are skipped; s"" with a $value is dynamic, without one it is a literal', () => {
    const file = 'src/main/scala/algorithmia/Pipeline/Pipeline.scala'
    expect(lines(findAlgorithmReferences(corpus('scala')))).toEqual([
      `${file}:11 audio/NoiseReduction ${semver('1.1.0')} audio/NoiseReduction/1.1.0`,
      `${file}:13 ${RUNTIME} algo(s"$owner/Transcriber/2.*")`,
      `${file}:14 audio/Speaker ${minor(0, 4)} audio/Speaker/0.4.*`
    ])
  })

  it('R: client$algo(...), raw strings r"(...)", paste0() is dynamic, # comments are skipped', () => {
    expect(lines(findAlgorithmReferences(corpus('r')))).toEqual([
      `src/Pipeline.R:5 stats/Forecast ${semver('0.9.0')} algo://stats/Forecast/0.9.0`,
      `src/Pipeline.R:8 stats/Smoother ${minor(1, 3)} stats/Smoother/1.3.*`,
      `src/Pipeline.R:10 ${RUNTIME} algo(paste0("stats/Regression/", version))`,
      `src/Pipeline.R:11 stats/Outliers ${PRIVATE} stats/Outliers/latestPrivate`
    ])
  })

  it('Ruby: a call without parentheses, =begin/=end and # comments skipped, "#{}" is dynamic and a single-quoted #{} is no address', () => {
    expect(lines(findAlgorithmReferences(corpus('ruby')))).toEqual([
      `src/pipeline.rb:8 geo/Geocoder ${semver('4.0.1')} algo://geo/Geocoder/4.0.1`,
      `src/pipeline.rb:11 geo/Cluster ${major(1)} geo/Cluster/1.*`,
      `src/pipeline.rb:12 geo/Router ${semver('2.0.0')} geo/Router/2.0.0`,
      `src/pipeline.rb:14 ${RUNTIME} algo("geo/#{region}/1.0.0")`,
      `src/pipeline.rb:15 dynamic (not an algorithm address) algo('geo/#{Literal}/1.0.0')`
    ])
  })

  it('Rust: raw strings r#""#, lifetimes and char literals, nested block comments; format!() is dynamic', () => {
    expect(lines(findAlgorithmReferences(corpus('rust')))).toEqual([
      `src/lib.rs:5 ml/Embedder ${semver('1.0.0')} algo://ml/Embedder/1.0.0`,
      `src/lib.rs:14 ml/Vectorizer ${minor(0, 5)} ml/Vectorizer/0.5.*`,
      `src/lib.rs:15 ml/Classifier ${semver('2.0.0')} ml/Classifier/2.0.0`,
      `src/lib.rs:17 ${RUNTIME} algo(&name)`
    ])
  })
})

describe('findAlgorithmReferences', () => {
  it('reads only source files of the supported languages, skips binary files and files over 1 MB', () => {
    const call = 'client.algo("a/B/1.0.0")\n'
    const found = findAlgorithmReferences([
      ['README.md', call],
      ['src/b.py', `${call}\0`],
      ['src/big.py', call + '#'.repeat(MAX_SCANNED_BYTES)],
      ['src/kept.py', call],
      ['src/Kept.R', 'client$algo("a/C")\n'],
      ['src.py/notes', call]
    ])
    expect(lines(found)).toEqual([`src/Kept.R:1 a/C ${LATEST} a/C`, `src/kept.py:1 a/B ${semver('1.0.0')} a/B/1.0.0`])
  })

  it('lists identical references once per file (the first line), and again in another file', () => {
    const source = 'x = client.algo("a/B/1.*")\ny = client.algo("a/B/1.*")\nz = client.algo("a/B/1.0.0")\n'
    const found = findAlgorithmReferences(
      new Map([
        ['one.py', source],
        ['two.py', source]
      ])
    )
    expect(lines(found)).toEqual([
      `one.py:1 a/B ${major(1)} a/B/1.*`,
      `one.py:3 a/B ${semver('1.0.0')} a/B/1.0.0`,
      `two.py:1 a/B ${major(1)} a/B/1.*`,
      `two.py:3 a/B ${semver('1.0.0')} a/B/1.0.0`
    ])
  })

  it('counts a string that is wholly an address, not one that mentions it in prose or is a method of no client', () => {
    const source = [
      'A = """algo://a/Whole/1.0.0"""',
      'B = "calls algo://a/Prose/1.0.0 first"',
      'C = f"algo://a/{name}"',
      'def algo(x): return x',
      'algo("a/NotAMethod")',
      'D = "algo://a"'
    ].join('\n')
    expect(lines(referencesInSource('s.py', source, 'python'))).toEqual([
      `s.py:1 a/Whole ${semver('1.0.0')} algo://a/Whole/1.0.0`,
      `s.py:3 ${RUNTIME} algo://a/{name}`
    ])
  })

  it('keeps line numbers right after multi-line strings and comments', () => {
    const source = '/* one\ntwo */ const a = `x\ny`\n// three\nclient.algo("a/B")'
    expect(lines(referencesInSource('s.js', source, 'javascript'))).toEqual([`s.js:5 a/B ${LATEST} a/B`])
  })
})

describe('addressOf', () => {
  it('writes the address back as a report names it, without a version for the latest', () => {
    const addresses = ['a/B', 'a/B/1.2.3', 'a/B/1.2.*', 'a/B/1.*', 'a/B/latestPrivate', `a/B/${'f'.repeat(40)}`]
    expect(addresses.map(text => addressOf(parseAddress(text) as NonNullable<ReturnType<typeof parseAddress>>))).toEqual(addresses)
  })
})

describe('parseAddress', () => {
  it('takes owner/name[/version] with the spec version forms, and nothing else', () => {
    expect(parseAddress('a/B/1.2.*')).toEqual({ owner: 'a', name: 'B', version: { kind: 'minor', major: 1, minor: 2 } })
    expect(parseAddress('a/B/10.*')).toEqual({ owner: 'a', name: 'B', version: { kind: 'major', major: 10 } })
    for (const bad of ['a', 'a/', '1a/B', 'a/B-c', 'a/B/1.2', 'a/B/1.*.*', 'a/B/abc', 'a/B/1.0.0/x', 'a/B/0123abc']) {
      expect(parseAddress(bad), bad).toBeUndefined()
    }
  })
})
