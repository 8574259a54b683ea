/**
 * Stopping a git with what it started, on each runner system: Linux and macOS
 * stop its process group; Windows has none, and kill() there ends git alone
 * (its git-remote-https would keep the connection), so its tree is stopped.
 */
import { describe, expect, it } from 'vitest'
import { stopMethod } from '../../src/git/git-command.js'

describe('stopMethod', () => {
  it.each(['linux', 'darwin'] as const)('stops the process group on %s', system => {
    expect(stopMethod(system, 4242)).toEqual({ kind: 'group', pid: 4242 })
  })

  it('stops the whole process tree with taskkill on Windows, forcibly', () => {
    expect(stopMethod('win32', 4242)).toEqual({ kind: 'tree', program: 'taskkill', args: ['/pid', '4242', '/T', '/F'] })
  })
})
