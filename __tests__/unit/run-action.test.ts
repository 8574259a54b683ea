// The test harness's reading of GITHUB_OUTPUT and GITHUB_STATE, which @actions/core writes with os.EOL.
import { describe, expect, it } from 'vitest'
import { parseOutputFile } from '../../scripts/lib/run-action.js'

describe('parseOutputFile', () => {
  const file = (eol: string): string =>
    ['results<<ghadelimiter_1', '[{"name":"hello",', '"status":"created"}]', 'ghadelimiter_1', 'work-dir=/runner/temp/x', ''].join(eol)

  it('reads name<<delimiter blocks and name=value lines', () => {
    expect(parseOutputFile(file('\n'))).toEqual({ results: '[{"name":"hello",\n"status":"created"}]', 'work-dir': '/runner/temp/x' })
  })

  it('reads the CRLF lines @actions/core writes on Windows (os.EOL) as the runner does', () => {
    expect(parseOutputFile(file('\r\n'))).toEqual(parseOutputFile(file('\n')))
  })
})
