import { InputError } from "@peftlab/core"

/** A data file that is missing, is not valid JSON, or has entries of the wrong shape. */
export class DataFileError extends InputError("DataFileError") {}
