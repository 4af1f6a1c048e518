// Softmax / log-softmax along one axis: one workgroup per row, max and sum by tree reduction
// in workgroup memory (max-subtracted, so ±1000 is exact). Params as elementwise for the row
// walk (shape with the axis set to 1; operand 0 = x, 3 = out), [48] axis length,
// [49] x's axis stride, [50] out's axis stride, [51] 1 for log-softmax.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = linear_group(wid, nwg);
  if (row >= u32(prm(0u))) { return; }
  let o = operand_offsets(row);
  let ox = o.x;
  let oo = o.w;
  let n = u32(prm(48u));
  let sx = prm(49u);
  let so = prm(50u);
  var m = f32_bits(0xff800000u);
  for (var j = lid.x; j < n; j += 256u) { m = max(m, x[ox + i32(j) * sx]); }
  red[lid.x] = m;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { red[lid.x] = max(red[lid.x], red[lid.x + s]); }
    workgroupBarrier();
  }
  m = red[0];
  workgroupBarrier();
  var t = 0.0;
  for (var j = lid.x; j < n; j += 256u) { t += exp(x[ox + i32(j) * sx] - m); }
  red[lid.x] = t;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { red[lid.x] = red[lid.x] + red[lid.x + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  // (v - m) - log(total), not v - (m + log(total)): at |v| ~ 1000 the latter loses the
  // low bits of the result to f32 rounding.
  let lt = log(total);
  for (var j = lid.x; j < n; j += 256u) {
    let v = x[ox + i32(j) * sx];
    if (prm(51u) == 1) { out[oo + i32(j) * so] = (v - m) - lt; } else { out[oo + i32(j) * so] = exp(v - m) / total; }
  }
}
