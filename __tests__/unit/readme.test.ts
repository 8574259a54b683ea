import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { inputsTable, outputsTable, readActionMetadata, replaceSection } from '../../scripts/lib/action-metadata.js'
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
