#!/usr/bin/env node
// Plain JavaScript so that an older Node gets a clear message instead of a loader error:
// peftlab's TypeScript runs through Node's type stripping, which needs Node 22.18 or later.
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `peftlab needs Node 22.18 or later; this is Node ${process.versions.node}.\n` +
      "Run it through npm (npx peftlab, npm start), which uses the Node 22 this project installs, or upgrade Node.\n",
  )
  process.exit(1)
}
// In the workspace the TypeScript source runs as is; the published package holds only the build
// (dist/, from `npm run build:packages`), since Node strips no types under node_modules.
const { existsSync } = await import("node:fs")
const source = new URL("../src/main.ts", import.meta.url)
const { main } = await import(existsSync(source) ? source.href : new URL("../dist/main.js", import.meta.url).href)
const code = await main(process.argv.slice(2))
// Exit explicitly: a handle left behind (Ink's stdin listener after a stop, a GPU device) must
// not keep a finished command alive. stdout and stderr are synchronous on Linux, so nothing
// written is lost.
process.exit(code)
