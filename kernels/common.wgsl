// Shared by every tensile kernel: the 256-byte parameter block (shapes, offsets, strides as
// i32, read with prm(i)) and the 2-D dispatch grid (at most 65,535 workgroups per dimension).
struct Params { v: array<vec4<i32>, 16> }
@group(0) @binding(0) var<uniform> P: Params;

fn prm(i: u32) -> i32 { return P.v[i >> 2u][i & 3u]; }

fn linear_group(wid: vec3u, nwg: vec3u) -> u32 { return wid.y * nwg.x + wid.x; }

// NaN and infinity from their bit patterns at run time (WGSL rejects them as constants).
fn f32_bits(b: u32) -> f32 {
  var v = b;
  return bitcast<f32>(v);
}

// The offsets of operands 0..3 (params at 10 + 9k: offset, then 8 strides) at logical element
// i of the shape in params [1] (rank) and [2..9] (dims).
fn operand_offsets(i: u32) -> vec4<i32> {
  var rem = i;
  var o = vec4<i32>(prm(10u), prm(19u), prm(28u), prm(37u));
  for (var d = prm(1u) - 1; d >= 0; d--) {
    let dim = u32(prm(2u + u32(d)));
    let idx = i32(rem % dim);
    rem = rem / dim;
    o += idx * vec4<i32>(prm(11u + u32(d)), prm(20u + u32(d)), prm(29u + u32(d)), prm(38u + u32(d)));
  }
  return o;
}
