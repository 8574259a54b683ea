/**
 * Tests that cannot run on every runner CI uses (ubuntu, macOS, Windows) say
 * so where they are declared, and say why in the log of the run that skips
 * them, so a green Windows job never hides a test that silently did not run.
 */

const printed = new Set<string>()

/**
 * True on Windows, where the test or assertion it guards cannot run; it then
 * prints `skipped on Windows: <reason>` (once per reason). Use it as
 * `it.skipIf(posixOnly('…'))(…)`, `describe.skipIf(posixOnly('…'))(…)`, or
 * `if (!posixOnly('…')) expect(…)` for a single assertion.
 */
export function posixOnly(reason: string, system: NodeJS.Platform = process.platform): boolean {
  if (system !== 'win32') return false
  if (!printed.has(reason)) {
    printed.add(reason)
    console.log(`skipped on Windows: ${reason}`)
  }
  return true
}

/**
 * What a Windows process cannot do without, for tests that start one with a
 * minimal environment (as a runner would not): without SystemRoot, Winsock
 * cannot load its providers and every socket fails (error 10106); without
 * TEMP/TMP, temporary files go to the Windows folder. Empty elsewhere, so a
 * POSIX child's environment is exactly what the test names.
 */
export function windowsEssentials(source: NodeJS.ProcessEnv = process.env, system: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (system !== 'win32') return {}
  const wanted = new Set([
    'SYSTEMROOT',
    'WINDIR',
    'COMSPEC',
    'PATHEXT',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'APPDATA',
    'LOCALAPPDATA',
    'PROGRAMDATA'
  ])
  return Object.fromEntries(Object.entries(source).filter(([name]) => wanted.has(name.toUpperCase())))
}
