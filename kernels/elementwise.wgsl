// Every elementwise kernel (unary, binary, where, copy/cast, fill) from this one template:
// the BINDINGS slot declares the inputs, LOADS reads a0..a2 from their strided offsets and
// OP is the op's expression from lib/backends/webgpu/ops.ts. Params: [0] element count,
// [1] rank, [2..9] shape, then per operand k (inputs 0..2, output 3) at 10 + 9k: the offset
// and 8 strides.
@group(0) @binding(1) var<storage, read_write> out: array<{{TOUT}}>;
{{BINDINGS}}
{{HELPERS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = linear_group(wid, nwg) * 256u + lid.x;
  if (i >= u32(prm(0u))) { return; }
  let offs = operand_offsets(i);
  let o0 = offs.x;
  let o1 = offs.y;
  let o2 = offs.z;
  let o3 = offs.w;
  {{LOADS}}
  out[o3] = {{OP}};
}
