// Dawn reaches the GPU through the Vulkan loader (libvulkan.so.1), which the lent GPU machines
// may lack (/work/.library/device/README.md: "bring the loaders"); NVIDIA's Vulkan driver,
// libGLX_nvidia.so.0, also links libglvnd's libGLdispatch.so.0. The bundle carries this
// machine's copies, each in its own lib/<name>/ folder, which run.sh puts on LD_LIBRARY_PATH only
// where the system has no such library, so a system's own copy always wins.
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"

const carried = ["libvulkan.so.1", "libGLdispatch.so.0"] as const

/** The x86-64 file the dynamic linker's cache gives for `soname`, if any. */
const systemLibrary = (cache: string, soname: string): string | undefined =>
  cache
    .split("\n")
    .map((line) => /^\s*(\S+) \(([^)]*)\) => (.+)$/.exec(line))
    .find((match) => match?.[1] === soname && match[2]?.includes("x86-64"))?.[3]

/** Copies the loader libraries this machine has into `outDir`/lib; returns the sonames missing here. */
export const copyVulkanLoader = (outDir: string): readonly string[] => {
  const cache = execFileSync("ldconfig", ["-p"], { encoding: "utf8" })
  return carried.filter((soname) => {
    const file = systemLibrary(cache, soname)
    if (!file) return true
    const folder = join(outDir, "lib", soname.split(".so")[0] ?? soname)
    mkdirSync(folder, { recursive: true })
    copyFileSync(file, join(folder, soname))
    return false
  })
}
