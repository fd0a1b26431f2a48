// sacreBLEU's default "13a" tokenizer (tokenizers/tokenizer_13a.py + tokenizer_re.py), the
// tokenization of WMT's mteval-v13a.pl.
import { splitOnWhitespace } from "./python-text.ts"

// Character classes exactly as sacreBLEU writes them: ASCII symbols { | } ~ [ \ ] ^ _ ` space ! " # $ % &
// ( ) * + : ; < = > ? @ / (note: not the apostrophe, nor - . ,), which are split off everywhere.
const rules: ReadonlyArray<readonly [RegExp, string]> = [
  [/([\{-\~\[-\` -\&\(-\+\:-\@\/])/g, " $1 "],
  // period and comma unless preceded by a digit
  [/([^0-9])([\.,])/g, "$1 $2 "],
  // period and comma unless followed by a digit
  [/([\.,])([^0-9])/g, " $1 $2"],
  // dash when preceded by a digit
  [/([0-9])(-)/g, "$1 $2 "],
]

/** A line tokenized as sacreBLEU's Tokenizer13a: tokens joined by single spaces. */
export const tokenize13a = (line: string): string => {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ")
  text = text.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">")
  text = ` ${text} `
  for (const [pattern, replacement] of rules) text = text.replace(pattern, replacement)
  return splitOnWhitespace(text).join(" ")
}
