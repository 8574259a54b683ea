/**
 * `npm start`: a real promotion between two emulated clusters on this machine.
 * Starts "dev" and "prod", seeds a published algorithm on dev, runs the bundled
 * action (dist/index.js) as a GitHub runner would, prints what it reported, then
 * runs it again to show that a re-run changes nothing.
 */
import type { PublicResult } from '../src/report/public-result.js'
import { shortCommit } from '../src/report/table.js'
import { ALGORITHM, startDemoClusters } from './lib/demo-clusters.js'
import { runAction, type ActionRun } from './lib/run-action.js'

function report(title: string, run: ActionRun): void {
  console.log(`\n=== ${title}: exit code ${run.exitCode}`)
  const results = JSON.parse(run.outputs.results ?? '[]') as PublicResult[]
  console.table(
    results.map(result => ({
      algorithm: result.algorithm,
      status: result.status,
      'source version': result.sourceVersion || '—',
      'source commit': shortCommit(result.sourceCommit),
      'dest version': result.destVersion || '—',
      'dest commit': shortCommit(result.destCommit)
    }))
  )
  console.log(
    `outputs: changed=${run.outputs.changed} dest-version=${run.outputs['dest-version'] || "''"} dest-commit=${run.outputs['dest-commit']}`
  )
  console.log(`         version-map=${run.outputs['version-map']}`)
}

async function main(): Promise<void> {
  const { dev, prod, inputs, stop } = await startDemoClusters()
  try {
    console.log(`dev cluster at ${dev.url}, prod cluster at ${prod.url}`)
    const first = await runAction(inputs)
    report('Promotion dev → prod', first)
    console.log('\nJob summary (markdown):\n' + first.summary)
    const files = Object.keys(await prod.readTree('ml_prod', ALGORITHM)).sort()
    console.log(`prod ml_prod/${ALGORITHM} now holds: ${files.join(', ')}`)
    const second = await runAction(inputs)
    report('Re-run with nothing new', second)
    if (first.exitCode !== 0 || second.exitCode !== 0) {
      console.error(first.stdout, second.stdout)
      process.exitCode = 1
    } else {
      console.log('\nPromotion succeeded.')
    }
  } finally {
    await stop()
  }
}

await main()
