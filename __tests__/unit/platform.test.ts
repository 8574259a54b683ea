import { afterEach, describe, expect, it, vi } from 'vitest'
import { posixOnly, windowsEssentials } from '../helpers/platform.js'

describe('posixOnly', () => {
  afterEach(() => vi.restoreAllMocks())

  it('lets the test run on Linux and macOS, printing nothing', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    expect(posixOnly('needs a POSIX shell', 'linux')).toBe(false)
    expect(posixOnly('needs a POSIX shell', 'darwin')).toBe(false)
    expect(log).not.toHaveBeenCalled()
  })

  it('skips on Windows and prints the reason once however often it is asked', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    expect(posixOnly('a signal Windows cannot deliver', 'win32')).toBe(true)
    expect(posixOnly('a signal Windows cannot deliver', 'win32')).toBe(true)
    expect(posixOnly('a #!/bin/sh script as a program', 'win32')).toBe(true)
    expect(log.mock.calls).toEqual([
      ['skipped on Windows: a signal Windows cannot deliver'],
      ['skipped on Windows: a #!/bin/sh script as a program']
    ])
  })

  it('answers for the platform the tests run on by default', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined)
    expect(posixOnly('the platform this runs on')).toBe(process.platform === 'win32')
  })
})

describe('windowsEssentials', () => {
  const env = { PATH: '/usr/bin', HOME: '/home/runner', SystemRoot: 'C:\\Windows', TEMP: 'C:\\Temp', SOURCE_API_KEY: 'secret' }

  it('adds nothing on Linux and macOS', () => {
    expect(windowsEssentials(env, 'linux')).toEqual({})
    expect(windowsEssentials(env, 'darwin')).toEqual({})
  })

  it('keeps the variables a Windows process needs (spelled as Windows spells them) and nothing else', () => {
    expect(windowsEssentials(env, 'win32')).toEqual({ SystemRoot: 'C:\\Windows', TEMP: 'C:\\Temp' })
  })
})
