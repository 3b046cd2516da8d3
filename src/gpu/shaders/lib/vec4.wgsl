// The sum of a vec4's lanes for the vec4 entry points, in a fixed order ((x + y) + (z + w)).

fn hsum(v: vec4f) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}
