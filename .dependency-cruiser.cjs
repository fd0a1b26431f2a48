// The import graph's rules, checked by test/e2e/import-graph.test.ts (and by `npx depcruise
// packages/*/src plugins/*/src` for a reader who wants the full listing):
// - no import cycle between source files, within a package or across packages;
// - a package imports only the @peftlab packages its package.json declares as dependencies, so
//   its layer is where its declared dependencies put it ("packages depend only on the packages
//   before them", docs/architecture.md);
// - the declared dependencies form no cycle themselves (loading this file throws, naming one);
// - nothing imports @peftlab/cli or @peftlab/tui except cli.
// Paths are the real ones (workspace symlinks resolved), relative to the repository root.
const { readdirSync, readFileSync, existsSync } = require("node:fs")
const { join } = require("node:path")

const root = __dirname
// Every workspace package: its folder, name and the @peftlab packages it declares it depends on.
const workspaces = ["packages", "plugins"].flatMap((group) =>
  readdirSync(join(root, group))
    .filter((name) => existsSync(join(root, group, name, "package.json")))
    .map((name) => {
      const manifest = JSON.parse(readFileSync(join(root, group, name, "package.json"), "utf8"))
      const declared = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })
      return { folder: `${group}/${name}`, name: manifest.name, declared: declared.filter((dep) => dep.startsWith("@peftlab/")) }
    }),
)
const byName = new Map(workspaces.map((workspace) => [workspace.name, workspace]))

// Depth-first over the declared dependencies; a package met again while still open closes a cycle.
const findDeclaredCycle = () => {
  const state = new Map()
  const visit = (name, path) => {
    if (state.get(name) === "done") return undefined
    if (state.get(name) === "open") return [...path.slice(path.indexOf(name)), name]
    state.set(name, "open")
    for (const dep of byName.get(name)?.declared ?? []) {
      const cycle = visit(dep, [...path, name])
      if (cycle) return cycle
    }
    state.set(name, "done")
    return undefined
  }
  for (const { name } of workspaces) {
    const cycle = visit(name, [])
    if (cycle) return cycle
  }
  return undefined
}
const declaredCycle = findDeclaredCycle()
if (declaredCycle) throw new Error(`declared @peftlab dependencies form a cycle: ${declaredCycle.join(" -> ")}`)

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: break it with a leaf module for the shared types, or by passing the dependency in.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-cli-or-tui",
      severity: "error",
      comment: "Only cli wires the terminal front ends; every other package stays usable without them.",
      from: { path: "^(packages|plugins)/", pathNot: "^packages/(cli|tui)/" },
      to: { path: "^packages/(cli|tui)/" },
    },
    ...workspaces.map(({ folder, name, declared }) => ({
      name: `undeclared-import-from-${folder.replace("/", "-")}`,
      severity: "error",
      comment: `${name} imports only itself and the @peftlab packages its package.json declares: ${declared.join(", ") || "none"}.`,
      from: { path: `^${escape(folder)}/` },
      to: {
        path: "^(packages|plugins)/",
        pathNot: `^(${[folder, ...declared.map((dep) => byName.get(dep)?.folder ?? dep)].map(escape).join("|")})/`,
      },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // typescript 7.0 offers dependency-cruiser no parser API; swc reads the sources (type imports too).
    parser: "swc",
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "node", "default"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
}
