// Batched matmul, register-tiled: a workgroup computes a TM x TN tile of C with
// (TM/RM) x (TN/RN) threads, each accumulating RM x RN outputs in registers;
// A and B tiles of depth TK are staged in workgroup memory. op(A), op(B) are folded into
// element strides, so transposes cost nothing. Params: [0] M, [1] N, [2] K, [3] batch rank,
// [4..9] batch shape, [10] a offset, [11..16] a batch strides, [17] b offset,
// [18..23] b batch strides, [24] out offset, [25..30] out batch strides, [31] rsa, [32] csa,
// [33] rsb, [34] csb, [35] ldo. Grid: x over N tiles, y over M tiles, z over batches.
@group(0) @binding(1) var<storage, read_write> out: array<{{T}}>;
@group(0) @binding(2) var<storage, read> A: array<{{T}}>;
@group(0) @binding(3) var<storage, read> B: array<{{T}}>;

const TM = {{TM}}u;
const TN = {{TN}}u;
const TK = {{TK}}u;
const RM = {{RM}}u;
const RN = {{RN}}u;
const WX = TN / RN;
const WY = TM / RM;
const NT = WX * WY;

var<workgroup> As: array<{{T}}, {{TK}} * {{TM}}>;
var<workgroup> Bs: array<{{T}}, {{TK}} * {{TN}}>;

@compute @workgroup_size({{TN}} / {{RN}}, {{TM}} / {{RM}}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = u32(prm(0u));
  let N = u32(prm(1u));
  let K = u32(prm(2u));
  // Batch offsets from the z index.
  var oa = prm(10u);
  var ob = prm(17u);
  var oo = prm(24u);
  var rem = wid.z;
  for (var d = prm(3u) - 1; d >= 0; d--) {
    let dim = u32(prm(4u + u32(d)));
    let idx = i32(rem % dim);
    rem = rem / dim;
    oa += idx * prm(11u + u32(d));
    ob += idx * prm(18u + u32(d));
    oo += idx * prm(25u + u32(d));
  }
  let rsa = prm(31u);
  let csa = prm(32u);
  let rsb = prm(33u);
  let csb = prm(34u);
  let ldo = prm(35u);
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let tid = lid.y * WX + lid.x;
  var acc: array<array<{{T}}, {{RN}}>, {{RM}}>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = tid; e < TK * TM; e += NT) {
      let kk = e / TM;
      let ii = e % TM;
      let gi = row0 + ii;
      let gk = k0 + kk;
      var v = {{T}}(0);
      if (gi < M && gk < K) { v = A[u32(oa + i32(gi) * rsa + i32(gk) * csa)]; }
      As[kk * TM + ii] = v;
    }
    for (var e = tid; e < TK * TN; e += NT) {
      let kk = e / TN;
      let jj = e % TN;
      let gj = col0 + jj;
      let gk = k0 + kk;
      var v = {{T}}(0);
      if (gj < N && gk < K) { v = B[u32(ob + i32(gk) * rsb + i32(gj) * csb)]; }
      Bs[kk * TN + jj] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<{{T}}, {{RM}}>;
      var bv: array<{{T}}, {{RN}}>;
      for (var r = 0u; r < RM; r++) { av[r] = As[kk * TM + lid.y * RM + r]; }
      for (var c = 0u; c < RN; c++) { bv[c] = Bs[kk * TN + lid.x * RN + c]; }
      for (var r = 0u; r < RM; r++) {
        for (var c = 0u; c < RN; c++) { acc[r][c] = {{MAD}}; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < RM; r++) {
    let gi = row0 + lid.y * RM + r;
    if (gi >= M) { continue; }
    for (var c = 0u; c < RN; c++) {
      let gj = col0 + lid.x * RN + c;
      if (gj < N) { out[u32(oo + i32(gi) * ldo + i32(gj))] = acc[r][c]; }
    }
  }
}
