/**
 * The job summary as the runner gets it (through GITHUB_STEP_SUMMARY): file
 * lists capped per kind, the whole summary under GitHub's 1 MiB limit however
 * many promotions are planned, and names shown as text, never as HTML.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fileListSections, SUMMARY_BUDGET_BYTES, writeJobSummary } from '../../src/workflow-commands/job-summary.js'
import type { PromotionConfig } from '../../src/core/config.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { RunReport } from '../../src/report/run-report.js'
import type { PromotionResult } from '../../src/promotion/result.js'
import { cappedFileList, FILES_PER_LIST } from '../../src/report/file-list.js'
import { escapeHtml } from '../../src/report/html.js'
import { publicCollection } from '../../src/report/collections.js'
import { collectionsWithinLimit } from '../../src/workflow-commands/outputs.js'
import type { CollectionResult } from '../../src/data/result.js'

const GITHUB_LIMIT_BYTES = 1024 * 1024

let dir: string
let summaryFile: string
const savedSummaryPath = process.env.GITHUB_STEP_SUMMARY

// @actions/core remembers the summary file after its first write: one file for every test, emptied before each.
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'job-summary-'))
  summaryFile = path.join(dir, 'step-summary')
  process.env.GITHUB_STEP_SUMMARY = summaryFile
})
beforeEach(async () => {
  await writeFile(summaryFile, '')
})
afterAll(async () => {
  if (savedSummaryPath === undefined) delete process.env.GITHUB_STEP_SUMMARY
  else process.env.GITHUB_STEP_SUMMARY = savedSummaryPath
  await rm(dir, { recursive: true, force: true })
})

function configOf(overrides: Record<string, string> = {}): PromotionConfig {
  const inputs: Record<string, string> = {
    'source-cluster': 'dev.algo.example.com',
    'source-api-key': 'simDevKey000000000000000000',
    'source-api-key-owner': 'alice',
    'source-algo-owner': 'data_science',
    'dest-cluster': 'prod.algo.example.com',
    'dest-api-key': 'simProdKey00000000000000',
    'dest-api-key-owner': 'deployer',
    'dest-algo-owner': 'ml_prod',
    algorithms: 'hello',
    'dry-run': 'true',
    ...overrides
  }
  return parseConfig(name => inputs[name] ?? '', {})
}

function planned(algorithm: string, changes: NonNullable<PromotionResult['changes']>): PromotionResult {
  return {
    algorithm,
    destination: 'prod',
    status: 'planned',
    sourceCommit: 'a'.repeat(40),
    sourceVersion: '',
    destCommit: '',
    destVersion: '',
    newCommit: true,
    changes
  }
}

function reportOf(results: PromotionResult[]): RunReport {
  return { results, versionMap: {}, changed: true, failed: results.filter(r => r.status === 'failed').length, versionMapWritten: false }
}

const files = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}/file-${i}.py`)

async function summaryOf(results: PromotionResult[]): Promise<string> {
  await writeJobSummary(configOf(), reportOf(results))
  return readFile(summaryFile, 'utf8')
}

describe('the job summary', () => {
  it('lists at most FILES_PER_LIST files per kind, then how many more', async () => {
    const summary = await summaryOf([
      planned('hello', { added: files('a', 45), modified: files('m', 2), deleted: files('d', FILES_PER_LIST + 1) })
    ])
    expect(summary).toContain('hello → prod: 45 added, 2 modified, 31 deleted')
    expect(summary.match(/A a\/file-\d+\.py/g)).toHaveLength(FILES_PER_LIST)
    expect(summary.match(/M m\/file-\d+\.py/g)).toHaveLength(2)
    expect(summary.match(/D d\/file-\d+\.py/g)).toHaveLength(FILES_PER_LIST)
    expect(summary).toContain(`<br>… and ${45 - FILES_PER_LIST} more<br>M m/file-0.py`)
    expect(summary).toMatch(/D d\/file-29\.py<br>… and 1 more<\/details>/)
    expect(summary).not.toContain('left out')
  })

  it('stays under GitHub’s 1 MiB however many promotions are planned, and says what it left out', async () => {
    const longName = 'x'.repeat(200)
    const results = Array.from({ length: 400 }, (_, i) => planned(`algo_${i}`, { added: files(longName, 40), modified: [], deleted: [] }))
    await writeJobSummary(configOf(), reportOf(results))
    const { size } = await stat(summaryFile)
    expect(size).toBeLessThan(GITHUB_LIMIT_BYTES)
    expect(size).toBeGreaterThan(SUMMARY_BUDGET_BYTES * 0.95)
    const summary = await readFile(summaryFile, 'utf8')
    const shown = summary.match(/<details>/g)?.length ?? 0
    expect(shown).toBeGreaterThan(0)
    expect(shown).toBeLessThan(400)
    expect(summary).toContain(
      `The file lists of ${400 - shown} more planned promotions are left out: GitHub drops a job summary over 1 MiB.`
    )
    // Every promotion still has its row, and the version map comes last.
    expect(summary.match(/<td>algo_\d+<\/td>/g)).toHaveLength(400)
    expect(summary.trimEnd()).toMatch(/<h3>Version map<\/h3>\s*<pre lang="json"><code>\{\}<\/code><\/pre>$/)
  })

  it('stays under 1 MiB with forty data collections failing with 40 kB reasons, and the collections output stays small', async () => {
    const reason = 'r'.repeat(40 * 1024)
    const collections: CollectionResult[] = Array.from({ length: 40 }, (_, i) => ({
      collection: `c${i}`,
      destination: 'prod',
      status: 'failed',
      created: false,
      copied: 0,
      skipped: 0,
      pruned: 0,
      bytes: 0,
      copiedFiles: [],
      prunedFiles: [],
      keptFiles: [],
      failed: Array.from({ length: 200 }, (_, f) => ({ file: `f${f}`, reason })),
      error: reason
    }))
    await writeJobSummary(configOf(), { ...reportOf([]), collections })
    const { size } = await stat(summaryFile)
    expect(size).toBeLessThan(GITHUB_LIMIT_BYTES)
    expect(await readFile(summaryFile, 'utf8')).toMatch(/more file failures are left out of this summary; the log lists every one/)
    const output = collectionsWithinLimit(collections)
    expect(Buffer.byteLength(output)).toBeLessThan(GITHUB_LIMIT_BYTES)
    expect((JSON.parse(output) as CollectionResult[]).map(result => result.collection)).toHaveLength(40)
    expect(publicCollection(collections[0]).failed).toHaveLength(100)
  })

  it('shows names, files and errors as text, not HTML', async () => {
    const failed: PromotionResult = {
      ...planned('<b>x</b>', { added: [], modified: [], deleted: [] }),
      status: 'failed',
      error: 'no <script>alert(1)</script> & more',
      changes: undefined
    }
    const summary = await summaryOf([planned('hello', { added: ['<img src=x onerror=alert(1)>.py'], modified: [], deleted: [] }), failed])
    expect(summary).toContain('A &lt;img src=x onerror=alert(1)&gt;.py')
    expect(summary).toContain('<b>&lt;b&gt;x&lt;/b&gt;</b> → prod: no &lt;script&gt;alert(1)&lt;/script&gt; &amp; more')
    expect(summary).toContain('<td>&lt;b&gt;x&lt;/b&gt;</td>')
    expect(summary).not.toMatch(/<img|<script/)
  })
})

describe('the file list sections', () => {
  it('take as many promotions as fit in the budget, then a line naming the rest', () => {
    const results = Array.from({ length: 5 }, (_, i) => planned(`algo_${i}`, { added: files('src', 3), modified: [], deleted: [] }))
    const all = fileListSections(results, Infinity)
    expect(all).toHaveLength(5)
    const note = 'The file lists of 2 more planned promotions are left out'
    const roomForThree = all.slice(0, 3).reduce((sum, section) => sum + Buffer.byteLength(section) + 1, 0) + 200
    const three = fileListSections(results, roomForThree)
    expect(three.slice(0, 3)).toEqual(all.slice(0, 3))
    expect(three[3]).toContain(note)
    expect(fileListSections(results, 0)).toEqual([expect.stringContaining('The file lists of 5 more planned promotions are left out')])
  })

  it('skip what is not planned or has no file changes compared', () => {
    const unchanged: PromotionResult = { ...planned('a', { added: ['x'], modified: [], deleted: [] }), status: 'unchanged' }
    const notCompared: PromotionResult = { ...planned('b', { added: [], modified: [], deleted: [] }), changes: undefined }
    expect(fileListSections([unchanged, notCompared], Infinity)).toEqual([])
  })
})

describe('the shared helpers', () => {
  it('cap a file list with a count of the rest', () => {
    expect(cappedFileList(['a', 'b', 'c'], 2, file => `- ${file}`)).toEqual(['- a', '- b', '… and 1 more'])
    expect(cappedFileList(['a', 'b'], 2, file => file)).toEqual(['a', 'b'])
    expect(cappedFileList(['a'], 0, file => file)).toEqual(['… and 1 more'])
  })

  it('escape the characters that would make HTML', () => {
    expect(escapeHtml('<a href="x">&amp;</a>')).toBe('&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;')
  })
})
