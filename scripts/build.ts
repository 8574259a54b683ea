/**
 * `npm run build`: bundles the action (dist/) and the command-line tool (dist/cli/) with ncc, then writes
 * each bundle's licenses.txt from the packages webpack really bundled (see lib/bundle-licenses.ts).
 * A Node script rather than a line of shell so that it builds the same on Windows.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import semver from 'semver'
import { bundledPackageDirs, bundledPackages, enginesBelow, licensesFile } from './lib/bundle-licenses.js'

const ncc = path.join(path.dirname(createRequire(import.meta.url).resolve('@vercel/ncc/package.json')), 'dist', 'ncc', 'cli.js')
const bundles = [
  { entry: 'src/index.ts', out: 'dist' },
  { entry: 'src/cli/index.ts', out: path.join('dist', 'cli') }
]

// package.json's engines is what users read before installing: every bundled package must run there.
const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node
const oldest = semver.minVersion(engines)?.version ?? engines
const problems: string[] = []

const work = mkdtempSync(path.join(os.tmpdir(), 'algorithmia-promote-build-'))
try {
  for (const { entry, out } of bundles) {
    const stats = path.join(work, 'stats.json')
    execFileSync(process.execPath, [ncc, 'build', entry, '-o', out, '--target', 'es2022', '--stats-out', stats], {
      stdio: 'inherit'
    })
    const packages = bundledPackages(bundledPackageDirs(JSON.parse(readFileSync(stats, 'utf8'))))
    writeFileSync(path.join(out, 'licenses.txt'), licensesFile(packages))
    problems.push(...enginesBelow(packages, oldest, (version, range) => semver.satisfies(version, range)))
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (problems.length > 0) {
  console.error(`package.json says Node.js ${engines}, but bundled packages need more:\n  ${[...new Set(problems)].join('\n  ')}`)
  process.exit(1)
}
