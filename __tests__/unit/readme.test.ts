import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { inputsTable, outputsTable, readActionMetadata, replaceSection } from '../../scripts/lib/action-metadata.js'
import { parseConfig } from '../../src/inputs/parse.js'

describe('README and action.yml agree', () => {
  it('has the inputs and outputs tables generated from action.yml (npm run readme)', async () => {
    const metadata = await readActionMetadata('action.yml')
    const readme = await readFile('README.md', 'utf8')
    expect(replaceSection(replaceSection(readme, 'inputs', inputsTable(metadata)), 'outputs', outputsTable(metadata))).toBe(readme)
  })

  it('declares every input the code reads, and the code reads every declared input', async () => {
    const metadata = await readActionMetadata('action.yml')
    const read = new Set<string>()
    try {
      parseConfig(name => {
        read.add(name)
        return ''
      }, {})
    } catch {
      // Missing required inputs are expected here; only the names matter.
    }
    expect([...read].sort()).toEqual(Object.keys(metadata.inputs).sort())
  })

  it('documents every output the action sets', async () => {
    const metadata = await readActionMetadata('action.yml')
    const source = await readFile('src/workflow-commands/outputs.ts', 'utf8')
    const set = [...source.matchAll(/setOutput\('([^']+)'/g)].map(match => match[1])
    expect(set.sort()).toEqual(Object.keys(metadata.outputs).sort())
  })

  it('runs on node24 from dist/index.js, which also cleans up in a post step', async () => {
    const metadata = (await readActionMetadata('action.yml')) as unknown as { runs: Record<string, string> }
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })
})
