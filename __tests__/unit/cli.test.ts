import { describe, expect, it } from 'vitest'
import { readActionMetadata } from '../../scripts/lib/action-metadata.js'
import { UsageError, inputReader, parseCommandLine, type HelpOutput } from '../../src/cli/arguments.js'
import { INPUT_FLAGS, NOT_FLAGS } from '../../src/cli/flags.js'
import { keyProblem, keysFromEnvironment } from '../../src/cli/keys.js'
import { resultsJson, resultsSummary, resultsTable } from '../../src/cli/output.js'
import { LineProgress } from '../../src/cli/progress.js'
import { describeInputError } from '../../src/cli/run.js'
import { inCommandLineTerms } from '../../src/cli/wording.js'
import { INPUT_DEFAULTS, defaultOf } from '../../src/inputs/defaults.js'
import { InputError } from '../../src/core/input-error.js'
import type { PromotionConfig } from '../../src/core/config.js'
import type { RunReport } from '../../src/report/run-report.js'
import type { PromotionResult } from '../../src/promotion/result.js'
import { publicResult } from '../../src/report/public-result.js'
import { SecretRegistry } from '../../src/util/secrets.js'
import pc from 'picocolors'

function captured(): HelpOutput & { out: string; err: string } {
  const output = {
    out: '',
    err: '',
    writeOut: (text: string) => void (output.out += text),
    writeErr: (text: string) => void (output.err += text)
  }
  return output
}

function parse(argv: string[]): ReturnType<typeof parseCommandLine> & { output: ReturnType<typeof captured> } {
  const output = captured()
  return { ...parseCommandLine(argv, output, '9.8.7'), output }
}

function usageErrorOf(argv: string[]): { error: UsageError; output: ReturnType<typeof captured> } {
  const output = captured()
  try {
    parseCommandLine(argv, output, '9.8.7')
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return { error: error as UsageError, output }
  }
  throw new Error(`${argv.join(' ')} was accepted`)
}

describe('CLI flags and action.yml', () => {
  it('have a flag for every input but the credentials (and the GitHub environment), and no other input flag', async () => {
    const { inputs } = await readActionMetadata('action.yml')
    const flags = INPUT_FLAGS.map(flag => flag.input)
    expect(new Set(flags).size).toBe(flags.length)
    expect([...flags, ...Object.keys(NOT_FLAGS)].sort()).toEqual(Object.keys(inputs).sort())
  })

  it('share one set of defaults with action.yml (empty defaults aside)', async () => {
    const { inputs } = await readActionMetadata('action.yml')
    const declared = Object.fromEntries(
      Object.entries(inputs)
        .filter(([, input]) => input.default !== undefined && String(input.default) !== '')
        .map(([name, input]) => [name, String(input.default)])
    )
    expect(declared).toEqual(INPUT_DEFAULTS)
  })

  it('show every default but those of switches in --help', () => {
    let help = ''
    parseCommandLine(['--help'], { writeOut: text => (help += text), writeErr: () => {} }, '0.0.0')
    const flat = help.replace(/\s+/g, ' ')
    for (const flag of INPUT_FLAGS) {
      const value = defaultOf(flag.input)
      const expected = flag.value !== undefined && value !== ''
      if (expected) expect(flat, flag.input).toContain(`(default: ${value.replace(/\s+/g, ' ')})`)
    }
  })
})

