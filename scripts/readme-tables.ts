/** `npm run readme`: regenerates the README's inputs and outputs tables from action.yml. */
import { readFile, writeFile } from 'node:fs/promises'
import { inputsTable, outputsTable, readActionMetadata, replaceSection } from './lib/action-metadata.js'

const metadata = await readActionMetadata('action.yml')
const readme = await readFile('README.md', 'utf8')
const updated = replaceSection(replaceSection(readme, 'inputs', inputsTable(metadata)), 'outputs', outputsTable(metadata))
await writeFile('README.md', updated)
console.log(updated === readme ? 'README.md tables are up to date.' : 'README.md tables regenerated from action.yml.')
