import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { inputsTable, outputsTable, readActionMetadata, replaceSection } from '../../scripts/lib/action-metadata.js'
import { UsageError, inputReader, parseCommandLine } from '../../src/cli/arguments.js'
import { INPUT_FLAGS, NOT_FLAGS } from '../../src/cli/flags.js'
import { parseAccountsConfig, parseConfig } from '../../src/inputs/parse.js'

describe('README and action.yml agree', () => {
  it('has the inputs and outputs tables generated from action.yml (npm run readme)', async () => {
    const metadata = await readActionMetadata('action.yml')
    const readme = await readFile('README.md', 'utf8')
    expect(replaceSection(replaceSection(readme, 'inputs', inputsTable(metadata)), 'outputs', outputsTable(metadata))).toBe(readme)
  })

  it('declares every input the code reads, and the code reads every declared input', async () => {
    const metadata = await readActionMetadata('action.yml')
    const read = new Set<string>()
    // Every mode, and create-owner (which reads the admin keys), so each parser shows the inputs it reads.
    const runs: [(read: (name: string) => string, env: Record<string, string>) => unknown, Record<string, string>][] = [
      [parseConfig, {}],
      [parseConfig, { 'create-owner': 'true' }],
      [parseAccountsConfig, { mode: 'accounts' }]
    ]
    for (const [parse, given] of runs) {
      try {
        parse(name => {
          read.add(name)
          return given[name] ?? ''
        }, {})
      } catch {
        // Missing required inputs are expected here; only the names matter.
      }
    }
    expect([...read].sort()).toEqual(Object.keys(metadata.inputs).sort())
  })

  it('documents every output the action sets', async () => {
    const metadata = await readActionMetadata('action.yml')
    const files = ['src/workflow-commands/outputs.ts', 'src/workflow-commands/accounts-output.ts']
    const source = (await Promise.all(files.map(file => readFile(file, 'utf8')))).join('\n')
    const set = new Set([...source.matchAll(/setOutput\('([^']+)'/g)].map(match => match[1]))
    expect([...set].sort()).toEqual(Object.keys(metadata.outputs).sort())
  })

  it('runs on node24 from dist/index.js, which also cleans up in a post step', async () => {
    const metadata = (await readActionMetadata('action.yml')) as unknown as { runs: Record<string, string> }
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })
})

/** The README's section that starts with this heading, up to the next `## ` heading. */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`)
  expect(start, heading).toBeGreaterThanOrEqual(0)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end < 0 ? undefined : end)
}

/** Shell words of one command line: single and double quotes, no expansion. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(match => match[1] ?? match[2] ?? match[3])
}

/** Each `algorithmia-promote …` command of the README's sh blocks, continuation lines joined, pipes cut off. */
function cliExamples(text: string): string[][] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map(match => match[1].replace(/\\\n\s*/g, ' '))
  const lines = blocks.flatMap(block => block.split('\n')).map(line => line.replace(/\s#.*$/, '').trim())
  return lines.filter(line => line.startsWith('algorithmia-promote ')).map(line => shellWords(line.split(' | ')[0]).slice(1))
}

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv, { writeOut: () => {}, writeErr: () => {} }, '0.0.0')
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  return ''
}

describe("README's command-line tool", () => {
  it('shows commands that parse, with flags that exist and inputs that are valid', async () => {
    const readme = await readFile('README.md', 'utf8')
    const examples = cliExamples(section(readme, 'Command-line tool'))
    expect(examples.length).toBeGreaterThanOrEqual(5)
    // `...` in an example stands for the cluster flags of the first, full one (what it promotes left out).
    const full = examples[0].filter((word, i, words) => word !== '--publish' && word !== '--algorithms' && words[i - 1] !== '--algorithms')
    for (const example of examples) {
      const argv = example.flatMap(word => (word === '...' ? full : [word]))
      const parsed = parseCommandLine(argv, { writeOut: () => {}, writeErr: () => {} }, '0.0.0')
      expect(parsed.kind, argv.join(' ')).toBe('run')
      if (parsed.kind !== 'run') continue
      // The keys as the CLI reads them from SOURCE_API_KEY, DEST_API_KEY and the admin variables.
      const keys = {
        'source-api-key': 'readmeSourceKey1',
        'dest-api-key': 'readmeDestKey22',
        'source-admin-api-key': 'readmeAdminKey1',
        'dest-admin-api-key': 'readmeAdminKey2'
      }
      const parse = parsed.inputs.mode === 'accounts' ? parseAccountsConfig : parseConfig
      expect(() => parse(inputReader(parsed.inputs, keys), { RUNNER_TEMP: os.tmpdir() }), argv.join(' ')).not.toThrow()
    }
  })

  it('names only flags that exist, or the key flags it says are refused', async () => {
    // npm's own flags (in the install lines) aside.
    const text = section(await readFile('README.md', 'utf8'), 'Command-line tool')
      .split('\n')
      .filter(line => !line.startsWith('npm '))
      .join('\n')
    const known = new Set([...INPUT_FLAGS.map(flag => `--${flag.input}`), '--json', '--verbose', '--help', '--version'])
    const refused = Object.keys(NOT_FLAGS).map(input => `--${input}`)
    const named = new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map(match => match[0]))
    expect([...named].filter(flag => !known.has(flag) && !refused.includes(flag))).toEqual([])
  })

  it('quotes the messages the command-line tool really gives for bad input (docs/reliability.md)', async () => {
    const readme = await readFile('docs/reliability.md', 'utf8')
    const cases: Array<[string[], string]> = [
      [['--dest-apikey=someKey123'], "unknown flag '--dest-apikey' (its value is not shown). Did you mean --dest-api-key?"],
      [['--dry-run', 'false'], "--dry-run is a switch and takes no value ('false' was given)"]
    ]
    for (const [argv, message] of cases) {
      const row = readme.split('\n').find(line => line.includes(message))
      expect(row, `README quotes: ${message}`).toBeDefined()
      const quoted = /`([^`]*)`, exit code 2/.exec(row!)?.[1]
      expect(usageMessage(['--algorithms', 'a', ...argv])).toContain(quoted)
    }
  })

  it('installs the version package.json has', async () => {
    const readme = await readFile('README.md', 'utf8')
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
    const tarballs = [...readme.matchAll(/algorithmia-promote-(\d[^\s]*?)\.tgz/g)].map(match => match[1])
    expect(tarballs.length).toBeGreaterThan(0)
    expect(new Set(tarballs)).toEqual(new Set([version]))
  })
})

describe('README and docs/', () => {
  it('keeps usage in the README and links each page moved to docs/, which exists', async () => {
    const readme = await readFile('README.md', 'utf8')
    expect(readme.split('\n').length).toBeLessThan(600)
    for (const heading of ['Security', 'Reliability', 'Performance', 'Troubleshooting']) {
      expect(readme).not.toMatch(new RegExp(`^## ${heading}$`, 'm'))
      const page = `docs/${heading.toLowerCase()}.md`
      expect(readme).toContain(`](${page})`)
      expect(await readFile(page, 'utf8')).toMatch(new RegExp(`^# ${heading}\n`))
    }
  })

  it('has no relative link that leads nowhere, in the README or docs/', async () => {
    const broken: string[] = []
    for (const file of [
      'README.md',
      'docs/security.md',
      'docs/reliability.md',
      'docs/performance.md',
      'docs/troubleshooting.md',
      'docs/dependencies.md'
    ]) {
      const text = await readFile(file, 'utf8')
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)[^)]*\)/g)) {
        const resolved = path.join(path.dirname(file), target)
        if (!existsSync(resolved)) broken.push(`${file}: ${target}`)
      }
    }
    expect(broken).toEqual([])
  })
})
