import { describe, expect, it } from 'vitest'
import { planCollection } from '../../src/data/collection-plan.js'
import { RECORD_FILE, parseRecord, serializeRecord } from '../../src/data/record.js'
import { classifyReferences, referencesIn } from '../../src/data/references.js'
import { collectionsOptions } from '../../src/inputs/collections.js'
import { InputContext } from '../../src/inputs/reader.js'

const SOURCE = 'dev/data://team/models'
const at = (iso: string) => `2026-01-01T00:00:${iso}.000Z`

describe('collection plan', () => {
  const source = {
    files: [
      { filename: 'same.bin', size: 10, last_modified: at('01') },
      { filename: 'touched.bin', size: 10, last_modified: at('09') },
      { filename: 'new.bin', size: 5, last_modified: at('01') },
      { filename: 'replaced.bin', size: 7, last_modified: at('01') },
      { filename: 'unrecorded.bin', size: 3, last_modified: at('01') },
      { filename: RECORD_FILE, size: 99, last_modified: at('01') }
    ],
    read: ['user://*']
  }
  const destination = {
    files: [
      { filename: 'same.bin', size: 10, last_modified: at('30') },
      { filename: 'touched.bin', size: 10, last_modified: at('30') },
      { filename: 'replaced.bin', size: 7, last_modified: at('45') },
      { filename: 'unrecorded.bin', size: 3, last_modified: at('30') },
      { filename: 'extra.bin', size: 1, last_modified: at('30') },
      { filename: RECORD_FILE, size: 500, last_modified: at('31') }
    ]
  }
  const entry = (size: number, sourceLastModified: string) => ({ size, sourceLastModified, sha256: 'x', destLastModified: at('30') })
  const record = {
    source: SOURCE,
    files: { 'same.bin': entry(10, at('01')), 'touched.bin': entry(10, at('01')), 'replaced.bin': entry(7, at('01')) }
  }

  it('copies new, changed (same size, newer source), replaced and unrecorded files, and skips the rest without downloading', () => {
    const plan = planCollection(source, destination, record, false)
    expect(plan.create).toBe(false)
    expect(plan.skip.map(f => f.filename)).toEqual(['same.bin'])
    expect(plan.copy.map(c => [c.file.filename, c.reason])).toEqual([
      ['touched.bin', 'changed'],
      ['new.bin', 'new'],
      ['replaced.bin', 'replaced at destination'],
      ['unrecorded.bin', 'not recorded']
    ])
    expect(plan.onlyAtDestination).toEqual(['extra.bin'])
    expect(plan.prune).toEqual([])
    expect(planCollection(source, destination, record, true).prune).toEqual(['extra.bin'])
  })

  it('creates a missing destination with the source ACL and copies everything', () => {
    const plan = planCollection(source, undefined, record, true)
    expect(plan).toMatchObject({ create: true, read: ['user://*'], prune: [] })
    expect(plan.copy).toHaveLength(5)
  })
})

describe('record of promoted files', () => {
  it('round-trips, and is ignored when it comes from another source or cannot be read', () => {
    const record = {
      source: SOURCE,
      files: { 'a.bin': { size: 1, sourceLastModified: at('01'), sha256: 'ab', destLastModified: at('02') } }
    }
    const bytes = serializeRecord(record)
    expect(parseRecord(bytes, SOURCE)).toEqual(record)
    expect(parseRecord(bytes, 'prod/data://team/models').files).toEqual({})
    expect(parseRecord(Buffer.from('{nope'), SOURCE).files).toEqual({})
    expect(parseRecord(undefined, SOURCE).files).toEqual({})
  })
})

describe('data:// references', () => {
  it('finds collections in code and manifests and sorts them by owner', () => {
    const text = `
      model = client.file("data://team/models/weights.bin")
      {"source_uri": "data://team/vocab/words.txt"}
      cache = "data://.my/cache/x" ; other = 'data://partner/shared/y' ; "data://team/models/other" ; "data://.algo/temp/z"`
    const found = classifyReferences(referencesIn(text), 'team')
    expect(found).toEqual({
      ofSourceOwner: ['models', 'vocab'],
      ofOwnOwner: ['cache'],
      relative: ['data://.algo/temp'],
      ofOtherOwners: ['data://partner/shared']
    })
  })
})

describe('collections inputs', () => {
  const parse = (values: Record<string, string>, prune = false) => {
    const inputs = new InputContext(name => values[name] ?? (name === 'collections-prune' && prune ? 'true' : ''), {})
    const options = collectionsOptions(inputs)
    return { options, problems: inputs.problems }
  }

  it('reads names one per line or comma-separated, or auto', () => {
    expect(parse({ collections: 'models, vocab\nextra' }).options.selection).toEqual({ kind: 'named', names: ['models', 'vocab', 'extra'] })
    expect(parse({ collections: 'auto' }, true).options).toEqual({ selection: { kind: 'auto' }, prune: true })
    expect(parse({}).options.selection).toEqual({ kind: 'none' })
  })

  it('refuses addresses, bad names, duplicates, auto with names, and prune without collections', () => {
    expect(parse({ collections: 'data://team/models' }).problems[0].message).toMatch(/collection's name only/)
    expect(parse({ collections: '9lives' }).problems[0].message).toMatch(/not a valid collection name/)
    expect(parse({ collections: 'a, a' }).problems[0].message).toMatch(/listed twice/)
    expect(parse({ collections: 'auto, models' }).problems[0].message).toMatch(/stands alone/)
    expect(parse({}, true).problems[0]).toMatchObject({ input: 'collections-prune' })
  })
})
