/**
 * The bundled command-line tool (dist/cli/index.js) against two emulated
 * clusters: JSON and terminal modes, each exit code, keys from the
 * environment or a prompt, and never a key in the output.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actionNode } from '../../scripts/lib/run-action.js'
import { DEST_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { windowsEssentials } from '../helpers/platform.js'

const CLI_ENTRY = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const ACTION_YML = fileURLToPath(new URL('../../action.yml', import.meta.url))
// Canaries with the characters that change under URL and base64 encoding.
const DEV_KEY = 'simDevKey/with+Canary=0123456789'
const PROD_KEY = 'simProdKey/with+Canary=9876543210'
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0

interface CliRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

interface RunOptions {
  readonly env?: Record<string, string>
  /** Run under a pseudo-terminal (util-linux `script`); stdout then holds everything the terminal showed. */
  readonly tty?: boolean
  /** Prompts to answer, once each, when their text has appeared: [text, what to type]. */
  readonly answers?: ReadonlyArray<readonly [string, string]>
  readonly cwd?: string
  /** Close the reading end of stdout before the tool writes, as `| head` does once it has read enough. */
  readonly closedStdout?: boolean
}

function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const env = { ...windowsEssentials(), PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...options.env }
  const command = options.tty
    ? [
        'script',
        '-qfec',
        `stty cols 160 rows 50 2>/dev/null; exec ${[actionNode(), CLI_ENTRY, ...args].map(shellQuote).join(' ')}`,
        '/dev/null'
      ]
    : [actionNode(), CLI_ENTRY, ...args]
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    if (options.closedStdout) child.stdout.destroy()
    const pending = [...(options.answers ?? [])]
    child.stdout.on('data', chunk => {
      stdout += chunk
      // Typed only once the prompt shows, as a person would: earlier, the terminal would still echo it.
      while (pending.length > 0 && stripAnsi(stdout).includes(pending[0][0])) child.stdin.write(pending.shift()![1])
    })
    child.stderr.on('data', chunk => (stderr += chunk))
    if (!options.answers) child.stdin.end()
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

/** The command goes through `script`'s shell, so every word is single-quoted. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '')
}

/** Flags and environment for promoting `algorithms` from the pair's dev to its prod cluster. */
function commandLine(pair: ClusterPair, overrides: Record<string, string | boolean> = {}): { args: string[]; env: Record<string, string> } {
  const { 'source-api-key': sourceKey, 'dest-api-key': destKey, ...inputs } = pair.inputs()
  const args: string[] = []
  for (const [name, value] of Object.entries({ ...inputs, ...overrides })) {
    if (value === true) args.push(`--${name}`)
    else if (value !== false) args.push(`--${name}`, String(value))
  }
  return { args, env: { SOURCE_API_KEY: sourceKey, DEST_API_KEY: destKey } }
}

function expectNoKeys(run: CliRun): void {
  for (const key of [DEV_KEY, PROD_KEY]) {
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64')]) {
      expect(run.stdout).not.toContain(form)
      expect(run.stderr).not.toContain(form)
    }
  }
}