describe('parseCommandLine', () => {
  it('turns flags into input values: switches are true, --algorithms may repeat', () => {
    const parsed = parse([
      '--source-cluster',
      'dev.example.com',
      '--algorithms',
      'a,b',
      '--algorithms',
      'c',
      '--publish',
      '--dry-run',
      '--json'
    ])
    expect(parsed).toMatchObject({
      kind: 'run',
      json: true,
      verbose: false,
      inputs: { 'source-cluster': 'dev.example.com', algorithms: 'a,b,c', publish: 'true', 'dry-run': 'true' }
    })
  })

  it('accepts --flag=value', () => {
    expect(parse(['--version-type=major'])).toMatchObject({ inputs: { 'version-type': 'major' } })
  })

  it('prints help and the version through the given output', () => {
    const help = parse(['--help'])
    expect(help.kind).toBe('shown')
    expect(help.output.out).toContain('--dest-algo-owner <owner>')
    expect(parse(['--version']).output.out).toBe('9.8.7\n')
  })

  it('refuses a key passed as a flag, in either form, without repeating it', () => {
    for (const argv of [['--source-api-key', 'secretValue1'], ['--dest-api-key=secretValue2']]) {
      const { error, output } = usageErrorOf(['--algorithms', 'a', ...argv])
      expect(error.message).toMatch(/is not accepted: .*visible to other processes.*(SOURCE|DEST)_API_KEY/)
      expect(error.message + output.err).not.toMatch(/secretValue/)
    }
  })

  it('refuses --github-token and a key inside --destinations', () => {
    expect(usageErrorOf(['--github-token=ghp_x']).error.message).toContain('GitHub Action only')
    const destinations = JSON.stringify([{ name: 'prod', cluster: 'prod.example.com', 'api-key': 'secretValue3' }])
    const { error } = usageErrorOf(['--destinations', destinations])
    expect(error.message).toContain('api-key-env')
    expect(error.message).not.toContain('secretValue3')
  })

  it("refuses unknown flags, stray arguments and a missing value, with commander's message", () => {
    expect(usageErrorOf(['--frobnicate']).output.err).toMatch(/unknown option '--frobnicate'/)
    expect(usageErrorOf(['stray']).output.err).toMatch(/too many arguments/)
    expect(usageErrorOf(['--algorithms']).output.err).toMatch(/argument missing/)
  })

  it('suggests the key flag for a near miss with a value, and where the key goes instead, without the value', () => {
    const { error, output } = usageErrorOf(['--algorithms', 'a', '--dest-apikey=secretValue4'])
    expect(error.message).toBe(
      "unknown flag '--dest-apikey' (its value is not shown). Did you mean --dest-api-key? Keys are never flags: " +
        'set DEST_API_KEY or DEST_ACCOUNT_API_KEY instead. Run algorithmia-promote --help for every flag.'
    )
    expect(error.message + output.err).not.toContain('secretValue4')
    expect(usageErrorOf(['--dest-algo-ownr=x']).error.message).toContain('Did you mean --dest-algo-owner?')
  })

  it('says a switch takes no value, instead of "too many arguments" or an unknown option', () => {
    for (const argv of [['--dry-run', 'false'], ['--dry-run=false'], ['--publish', 'TRUE'], ['--json', 'no']]) {
      const { error, output } = usageErrorOf(['--algorithms', 'a', ...argv])
      const [flag, value] = argv.length === 2 ? argv : argv[0].split('=')
      expect(error.message, argv.join(' ')).toBe(
        `${flag} is a switch and takes no value ('${value}' was given): write ${flag} to turn it on, leave it out to keep it off.`
      )
      expect(output.err).toBe('')
    }
    // Anything but a yes/no word is not repeated: it could be a key typed in the wrong place.
    const { error } = usageErrorOf(['--publish', 'secretValue5'])
    expect(error.message).toContain('(a value was given)')
    expect(error.message).not.toContain('secretValue5')
  })

  it('reads keys before flags, trimmed', () => {
    const read = inputReader({ algorithms: ' a ', 'source-api-key': 'not used' }, { 'source-api-key': ' key ' })
    expect(read('algorithms')).toBe('a')
    expect(read('source-api-key')).toBe('key')
    expect(read('publish')).toBe('')
  })
})

describe('keys', () => {
  it("come from our variables first, then the seed script's; empty ones do not count", () => {
    expect(keysFromEnvironment({ SOURCE_API_KEY: 'a', SOURCE_ACCOUNT_API_KEY: 'b', DEST_ACCOUNT_API_KEY: ' c ' })).toEqual({
      'source-api-key': 'a',
      'dest-api-key': 'c'
    })
    expect(keysFromEnvironment({ SOURCE_API_KEY: '', SOURCE_ACCOUNT_API_KEY: 'b' })).toEqual({ 'source-api-key': 'b' })
  })

  it('problems name the variable to set', () => {
    expect(keyProblem('dest-api-key', 'is required: use a secret', {})).toEqual({
      input: 'DEST_API_KEY',
      message: 'is not set: set DEST_API_KEY (or DEST_ACCOUNT_API_KEY) to the key, or run on a terminal to be asked for it'
    })
    expect(keyProblem('source-api-key', 'contains white space', { 'source-api-key': 'a b' })).toEqual({
      input: 'SOURCE_API_KEY',
      message: 'contains white space'
    })
  })

  it('input errors name flags and variables', () => {
    const error = new InputError([
      { input: 'source-cluster', message: 'is required' },
      { input: 'SOURCE_API_KEY', message: 'is not set' },
      { input: 'destinations[0].algo-owner', message: 'is required' }
    ])
    expect(describeInputError(error)).toBe(
      'error: nothing was changed, because the input is not usable:\n  --source-cluster: is required\n  SOURCE_API_KEY: is not set\n  destinations[0].algo-owner: is required\n'
    )
  })
})

const created: PromotionResult = {
  algorithm: 'hello',
  destination: 'prod.example.com',
  status: 'created',
  sourceCommit: 'a'.repeat(40),
  sourceVersion: '1.0.0',
  destCommit: 'b'.repeat(40),
  destVersion: '0.1.0',
  newCommit: true,
  changes: { added: ['x.py'], modified: [], deleted: [] }
}
const failed: PromotionResult = {
  ...created,
  algorithm: 'world',
  status: 'failed',
  destCommit: '',
  destVersion: '',
  error: 'the build failed',
  failedStep: 'build'
}
const report: RunReport = {
  results: [created, failed],
  versionMap: { hello: { '1.0.0': '0.1.0' } },
  changed: true,
  failed: 1,
  versionMapWritten: false
}
const config = { mode: 'promote', dryRun: false, versionMapFile: undefined } as unknown as PromotionConfig
const plain = pc.createColors(false)

