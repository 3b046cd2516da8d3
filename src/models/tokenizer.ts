// Character-level tokenizer: one id per character of the task's alphabet plus <pad>, <bos>, <eos>.
// A sequence is `<bos> prompt completion <eos>` (docs/DESIGN.md §3).

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const SPECIAL_TOKENS = [PAD, BOS, EOS] as const;

export class Tokenizer {
  readonly vocab: readonly string[]; // index = id
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly ids: Map<string, number>;

  /** `vocab` is the full token list (as stored in a checkpoint); it must contain the special tokens. */
  constructor(vocab: readonly string[]) {
    this.vocab = vocab;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
    if (this.ids.size !== vocab.length) throw new Error('vocabulary has duplicate tokens');
    for (const t of vocab) {
      if (!SPECIAL_TOKENS.includes(t as (typeof SPECIAL_TOKENS)[number]) && [...t].length !== 1) {
        throw new Error(`vocabulary token ${JSON.stringify(t)} is neither a special token nor one character`);
      }
    }
    const get = (t: string) => {
      const id = this.ids.get(t);
      if (id === undefined) throw new Error(`vocabulary lacks the special token ${t}`);
      return id;
    };
    this.padId = get(PAD);
    this.bosId = get(BOS);
    this.eosId = get(EOS);
  }

  /** Specials first (ids 0,1,2), then the alphabet's characters in the order given. */
  static fromAlphabet(alphabet: string): Tokenizer {
    const chars = [...new Set([...alphabet])];
    return new Tokenizer([...SPECIAL_TOKENS, ...chars]);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Characters only; an unknown character is an error that names it and its position. */
  encode(text: string): number[] {
    const out: number[] = [];
    let i = 0;
    for (const ch of text) {
      const id = this.ids.get(ch);
      if (id === undefined || SPECIAL_TOKENS.includes(ch as (typeof SPECIAL_TOKENS)[number])) {
        throw new Error(
          `character ${JSON.stringify(ch)} at position ${i} of ${JSON.stringify(text)} is not in the vocabulary`,
        );
      }
      out.push(id);
      i++;
    }
    return out;
  }

  /** Special tokens are dropped; <eos> ends the text. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === this.eosId) break;
      if (id === this.padId || id === this.bosId) continue;
      const t = this.vocab[id];
      if (t === undefined) throw new Error(`token id ${id} is outside the vocabulary (size ${this.size})`);
      s += t;
    }
    return s;
  }
}
