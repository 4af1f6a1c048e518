// gather: out[i] = x[i with i[axis] := index[i]], walking out's shape (x's axis stride is 0 in
// the params and added per element). Out-of-range indices write 0 and raise the status flag,
// which the next read turns into a TensileError. Params as elementwise (operand 0 = x,
// 1 = index, 3 = out), [48] axis stride of x, [49] axis size.
@group(0) @binding(1) var<storage, read_write> out: array<{{T}}>;
@group(0) @binding(2) var<storage, read> x: array<{{T}}>;
@group(0) @binding(3) var<storage, read> index: array<i32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = linear_group(wid, nwg) * 256u + lid.x;
  if (i >= u32(prm(0u))) { return; }
  let offs = operand_offsets(i);
  let o0 = offs.x;
  let o1 = offs.y;
  let o3 = offs.w;
  let v = index[o1];
  if (v < 0 || v >= prm(49u)) {
    atomicMax(&status[0], 1u);
    out[o3] = {{T}}(0);
    return;
  }
  out[o3] = x[o0 + v * prm(48u)];
}
