import { describe, expect, it } from "vitest"
import { fromCsv, toCsv, toMarkdownTable } from "../src/index.ts"

describe("toCsv", () => {
  it("quotes fields with commas, quotes, CR or LF and doubles inner quotes (RFC 4180)", () => {
    const csv = toCsv(
      ["id", "text", "score"],
      [
        ["a1", "plain", 0.5],
        ["a,2", 'say "hi"', -1],
        ["a3", "two\nlines", 1e-7],
        ["a4", "cr\rhere", 3],
      ],
    )
    expect(csv).toBe('id,text,score\na1,plain,0.5\n"a,2","say ""hi""",-1\na3,"two\nlines",1e-7\na4,"cr\rhere",3\n')
  })

  it("rejects rows that do not match the header", () => {
    expect(() => toCsv(["a", "b"], [["x"]])).toThrow(/row 0 has 1 fields, the header has 2/)
  })
})

describe("fromCsv", () => {
  it("reads back what toCsv wrote, quotes, commas, CR and LF inside fields included", () => {
    const rows = [["a1", "plain", "0.5"], ["a,2", 'say "hi"', "-1"], ["a3", "two\nlines", ""], ["a4", "cr\rhere", "3"]]
    expect(fromCsv(toCsv(["id", "text", "score"], rows))).toStrictEqual([["id", "text", "score"], ...rows])
  })

  it("takes CRLF line ends and a last line without one", () => {
    expect(fromCsv("a,b\r\n1,2\r\n3,")).toStrictEqual([["a", "b"], ["1", "2"], ["3", ""]])
  })
})

describe("toMarkdownTable", () => {
  it("writes header, alignment rule and rows, escaping pipes and newlines", () => {
    const md = toMarkdownTable(["arm", "F1"], [["a|b", 0.25], ["two\nlines", "0.5000"]], ["left", "right"])
    expect(md).toBe("| arm | F1 |\n| :--- | ---: |\n| a\\|b | 0.25 |\n| two<br>lines | 0.5000 |\n")
  })

  it("aligns left by default and checks shapes", () => {
    expect(toMarkdownTable(["x", "y"], [])).toBe("| x | y |\n| :--- | :--- |\n")
    expect(toMarkdownTable(["c"], [[1]], ["center"])).toBe("| c |\n| :---: |\n| 1 |\n")
    expect(() => toMarkdownTable(["x"], [[1, 2]])).toThrow(RangeError)
    expect(() => toMarkdownTable(["x"], [], ["left", "right"])).toThrow(RangeError)
  })
})
