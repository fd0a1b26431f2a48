// Where the quickstart's embedded model and data lie, for tests and tools that want the same
// files as `npm start` without ../shared: specs/quickstart.yaml names the same paths.
import { join } from "node:path"

const root = join(import.meta.dirname, "..")

/** stories260k in Hugging Face Llama layout: config.json, model.safetensors, tokenizer.json. */
export const stories260kDir = join(root, "models", "stories260k")

/** The PubMedQA labelled set (ori_pqal.json, 1,000 items keyed by PMID). */
export const pubmedqaFile = join(root, "data", "pubmedqa", "ori_pqal.json")
