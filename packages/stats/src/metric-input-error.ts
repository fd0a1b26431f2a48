// The error of a metric given inputs it cannot score; the CLI reports it as bad input (exit 2).
import { InputError } from "@peftlab/core"

/** Gold labels or predictions that cannot be scored: unequal lengths, none at all, or a label outside the label set. */
export class MetricInputError extends InputError("MetricInputError") {}
