const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }

/**
 * Replaces XML's five named entities and numeric character references (`&#233;`, `&#xE9;`)
 * by the characters they stand for; anything else is left as written.
 */
export const decodeXmlEntities = (text: string): string =>
  text.includes("&")
    ? text.replace(/&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
        if (name !== undefined) return named[name] ?? whole
        const code = hex !== undefined ? parseInt(hex, 16) : Number(dec)
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole
      })
    : text
