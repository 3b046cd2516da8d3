// GELU, tanh approximation (GPT-2's "gelu_new"), and its derivative.
// CPU reference: geluForward / geluBackward in src/models/cpu/ops.ts.

const GELU_SCALE: f32 = 0.7978845608028654; // √(2/π)

// tanh(√(2/π)(x + 0.044715x³)), its argument clamped: some tanh implementations overflow through exp
// for large |x|, and |x| > 10 is ±1 in f32 anyway.
fn gelu_tanh(x: f32) -> f32 {
  return tanh(clamp(GELU_SCALE * (x + 0.044715 * x * x * x), -10.0, 10.0));
}

fn gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + gelu_tanh(x));
}

// d gelu / dx; sech² = 1 − tanh², so no cosh overflow.
fn gelu_grad(x: f32) -> f32 {
  let t = gelu_tanh(x);
  let sech2 = 1.0 - t * t;
  return 0.5 * (1.0 + t) + x * 0.5 * sech2 * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
}