describe('output', () => {
  it("JSON: the action's results (without internal details), version map and changed; a plan adds the matrix", () => {
    const output = JSON.parse(resultsJson(config, report))
    expect(output).toEqual({ results: report.results.map(publicResult), versionMap: report.versionMap, changed: true })
    expect(output.results[0]).not.toHaveProperty('changes')
    const plan = JSON.parse(resultsJson({ ...config, mode: 'plan' }, { ...report, results: [{ ...created, status: 'planned' }] }))
    expect(plan.matrix).toEqual({ include: [{ algorithm: 'hello', destination: 'prod.example.com' }] })
  })

  it('table: one row per promotion, then the counts and each failure in full', () => {
    const table = resultsTable(report, plain)
    expect(table).toMatch(/│ Algorithm +│ Destination +│ Status +│/)
    expect(table).toMatch(/│ hello +│ prod\.example\.com +│ created +│ 1\.0\.0 +│ aaaaaaaaaaaa +│ 0\.1\.0 +│ bbbbbbbbbbbb +│/)
    expect(table).toMatch(/│ world +│ prod\.example\.com +│ failed +│/)
    expect(resultsSummary(config, report, plain)).toBe(
      '1 created, 1 failed\n\n✖ world → prod.example.com: build failed\nthe build failed\n'
    )
  })
})

describe('dry-run file lists', () => {
  it('follow the table on a terminal: counts, then each file, 30 of a kind at most', () => {
    const many = Array.from({ length: 32 }, (_, i) => `src/f${i}.py`)
    const planned: PromotionResult = { ...created, status: 'planned', changes: { added: many, modified: ['a.py'], deleted: ['old.txt'] } }
    const summary = resultsSummary({ ...config, dryRun: true }, { ...report, results: [planned] }, plain)
    expect(summary).toContain('hello → prod.example.com would change: 32 added, 1 modified, 1 deleted\n  A src/f0.py\n')
    expect(summary).toContain('  A src/f29.py\n… and 2 more\n  M a.py\n  D old.txt\n')
    expect(summary).not.toContain('src/f30.py')
  })
})

describe('line progress', () => {
  it('writes a line per phase and outcome, redacted', () => {
    let written = ''
    const stream = { isTTY: false, write: (text: string) => (written += text) } as unknown as NodeJS.WriteStream
    const secrets = new SecretRegistry()
    secrets.add('topsecret')
    const display = new LineProgress(stream, { secrets, verbose: false })
    display.onProgress({ algorithm: 'hello', destination: 'prod', phase: 'fetching' })
    display.info('fetched with topsecret')
    display.debug('hidden without --verbose')
    display.finish([{ ...failed, algorithm: 'hello', destination: 'prod' }])
    expect(written).toBe('hello → prod: fetching\nfetched with ***\nhello → prod: failed (build)\n')
  })
})

describe('messages in command-line terms', () => {
  it('name the flag or the variable instead of the input', () => {
    expect(inCommandLineTerms("Check that dest-api-key is valid, and that dest-api-key-owner names its owner; fix 'algorithms'.")).toBe(
      'Check that DEST_API_KEY is valid, and that --dest-api-key-owner names its owner; fix --algorithms.'
    )
    expect(
      inCommandLineTerms('set create-owner: true with source-admin-api-key and dest-admin-api-key to have this action create it')
    ).toBe('set --create-owner with SOURCE_ADMIN_API_KEY and DEST_ADMIN_API_KEY to have this tool create it')
    expect(inCommandLineTerms('only with mode: accounts and publish: true')).toBe('only with --mode accounts and --publish')
  })

  it('leave hosts, URLs, flags and ordinary words alone', () => {
    const text = 'the algorithms of dest-cluster.example.com at https://x/source-version/y; --dest-cluster; a publish: given later'
    expect(inCommandLineTerms(text)).toBe(text)
  })
})

describe('historyLines', () => {
  it('lists each source version of a replayed history, naming the destination number where it differs', async () => {
    const { historyLines } = await import('../../src/cli/output.js')
    const version = (source: string, dest: string) => ({
      sourceVersion: source,
      sourceCommit: 'a'.repeat(40),
      destVersion: dest,
      destCommit: 'b'.repeat(40),
      matched: source === dest,
      status: 'published' as const
    })
    const result = { algorithm: 'hello', destination: 'prod', versions: [version('0.1.0', '0.1.0'), version('0.1.1', '0.3.1')] }
    expect(historyLines(result as unknown as PromotionResult)).toEqual(['', 'hello → prod versions: 0.1.0, 0.1.1 as 0.3.1'])
    expect(historyLines({ algorithm: 'x' } as PromotionResult)).toEqual([])
  })
})
