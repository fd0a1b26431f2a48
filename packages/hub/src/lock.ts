// Resolutions of the same repo (or URL) within this process take turns, so that two of them
// never write the same `.incomplete` file or ref at once; the second then finds the files the
// first fetched. (huggingface_hub also locks across processes, with files under `.locks/`.)
const tails = new Map<string, Promise<unknown>>()

/** Runs `task` once every earlier task with the same `key` has settled. */
export const withLock = <A>(key: string, task: () => Promise<A>): Promise<A> => {
  const run = (tails.get(key) ?? Promise.resolve()).then(task)
  const tail = run.catch(() => undefined)
  tails.set(key, tail)
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key)
  })
  return run
}
