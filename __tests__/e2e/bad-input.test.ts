/**
 * Issue 3, bad input the action refuses before any network request: each case
 * gets one clear error naming the input, what is wrong and the fix; the
 * emulators' request logs and a git spy prove that nothing was sent; and the
 * run is scanned for the canary keys.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ActionRun } from '../../scripts/lib/run-action.js'
import { SOURCE_OWNER, startClusterPair, type ClusterPair } from '../helpers/clusters.js'
import { CANARY_DEV_KEY, CANARY_PROD_KEY, runAndScan, type ScanReport } from './security-scan.js'

const KEYS = [
  { owner: 'alice', key: CANARY_DEV_KEY },
  { owner: 'deployer', key: CANARY_PROD_KEY }
]

interface BadInput {
  /** What the case tries, for the test name. */
  readonly title: string
  readonly inputs: Record<string, string>
  /** The input the error must name. */
  readonly input: string
  /** What the message must say: what was wrong and how to fix it. */
  readonly says: RegExp
}

const OWNER_INPUTS = ['source-api-key-owner', 'source-algo-owner', 'dest-api-key-owner', 'dest-algo-owner']
const REQUIRED = ['source-api-key', 'dest-api-key', ...OWNER_INPUTS, 'algorithms']
const FIX = /\b(use|give|pass|remove|list|fix|copy|leave|set|name|check|such as)\b/i

