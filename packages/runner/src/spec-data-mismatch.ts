// The error every task kind and the shared checks (data limits, empty splits, positions,
// gradient checkpointing) give when the spec and the data do not fit together.
import { InputError } from "@peftlab/core"

/** The spec and the data do not fit together (a prompt too long, a label with no verbalizer). */
export class SpecDataMismatch extends InputError("SpecDataMismatch") {}
