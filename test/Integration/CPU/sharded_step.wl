// The pieces of a sharded step (wl_step_tensors, wl_step_tensor_buffers, wl_step_finish) on
// models that exercise every kind of per-tensor and end-of-step work: Muon on matrices and
// stacks, soft_cap's power vectors, svd_clip and strict projections, the product clips of
// lora, sorsa and loldu (end of step), SST's rounds (end of step), bone's row-block scale,
// hammer, hard_cap, normalize and orthonormal on structures. Inputs/sharded_step.py checks
// that the pieces plus wl_step_finish equal wl_step bit for bit, that each piece writes only
// its own spans, the step guard, and the errors.
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %python %test_inputs/sst.py --write-base %t.d/sst_base.safetensors
// RUN: %python %test_inputs/sorsa.py --write-base %t.d/sorsa_base.safetensors
// RUN: %python %test_inputs/loldu.py --write-base %t.d/loldu_base.safetensors
// RUN: cp %S/sst.wl %S/sorsa.wl %S/loldu.wl %t.d/
// RUN: wlc %S/distributed.wl --model DistMuon -o %t.d/DistMuon.so
// RUN: wlc %S/distributed.wl --model DistLora -o %t.d/DistLora.so
// RUN: wlc %S/muon_stacked.wl --model MuonStacked -o %t.d/MuonStacked.so
// RUN: wlc %t.d/sst.wl --model SstMuon -o %t.d/SstMuon.so
// RUN: wlc %t.d/sorsa.wl --model Sorsa -o %t.d/Sorsa.so
// RUN: wlc %t.d/loldu.wl --model LoLDU -o %t.d/LoLDU.so
// RUN: wlc %S/constraints_svd_clip_strict.wl --model SvdClip -o %t.d/SvdClip.so
// RUN: wlc %S/constraints_svd_clip_strict.wl --model StrictMuon -o %t.d/StrictMuon.so
// RUN: wlc %S/constraints_bone_bat.wl --model BoneBat -o %t.d/BoneBat.so
// RUN: wlc %S/constraints_structures.wl --model Adapters -o %t.d/Adapters.so
// RUN: wlc %S/constraints_structures.wl --model Hammer -o %t.d/Hammer.so
// RUN: wlc %S/constraints_structures.wl --model HardCap -o %t.d/HardCap.so
// RUN: wlc %S/constraints_structures.wl --model Normalize -o %t.d/Normalize.so
// RUN: wlc %S/constraints_structures.wl --model Orthonormal -o %t.d/Orthonormal.so
// RUN: cd %t.d && %python %test_inputs/sharded_step.py DistMuon.so DistLora.so MuonStacked.so SstMuon.so Sorsa.so LoLDU.so SvdClip.so StrictMuon.so BoneBat.so Adapters.so Hammer.so HardCap.so Normalize.so Orthonormal.so | FileCheck %s
//
// CHECK: OK pieces_DistMuon (6 pieces
// CHECK: OK equal_step_DistMuon (bit-identical after 3 steps)
// CHECK: OK own_spans_DistMuon (6 pieces)
// CHECK: OK guard_DistMuon (wl_step_finish: the step made {{.*}} non-finite
// CHECK: OK equal_step_DistLora
// CHECK: OK own_spans_DistLora
// CHECK: OK guard_DistLora
// CHECK: OK equal_step_MuonStacked
// CHECK: OK own_spans_MuonStacked
// CHECK: OK equal_step_SstMuon
// CHECK: OK own_spans_SstMuon
// CHECK: OK equal_step_Sorsa
// CHECK: OK own_spans_Sorsa
// CHECK: OK equal_step_LoLDU
// CHECK: OK own_spans_LoLDU
// CHECK: OK equal_step_SvdClip
// CHECK: OK own_spans_SvdClip
// CHECK: OK equal_step_StrictMuon
// CHECK: OK own_spans_StrictMuon
// CHECK: OK equal_step_BoneBat
// CHECK: OK own_spans_BoneBat
// CHECK: OK equal_step_Adapters
// CHECK: OK own_spans_Adapters
// CHECK: OK guard_Adapters
// CHECK: OK equal_step_Hammer
// CHECK: OK own_spans_Hammer
// CHECK: OK equal_step_HardCap
// CHECK: OK own_spans_HardCap
// CHECK: OK equal_step_Normalize
// CHECK: OK own_spans_Normalize
// CHECK: OK equal_step_Orthonormal
// CHECK: OK own_spans_Orthonormal
// CHECK: OK guard_Orthonormal
// CHECK: OK finish_without_step (wl_step_finish: no step is open (call wl_step_tensors first))
// CHECK: OK piece_out_of_range (wl_step_tensors: tensor 6 is out of range [0, 6))
// CHECK: OK piece_twice (wl_step_tensors: tensor 0 was already updated in this step)
// CHECK: OK step_while_open (wl_step: a sharded step is open
// CHECK: OK step_after_errors
// CHECK: OK load_discards_open_step
// CHECK-NOT: FAIL
