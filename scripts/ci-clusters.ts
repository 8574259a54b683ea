/**
 * For the CI job that runs the action itself (`uses: ./`): starts the demo's "dev" and "prod" emulated
 * clusters, writes the inputs that connect them to the file named by the first argument (`name=value`
 * lines, for $GITHUB_OUTPUT), and serves until SIGINT or SIGTERM. The keys are throwaway emulator keys;
 * the workflow masks them all the same.
 */
import { rename, writeFile } from 'node:fs/promises'
import { startDemoClusters } from './lib/demo-clusters.js'

const file = process.argv[2]
if (!file) {
  console.error('Usage: node --import tsx scripts/ci-clusters.ts <file for the inputs>')
  process.exit(2)
}

const clusters = await startDemoClusters()
const stop = (): void => {
  clusters.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

// Written whole, then renamed: whoever waits for the file never reads half of it.
const lines = Object.entries(clusters.inputs).map(([name, value]) => `${name}=${value}\n`)
await writeFile(`${file}.partial`, lines.join(''))
await rename(`${file}.partial`, file)
console.log(`dev cluster at ${clusters.dev.url}, prod cluster at ${clusters.prod.url}; inputs in ${file}`)
