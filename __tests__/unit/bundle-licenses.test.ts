/**
 * dist/licenses.txt and dist/cli/licenses.txt: every package the bundles carry is named with its license
 * (ncc's own --license named only ncc and node-fetch), and package.json's engines holds for each of them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { bundledPackageDirs, bundledPackages, enginesBelow, licensesFile, packageDirOf } from '../../scripts/lib/bundle-licenses.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** `name@version` of each entry in a licenses file. */
function entries(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  return [...text.matchAll(/^((?:@[^/\s]+\/)?[^@\s]+)@(\d[^\s]*)\n/gm)].map(match => `${match[1]}@${match[2]}`)
}

/** Every installed package folder, nested copies included, by `name@version`. */
function installedPackages(): Map<string, string> {
  const found = new Map<string, string>()
  const visit = (modules: string): void => {
    for (const entry of readdirSync(modules)) {
      const dirs = entry.startsWith('@')
        ? readdirSync(path.join(modules, entry)).map(name => path.join(modules, entry, name))
        : [path.join(modules, entry)]
      for (const dir of dirs) {
        if (!existsSync(path.join(dir, 'package.json'))) continue
        const { name, version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string }
        found.set(`${name}@${version}`, dir)
        if (existsSync(path.join(dir, 'node_modules'))) visit(path.join(dir, 'node_modules'))
      }
    }
  }
  visit(path.join(ROOT, 'node_modules'))
  return found
}

describe('bundled licenses', () => {
  it('names every package the action bundles, not only ncc and node-fetch', () => {
    const names = entries('dist/licenses.txt').map(entry => entry.replace(/@[^@]+$/, ''))
    expect(names).toEqual(
      expect.arrayContaining(['@actions/core', '@actions/http-client', 'undici', 'tunnel', '@octokit/rest', '@octokit/core', 'node-fetch'])
    )
  })

  it('names every package the command-line tool bundles', () => {
    const names = entries('dist/cli/licenses.txt').map(entry => entry.replace(/@[^@]+$/, ''))
    expect(names).toEqual(expect.arrayContaining(['commander', 'cli-table3', 'log-update', 'read', 'node-fetch', 'picocolors']))
  })

  it('gives each entry a license and its text, in a fixed order', () => {
    const installed = installedPackages()
    const dirs = entries('dist/licenses.txt').map(entry => installed.get(entry)!)
    expect(dirs.every(Boolean)).toBe(true)
    const text = licensesFile(bundledPackages(dirs))
    expect(licensesFile(bundledPackages([...dirs].reverse()))).toBe(text)
    expect(readFileSync(path.join(ROOT, 'dist/licenses.txt'), 'utf8')).toBe(text)
    expect(text).toMatch(/^undici@[\d.]+\nMIT\nMIT License\n/m)
  })

  it('finds the package of a module, scoped, nested or with Windows separators', () => {
    expect(packageDirOf('/r/node_modules/@actions/core/lib/core.js')).toBe('/r/node_modules/@actions/core')
    expect(packageDirOf('/r/node_modules/a/node_modules/ansi-regex/index.js')).toBe('/r/node_modules/a/node_modules/ansi-regex')
    expect(packageDirOf('C:\\r\\node_modules\\undici\\index.js')).toBe('C:/r/node_modules/undici')
    expect(packageDirOf('/r/src/main.ts')).toBeUndefined()
    const stats = {
      modules: [
        {
          identifier: 'loader.js!/r/src/main.ts|abc',
          modules: [{ identifier: 'javascript/esm|/r/node_modules/ncc-loader/x.js!/r/node_modules/tunnel/index.js' }]
        }
      ]
    }
    expect(bundledPackageDirs(stats)).toEqual(['/r/node_modules/tunnel'])
  })
})

describe("package.json's engines", () => {
  const { engines } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
  const oldest = semver.minVersion(engines.node)!.version
  const satisfies = (version: string, range: string): boolean => semver.satisfies(version, range)

  it('is met by every bundled package (content-type 3 needs Node 22: pinned to 2.1.0, the same parse())', () => {
    const installed = installedPackages()
    const bundled = [...new Set([...entries('dist/licenses.txt'), ...entries('dist/cli/licenses.txt')])]
    const packages = bundledPackages(bundled.map(entry => installed.get(entry)!))
    expect(packages.length).toBe(bundled.length)
    expect(enginesBelow(packages, oldest, satisfies)).toEqual([])
    expect(packages.find(found => found.name === 'content-type')?.version).toMatch(/^2\./)
  })

  it('is a check that finds a package needing a newer Node.js', () => {
    const packages = [{ name: 'content-type', version: '3.1.1', license: 'MIT', dir: '/x', engines: '>=22' }]
    expect(enginesBelow(packages, '20.5.0', satisfies)).toEqual(['content-type@3.1.1 needs Node.js >=22'])
    const read = [{ name: 'read', version: '4.1.0', license: 'ISC', dir: '/x', engines: '^18.17.0 || >=20.5.0' }]
    expect(enginesBelow(read, '20.0.0', satisfies)).toHaveLength(1)
    expect(enginesBelow(read, oldest, satisfies)).toEqual([])
  })
})