describe('bundled CLI', () => {
  let pair: ClusterPair
  beforeEach(async () => {
    pair = await startClusterPair({ devKey: DEV_KEY, prodKey: PROD_KEY })
  })
  afterEach(() => pair.stop())

  it('--json: promotes, prints the results and version map as JSON on stdout, logs on stderr, exits 0', async () => {
    const helloCommit = await pair.seed(
      'hello',
      { 'src/hello.py': 'def apply(x): return x\n', 'requirements.txt': '' },
      { publish: 'minor' }
    )
    await pair.seed('world', { 'src/world.py': 'def apply(x): return 2 * x\n' })
    const { args, env } = commandLine(pair, { algorithms: 'hello,world', publish: true, json: true })
    const run = await runCli(args, { env })
    expect(run.exitCode, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout)
    expect(Object.keys(output).sort()).toEqual(['changed', 'results', 'versionMap'])
    expect(output.changed).toBe(true)
    expect(output.results).toHaveLength(2)
    expect(output.results[0]).toMatchObject({
      algorithm: 'hello',
      status: 'created',
      sourceCommit: helloCommit,
      sourceVersion: '0.1.0',
      destVersion: '0.1.0'
    })
    expect(output.results[1]).toMatchObject({ algorithm: 'world', status: 'created', destVersion: '0.1.0' })
    expect(output.results[0]).not.toHaveProperty('changes')
    expect(output.versionMap).toEqual({ hello: { '0.1.0': '0.1.0' }, world: { [output.results[1].sourceCommit]: '0.1.0' } })
    expect(Object.keys(await pair.prod.readTree(DEST_OWNER, 'hello')).sort()).toEqual(['requirements.txt', 'src/hello.py'])
    expect(await pair.prod.headCommit(DEST_OWNER, 'world')).toBe(output.results[1].destCommit)
    expect(run.stderr).toContain('pushed')
    expectNoKeys(run)
  })

  it('is off a terminal without --json: prints JSON all the same', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { args, env } = commandLine(pair, { algorithms: 'hello', 'dry-run': true })
    const run = await runCli(args, { env })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ changed: true, results: [{ algorithm: 'hello', status: 'planned' }], versionMap: {} })
    expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBeUndefined()
  })

  it('lists the files a dry run would change, with the counts the real run then reports, for a new destination', async () => {
    await pair.seed('hello', { 'src/hello.py': 'def apply(x): return x\n', 'requirements.txt': '', 'README.md': 'hello\n' })
    const dry = await runCli(commandLine(pair, { algorithms: 'hello', 'dry-run': true }).args, { env: commandLine(pair).env })
    expect(dry.exitCode, dry.stderr).toBe(0)
    const real = await runCli(commandLine(pair, { algorithms: 'hello' }).args, { env: commandLine(pair).env })
    expect(real.exitCode, real.stderr).toBe(0)
    const files = ['  A README.md', '  A requirements.txt', '  A src/hello.py']
    const listed = (run: CliRun): string[] => run.stderr.split('\n').filter(line => line.startsWith('  A ') || line.startsWith('  M '))
    expect(dry.stderr).toContain('hello → 127.0.0.1')
    expect(dry.stderr).toMatch(/would change: 3 added, 0 modified, 0 deleted/)
    expect(listed(dry).sort()).toEqual(files)
    expect(real.stderr).toMatch(/pushed [0-9a-f]{40} \(3 added, 0 modified, 0 deleted\)/)
  })

  it("accepts the seed script's SOURCE_ACCOUNT_API_KEY and DEST_ACCOUNT_API_KEY", async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { args } = commandLine(pair, { algorithms: 'hello' })
    const run = await runCli(args, { env: { SOURCE_ACCOUNT_API_KEY: DEV_KEY, DEST_ACCOUNT_API_KEY: PROD_KEY } })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ algorithm: 'hello', status: 'created' })
    expectNoKeys(run)
  })

  it('writes the version map file', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' }, { publish: 'major' })
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-map-'))
    try {
      const { args, env } = commandLine(pair, { algorithms: 'hello', publish: true, 'version-map-file': 'versions.json' })
      const run = await runCli(args, { env, cwd: dir })
      expect(run.exitCode, run.stderr).toBe(0)
      expect(JSON.parse(await readFile(path.join(dir, 'versions.json'), 'utf8'))).toEqual({ hello: { '1.0.0': '0.1.0' } })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('exits 1 when a promotion fails, after promoting the others', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { args, env } = commandLine(pair, { algorithms: 'hello,missing' })
    const run = await runCli(args, { env })
    expect(run.exitCode, run.stderr).toBe(1)
    const { results, changed } = JSON.parse(run.stdout)
    expect(changed).toBe(true)
    expect(results).toMatchObject([
      { algorithm: 'hello', status: 'created' },
      { algorithm: 'missing', status: 'failed', failedStep: 'resolve source' }
    ])
    expect(results[1].error).toMatch(/missing/)
    // Said once on stderr, as an error, when it happened; the JSON holds it too.
    const said = run.stderr.split('\n').filter(line => line.includes(results[1].error))
    expect(said).toEqual([`error: ${results[1].error}`])
    expect(await pair.prod.headCommit(DEST_OWNER, 'hello')).toBeTruthy()
    expectNoKeys(run)
  })

  it("names the flags and variables to fix, not the action's inputs", async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { args } = commandLine(pair, { algorithms: 'hello,missing', 'max-attempts': '1' })
    const run = await runCli(args, { env: { SOURCE_API_KEY: DEV_KEY, DEST_API_KEY: 'simWrongKey/with+Canary=000111' } })
    expect(run.exitCode).toBe(1)
    const errors = (JSON.parse(run.stdout).results as Array<{ error: string }>).map(result => result.error)
    expect(errors.join('\n')).toContain('Check that DEST_API_KEY is a valid standard (not admin) key')
    expect(errors.join('\n')).toContain('and that --dest-api-key-owner names its owner')
    expect(errors.join('\n')).toContain('Check the names in --algorithms and --source-algo-owner')
    for (const text of [...errors, run.stderr]) expect(text).not.toMatch(/(?<![\w-])(dest|source)-(api-key|algo-owner)|'algorithms'/)
  })

  it('never prints a rejected key, in either mode', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const wrongKey = 'simWrongKey/with+Canary=000111'
    const { args } = commandLine(pair, { algorithms: 'hello', 'max-attempts': '1' })
    for (const tty of [false, ...(HAS_SCRIPT ? [true] : [])]) {
      const run = await runCli(args, { env: { SOURCE_API_KEY: wrongKey, DEST_API_KEY: PROD_KEY }, tty })
      expect(run.exitCode, run.stdout + run.stderr).toBe(1)
      for (const form of [wrongKey, encodeURIComponent(wrongKey), Buffer.from(`alice:${wrongKey}`).toString('base64')]) {
        expect(run.stdout + run.stderr).not.toContain(form)
      }
    }
  })

  it('exits 2 listing every unusable flag, before any request', async () => {
    const { args, env } = commandLine(pair, { 'source-cluster': 'https://dev.example.com', 'version-type': 'huge', concurrency: 'many' })
    const run = await runCli(args, { env })
    expect(run.exitCode).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('nothing was changed')
    for (const flag of ['--algorithms', '--source-cluster', '--version-type', '--concurrency']) expect(run.stderr).toContain(`${flag}: `)
    expect(pair.dev.requests.length + pair.prod.requests.length).toBe(0)
  })

  it('exits 2 for an unknown flag, a value after a switch, and a stray argument', async () => {
    const { args, env } = commandLine(pair, { algorithms: 'hello' })
    for (const extra of [['--frobnicate'], ['--publish', 'true'], ['stray']]) {
      const run = await runCli([...args, ...extra], { env })
      expect(run.exitCode, extra.join(' ')).toBe(2)
      expect(run.stderr).toMatch(/error: /)
      expect(run.stdout).toBe('')
    }
  })

  it('exits 2 when a key is passed as a flag, pointing to the environment variable, without echoing it', async () => {
    const { args, env } = commandLine(pair, { algorithms: 'hello' })
    const asFlag = await runCli([...args, '--source-api-key', DEV_KEY], { env })
    expect(asFlag.exitCode).toBe(2)
    expect(asFlag.stderr).toContain('SOURCE_API_KEY')
    const withEquals = await runCli([...args, `--dest-api-key=${PROD_KEY}`], { env: {} })
    expect(withEquals.exitCode).toBe(2)
    expect(withEquals.stderr).toContain('DEST_API_KEY')
    for (const run of [asFlag, withEquals]) expectNoKeys(run)
    expect(pair.dev.requests).toHaveLength(0)
  })

  it('exits 2 for a key inside --destinations and for --github-token, without echoing them', async () => {
    const { args, env } = commandLine(pair, { algorithms: 'hello' })
    const destinations = JSON.stringify([
      {
        name: 'prod',
        'api-url': pair.prod.url,
        'git-url': pair.prod.url,
        'api-key': PROD_KEY,
        'api-key-owner': 'deployer',
        'algo-owner': DEST_OWNER
      }
    ])
    const inDestinations = await runCli(['--algorithms', 'hello', '--destinations', destinations], { env })
    expect(inDestinations.exitCode).toBe(2)
    expect(inDestinations.stderr).toContain('api-key-env')
    const token = await runCli([...args, '--github-token=ghp_secretTokenCanary'], { env })
    expect(token.exitCode).toBe(2)
    expect(token.stderr).toContain('GitHub Action only')
    expect(token.stderr).not.toContain('ghp_secretTokenCanary')
    expectNoKeys(inDestinations)
  })

  it('promotes to --destinations with keys named by api-key-env, ignoring DEST_API_KEY', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { 'source-api-key': _s, 'dest-api-key': _d, ...inputs } = pair.inputs()
    const destinations = JSON.stringify([
      {
        name: 'production',
        'api-url': pair.prod.url,
        'git-url': pair.prod.url,
        'api-key-env': 'PROD_KEY',
        'api-key-owner': 'deployer',
        'algo-owner': DEST_OWNER
      }
    ])
    const args = ['--algorithms', 'hello', '--destinations', destinations]
    for (const name of ['source-api-url', 'source-git-url', 'source-api-key-owner', 'source-algo-owner', 'retry-delay'])
      args.push(`--${name}`, inputs[name])
    const run = await runCli(args, { env: { SOURCE_API_KEY: DEV_KEY, PROD_KEY, DEST_API_KEY: 'unrelated-key-exported-elsewhere' } })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).results).toMatchObject([{ algorithm: 'hello', destination: 'production', status: 'created' }])
    expectNoKeys(run)
  })

  it('--mode plan lists what needs promoting as a matrix, and writes nothing', async () => {
    await pair.seed('hello', { 'hello.py': 'x = 1\n' })
    const { args, env } = commandLine(pair, { algorithms: 'hello', mode: 'plan' })
    const run = await runCli(args, { env })
    expect(run.exitCode, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout)
    expect(output.matrix).toEqual({ include: [{ algorithm: 'hello', destination: new URL(pair.prod.url).host }] })
    expect(output.results).toMatchObject([{ status: 'planned' }])
    expect(pair.prod.getAlgorithm(DEST_OWNER, 'hello')).toBeUndefined()
  })

  it('exits 2 when a key variable is missing off a terminal', async () => {
    const { args } = commandLine(pair, { algorithms: 'hello' })
    const run = await runCli(args, { env: { DEST_API_KEY: PROD_KEY } })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/SOURCE_API_KEY: is not set: set SOURCE_API_KEY \(or SOURCE_ACCOUNT_API_KEY\)/)
    expect(run.stderr).not.toContain('DEST_API_KEY:')
    expectNoKeys(run)
  })

  describe('a reader that closes the pipe early (| head)', () => {
    it('--help exits 0 without an EPIPE crash', async () => {
      for (let round = 0; round < 3; round++) {
        const run = await runCli(['--help'], { closedStdout: true })
        expect(run.stderr).not.toMatch(/EPIPE|Error|at /)
        expect(run.exitCode).toBe(0)
      }
    })

    it('--json finishes the promotion and exits with its own code, without an EPIPE crash', async () => {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' })
      const { args, env } = commandLine(pair, { algorithms: 'hello', json: true })
      const run = await runCli(args, { env, closedStdout: true })
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled|node:internal/)
      expect(run.exitCode, run.stderr).toBe(0)
      expect(await pair.prod.headCommit(DEST_OWNER, 'hello'), 'the promotion was not cut off').toMatch(/^[0-9a-f]{40}$/)

      const failing = await runCli(commandLine(pair, { algorithms: 'missing', json: true }).args, { env, closedStdout: true })
      expect(failing.stderr).not.toMatch(/EPIPE|Unhandled|node:internal/)
      expect(failing.exitCode, 'a failed promotion still exits 1').toBe(1)
    })
  })

  it('--help documents every input of action.yml but the keys, and the key variables', async () => {
    const run = await runCli(['--help'])
    expect(run.exitCode).toBe(0)
    const inputs = await actionInputs()
    expect(inputs.length).toBeGreaterThan(20)
    // Credentials are never flags; `environment` only names the GitHub deployments that the action records.
    const notFlags = ['source-api-key', 'dest-api-key', 'source-admin-api-key', 'dest-admin-api-key', 'github-token', 'environment']
    for (const input of inputs.filter(name => !notFlags.includes(name))) expect(run.stdout).toMatch(new RegExp(`--${input} `))
    for (const input of notFlags) expect(run.stdout).not.toMatch(new RegExp(`--${input}(?![a-z-])`))
    for (const text of [
      '--json',
      'SOURCE_API_KEY',
      'SOURCE_ACCOUNT_API_KEY',
      'DEST_API_KEY',
      'DEST_ACCOUNT_API_KEY',
      'github-token',
      'Exit codes'
    ])
      expect(run.stdout).toContain(text)
  })

  describe.skipIf(!HAS_SCRIPT)('on a terminal', () => {
    it('shows live progress per algorithm and phase, then a table of the results', async () => {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' }, { publish: 'minor' })
      await pair.seed('world', { 'world.py': 'y = 2\n' })
      const { args, env } = commandLine(pair, { algorithms: 'hello,world', publish: true })
      const run = await runCli(args, { env, tty: true })
      const screen = stripAnsi(run.stdout)
      expect(run.exitCode, screen).toBe(0)
      const destination = new URL(pair.prod.url).host
      for (const phase of ['resolving source', 'preparing destination', 'fetching', 'building']) {
        expect(screen).toMatch(new RegExp(`hello +→ ${destination} +${phase}`))
        expect(screen).toMatch(new RegExp(`world +→ ${destination} +${phase}`))
      }
      // The block's last frame: each promotion's outcome.
      expect(screen).toMatch(new RegExp(`✔ hello +→ ${destination} +created 0\\.1\\.0`))
      expect(screen).toMatch(/▸ Sync code/)
      // The final table, then the counts.
      for (const column of ['Algorithm', 'Destination', 'Status', 'Source version', 'Destination version']) expect(screen).toContain(column)
      expect(screen).toMatch(/│ hello +│ [^│]+│ created +│ 0\.1\.0 +│/)
      expect(screen).toMatch(/│ world +│ [^│]+│ created +│ — +│/)
      expect(screen).toContain('2 created')
      expect(screen).not.toContain('"results"')
      expectNoKeys(run)
    })

    it('shows a failed promotion in the table with its error, and exits 1', async () => {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' })
      const { args, env } = commandLine(pair, { algorithms: 'hello,missing' })
      const run = await runCli(args, { env, tty: true })
      const screen = stripAnsi(run.stdout)
      expect(run.exitCode, screen).toBe(1)
      expect(screen).toMatch(/✖ missing +→ \S+ +failed \(resolve source\)/)
      expect(screen).toMatch(/│ missing +│ [^│]+│ failed +│/)
      expect(screen).toContain('1 created, 1 failed')
      expect(screen).toMatch(/✖ missing → \S+: resolve source failed/)
    })

    it('--json on a terminal prints JSON', async () => {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' })
      const { args, env } = commandLine(pair, { algorithms: 'hello', 'dry-run': true, json: true })
      const run = await runCli(args, { env, tty: true })
      expect(run.exitCode).toBe(0)
      const screen = stripAnsi(run.stdout)
      expect(JSON.parse(screen.slice(screen.indexOf('{\n')))).toMatchObject({ results: [{ status: 'planned' }] })
    })

    it('asks for missing keys without echoing them', async () => {
      await pair.seed('hello', { 'hello.py': 'x = 1\n' })
      const { args } = commandLine(pair, { algorithms: 'hello' })
      const answers = [
        [`Source API key of alice on ${pair.dev.url}: `, `${DEV_KEY}\r`],
        [`Destination API key of deployer on ${pair.prod.url}: `, `${PROD_KEY}\r`]
      ] as const
      const run = await runCli(args, { env: {}, tty: true, answers })
      const screen = stripAnsi(run.stdout)
      expect(run.exitCode, screen).toBe(0)
      expect(screen).toContain('Source API key of alice on')
      expect(screen).toContain('Destination API key of deployer on')
      expect(screen).toContain('1 created')
      expectNoKeys(run)
    })

    it('exits 2 when the prompt is left with Ctrl-C', async () => {
      const { args } = commandLine(pair, { algorithms: 'hello' })
      const run = await runCli(args, { env: {}, tty: true, answers: [['Source API key of alice on', '\x03']] })
      expect(run.exitCode).toBe(2)
      expect(stripAnsi(run.stdout)).toContain('no key was entered, so nothing was changed; set SOURCE_API_KEY to skip the prompt')
      expect(pair.dev.requests).toHaveLength(0)
    })
  })
})

/** The input names of action.yml, read from its `inputs:` block. */
async function actionInputs(): Promise<string[]> {
  const text = await readFile(ACTION_YML, 'utf8')
  const block = text.slice(text.indexOf('\ninputs:'), text.indexOf('\noutputs:'))
  return [...block.matchAll(/^ {2}([a-z][a-z0-9-]*):\s*$/gm)].map(match => match[1])
}
