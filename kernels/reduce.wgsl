// Reductions: one workgroup per output element, a strided loop per thread then a tree in
// workgroup memory. Params: [0] outputs, [1] kept dims, [2] reduced dims, [3] reduced count,
// [4..11] shape (kept dims first, then reduced), [12] x offset, [13..20] x strides (same
// order), [21] out offset, [22] chunks per output G, [23] chunk length. With G > 1 each
// workgroup reduces one chunk of one output and writes a partial (out is then a [outputs, G]
// scratch buffer, reduced again): a long reduction is spread over many workgroups instead of
// one. Sums use Kahan compensation per thread (WGSL has no f64).
@group(0) @binding(1) var<storage, read_write> out: array<{{TOUT}}>;
@group(0) @binding(2) var<storage, read> x: array<{{T}}>;

var<workgroup> sv: array<{{ACC}}, 256>;
var<workgroup> si: array<i32, 256>;

{{HELPERS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let wg = linear_group(wid, nwg);
  let chunks = u32(prm(22u));
  let o = wg / chunks;
  if (o >= u32(prm(0u))) { return; }
  let lo = (wg % chunks) * u32(prm(23u));
  let hi = min(u32(prm(3u)), lo + u32(prm(23u)));
  let nk = prm(1u);
  let nr = prm(2u);
  var base = prm(12u);
  var rem = o;
  for (var d = nk - 1; d >= 0; d--) {
    let dim = u32(prm(4u + u32(d)));
    base += i32(rem % dim) * prm(13u + u32(d));
    rem = rem / dim;
  }
  var acc = init_acc();
  var comp = {{ACC}}(0);
  var best_i = -1;
  for (var j = lo + lid.x; j < hi; j += 256u) {
    var off = base;
    var r = j;
    for (var d = nk + nr - 1; d >= nk; d--) {
      let dim = u32(prm(4u + u32(d)));
      off += i32(r % dim) * prm(13u + u32(d));
      r = r / dim;
    }
    let v = {{ACC}}(x[off]);
    {{ABSORB}}
  }
  sv[lid.x] = acc;
  si[lid.x] = best_i;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      {{COMBINE}}
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[u32(prm(21u)) + wg] = {{RESULT}};
  }
}
