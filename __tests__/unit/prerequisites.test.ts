/**
 * scripts/check-prerequisites.sh, which `npm test`, `npm start` and .ci/run run first, against a stand-in
 * git on PATH: what it accepts, and what it refuses with a reason.
 */
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { posixOnly } from '../helpers/platform.js'

const SCRIPT = fileURLToPath(new URL('../../scripts/check-prerequisites.sh', import.meta.url))
const dirs: string[] = []
afterEach(() => Promise.all(dirs.splice(0).map(dir => rm(dir, { recursive: true, force: true }))))

/** A PATH whose git says `version` and whose exec path holds `backend` (an executable file). */
async function standInGit(version: string, backend: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prerequisites-'))
  dirs.push(dir)
  const bin = path.join(dir, 'bin')
  const exec = path.join(dir, 'libexec')
  await mkdir(bin)
  await mkdir(exec)
  await writeFile(path.join(exec, backend), '#!/bin/sh\n')
  await chmod(path.join(exec, backend), 0o755)
  const script = `#!/bin/sh\ncase "$1" in\n  --exec-path) echo '${exec}' ;;\n  --version) echo 'git version ${version}' ;;\nesac\n`
  await writeFile(path.join(bin, 'git'), script)
  // Not root, and an apt-get that refuses: a test never installs anything on the machine.
  await writeFile(path.join(bin, 'id'), '#!/bin/sh\necho 1000\n')
  await writeFile(path.join(bin, 'apt-get'), '#!/bin/sh\necho "apt-get must not run in a test" >&2\nexit 97\n')
  for (const tool of ['git', 'id', 'apt-get']) await chmod(path.join(bin, tool), 0o755)
  return bin
}

function check(bin: string): { status: number; output: string } {
  const PATH = [bin, path.dirname(process.execPath), '/bin', '/usr/bin'].join(path.delimiter)
  const result = spawnSync('bash', [SCRIPT], { env: { PATH, HOME: process.env.HOME }, encoding: 'utf8' })
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` }
}

// The stand-in git, id and apt-get are #!/bin/sh scripts found through a PATH that mixes the test's folders with
// /bin and /usr/bin; Git Bash would have to translate that list and run the scripts, which nothing here can check.
const standInsNeedPosix = posixOnly('check-prerequisites.sh against stand-in #!/bin/sh programs on a POSIX PATH')
describe.skipIf(standInsNeedPosix)('check-prerequisites.sh', () => {
  it('accepts git 2.36 with git-http-backend', async () => {
    expect(check(await standInGit('2.36.0', 'git-http-backend'))).toMatchObject({ status: 0 })
  })

  it("accepts Git for Windows' git-http-backend.exe", async () => {
    expect(check(await standInGit('2.47.1.windows.1', 'git-http-backend.exe'))).toMatchObject({ status: 0 })
  })

  it('refuses a git older than 2.36, saying why', async () => {
    const { status, output } = check(await standInGit('2.34.1', 'git-http-backend'))
    expect(status).toBe(1)
    expect(output).toContain('git 2.34 is too old: version 2.36 or newer is required')
  })

  it('refuses a git without http-backend when it cannot install one', async () => {
    const { status, output } = check(await standInGit('2.40.0', 'something-else'))
    expect(status).toBe(1)
    expect(output).toContain('git 2.36 or newer (with git-http-backend) is required')
  })
})
