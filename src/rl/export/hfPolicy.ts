// The playground's policy as a Hugging Face model folder, so TRL and verl can train the very network
// a run starts from: config.json (GPT2Config), model.safetensors (the checkpoint's tensors, already in
// GPT2LMHeadModel's names and layout: src/models/checkpoint.ts), and a character-level tokenizer —
// a WordLevel vocabulary in the checkpoint's id order, every character its own token, decoded by
// concatenation — with a chat template that writes `<bos>` and the last message, which is exactly
// what the playground's policy reads.

import { hfConfig, encodeCheckpoint, type Checkpoint } from '../../models/checkpoint';
import { BOS, EOS, PAD, SPECIAL_TOKENS } from '../../models/tokenizer';

/** The chat template: `<bos>` then the last message's content (system messages are for chat models). */
export const POLICY_CHAT_TEMPLATE = "{{ bos_token }}{{ messages[-1]['content'] }}";

export function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t) => ({
      id: vocab.indexOf(t),
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: '.' }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), unk_token: PAD },
  };
}

/** File name → contents of the policy folder. */
export function policyFiles(ckpt: Checkpoint): Record<string, string | Uint8Array> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  const ids = { bos_token_id: ckpt.vocab.indexOf(BOS), eos_token_id: ckpt.vocab.indexOf(EOS) };
  return {
    'config.json': json({ ...hfConfig(ckpt.config, ckpt.vocab), torch_dtype: 'float32' }),
    'model.safetensors': encodeCheckpoint(ckpt),
    'tokenizer.json': json(tokenizerJson(ckpt.vocab)),
    'tokenizer_config.json': json({
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: BOS,
      eos_token: EOS,
      pad_token: PAD,
      unk_token: PAD,
      model_max_length: ckpt.config.blockSize,
      padding_side: 'left',
      clean_up_tokenization_spaces: false,
      chat_template: POLICY_CHAT_TEMPLATE,
    }),
    'special_tokens_map.json': json({ bos_token: BOS, eos_token: EOS, pad_token: PAD, unk_token: PAD }),
    'generation_config.json': json({ ...ids, pad_token_id: ckpt.vocab.indexOf(PAD) }),
  };
}
