// The page's one palette for runs and series: Okabe & Ito's eight colours, which stay apart under the
// common colour-vision deficiencies, with their yellow moved last (it is faint on white) and two of
// Paul Tol's (wine, indigo) added so 10 runs get 10 colours before any repeats.

export const PALETTE = [
  '#0072b2', // blue
  '#d55e00', // vermillion
  '#009e73', // bluish green
  '#cc79a7', // reddish purple
  '#e69f00', // orange
  '#56b4e9', // sky blue
  '#000000', // black
  '#882255', // wine
  '#332288', // indigo
  '#f0e442', // yellow
] as const;

/** The i-th colour, repeating after PALETTE.length. */
export const colourAt = (i: number): string => PALETTE[i % PALETTE.length];

/** For values that mean "nothing" (advantage 0, a zero line): neither end of a diverging scale. */
export const NEUTRAL = '#e9ebee';
