// `peftlab backends`: every backend name with whether it can run here, and why not.
import { allBackendStatuses } from "../backends.ts"
import { ExitCode, type Io } from "../exit.ts"

export const backendsCommand = async (io: Io): Promise<number> => {
  const statuses = await allBackendStatuses()
  const width = Math.max(...statuses.map((s) => s.name.length))
  for (const status of statuses) {
    const name = status.name.padEnd(width)
    io.out(status.available ? `${name}  available    ${status.description}` : `${name}  unavailable  ${status.reason}`)
  }
  return ExitCode.ok
}
