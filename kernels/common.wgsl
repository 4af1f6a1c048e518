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
