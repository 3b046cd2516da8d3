// TS wrapper of shaders/token_select.wgsl: the policy loss's top-entropy mask and Clip-Cov / KL-Cov
// selection on the device, in place on the packed per-token inputs of shaders/policy_loss.wgsl.
// TS reference: planPolicyLoss (src/rl/policyLoss.ts).
import { CLIP_COV_STREAM, type TokenSelection } from '../../models/engine';
import { type Binding, type Recorder, f32, groups, u32 } from '../runtime';
import { kernel } from '../wgsl';

const WG = 64; // invocations per workgroup of rank_select
const DRAW_WG = 1; // clip_cov_select: the draw is sequential, one invocation
const KEEP_TOP = 0; // token_select.wgsl's modes
const MARK_TOP = 1;

const rankSelectSpec = kernel('token_select', 'rank_select', { WG, DRAW_WG, CLIP_COV_STREAM });
const clipCovSelectSpec = kernel('token_select', 'clip_cov_select', { WG, DRAW_WG, CLIP_COV_STREAM });

export interface TokenSelectBuffers {
  tokenIn: Binding; // (N,4) packTokenInputs with pgActive 1 and klCovSelected 0 on loss tokens; updated in place
  entropy: Binding; // (N) H
  cov: Binding; // (N) cov_t
  mask: Binding; // (N, u32) 1 = loss token
  logprobs: Binding; // (N) logπ
  oldLogprobs: Binding; // (N) logπ_old
  candidates: Binding | null; // (N, u32) scratch; needed when sel.clipCov
}

/**
 * Zeroes pgActive outside the top-entropy k and on Clip-Cov's draw, and sets klCovSelected on KL-Cov's
 * k, for N tokens. epsLow/epsHigh: PPO's clip, whose already-clipped tokens Clip-Cov skips.
 */
export function tokenSelect(
  rec: Recorder,
  b: TokenSelectBuffers,
  N: number,
  sel: TokenSelection,
  eps: { epsLow: number; epsHigh: number },
): void {
  const params = (k: number, mode: number, seed = 0, lb = 0, ub = 0) => [
    u32(N),
    u32(k),
    u32(mode),
    u32(seed),
    f32(lb),
    f32(ub),
    f32(eps.epsLow),
    f32(eps.epsHigh),
  ];
  if (sel.topEntropyK !== null) {
    rec.dispatch(rankSelectSpec, params(sel.topEntropyK, KEEP_TOP), [b.tokenIn, b.entropy, b.mask], [groups(N, WG)]);
  }
  if (sel.klCovK !== null) {
    rec.dispatch(rankSelectSpec, params(sel.klCovK, MARK_TOP), [b.tokenIn, b.cov, b.mask], [groups(N, WG)]);
  }
  const c = sel.clipCov;
  if (c) {
    if (!b.candidates) throw new Error('tokenSelect: Clip-Cov needs a candidates buffer of N u32');
    rec.dispatch(
      clipCovSelectSpec,
      params(c.k, KEEP_TOP, c.seed, c.lb, c.ub),
      [b.tokenIn, b.cov, b.mask, b.logprobs, b.oldLogprobs, b.candidates],
      [1],
    );
  }
}
