import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadMedQuAD, type MedQuADOptions } from "../../src/index.ts"
import { decodeXmlEntities } from "../../src/formats/xml-entities.ts"
import { writeTempTree } from "../fixtures.ts"

// Line 1 is the declaration, 2 the root, 3 <Focus>, 4 <QAPairs>: pair k sits on line 4 + k.
const xml = (root: string, attributes: string, focus: string, pairs: ReadonlyArray<string>) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${attributes}>\n<Focus>${focus}</Focus>\n<QAPairs>\n${pairs.join("\n")}\n</QAPairs>\n</${root}>\n`

const pair = (qid: string, qtype: string, question: string, answer: string) =>
  `<QAPair pid="${qid}"><Question qid="${qid}" qtype="${qtype}">${question}</Question><Answer>${answer}</Answer></QAPair>`

const tree = {
  "2_B_QA/0002.xml": xml("Document", 'id="0002" source="B" url="https://b.example/gout"', " Gout ", [
    pair("0002-1", "information", "What is gout ?", "Gout is  a\n\t form of arthritis &amp; pain &#233;&#xE9;"),
    pair("0002-2", "treatment", "How to treat gout ?", "   "),
    pair("0002-3", "information", "What  is\ngout ?", "Gout is a form of arthritis &amp; pain éé"),
  ]),
  "10_A_QA/0001.xml": xml("Document", 'id="0001" source="A" url="u1"', "Asthma", [
    pair("0001-1", "symptoms", "What are the symptoms of Asthma ?", "Wheezing."),
    `<QAPair pid="2"><Question qid="0001-2" qtype="causes">What causes Asthma ?</Question><Answer/></QAPair>`,
  ]),
  // One CDC file names its root <DiseaseFile> and its id fid.
  "2_B_QA/0003.xml": xml("DiseaseFile", 'fid="0003" source="CDC" url="u3"', "", [pair("0003-1", "prevention", "How to prevent X ?", "Wash hands.")]),
  "2_B_QA/sub/0004.xml": xml("Document", 'id="0004" source="B" url="u4"', "Y", [pair("0004-1", "outlook", "What is the outlook for Y ?", "Good.")]),
  "6_C_QA/legacy.xml": '<?xml version="1.0"?>\n<doc docid="7" corpus="NINDS"><qaPairs><pair pid="1"><question qid="7-1" qtype="information">q</question><answer>a</answer></pair></qaPairs></doc>\n',
  "readme.txt": "not XML",
}

const load = (files: Readonly<Record<string, string>>, options?: MedQuADOptions) => Effect.runPromise(loadMedQuAD(writeTempTree(files), options))
const failure = (files: Readonly<Record<string, string>>, options?: MedQuADOptions) => {
  const root = writeTempTree(files)
  return Effect.runPromise(Effect.flip(loadMedQuAD(root, options))).then((error) => ({ root, error }))
}

describe("loadMedQuAD", () => {
  it("keeps answered pairs in sorted path order with cleaned text, metadata and file-based ids", async () => {
    const { examples } = await load(tree)
    expect(examples.map((e) => e.id)).toEqual(["10_A_QA/0001#1", "2_B_QA/0002#1", "2_B_QA/0003#1", "2_B_QA/sub/0004#1"])
    expect(examples[1]).toEqual({
      id: "2_B_QA/0002#1",
      question: "What is gout ?",
      answer: "Gout is a form of arthritis & pain éé",
      metadata: { source: "B", focus: "Gout", document: "0002", url: "https://b.example/gout", qid: "0002-1", qtype: "information" },
    })
    expect(examples[2]?.metadata).toMatchObject({ source: "CDC", document: "0003", focus: "", qtype: "prevention" })
  })

  it("counts pairs read, unanswered and duplicate (question, answer) pairs, and files in another layout", async () => {
    const { report } = await load(tree)
    expect(report).toEqual({
      source: expect.any(String),
      read: 7,
      kept: 4,
      dropped: { "empty answer": 2, "duplicate (question, answer)": 1 },
      skippedFiles: { "no <QAPairs> (root <doc>)": 1 },
    })
  })

  it("keeps duplicates when dedupe is off", async () => {
    const { examples, report } = await load(tree, { dedupe: false })
    expect(examples.map((e) => e.id)).toContain("2_B_QA/0002#3")
    expect(report.kept).toBe(5)
  })

  it("names the file and line of a malformed pair, or counts it when skipping", async () => {
    const files = {
      "a/1.xml": xml("Document", 'id="1" source="S"', "F", [
        pair("1-1", "information", "Q1 ?", "A1."),
        '<QAPair pid="2"><Question qid="1-2">Q2 ?</Question><Answer>A2.</Answer></QAPair>',
      ]),
    }
    const { root, error } = await failure(files)
    expect(error).toMatchObject({ _tag: "DataFileError", source: join(root, "a/1.xml"), detail: "line 6: QAPair 2 has a <Question> without qid or qtype" })
    const { examples, report } = await load(files, { skipMalformed: true })
    expect(examples.map((e) => e.id)).toEqual(["a/1#1"])
    expect(report).toMatchObject({ read: 2, kept: 1, dropped: { "QAPair has a <Question> without qid or qtype": 1 } })
  })

  it("gives the line and column of invalid XML, or skips the file when allowed", async () => {
    const files = { "a/ok.xml": tree["2_B_QA/sub/0004.xml"], "a/bad.xml": '<Document id="1" source="S">\n<QAPairs><QAPair>\n</QAPairs></Document>' }
    const { root, error } = await failure(files)
    expect(error.source).toBe(join(root, "a/bad.xml"))
    expect(error.detail).toMatch(/^line 3, column 1: invalid XML: Expected closing tag 'QAPair'/)
    const { report } = await load(files, { skipMalformed: true })
    expect(report).toMatchObject({ read: 1, kept: 1, skippedFiles: { "invalid XML": 1 } })
  })

  it("requires id (or fid) and source on the root", async () => {
    const { error } = await failure({ "x.xml": xml("Document", 'url="u"', "F", [pair("1-1", "information", "Q ?", "A.")]) })
    expect(error.detail).toBe("line 2: <Document> needs id (or fid) and source attributes")
  })

  it("fails on a missing folder or one without XML files", async () => {
    expect(await Effect.runPromise(Effect.flip(loadMedQuAD("/nonexistent/medquad")))).toMatchObject({ source: "/nonexistent/medquad", detail: "folder not found" })
    const { root, error } = await failure({ "readme.txt": "x" })
    expect(error).toMatchObject({ source: root, detail: "no .xml files under this folder; expected MedQuAD's XML tree" })
  })
})

describe("decodeXmlEntities", () => {
  it("decodes the five named entities and numeric references, leaving the rest", () => {
    expect(decodeXmlEntities("&lt;a&gt; &amp;amp; &quot;&apos; &#65;&#x42;&#x1F600; &nbsp; & &#xFFFFFFF;")).toBe("<a> &amp; \"' AB😀 &nbsp; & &#xFFFFFFF;")
  })
})
