// A data kind for one fixed CSV layout: clinical notes with columns note_id, note_text and
// outcome, where outcome is 1 (the event happened: "positive") or 0 ("negative"). The columns
// are the layout's, so a spec of this kind maps no fields; its cleaning options still apply.
import { loadClassificationFile } from "@peftlab/datasets"
import type { DatasetKind } from "@peftlab/plugin-api"

export const outcomeLabels = { "0": "negative", "1": "positive" } as const

export const clinicalNotesKind: DatasetKind = {
  name: "clinical_notes",
  fields: { required: [], optional: [] },
  load: (data) =>
    loadClassificationFile(data.path, {
      format: "csv",
      fields: { id: "note_id", text: "note_text", label: "outcome" },
      renameLabels: outcomeLabels,
      // Any other outcome value is dropped and counted (e.g. `label "2"`) in the manifest.
      keepLabels: Object.values(outcomeLabels),
      dropLabels: data.cleaning.drop_labels,
      lowercaseLabels: data.cleaning.lowercase_labels,
      dedupe: data.cleaning.dedupe,
      dropEmpty: data.cleaning.drop_empty,
    }),
}
