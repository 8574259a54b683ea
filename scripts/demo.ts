/**
 * `npm start`: a real promotion between two emulated clusters on this machine.
 * Starts "dev" and "prod", seeds a published algorithm on dev, runs the bundled
 * action (dist/index.js) as a GitHub runner would, prints what it reported, then
 * runs it again to show that a re-run changes nothing.
 */
import { startCluster, type EmulatedCluster } from '../emulator/index.js'
import type { PublicResult } from '../src/report/public-result.js'
import { shortCommit } from '../src/report/table.js'
import { runAction, type ActionRun } from './lib/run-action.js'

const ALGORITHM = 'sentiment'

async function seedDev(dev: EmulatedCluster): Promise<string> {
  dev.addUser('alice')
  dev.addOrg('data_science', ['alice'])
  const key = dev.addKey('alice')
  dev.createAlgorithm('data_science', ALGORITHM, {
    details: { label: 'Sentiment', summary: 'Scores the sentiment of a sentence' },
    settings: {
      language: 'python3-1',
      environment: 'cpu',
      license: 'mit',
      network_access: 'isolated',
      source_visibility: 'closed',
      pipeline_enabled: true
    }
  })
  const commit = await dev.commit(
    'data_science',
    ALGORITHM,
    {
      '.gitignore': '__pycache__/\n',
      'algorithmia.conf': JSON.stringify({ username: 'data_science', algoname: ALGORITHM, language: 'python3-1' }, null, 2),
      'requirements.txt': 'algorithmia>=1.0.0\n',
      'src/__init__.py': '',
      [`src/${ALGORITHM}.py`]: 'def apply(text):\n    return {"score": 0.9 if "good" in text else -0.4}\n',
      'src/model/weights.json': JSON.stringify({ good: 0.9, bad: -0.4 })
    },
    { message: 'Sentiment model v1' }
  )
  await dev.waitForBuild('data_science', ALGORITHM, commit)
  await dev.publish('data_science', ALGORITHM, 'minor', 'First model')
  return key
}

function seedProd(prod: EmulatedCluster): string {
  prod.addUser('deployer')
  prod.addOrg('ml_prod', ['deployer'])
  return prod.addKey('deployer')
}

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
  const dev = await startCluster({ name: 'dev', buildDelayMs: 300 })
  const prod = await startCluster({ name: 'prod', buildDelayMs: 300 })
  try {
    const devKey = await seedDev(dev)
    const prodKey = seedProd(prod)
    console.log(`dev cluster at ${dev.url}, prod cluster at ${prod.url}`)
    const inputs = {
      'source-api-url': dev.url,
      'source-git-url': dev.url,
      'source-api-key': devKey,
      'source-api-key-owner': 'alice',
      'source-algo-owner': 'data_science',
      'dest-api-url': prod.url,
      'dest-git-url': prod.url,
      'dest-api-key': prodKey,
      'dest-api-key-owner': 'deployer',
      'dest-algo-owner': 'ml_prod',
      algorithms: ALGORITHM,
      publish: 'true'
    }
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
    await Promise.all([dev.stop(), prod.stop()])
  }
}

await main()
