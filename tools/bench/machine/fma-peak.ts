// The cores' theoretical fp32 FMA peak, the limit every bench row is shown as a fraction of:
// cores x clock x flops per cycle, where flops per cycle = 2 (an FMA is a multiply and an add) x
// the fp32 lanes the core's FMA pipes retire per cycle. Read from /proc/cpuinfo (vendor, family,
// model, flags, MHz, as lscpu prints them); the lanes come from the vendors' published
// microarchitectures, by family:
//   AMD Zen 1 (family 0x17, model < 0x30): two 128-bit FMA pipes, 8 lanes
//   AMD Zen 2, 3, 4 (0x17 from model 0x30, and 0x19): two 256-bit pipes, 16 lanes (Zen 4 runs
//     AVX-512 over its 256-bit datapath)
//   AMD Zen 5 (0x1A): two 512-bit pipes, 32 lanes (the server parts; mobile Zen 5 has 256-bit)
//   Intel with AVX-512: two 512-bit FMA units, 32 lanes; with AVX2 and FMA: 16 lanes
// Under a hypervisor the MHz is the nominal clock; a core that boosts above it makes the peak
// higher than stated, so fractions of it are upper bounds.
import { readFileSync } from "node:fs"

export interface FmaPeak {
  readonly cores: number
  readonly ghz: number
  /** fp32 flops per cycle per core: 2 x FMA lanes. */
  readonly flopsPerCycle: number
  /** Which rule gave flopsPerCycle, e.g. "AMD family 0x1a (Zen 5): two 512-bit FMA pipes". */
  readonly microarchitecture: string
  /** cores x ghz x flopsPerCycle. */
  readonly gflops: number
}

interface CpuInfo {
  readonly vendor: string
  readonly family: number
  readonly model: number
  readonly flags: ReadonlySet<string>
  readonly mhz: number
  readonly cores: number
}

/** The fields of the first processor in /proc/cpuinfo's text, and how many processors it lists. */
export const parseCpuInfo = (text: string): CpuInfo => {
  const first = text.split(/\n\s*\n/)[0] ?? ""
  const field = (name: string): string => {
    const line = first.split("\n").find((l) => l.split(":")[0]!.trim() === name)
    if (line === undefined) throw new Error(`/proc/cpuinfo: no "${name}" field`)
    return line.slice(line.indexOf(":") + 1).trim()
  }
  return {
    vendor: field("vendor_id"),
    family: Number(field("cpu family")),
    model: Number(field("model")),
    flags: new Set(field("flags").split(/\s+/)),
    mhz: Number(field("cpu MHz")),
    cores: text.split("\n").filter((l) => /^processor\s*:/.test(l)).length,
  }
}

/** FMA lanes per cycle and the rule that gave them. */
const fmaLanes = (cpu: CpuInfo): { lanes: number; rule: string } => {
  const family = `family 0x${cpu.family.toString(16)}`
  if (cpu.vendor === "AuthenticAMD") {
    if (cpu.family === 0x17 && cpu.model < 0x30) return { lanes: 8, rule: `AMD ${family} (Zen 1): two 128-bit FMA pipes` }
    if (cpu.family === 0x17 || cpu.family === 0x19) return { lanes: 16, rule: `AMD ${family} (Zen 2-4): two 256-bit FMA pipes` }
    if (cpu.family >= 0x1a) return { lanes: 32, rule: `AMD ${family} (Zen 5): two 512-bit FMA pipes` }
  }
  if (cpu.flags.has("avx512f")) return { lanes: 32, rule: `${cpu.vendor} with AVX-512: two 512-bit FMA units` }
  if (cpu.flags.has("fma")) return { lanes: 16, rule: `${cpu.vendor} with AVX2/FMA: two 256-bit FMA units` }
  return { lanes: 4, rule: `${cpu.vendor} without FMA: SSE multiply and add` }
}

export const fmaPeak = (cpu: CpuInfo): FmaPeak => {
  const { lanes, rule } = fmaLanes(cpu)
  const ghz = cpu.mhz / 1000
  return { cores: cpu.cores, ghz, flopsPerCycle: 2 * lanes, microarchitecture: rule, gflops: cpu.cores * ghz * 2 * lanes }
}

/** This machine's peak, from /proc/cpuinfo. */
export const machineFmaPeak = (): FmaPeak => fmaPeak(parseCpuInfo(readFileSync("/proc/cpuinfo", "utf8")))

/**
 * The same cores' peak at WebAssembly SIMD128's width: 4 fp32 lanes per FMA pipe (two pipes in
 * every rule above with FMA), so 16 flops per cycle at most, a quarter of a 512-bit core's. No
 * wasm kernel, however blocked, runs above it; at the nominal clock, so a boosting core can exceed
 * it slightly.
 */
export const simd128Gflops = (peak: FmaPeak, cores: number = peak.cores): number => cores * peak.ghz * Math.min(peak.flopsPerCycle, 16)
