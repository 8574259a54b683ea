/**
 * What a security team and a contributor look for in the repository: the license package.json names,
 * a security policy, contribution rules, owners for review, update automation, and line endings that
 * stay LF on every checkout (Windows runners default to core.autocrlf=true).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8')
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1' }
  })

describe('repository files', () => {
  it('has the MIT license that package.json declares', () => {
    expect(JSON.parse(read('package.json')).license).toBe('MIT')
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} .+\n\nPermission is hereby granted, free of charge/)
  })

  it("names the repository in package.json, as npm's provenance requires (it must match the publishing workflow's)", () => {
    const manifest = JSON.parse(read('package.json')) as { repository: { url: string } }
    const uses = /uses: ([\w-]+\/[\w-]+)@v\d/.exec(read('README.md'))![1]
    expect(manifest.repository.url).toBe(`git+https://github.com/${uses}.git`)
  })

  it('has a security policy that says where to report and what the tool does with keys', () => {
    const policy = read('SECURITY.md')
    expect(policy).toContain('Report a vulnerability')
    expect(policy).toMatch(/Do not open a public issue/)
    expect(policy).toContain('(docs/security.md)')
  })

  it('has contribution rules with the checklist for adding an input', () => {
    const guide = read('CONTRIBUTING.md')
    for (const file of ['action.yml', 'src/inputs/defaults.ts', 'src/cli/arguments.ts', 'npm run readme', 'CHANGELOG.md', 'npm run build'])
      expect(guide).toContain(file)
  })

  it('has update automation for npm and for the actions the workflows use, and code owners', () => {
    const dependabot = parse(read('.github/dependabot.yml')) as { version: number; updates: { 'package-ecosystem': string }[] }
    expect(dependabot.version).toBe(2)
    expect(dependabot.updates.map(update => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    expect(read('.github/CODEOWNERS')).toMatch(/^\* @\S+$/m)
  })
})

describe('line endings', () => {
  it('asks git for LF on checkout for every text file', () => {
    const files = ['README.md', 'src/main.ts', 'dist/index.js', 'scripts/check-prerequisites.sh', '.ci/run']
    const attributes = git(ROOT, 'check-attr', 'eol', 'text', '--', ...files)
    for (const file of files) {
      expect(attributes).toContain(`${file}: eol: lf`)
      expect(attributes).toContain(`${file}: text: auto`)
    }
  })

  it('checks out LF files where core.autocrlf=true (the Windows runners) would write CRLF', () => {
    // A repository with this .gitattributes and a committed LF file, checked out again with autocrlf on.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'line-endings-'))
    try {
      git(dir, 'init', '-q')
      writeFileSync(path.join(dir, '.gitattributes'), read('.gitattributes'))
      writeFileSync(path.join(dir, 'file.ts'), 'one\ntwo\n')
      git(dir, 'add', '.')
      git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'one')
      rmSync(path.join(dir, 'file.ts'))
      git(dir, '-c', 'core.autocrlf=true', 'checkout', '--', 'file.ts')
      expect(readFileSync(path.join(dir, 'file.ts'), 'utf8')).toBe('one\ntwo\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('documentation paths', () => {
  it('names no path outside the repository (a reader has the repository only)', () => {
    const files = git(ROOT, 'ls-files', '--', '*.md', '*.sh', 'bench', 'emulator', 'scripts', '.github')
      .split('\n')
      .filter(file => file && /\.(md|sh|ts|yml)$/.test(file))
    const outside = files.flatMap(file =>
      read(file)
        .split('\n')
        .map((line, index) => ({ file, line: index + 1, text: line }))
        .filter(({ text }) => /\/work\/|(?<![\w.])\.\.\/shared\/(?!reference\/)/.test(text))
    )
    expect(outside.map(({ file, line, text }) => `${file}:${line}: ${text.trim()}`)).toEqual([])
  })
})
