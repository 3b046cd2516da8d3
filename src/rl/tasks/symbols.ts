// The verdict shared by `sort` and `reverse`: the whole completion is the answer, a string of symbols.

import { isSymbolString, leftAlignedMatch } from './common';
import type { Verdict } from './task';

export function verifySymbols(answer: string, given: string): Verdict {
  const formatOk = isSymbolString(given);
  return {
    correct: formatOk && given === answer,
    formatOk,
    partial: leftAlignedMatch(answer, given),
    parsedAnswer: formatOk ? given : null,
  };
}

/** The string before the prompt's final "=". */
export function promptSymbols(prompt: string): string {
  if (!prompt.endsWith('=')) throw new Error(`not a symbol-string prompt: ${JSON.stringify(prompt)}`);
  return prompt.slice(0, -1);
}
