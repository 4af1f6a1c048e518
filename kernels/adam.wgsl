// One fused Adam/AdamW step in place (see lib/backends/js/optimizer.ts for the reference
// order of operations). Params: [0] count, [1..5] offsets of param, grad, m, v, vmax;
// f32 bit patterns: [8] beta1, [9] beta2, [10] 1 - beta1, [11] 1 - beta2, [12] eps,
// [13] weight decay, [14] 1 - lr·wd, [15] sqrt(1 - beta2^t), [16] -lr/(1 - beta1^t);
// flags [17] decoupled, [18] maximize.
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
{{VMAX_BINDING}}

fn pf(i: u32) -> f32 { return bitcast<f32>(prm(i)); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = linear_group(wid, nwg) * 256u + lid.x;
  if (i >= u32(prm(0u))) { return; }
  let ip = u32(prm(1u)) + i;
  var gr = g[u32(prm(2u)) + i];
  if (prm(18u) == 1) { gr = -gr; }
  var pv = p[ip];
  if (pf(13u) != 0.0) {
    if (prm(17u) == 1) { pv = pv * pf(14u); } else { gr = gr + pv * pf(13u); }
  }
  let im = u32(prm(3u)) + i;
  let iv = u32(prm(4u)) + i;
  let mv = m[im] * pf(8u) + gr * pf(10u);
  let vv = v[iv] * pf(9u) + (gr * pf(11u)) * gr;
  m[im] = mv;
  v[iv] = vv;
  var second = vv;
  {{VMAX_UPDATE}}
  let denom = sqrt(second) / pf(15u) + pf(12u);
  p[ip] = pv + (mv / denom) * pf(16u);
}
