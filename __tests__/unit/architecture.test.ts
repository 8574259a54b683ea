import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { PROMOTION_PIPELINE } from '../../src/run/promotion.js'

describe('ARCHITECTURE.md', () => {
  it('names every folder under src/', async () => {
    const text = await readFile('ARCHITECTURE.md', 'utf8')
    const folders = (await readdir('src', { withFileTypes: true })).filter(entry => entry.isDirectory()).map(entry => entry.name)
    expect(folders.length).toBeGreaterThan(5)
    for (const folder of folders) expect(text, folder).toContain(`\`src/${folder}/\``)
  })

  it('names every stage module, and the pipeline has one stage per module', async () => {
    const text = await readFile('ARCHITECTURE.md', 'utf8')
    const modules = (await readdir('src/stages')).filter(name => name.endsWith('.ts'))
    const stageModules = []
    for (const name of modules) {
      const source = await readFile(`src/stages/${name}`, 'utf8')
      if (/export const \w+Stage: Stage</.test(source)) stageModules.push(name)
    }
    for (const name of stageModules) expect(text, name).toContain(name)
    expect(stageModules.length).toBeGreaterThanOrEqual(4)
    expect(PROMOTION_PIPELINE.titles).toHaveLength(stageModules.length)
  })
})
