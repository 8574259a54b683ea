import { describe, expect, it } from 'vitest'
import { ServerCapabilities, filterCapability } from '../../src/git/server-capabilities.js'

// Lines as git 2.39 writes them with GIT_TRACE_PACKET during `git ls-remote`.
const V2_WITH_FILTER = [
  '22:17:21.731954 pkt-line.c:80           packet:          git< version 2',
  '22:17:21.732011 pkt-line.c:80           packet:          git< agent=git/2.39.5',
  '22:17:21.732013 pkt-line.c:80           packet:          git< ls-refs=unborn',
  '22:17:21.732014 pkt-line.c:80           packet:          git< fetch=shallow wait-for-done filter',
  '22:17:21.732016 pkt-line.c:80           packet:          git< server-option'
].join('\n')
const V2_WITHOUT = V2_WITH_FILTER.replace('wait-for-done filter', 'wait-for-done')
const V0 = (caps: string): string =>
  [
    '22:17:21.774248 pkt-line.c:80           packet:          git< # service=git-upload-pack',
    `22:17:21.774294 pkt-line.c:80           packet:          git< de673b111c4ce1a41fe3296fdcf2c03f6e63e3ce HEAD\\0multi_ack thin-pack ${caps} agent=git/2.39.5`,
    '22:17:21.774301 pkt-line.c:80           packet:          git< de673b111c4ce1a41fe3296fdcf2c03f6e63e3ce refs/heads/filter'
  ].join('\n')

describe('filterCapability', () => {
  it('reads the fetch features of protocol v2', () => {
    expect(filterCapability(V2_WITH_FILTER)).toBe(true)
    expect(filterCapability(V2_WITHOUT)).toBe(false)
  })

  it('reads the capabilities after the first ref of protocol v0, not a ref named filter', () => {
    expect(filterCapability(V0('shallow filter no-done'))).toBe(true)
    expect(filterCapability(V0('shallow no-done'))).toBe(false)
  })

  it('says nothing when the trace holds no capability list', () => {
    expect(filterCapability('')).toBeUndefined()
  })
})

describe('ServerCapabilities', () => {
  const remote = (url: string) => ({ url, label: 'x', credential: { gitUrl: url, username: 'u', apiKey: 'k' } })

  it('learns per host, shared by every repository there', () => {
    const capabilities = new ServerCapabilities()
    expect(capabilities.acceptsFilters(remote('https://git.a.example/git/o/one.git'))).toBeUndefined()
    capabilities.learnFrom(remote('https://git.a.example/git/o/one.git'), V2_WITHOUT)
    capabilities.learnFrom(remote('https://git.b.example/git/o/one.git'), V2_WITH_FILTER)
    expect(capabilities.acceptsFilters(remote('https://git.a.example/git/o/two.git'))).toBe(false)
    expect(capabilities.acceptsFilters(remote('https://git.b.example/git/p/three.git'))).toBe(true)
  })

  it('takes a server whose capabilities cannot be read as one without filters', () => {
    const capabilities = new ServerCapabilities()
    capabilities.learnFrom(remote('https://git.a.example/git/o/one.git'), '')
    expect(capabilities.acceptsFilters(remote('https://git.a.example/git/o/one.git'))).toBe(false)
  })
})