const CASES: BadInput[] = [
  ...REQUIRED.map(input => ({ title: `${input} missing`, inputs: { [input]: '' }, input, says: /is required: / })),
  {
    title: 'source cluster missing (no domain, no URLs)',
    inputs: { 'source-api-url': '', 'source-git-url': '' },
    input: 'source-cluster',
    says: /is required: give the source cluster's domain/
  },
  {
    title: 'destination cluster missing (only an API URL)',
    inputs: { 'dest-git-url': '' },
    input: 'dest-cluster',
    says: /is required: .*or both dest-api-url and dest-git-url/
  },
  ...OWNER_INPUTS.flatMap(input => [
    // Values with characters a key carries ('/') are not echoed: they may be a key pasted into the wrong input.
    {
      title: `${input} '../x'`,
      inputs: { [input]: '../x' },
      input,
      says: /^'\.\.\/x' is not a valid user or organization name: use a letter followed by/
    },
    {
      title: `${input} with a space`,
      inputs: { [input]: 'data science' },
      input,
      says: /'data science' is not a valid user or organization name/
    },
    {
      title: `${input} over 30 characters`,
      inputs: { [input]: `a${'b'.repeat(30)}` },
      input,
      says: /is not a valid user or organization name: .*at most 30 characters/
    }
  ]),
  {
    title: "algorithm name '../x'",
    inputs: { algorithms: '../x' },
    input: 'algorithms',
    says: /'\.\.\/x' is not a valid algorithm name: use a letter followed by/
  },
  {
    title: 'algorithm name with a space',
    inputs: { algorithms: 'my algo' },
    input: 'algorithms',
    says: /'my algo' is not a valid algorithm name/
  },
  {
    title: 'algorithm names empty (only separators)',
    inputs: { algorithms: ' , ,\n' },
    input: 'algorithms',
    says: /lists no algorithm names/
  },
  {
    title: 'algorithm listed twice',
    inputs: { algorithms: 'hello, world\nhello' },
    input: 'algorithms',
    says: /'hello' is listed twice: list each algorithm once/
  },
  {
    title: 'settings not JSON',
    inputs: { settings: "{license: 'mit'}" },
    input: 'settings',
    says: /is not valid JSON .*: give an object such as/
  },
  { title: 'settings a JSON array', inputs: { settings: '["mit"]' }, input: 'settings', says: /must be a JSON object/ },
  { title: 'settings a JSON string', inputs: { settings: '"mit"' }, input: 'settings', says: /must be a JSON object/ },
  {
    title: 'settings with an unknown license',
    inputs: { settings: '{"license": "bsd"}' },
    input: 'settings',
    says: /'license' cannot be "bsd": use one of "apl", "apache2", "gpl3", "mit"/
  },
  {
    title: 'settings with an unknown environment',
    inputs: { settings: '{"environment": "tpu"}' },
    input: 'settings',
    says: /'environment' cannot be "tpu": use one of "cpu", "gpu"/
  },
  {
    title: 'settings with an unknown key',
    inputs: { settings: '{"colour": "red"}' },
    input: 'settings',
    says: /unknown setting 'colour': use /
  },
  {
    title: 'version-type outside the enum',
    inputs: { 'version-type': 'huge' },
    input: 'version-type',
    says: /'huge' is not a version type: use major, minor, revision/
  },
  { title: 'build-timeout zero', inputs: { 'build-timeout': '0' }, input: 'build-timeout', says: /'0' is not a positive number/ },
  { title: 'build-timeout negative', inputs: { 'build-timeout': '-30' }, input: 'build-timeout', says: /'-30' is not a positive number/ },
  {
    title: 'build-timeout not a number',
    inputs: { 'build-timeout': 'ten minutes' },
    input: 'build-timeout',
    says: /'ten minutes' is not a positive number/
  },
  {
    title: 'API URL with another scheme',
    inputs: { 'source-api-url': 'ftp://dev.example.com' },
    input: 'source-api-url',
    says: /uses 'ftp:': give an http:\/\/ or https:\/\/ URL/
  },
  {
    title: 'git URL that is not a URL',
    inputs: { 'dest-git-url': 'git.prod.example.com/path' },
    input: 'dest-git-url',
    says: /is not a URL: give an http\(s\) URL/
  },
  {
    title: 'API URL carrying credentials',
    inputs: { 'dest-api-url': `https://deployer:${encodeURIComponent(CANARY_PROD_KEY)}@127.0.0.1:1` },
    input: 'dest-api-url',
    says: /contains a user name or password: remove them from the URL/
  },
  {
    title: 'version-type in the wrong case',
    inputs: { 'version-type': 'Minor' },
    input: 'version-type',
    says: /'Minor' is not a version type/
  },
  {
    title: 'source-version neither semver nor commit',
    inputs: { 'source-version': 'v1.2' },
    input: 'source-version',
    says: /'v1\.2' is neither a published version .* nor a commit hash/
  },
  {
    title: 'source-version and source-versions together',
    inputs: { 'source-version': '1.2.0', 'source-versions': 'all', publish: 'true' },
    input: 'source-versions',
    says: /cannot be combined with source-version: give source-version to promote one version, or source-versions to replay several/
  },
  {
    title: 'source-versions without publish',
    inputs: { 'source-versions': 'all' },
    input: 'source-versions',
    says: /publishes each selected version, so it needs publish: true/
  },
  {
    title: 'source-versions neither all nor a semver range',
    inputs: { 'source-versions': 'latest', publish: 'true' },
    input: 'source-versions',
    says: /'latest' is neither 'all' nor a semver range: use e\.g\. 'all', '>=1\.0\.0'/
  },
  {
    title: 'publish not a boolean',
    inputs: { publish: 'maybe' },
    input: 'publish',
    says: /'maybe' is not a boolean: use 'true' or 'false'/
  },
  { title: 'max-attempts zero', inputs: { 'max-attempts': '0' }, input: 'max-attempts', says: /'0' is not a positive number/ }
]

/** The `::error title=Input '<name>'::<message>` annotations of a run. */
function inputErrors(run: ActionRun): Array<{ input: string; message: string }> {
  return [...run.stdout.matchAll(/^::error title=Input '([^']+)'::(.*)$/gm)].map(([, input, message]) => ({
    input,
    message: message.replaceAll('%0A', '\n')
  }))
}

