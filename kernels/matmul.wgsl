// Batched matmul, register-tiled: a workgroup computes a TM x TN tile of C with
// (TM/RM) x (TN/RN) threads, each accumulating RM x RN outputs in registers as vec4 rows;
// A and B tiles of depth TK are staged in workgroup memory, k-major, four consecutive rows
// of op(A) (columns of op(B)) per vec4. op(A), op(B) are folded into element strides, so
// transposes cost nothing. Params: [0] M, [1] N, [2] K, [3] batch rank, [4..9] batch shape,
// [10] a offset, [11..16] a batch strides, [17] b offset, [18..23] b batch strides,
// [24] out offset, [25..30] out batch strides, [31] rsa, [32] csa, [33] rsb, [34] csb,
// [35] ldo. Grid: x over N tiles, y over M tiles, z over batches.
//
// The specialisation (specs.ts, matmulFill) fills in how each operand reaches its tile:
// load_a / load_b return a 4 x 4 block (4 k-rows of 4 consecutive rows/columns) read either
// element by element or as vec4 loads along whichever axis the operand is contiguous in, and
// store_out writes one vec4 of C scalar by scalar or as one vec4 store. A vec4 binding is
// only used where the launcher checked that every vec4 it reads lies inside the operand.
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT_T}}>;
@group(0) @binding(2) var<storage, read> A: array<{{A_T}}>;
@group(0) @binding(3) var<storage, read> B: array<{{B_T}}>;

alias V = vec4<{{T}}>;
alias Block = array<vec4<{{T}}>, 4>;

const TM = {{TM}}u;
const TN = {{TN}}u;
const TK = {{TK}}u;
const RM = {{RM}}u;
const RN = {{RN}}u;
const WX = TN / RN;
const WY = TM / RM;
const NT = WX * WY;
const TM4 = TM / 4u;
const TN4 = TN / 4u;

var<workgroup> As: array<vec4<{{T}}>, {{TK}} * {{TM}} / 4>;
var<workgroup> Bs: array<vec4<{{T}}>, {{TK}} * {{TN}} / 4>;

// Element (i, k) of an operand at o + i * si + k * sk, for i < li and k < lk (zero outside).
{{LOAD_A}}
{{LOAD_B}}
// Writes v to C[i, j..j+3] (the part of it with j < N).
{{STORE}}

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
  // Thread (x, y) owns the vec4 columns x, x + WX, ... and row quads y, y + WY, ... of the
  // tile: neighbouring threads read neighbouring vec4s of the staged tiles.
  var acc: array<array<vec4<{{T}}>, {{RN}} / 4>, {{RM}}>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = tid; e < TK / 4u * TM4; e += NT) {
      let kb = e / TM4;
      let ib = e % TM4;
      let blk = load_a(oa, rsa, csa, M, K, row0 + ib * 4u, k0 + kb * 4u);
      for (var q = 0u; q < 4u; q++) { As[(kb * 4u + q) * TM4 + ib] = blk[q]; }
    }
    for (var e = tid; e < TK / 4u * TN4; e += NT) {
      let kb = e / TN4;
      let jb = e % TN4;
      let blk = load_b(ob, csb, rsb, N, K, col0 + jb * 4u, k0 + kb * 4u);
      for (var q = 0u; q < 4u; q++) { Bs[(kb * 4u + q) * TN4 + jb] = blk[q]; }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var bv: array<vec4<{{T}}>, {{RN}} / 4>;
      for (var c = 0u; c < RN / 4u; c++) { bv[c] = Bs[kk * TN4 + c * WX + lid.x]; }
      for (var r4 = 0u; r4 < RM / 4u; r4++) {
        let a4 = As[kk * TM4 + r4 * WY + lid.y];
        for (var p = 0u; p < 4u; p++) {
          let a = V(a4[p]);
          for (var c = 0u; c < RN / 4u; c++) { acc[r4 * 4u + p][c] = {{MAD}}; }
        }
      }
    }
    workgroupBarrier();
  }
  for (var r4 = 0u; r4 < RM / 4u; r4++) {
    for (var p = 0u; p < 4u; p++) {
      let gi = row0 + (r4 * WY + lid.y) * 4u + p;
      if (gi >= M) { break; }
      for (var c = 0u; c < RN / 4u; c++) {
        let gj = col0 + (c * WX + lid.x) * 4u;
        if (gj < N) { store_out(oo + i32(gi) * ldo + i32(gj), N - gj, acc[r4 * 4u + p][c]); }
      }
    }
  }
}
