// scatterAdd: out[i with i[axis] := index[i]] += src[i], walking src's shape. Repeated
// indices collide, so the add is atomic (the ATOMIC_ADD slot: a compare-exchange loop on the bit
// pattern for f32, atomicAdd for i32). Params as elementwise (operand 0 = index, 1 = src,
// 3 = out with its axis stride zeroed), [48] out's axis stride, [49] axis size.
@group(0) @binding(1) var<storage, read_write> out: array<atomic<{{AT}}>>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<{{T}}>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = linear_group(wid, nwg) * 256u + lid.x;
  if (i >= u32(prm(0u))) { return; }
  let offs = operand_offsets(i);
  let o0 = offs.x;
  let o1 = offs.y;
  let o3 = offs.w;
  let v = index[o0];
  if (v < 0 || v >= prm(49u)) {
    atomicMax(&status[0], 1u);
    return;
  }
  let o = u32(o3 + v * prm(48u));
  let s = src[o1];
  {{ATOMIC_ADD}}
}
