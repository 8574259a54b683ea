/**
 * The pattern that picks which files of a promoted tree are read for algorithm
 * calls, run through a real `git grep -E` as the action runs it: every file the
 * corpus's call forms appear in, and none where "algo" is only part of a word.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CALL_PATTERN } from '../../src/dependencies/references.js'

const FILES: Record<string, string> = {
  'python.py': 'result = client.algo("demo/Hello/1.0.*").pipe(x)\n',
  'chained.js': 'const r = await client\n  .algo("demo/Hello")\n  .pipe(x)\n',
  'spaced.java': 'client. algo("demo/Hello/0.1.0");\n',
  'r.R': 'res <- client$algo("demo/Hello")$pipe(x)\n',
  'ruby.rb': "res = client.algo 'demo/Hello/1.*'\n",
  'address.scala': 'val a = "algo://demo/Hello/1.2.3"\n',
  'dynamic.py': 'client.algo(name)\n',
  'words.py': 'algorithm = load_algorithms()\nself.algorithmia_client = None\n# see the algo docs\n',
  'method.py': 'x.algorithm_id = 3\n'
}

let repo: string
const git = (...args: string[]) => spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' })

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'call-pattern-'))
  git('init', '--quiet')
  for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(repo, name), text)
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'corpus')
})
afterAll(async () => {
  await rm(repo, { recursive: true, force: true })
})

describe('CALL_PATTERN', () => {
  it('selects the files that may hold a call or an address, and not those where algo is part of a word', () => {
    const listed = git('grep', '-I', '-l', '-E', '-e', CALL_PATTERN, 'HEAD', '--').stdout
    const files = listed
      .split('\n')
      .filter(Boolean)
      .map(line => line.replace(/^HEAD:/, ''))
      .sort()
    expect(files).toEqual(['address.scala', 'chained.js', 'dynamic.py', 'python.py', 'r.R', 'ruby.rb', 'spaced.java'])
  })
})