describe('bad input is refused before any network request', () => {
  let pair: ClusterPair
  beforeAll(async () => {
    pair = await startClusterPair({ devKey: CANARY_DEV_KEY, prodKey: CANARY_PROD_KEY })
  })
  afterAll(() => pair.stop())
  beforeEach(() => {
    pair.dev.clearRequests()
    pair.prod.clearRequests()
  })

  /** Runs with `overrides` over a valid configuration; asserts that nothing reached a cluster, git never ran, and no key leaked. */
  async function refuse(overrides: Record<string, string>): Promise<{ run: ActionRun; scan: ScanReport }> {
    const { run, scan } = await runAndScan(pair.inputs({ algorithms: 'hello', ...overrides }), KEYS)
    expect(run.exitCode).toBe(1)
    expect(pair.dev.requests, 'no request reached the source cluster').toEqual([])
    expect(pair.prod.requests, 'no request reached the destination cluster').toEqual([])
    // Undefined only on Windows, which has no git spy (createGitSpy printed why).
    if (scan.gitInvocations) expect(scan.gitInvocations, 'git never ran').toEqual([])
    expect(scan.leaks, JSON.stringify(scan.leaks, null, 2)).toEqual([])
    expect(scan.leftInRunnerTemp).toEqual([])
    expect(run.stdout).toMatch(/^::error::The inputs are not usable, so nothing was changed:/m)
    return { run, scan }
  }

  for (const bad of CASES) {
    it(`${bad.title}: one error naming '${bad.input}'`, async () => {
      const { run } = await refuse(bad.inputs)
      const errors = inputErrors(run)
      expect(
        errors.map(error => error.input),
        run.stdout
      ).toEqual([bad.input])
      expect(errors[0].message).toMatch(bad.says)
      expect(errors[0].message).toMatch(FIX)
      if (process.env.PRINT_INPUT_ERRORS) console.log(`| ${bad.title} | \`${errors[0].input}\`: ${errors[0].message.split('\n')[0]} |`)
    })
  }

  it('refuses a source and destination that are the same cluster and owner', async () => {
    const { run } = await refuse({
      'dest-api-url': pair.dev.url,
      'dest-git-url': pair.dev.url,
      'dest-api-key': CANARY_DEV_KEY,
      'dest-api-key-owner': 'alice',
      'dest-algo-owner': SOURCE_OWNER
    })
    const errors = inputErrors(run)
    expect(errors).toHaveLength(1)
    expect(errors[0].input).toBe('dest-algo-owner')
    expect(errors[0].message).toMatch(
      /on the same cluster as the source .* promoted onto itself: on one cluster, use a different destination owner/
    )
  })

  it('refuses a version-map-file that is not valid JSON, and leaves it untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-map-'))
    const file = path.join(dir, 'versions.json')
    const content = '{"hello": {"1.0.0": "0.1.0",}\n'
    await writeFile(file, content)
    const before = await stat(file)
    await new Promise(resolve => setTimeout(resolve, 20))

    const { run } = await refuse({ 'version-map-file': file })

    const errors = inputErrors(run)
    expect(errors).toHaveLength(1)
    expect(errors[0].input).toBe('version-map-file')
    expect(errors[0].message).toMatch(/is not valid JSON .*it was left untouched\. Fix or delete the file/)
    expect(await readFile(file, 'utf8')).toBe(content)
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs)
    expect(await readdir(dir)).toEqual(['versions.json'])
    if (process.env.PRINT_INPUT_ERRORS)
      console.log(`| version-map-file not JSON | \`version-map-file\`: ${errors[0].message.split('\n')[0]} |`)
  })

  it('refuses a version-map-file that is JSON but not a version map, and leaves it untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-map-'))
    const file = path.join(dir, 'versions.json')
    await writeFile(file, '["hello"]\n')

    const { run } = await refuse({ 'version-map-file': file })

    expect(inputErrors(run).map(error => error.input)).toEqual(['version-map-file'])
    expect(await readFile(file, 'utf8')).toBe('["hello"]\n')
  })

  it('lists every problem at once when several inputs are wrong', async () => {
    const { run } = await refuse({ 'version-type': 'huge', 'build-timeout': '0', algorithms: 'a, a' })
    expect(
      inputErrors(run)
        .map(error => error.input)
        .sort()
    ).toEqual(['algorithms', 'build-timeout', 'version-type'])
  })

  // A raw key with '/' makes the URL unparsable; the error must not echo it.
  it('does not echo a key that sits raw inside a URL override', async () => {
    const { run } = await refuse({ 'dest-api-url': `https://deployer:${CANARY_PROD_KEY}@127.0.0.1:1` })
    const errors = inputErrors(run)
    expect(errors).toEqual([
      expect.objectContaining({ input: 'dest-api-url', message: expect.stringMatching(/^is not a URL: give an http\(s\) URL/) })
    ])
  })

  // A common slip: the key and key-owner inputs swapped. The owner error must not echo the key.
  it('does not echo a key given by mistake as a key owner', async () => {
    const { run } = await refuse({ 'dest-api-key-owner': CANARY_PROD_KEY, 'dest-api-key': 'deployer' })
    const errors = inputErrors(run)
    expect(errors.map(error => error.input)).toEqual(['dest-api-key-owner'])
    expect(errors[0].message).toMatch(/^the value given is not a valid user or organization name/)
  })
})
