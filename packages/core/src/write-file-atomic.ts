// Every file peftlab writes (results, adapters, checkpoints) is written whole or not at all:
// readers (a resumed run, a user opening results.csv mid-run) never see a half-written file.
import { mkdir, rename, unlink, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { mappingFileSystemErrors } from "./file-system-error.ts"

/**
 * Writes `content` to `path.tmp-<pid>` and renames it over `path`, creating parent folders.
 * On failure the temporary file is removed and any previous `path` is left as it was; a full
 * disk, a read-only folder or a file in the way fails as a FileSystemError naming `path`.
 */
export const writeFileAtomic = (path: string, content: string | Uint8Array): Promise<void> =>
  mappingFileSystemErrors(path, async () => {
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.tmp-${process.pid}`
    try {
      await writeFile(tmp, content)
      await rename(tmp, path)
    } catch (error) {
      // The original error is the one worth reporting; the temp file may not even exist.
      await unlink(tmp).catch(() => undefined)
      throw error
    }
  })
