// A model folder the user pointed us at is unusable: a missing or malformed file, field or tensor.
import { InputError } from "@peftlab/core"

export class ModelFileError extends InputError("ModelFileError") {}
