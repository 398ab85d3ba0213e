// A frozen parameter has no gradient: the runtime contract
// (runtime/include/wl/wlgen.h) says "grad_offset": -1.
// BUG: wl-emit-metadata writes p.getGradOffset().value_or(-1), an
// std::optional<uint64_t>, so -1 becomes 18446744073709551615 in the JSON; the
// runtime's reqInt (runtime/src/Metadata.cpp) cannot read that as an int64 and
// rejects the metadata, so no model with a frozen tensor can be created.
// RUN: wl-opt --wl-assign-arena --wl-certify --wl-emit-metadata %s | FileCheck %s

module attributes {wl.model = {input_size = 4 : i64, label_kind = 0 : i64, model = "Frozen", output_size = 4 : i64, target_size = 1 : i64}} {
  wl.param @base : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>}
  wl.param @bias : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc : 4 -> 4 {bias = @bias, structure = [#wl.structure<dense>], weight = @base}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @base : tensor<4x4xf32>
    %y = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %b = wl.param_ref @bias : tensor<4xf32>
    %z = wl.bias_add %y, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    return %z : tensor<?x4xf32>
  }
}

// CHECK: @wlgen_metadata(
// CHECK-SAME: {\22grad_offset\22:-1,\22init\22:{\22kind\22:\22orthogonal\22},\22name\22:\22base\22,\22offset\22:0,\22shape\22:[4,4],\22state\22:[],\22trainable\22:false}
// CHECK-SAME: {\22grad_offset\22:32,\22init\22:{\22kind\22:\22zeros\22},\22name\22:\22bias\22,\22offset\22:16,
