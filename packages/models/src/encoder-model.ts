// An encoder-only model (BERT): contextual token representations for span and classification heads.
import type * as tf from "@tensorflow/tfjs"
import type { KeyValue, ModelCommon } from "./model.ts"

export interface EncoderInput {
  /** [batch, time, hidden] word embeddings (from `embed`); position and token-type embeddings are added inside. */
  readonly embeds: tf.Tensor3D
  readonly attentionMask?: tf.Tensor2D
  /** [batch, time] segment ids (BERT's token_type_ids); zeros by default. */
  readonly tokenTypeIds?: tf.Tensor2D
  readonly prefix?: ReadonlyArray<KeyValue>
  /**
   * Run only the first `layers` layers (0: the embeddings' output), as a model whose layer list is
   * cut to that many (bert-score's `num_layers`): a pre-norm model's final LayerNorm still applies.
   * All of them by default.
   */
  readonly layers?: number
}

export interface EncoderModel extends ModelCommon {
  readonly kind: "encoder"
  /** False for a checkpoint without the pooler (saved, or loaded, with add_pooling_layer=False): `pool` then throws. */
  readonly hasPooler: boolean
  /** Last hidden states [batch, time, hidden]. */
  encode(input: EncoderInput): tf.Tensor3D
  /** BERT's pooler: tanh(dense(hidden of the first token)), [batch, hidden]. */
  pool(hidden: tf.Tensor3D): tf.Tensor2D
}
