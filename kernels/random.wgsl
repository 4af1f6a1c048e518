// Philox4x32-10, the same 32-bit integer arithmetic as the TypeScript and C++ versions, so a
// seed gives the same uniform bits on every device (normals agree within float tolerance).
// One thread per block of 4 elements: block b uses counter + b, element 4b + j word j.
// Params as elementwise (operand 3 = out), [48] seed lo, [49] seed hi, [50] counter lo,
// [51] counter hi, [52] 1 for normal.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

fn mulhilo(a: u32, b: u32) -> vec2u {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let lohi = al * bh; let hilo = ah * bl;
  let mid = ((al * bl) >> 16u) + (lohi & 0xffffu) + (hilo & 0xffffu);
  return vec2u(ah * bh + (lohi >> 16u) + (hilo >> 16u) + (mid >> 16u), a * b);
}

fn philox(ctr: vec4u, key: vec2u) -> vec4u {
  var c = ctr;
  var k = key;
  for (var r = 0; r < 10; r++) {
    let p0 = mulhilo(0xD2511F53u, c.x);
    let p1 = mulhilo(0xCD9E8D57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = linear_group(wid, nwg) * 256u + lid.x;
  let n = u32(prm(0u));
  if (b * 4u >= n) { return; }
  let lo = u32(prm(50u)) + b;
  let carry = select(0u, 1u, lo < b);
  let w = philox(vec4u(lo, u32(prm(51u)) + carry, 0u, 0u), vec2u(u32(prm(48u)), u32(prm(49u))));
  var v: array<f32, 4>;
  let s = 1.0 / 16777216.0;
  if (prm(52u) == 0) {
    v = array<f32, 4>(f32(w.x >> 8u) * s, f32(w.y >> 8u) * s, f32(w.z >> 8u) * s, f32(w.w >> 8u) * s);
  } else {
    let r0 = sqrt(-2.0 * log(f32((w.x >> 8u) + 1u) * s));
    let t0 = 6.283185307179586 * f32(w.y >> 8u) * s;
    let r1 = sqrt(-2.0 * log(f32((w.z >> 8u) + 1u) * s));
    let t1 = 6.283185307179586 * f32(w.w >> 8u) * s;
    v = array<f32, 4>(r0 * cos(t0), r0 * sin(t0), r1 * cos(t1), r1 * sin(t1));
  }
  for (var j = 0u; j < 4u; j++) {
    let i = b * 4u + j;
    if (i < n) { out[operand_offsets(i).w] = v[j]; }
  }
}
