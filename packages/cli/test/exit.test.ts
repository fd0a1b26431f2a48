// A file-system failure (full disk, read-only mount, no permission), wherever it surfaces,
// exits 2 naming the file and what to do, as does an input error that reached the CLI as a
// defect (a checkpoint save); any other defect stays a failure with its stack.
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { FileSystemError } from "@peftlab/core"
import { exitCodeOf } from "../src/exit.ts"
import { captureIo } from "./io.ts"

const systemError = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path })

describe("exitCodeOf", () => {
  it("exits 2 on a full disk or a read-only folder, naming the file", () => {
    for (const [error, message] of [
      [systemError("ENOSPC", "write", "/out/arms/lora/checkpoint/state.json"), "error: /out/arms/lora/checkpoint/state.json: cannot write (ENOSPC): the disk is full; free space, or pass an --out on another disk"],
      [systemError("EROFS", "open", "/mnt/ro/manifest.json"), "error: /mnt/ro/manifest.json: cannot open (EROFS): the file system is read-only; pass a writable --out"],
    ] as const) {
      const { io, err } = captureIo()
      expect(exitCodeOf(Exit.die(error), io)).toBe(2)
      expect(err).toEqual([message])
    }
  })

  it("exits 2 on an input error that died (a checkpoint save the trainer cannot fail), with no stack", () => {
    const { io, err } = captureIo()
    const error = new FileSystemError({ source: "/out/arms/lora/checkpoint/state.json", detail: "cannot rename (ENOENT): no such file or folder (was it removed while peftlab ran?)" })
    expect(exitCodeOf(Exit.die(error), io)).toBe(2)
    expect(err).toEqual(["error: /out/arms/lora/checkpoint/state.json: cannot rename (ENOENT): no such file or folder (was it removed while peftlab ran?)"])
  })

  it("exits 1 with the cause on any other defect", () => {
    const { io, err } = captureIo()
    expect(exitCodeOf(Exit.die(new RangeError("a bug")), io)).toBe(1)
    expect(err[0]).toMatch(/^peftlab failed:\n[\s\S]*RangeError: a bug/)
  })
})
