/** `npm run emulator:operations`: regenerates emulator/README.md's table of the spec operations the emulator serves. */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { SPEC_RELATIVE_PATH } from '../emulator/index.js'
import { replaceSection } from './lib/action-metadata.js'
import { emulatedOperations, operationsTable } from './lib/emulated-operations.js'

const README = 'emulator/README.md'
if (!existsSync(SPEC_RELATIVE_PATH)) {
  console.error(`${SPEC_RELATIVE_PATH} is not beside this checkout: the table cannot be generated.`)
  process.exit(1)
}
const readme = await readFile(README, 'utf8')
const updated = replaceSection(readme, 'emulated-operations', operationsTable(await emulatedOperations(SPEC_RELATIVE_PATH)))
await writeFile(README, updated)
console.log(updated === readme ? `${README}: the table is up to date.` : `${README}: the table was regenerated from the spec.`)
