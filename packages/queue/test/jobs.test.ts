// The queue's pure parts, without Redis: which URLs a user may write (and the message for each
// one refused, naming where it was written), and job ids that stay the same for the same arm of
// the same run (what makes a second submit reattach) and differ for anything else.
// The queue against a real redis-server is tested end to end in test/e2e/queue.test.ts.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { ConcreteArm, LoadedSpec } from "@peftlab/spec"
import { jobIdOf, loadedFromJob, specInJob } from "../src/jobs.ts"
import { parseQueueUrl } from "../src/queue-url.ts"

const parse = (text: string) => Effect.runPromise(Effect.result(parseQueueUrl(text, "--queue")))

describe("parseQueueUrl", () => {
  it("reads host, port (6379 by default), database, credentials and TLS", async () => {
    expect(await parse("redis://10.0.0.5:6380/3")).toMatchObject({ _tag: "Success", success: { host: "10.0.0.5", port: 6380, db: 3, tls: false, shown: "redis://10.0.0.5:6380/3" } })
    expect(await parse("redis://cache")).toMatchObject({ success: { host: "cache", port: 6379, db: 0 } })
    expect(await parse("rediss://me:s3cret@[::1]:6379")).toMatchObject({ success: { host: "::1", username: "me", password: "s3cret", tls: true, shown: "rediss://me:***@[::1]:6379" } })
  })

  it("refuses anything else, naming where it was written", async () => {
    for (const [text, why] of [
      ["not a url", '"not a url" is not a URL'],
      ["http://host:6379", '"http://host:6379" is a http URL'],
      ["redis://host:6379/db1", '"/db1" is not a database number'],
      ["redis://host:6379/0?x=1", '"redis://host:6379/0?x=1" has a query or fragment'],
    ]) {
      const result = await parse(text!)
      expect(result).toMatchObject({ _tag: "Failure", failure: { _tag: "QueueUrlError", source: "--queue" } })
      expect(result._tag === "Failure" && result.failure.message).toBe(`--queue: ${why}; expected redis://HOST:PORT[/DB] (or rediss:// for TLS)`)
    }
  })
})

describe("jobIdOf", () => {
  const arm = { name: "lora-r2", kind: "lora", r: 2, group: "lora", config: "lora-r2" } as unknown as ConcreteArm
  const run = { fingerprint: "f".repeat(64), outDir: "/shared/results" }

  it("is the same for the same arm of the same run, and differs with the fingerprint, the folder, the arm or its work", () => {
    const id = jobIdOf(run, { work: "arm", arm })
    expect(id).toMatch(/^arm-[0-9a-f]{32}$/)
    expect(jobIdOf({ ...run }, { work: "arm", arm: { ...arm } })).toBe(id)
    const others = [
      jobIdOf({ ...run, fingerprint: "e".repeat(64) }, { work: "arm", arm }),
      jobIdOf({ ...run, outDir: "/shared/other" }, { work: "arm", arm }),
      jobIdOf(run, { work: "arm", arm: { ...arm, r: 4 } as unknown as ConcreteArm }),
      jobIdOf(run, { work: "sweep-member", arm }),
    ]
    expect(new Set([id, ...others]).size).toBe(5)
  })

  it("carries a loaded spec through JSON, its Maps included", () => {
    const loaded = { spec: { name: "x" }, file: "/specs/x.yaml", variables: new Map([["data.path", { variable: "PEFTLAB_DATA" }]]), locations: new Map([["name", { line: 1, column: 7 }]]) } as unknown as LoadedSpec
    const back = loadedFromJob(JSON.parse(JSON.stringify(specInJob(loaded))))
    expect(back.spec).toEqual(loaded.spec)
    expect([...back.variables]).toEqual([...loaded.variables])
    expect([...back.locations]).toEqual([...loaded.locations])
  })
})
