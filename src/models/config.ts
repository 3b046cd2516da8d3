// GPT-2 configuration (nanoGPT's GPTConfig) and the named sizes the playground offers.
// Field names are ours (camelCase); checkpoint.ts maps them to HF GPT2Config names.

export interface GPTConfig {
  vocabSize: number; // V: tokenizer size (chars + <pad> <bos> <eos>)
  blockSize: number; // T_max: context length = HF n_positions
  nEmbd: number; // C
  nLayer: number; // L
  nHead: number; // NH; C % NH == 0
}

export const MODEL_SIZE_NAMES = ['tiny', 'small', 'medium'] as const;
export type ModelSize = (typeof MODEL_SIZE_NAMES)[number];

/** C/L/NH/T of each size; vocabSize comes from the task's tokenizer. */
export const MODEL_SIZES: Record<ModelSize, Omit<GPTConfig, 'vocabSize'>> = {
  tiny: { nEmbd: 32, nLayer: 1, nHead: 2, blockSize: 32 },
  small: { nEmbd: 64, nLayer: 2, nHead: 4, blockSize: 48 },
  medium: { nEmbd: 128, nLayer: 4, nHead: 4, blockSize: 64 },
};

export function validateConfig(c: GPTConfig): GPTConfig {
  const ints: (keyof GPTConfig)[] = ['vocabSize', 'blockSize', 'nEmbd', 'nLayer', 'nHead'];
  for (const k of ints) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`config.${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new Error(`config.nEmbd (${c.nEmbd}) must be divisible by nHead (${c.nHead})`);
  return c;
}
