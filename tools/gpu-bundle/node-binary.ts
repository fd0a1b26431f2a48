// The Node the project runs on (the `node` npm package pins Node 22), to carry to machines that
// have none. The lent GPU machines are x86-64 Linux, so only a build made on one can carry it.
import { existsSync } from "node:fs"
import { join } from "node:path"

const requiredMajor = "22"

/** The path of the Node 22 binary installed under `root`; throws where it cannot be carried to the device. */
export const projectNode = (root: string): string => {
  if (process.platform !== "linux" || process.arch !== "x64")
    throw new Error(`the lent GPU machines run x86-64 Linux: build the bundle on one (this is ${process.platform}-${process.arch})`)
  const installed = join(root, "node_modules", "node", "bin", "node")
  if (existsSync(installed)) return installed
  if (process.versions.node.split(".")[0] === requiredMajor) return process.execPath
  throw new Error(`no Node ${requiredMajor} to carry: ${installed} is missing and this is Node ${process.versions.node}`)
}
