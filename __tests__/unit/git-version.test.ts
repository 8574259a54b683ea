/** Reading `git version` and refusing a git older than the code needs. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { checkGitVersion, parseGitVersion } from '../../src/git/git-version.js'
import { posixOnly } from '../helpers/platform.js'

describe('parseGitVersion', () => {
  it.each([
    ['git version 2.39.5\n', { major: 2, minor: 39 }],
    ['git version 2.45.1.windows.1\n', { major: 2, minor: 45 }],
    ['git version 2.39.3 (Apple Git-146)\n', { major: 2, minor: 39 }],
    ['git version 3.0.0\n', { major: 3, minor: 0 }],
    ['not git at all', undefined]
  ])('%j → %j', (output, version) => {
    expect(parseGitVersion(output)).toEqual(version)
  })
})

describe('checkGitVersion', () => {
  it.each(['git version 2.36.0', 'git version 2.39.5', 'git version 2.100.1', 'git version 3.1.0', 'something else'])(
    'accepts %j',
    output => {
      expect(() => checkGitVersion(output)).not.toThrow()
    }
  )

  it.each([
    ['git version 2.35.8', 'git 2.35 is too old'],
    ['git version 2.29.0', 'git 2.29 is too old'],
    ['git version 1.99.9', 'git 1.99 is too old']
  ])('refuses %j with the reason and the fix', (output, start) => {
    expect(() => checkGitVersion(output)).toThrow(
      new RegExp(`^${start}: algorithmia-promote needs git 2\\.36 or newer \\(ls-tree --format .*\\); install a newer git$`)
    )
  })
})

describe('RunnerGit.assertVersion', () => {
  const path = process.env.PATH
  afterEach(() => {
    process.env.PATH = path
    vi.resetModules()
  })

  it('passes with the git on this machine, running it once', async () => {
    const { RunnerGit } = await import('../../src/git/runner-git.js')
    const runner = new RunnerGit(process.env)
    const first = runner.assertVersion()
    expect(runner.assertVersion()).toBe(first)
    await expect(first).resolves.toBeUndefined()
  })

  const shellScriptGit = posixOnly('the fake old git is a #!/bin/sh script, which Windows cannot spawn as a program')
  it.skipIf(shellScriptGit)('refuses an old git found on PATH', async () => {
    const bin = await mkdtemp(join(os.tmpdir(), 'old-git-'))
    try {
      await writeFile(join(bin, 'git'), '#!/bin/sh\necho "git version 2.34.1"\n')
      await chmod(join(bin, 'git'), 0o755)
      const { RunnerGit } = await import('../../src/git/runner-git.js')
      process.env.PATH = `${bin}${delimiter}${path}`
      await expect(new RunnerGit(process.env).assertVersion()).rejects.toThrow(
        /^git 2\.34 is too old: algorithmia-promote needs git 2\.36 or newer/
      )
    } finally {
      await rm(bin, { recursive: true, force: true })
    }
  })

  it('says git is missing when it cannot be run', async () => {
    const { RunnerGit } = await import('../../src/git/runner-git.js')
    process.env.PATH = '/nonexistent'
    await expect(new RunnerGit(process.env).assertVersion()).rejects.toThrow(
      /^git is not installed or cannot be run \(git was not found on PATH; install git 2\.36 or newer .*\): algorithmia-promote needs git 2\.36 or newer .*; install git and make sure it is on PATH$/
    )
  })
})
