// Buffers of every C scalar kind: f16 in (uint16_t bits), int32 in, bf16 out
// (uint16_t bits), int8 out. y = bf16(f32(x) * f32(t)), z = i8(t).
func.func @narrow_io(%x: tensor<64xf16>, %t: tensor<64xi32>) -> (tensor<64xbf16>, tensor<64xi8>) {
  %e = tensor.empty() : tensor<64xbf16>
  %e8 = tensor.empty() : tensor<64xi8>
  %y, %z = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x, %t : tensor<64xf16>, tensor<64xi32>) outs(%e, %e8 : tensor<64xbf16>, tensor<64xi8>) {
  ^bb0(%a: f16, %b: i32, %o: bf16, %o8: i8):
    %f = arith.extf %a : f16 to f32
    %bf = arith.sitofp %b : i32 to f32
    %s = arith.mulf %f, %bf : f32
    %r = arith.truncf %s : f32 to bf16
    %q = arith.trunci %b : i32 to i8
    linalg.yield %r, %q : bf16, i8
  } -> (tensor<64xbf16>, tensor<64xi8>)
  return %y, %z : tensor<64xbf16>, tensor<64xi8>
}
