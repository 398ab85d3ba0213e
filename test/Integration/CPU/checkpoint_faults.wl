// Checkpoint faults (Inputs/checkpoint_faults.py). wl_save to a missing directory, an
// unwritable directory (as uid 65534 when run as root; SKIP where root cannot drop its
// privileges), past RLIMIT_FSIZE (EFBIG, the write error of a full disk) and onto a full
// tmpfs (ENOSPC; SKIP where `unshare -m` may not mount one) fails with WL_ERR_IO and a
// message, leaves the previous checkpoint byte-identical and no temporary file.
// wl_load of another model's checkpoint (other name; same name with another width, a
// missing bias, an extra layer, another optimizer) and of corrupted files (bad JSON,
// duplicate keys, deep nesting, header length beyond the file, offsets out of range /
// reversed / non-integer / overlapping, dtype, shape and size mismatches, negative
// step, not a regular file) fails with a message naming the first mismatch and leaves
// the model unchanged (its own checkpoint bytes: parameters, optimizer state, step).
// "First": the model name, then the file's tensors in header order, then overlapping
// data, then the model's tensors missing from the file.
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Faults -o %t/faults.so
// RUN: wlc %s --model FaultsWide -o %t/wide.so
// RUN: wlc %s --model FaultsNoBias -o %t/nobias.so
// RUN: wlc %s --model FaultsExtra -o %t/extra.so
// RUN: wlc %s --model FaultsSgd -o %t/sgd.so
// RUN: %python %test_inputs/checkpoint_faults.py %t | FileCheck %s
// CHECK: OK roundtrip_control
// CHECK: OK save_missing_dir
// CHECK: {{OK|SKIP}} save_unwritable_dir
// CHECK: OK save_fsize_limit_0
// CHECK: OK save_fsize_limit_in_header
// CHECK: OK save_fsize_limit_in_data
// CHECK: OK save_fsize_limit_last_byte
// CHECK: {{OK|SKIP}} save_enospc
// CHECK: OK enospc_mount_gone
// CHECK: OK save_after_failures
// CHECK: OK reject_other_model_name
// CHECK: OK reject_other_model_wider
// CHECK: OK reject_other_model_missing_bias
// CHECK: OK reject_other_model_extra_layer
// CHECK: OK reject_other_model_other_optimizer
// CHECK: OK reject_first_of_two_mismatches
// CHECK: OK reject_first_of_two_mismatches_reordered
// CHECK: OK reject_missing_after_present_checked
// CHECK: OK reject_missing_alone
// CHECK: OK reject_bad_json
// CHECK: OK reject_bad_json_value
// CHECK: OK reject_header_not_object
// CHECK: OK reject_no_metadata
// CHECK: OK reject_duplicate_key
// CHECK: OK reject_deep_nesting
// CHECK: OK reject_header_length_beyond_file
// CHECK: OK reject_header_length_huge
// CHECK: OK reject_short_file
// CHECK: OK reject_offsets_past_end
// CHECK: OK reject_offsets_negative
// CHECK: OK reject_offsets_reversed
// CHECK: OK reject_offsets_huge
// CHECK: OK reject_offsets_not_integers_fraction
// CHECK: OK reject_offsets_not_integers_strings
// CHECK: OK reject_offsets_not_integers_1e300
// CHECK: OK reject_offsets_not_integers_2^63
// CHECK: OK reject_offsets_three
// CHECK: OK reject_offsets_overlapping
// CHECK: OK reject_offsets_aliasing
// CHECK: OK reject_dtype_f16
// CHECK: OK reject_dtype_step
// CHECK: OK reject_shape_same_numel
// CHECK: OK reject_size_mismatch
// CHECK: OK reject_dimension_not_integer
// CHECK: OK reject_entry_without_dtype
// CHECK: OK reject_negative_step
// CHECK: OK reject_truncated_data
// CHECK: OK reject_directory
// CHECK: OK reject_dev_zero
// CHECK: OK load_reordered_with_gaps
// CHECK: OK model_intact_after_rejects

model Faults {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 32 { weight = dense; bias = zeros }
  linear mid: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize); bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(mid(relu(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}

// Another name and a wider fc1 (renamed to Faults by the script for the shape case).
model FaultsWide {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 40 { weight = dense; bias = zeros }
  linear mid: 40 -> 32 { weight = dense with spectral_bound(1.0, method = normalize); bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(mid(relu(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}

// Faults without head.bias.
model FaultsNoBias {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 32 { weight = dense; bias = zeros }
  linear mid: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize); bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = none }

  forward {
    return head(relu(mid(relu(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}

// Faults with one more layer between mid and head.
model FaultsExtra {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 32 { weight = dense; bias = zeros }
  linear mid: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize); bias = zeros }
  linear extra: 32 -> 32 { weight = dense; bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(extra(relu(mid(relu(fc1(x)))))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}

// Faults trained by SGD with momentum: same params, other optimizer state.
model FaultsSgd {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 32 { weight = dense; bias = zeros }
  linear mid: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize); bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(mid(relu(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.01, momentum = 0.9)
  }
}
