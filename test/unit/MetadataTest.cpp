//===- MetadataTest.cpp - Parsing and validating wlgen_metadata -----------===//
//
// wlrt::parseMetadata on hand-written metadata, and the fake model's own.
//
//===----------------------------------------------------------------------===//
#include "Metadata.h"
#include "TestUtil.h"

namespace {

/// The start of a metadata object; the tests append the arena and params.
const char *const head =
    R"({"abi":1,"model":"t","input_size":2,"output_size":2,"label_kind":0,)";

/// `json` is refused with an error that contains `needle`.
void rejects(const char *json, const char *needle) {
  wlrt::Metadata m = wlrt::parseMetadata(json);
  EXPECT_TRUE(!m.ok && m.error.find(needle) != std::string::npos)
      << m.error + " / want " + needle;
}

} // namespace

TEST(Metadata, FakeModel) {
  const wlrt::Metadata &md = wlrt::metadata();
  EXPECT_TRUE(md.ok) << md.error;
  EXPECT_TRUE(md.params.size() == 7 && md.layers.size() == 2 &&
              md.hasLipschitz);
}

TEST(Metadata, Rejects) {
  rejects(
      (std::string(head) +
       R"("arena_size":3,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}}]})")
          .c_str(),
      "outside the arena");
  rejects(
      (std::string(head) +
       R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"xavier"}}]})")
          .c_str(),
      "unknown init kind 'xavier'");
  rejects(
      (std::string(head) +
       R"("arena_size":8,"params":[],"lipschitz":[{"op":"input"},{"op":"layer","layer":"q","arg":0}]})")
          .c_str(),
      "unknown layer 'q'");
  rejects(R"({"abi":2,"model":"t"})", "unsupported abi");
  rejects("{", "invalid JSON");
  wlrt::Metadata good = wlrt::parseMetadata(
      (std::string(head) +
       R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":true,"grad_offset":4,"init":{"kind":"ones"}}]})")
          .c_str());
  EXPECT_TRUE(good.ok) << good.error;
}

/// "target": optional, "cpu" (the default) or "cuda".
TEST(Metadata, Target) {
  auto target = [&](const char *t) {
    return wlrt::parseMetadata(
        (std::string(head) + t + R"("arena_size":8,"params":[]})").c_str());
  };
  wlrt::Metadata none = target(""), cpu = target(R"("target":"cpu",)"),
                 cuda = target(R"("target":"cuda",)");
  EXPECT_TRUE(none.ok && !none.cudaTarget);
  EXPECT_TRUE(cpu.ok && !cpu.cudaTarget);
  EXPECT_TRUE(cuda.ok && cuda.cudaTarget);
  wlrt::Metadata tpu = target(R"("target":"tpu",)"),
                 num = target(R"("target":1,)");
  EXPECT_TRUE(!tpu.ok && contains(tpu.error.c_str(),
                                  "\"target\" must be \"cpu\" or \"cuda\""))
      << tpu.error;
  EXPECT_TRUE(!num.ok && contains(num.error.c_str(), "\"target\" must be"))
      << num.error;
}

/// The "lipschitz" graph: an array of nodes whose arguments index earlier
/// nodes.
TEST(Metadata, LipschitzGraph) {
  const std::string lipHead =
      std::string(head) +
      R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}}],)"
      R"("layers":[{"name":"l","in":2,"out":2,"structure":"dense","bound":"gram","weight":"w"}],"lipschitz":)";
  auto lipRejects = [&](const char *graph, const char *needle) {
    rejects((lipHead + graph + "}").c_str(), needle);
  };
  lipRejects(R"({"op":"input"})",
             "must be an array of nodes"); // the old tree form
  lipRejects(R"([])", "at least one node");
  lipRejects(R"([{"op":"input"},{"op":"layer","layer":"l","arg":1}])",
             "must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"add","args":[0,2]},{"op":"input"}])",
             "argument 2 must index an earlier node");
  lipRejects(R"([{"op":"scale","factor":2,"arg":0}])",
             "lipschitz node 0: argument 0 must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"scale","factor":2,"arg":-1}])",
             "argument -1 must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"scale","factor":2,"arg":0.5}])",
             "must be an integer node index");
  lipRejects(
      R"([{"op":"input"},{"op":"scale","factor":2,"arg":{"op":"input"}}])",
      "must be an integer node index");
  lipRejects(R"([{"op":"input"},{"op":"add","args":[]}])", "non-empty array");
  lipRejects(R"([{"op":"input"},{"op":"add","args":0}])", "non-empty array");
  lipRejects(R"([{"op":"input"},{"op":"relu","arg":0}])",
             "lipschitz node 1: unknown op 'relu'");
  lipRejects(R"([{"op":"input"},{"op":"layer","arg":0}])",
             "lipschitz node 1: missing \"layer\"");
  lipRejects(R"([{"op":"input"},{"op":"scale","arg":0}])",
             "missing \"factor\"");
  lipRejects(R"([{"op":"input"},{"op":"layer","layer":"l"}])",
             "missing \"arg\"");
  lipRejects(R"([1])", "lipschitz node 0: must be an object");
  {
    wlrt::Metadata g = wlrt::parseMetadata(
        (lipHead +
         R"([{"op":"input"},{"op":"layer","layer":"l","arg":0},{"op":"scale","factor":-0.5,"arg":1},)"
         R"({"op":"add","args":[2,0]}]})")
            .c_str());
    EXPECT_TRUE(g.ok) << g.error;
    using Op = wlrt::LipNode::Op;
    EXPECT_TRUE(g.hasLipschitz && g.lipschitz.size() == 4);
    if (g.lipschitz.size() == 4) {
      EXPECT_TRUE(g.lipschitz[0].op == Op::Input &&
                  g.lipschitz[0].args.empty());
      EXPECT_TRUE(g.lipschitz[1].op == Op::Layer && g.lipschitz[1].layer == 0 &&
                  g.lipschitz[1].args == std::vector<int64_t>{0});
      EXPECT_TRUE(g.lipschitz[2].op == Op::Scale &&
                  g.lipschitz[2].factor == -0.5 &&
                  g.lipschitz[2].args == std::vector<int64_t>{1});
      EXPECT_TRUE(g.lipschitz[3].op == Op::Add &&
                  (g.lipschitz[3].args == std::vector<int64_t>{2, 0}));
    }
    wlrt::Metadata none = wlrt::parseMetadata(
        (std::string(head) + R"("arena_size":8,"params":[]})").c_str());
    EXPECT_TRUE(none.ok && !none.hasLipschitz) << none.error;
  }
}

/// A state entry may carry its own "shape"; without it, it has the param's.
TEST(Metadata, StateShape) {
  const std::string st =
      std::string(head) +
      R"("arena_size":10,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,)"
      R"("init":{"kind":"zeros"},"state":[)";
  wlrt::Metadata g = wlrt::parseMetadata(
      (st +
       R"({"name":"m","offset":4},{"name":"u","offset":8,"shape":[2]}]}]})")
          .c_str());
  EXPECT_TRUE(g.ok) << g.error;
  if (g.ok && g.params.size() == 1 && g.params[0].state.size() == 2) {
    const wlrt::StateInfo &m0 = g.params[0].state[0], &u = g.params[0].state[1];
    EXPECT_TRUE(m0.shape == (std::vector<int64_t>{2, 2}) && m0.numel == 4 &&
                m0.offset == 4);
    EXPECT_TRUE(u.shape == std::vector<int64_t>{2} && u.numel == 2 &&
                u.offset == 8);
  } else {
    EXPECT_TRUE(false);
  }
  // The region check uses the state's own numel (and the param's by default).
  rejects((st + R"({"name":"u","offset":8,"shape":[3]}]}]})").c_str(),
          "param 'w' state 'u': region [8, +3) lies outside the arena of 10 "
          "floats");
  rejects((st + R"({"name":"u","offset":8}]}]})").c_str(),
          "state 'u': region [8, +4) lies outside");
  wlrt::Metadata fits = wlrt::parseMetadata(
      (st + R"({"name":"u","offset":8,"shape":[1,2]}]}]})").c_str());
  EXPECT_TRUE(fits.ok) << fits.error; // [8, 10) fits exactly
  rejects((st + R"({"name":"u","offset":0,"shape":[0]}]}]})").c_str(),
          "state 'u': dimensions must be positive");
  rejects((st + R"({"name":"u","offset":0,"shape":2}]}]})").c_str(),
          "state 'u': \"shape\" must be an array");
}

/// Structured layers name their factors; svd and diagonal need their shapes.
TEST(Metadata, StructuredLayers) {
  const std::string sh =
      std::string(head) +
      R"("arena_size":12,"params":[{"name":"U","shape":[2,1],"offset":0,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"s","shape":[1],"offset":2,"trainable":false,"init":{"kind":"ones"}},)"
      R"({"name":"V","shape":[2,1],"offset":3,"trainable":false,"init":{"kind":"zeros"}}],"layers":[)";
  wlrt::Metadata g = wlrt::parseMetadata(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"svd","bound":"svd","weight":"U","factors":["U","s","V"]}]})")
          .c_str());
  EXPECT_TRUE(g.ok) << g.error;
  EXPECT_TRUE(g.ok && g.layers[0].factors == (std::vector<int>{0, 1, 2}) &&
              !g.layers[0].hasDenseWeight());
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"svd","bound":"svd","weight":"U","factors":["U","t","V"]}]})")
          .c_str(),
      "layer 'l': unknown factor param 't'");
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"svd","bound":"svd","weight":"U","factors":["U","V","s"]}]})")
          .c_str(),
      "structure 'svd' (bound 'svd') needs factor 0 of the right shape");
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"svd","bound":"svd","weight":"U","factors":"U"}]})")
          .c_str(),
      "\"factors\" must be an array of param names");
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"diagonal","bound":"max_abs","weight":"s","factors":["s"]}]})")
          .c_str(),
      "structure 'diagonal' (bound 'max_abs') needs factor 0 of the right "
      "shape");
  rejects(
      (sh +
       R"j({"name":"l","in":2,"out":1,"structure":"orthogonal(polar)","bound":"orthonormal","weight":"U"}]})j")
          .c_str(),
      "weight 'U' must have shape [1, 2]");
}

/// The block, Kronecker and Monarch certificate rules read stacked factors
/// whose shapes must tile the layer.
TEST(Metadata, StackedFactorRules) {
  using wlrt::BoundRule;
  const std::string sh =
      std::string(head) +
      R"("arena_size":40,"params":[{"name":"A","shape":[1,2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"B","shape":[1,2,2],"offset":4,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"blocks","shape":[2,2,2],"offset":8,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"R","shape":[2,2,2],"offset":16,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"L","shape":[2,2,2],"offset":24,"trainable":false,"init":{"kind":"zeros"}}],"layers":[)";
  auto layer = [&](const std::string &fields) {
    return sh + R"({"name":"l","in":4,"out":4,)" + fields + "}]}";
  };
  wlrt::Metadata g = wlrt::parseMetadata(
      layer(
          R"("structure":"kronecker","bound":"kronecker","weight":"A","factors":["A","B"])")
          .c_str());
  EXPECT_TRUE(g.ok && g.layers[0].bound == BoundRule::Kronecker) << g.error;
  g = wlrt::parseMetadata(
      layer(
          R"("structure":"blockdiag","bound":"block_max","weight":"blocks","factors":["blocks"])")
          .c_str());
  EXPECT_TRUE(g.ok && g.layers[0].bound == BoundRule::BlockMax) << g.error;
  g = wlrt::parseMetadata(
      layer(
          R"("structure":"monarch","bound":"monarch","weight":"R","factors":["R","L"])")
          .c_str());
  EXPECT_TRUE(g.ok && g.layers[0].bound == BoundRule::Monarch) << g.error;
  rejects(
      layer(
          R"("structure":"kronecker","bound":"kronecker","weight":"A","factors":["A","blocks"])")
          .c_str(),
      "(bound 'kronecker') needs factors A [k, m1, n1], B [k, m2, n2]");
  rejects(
      layer(
          R"("structure":"blockdiag","bound":"block_max","weight":"A","factors":["A"])")
          .c_str(),
      "structure 'blockdiag' (bound 'block_max') needs factor 0 of the right "
      "shape");
  rejects(
      layer(
          R"("structure":"monarch","bound":"monarch","weight":"R","factors":["R"])")
          .c_str(),
      "(bound 'monarch') needs factors R [b, c, c], L [c, b, b]");
}

/// The weight is the [out, in] matrix itself exactly when the layer lists no
/// factors (whatever its structure's name); the certificate's rule is the
/// layer's "bound" (the compiler's choice), never derived from the name.
TEST(Metadata, DenseWeightAndBound) {
  using wlrt::BoundRule;
  const std::string sh =
      std::string(head) +
      R"("arena_size":12,"params":[{"name":"W","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}},)"
      R"({"name":"d","shape":[2],"offset":4,"trainable":false,"init":{"kind":"ones"}},)"
      R"({"name":"A","shape":[2,3],"offset":6,"trainable":false,"init":{"kind":"zeros"}}],"layers":[)";
  auto layer = [&](const std::string &l) {
    wlrt::Metadata md = wlrt::parseMetadata((sh + l + "]}").c_str());
    EXPECT_TRUE(md.ok) << md.error + " / " + l;
    return md.ok ? md.layers[0] : wlrt::LayerInfo{};
  };
  wlrt::LayerInfo l = layer(
      R"({"name":"l","in":2,"out":2,"structure":"dense","bound":"gram","weight":"W"})");
  EXPECT_TRUE(l.hasDenseWeight() && l.bound == BoundRule::Gram);
  l = layer(
      R"j({"name":"l","in":2,"out":2,"structure":"orthogonal(polar)","bound":"orthonormal","weight":"W"})j");
  EXPECT_TRUE(l.hasDenseWeight() && l.bound == BoundRule::Orthonormal);
  l = layer(
      R"j({"name":"l","in":2,"out":2,"structure":"orthogonal(cayley)","bound":"orthonormal","weight":"W","factors":["W"]})j");
  EXPECT_TRUE(!l.hasDenseWeight() && l.bound == BoundRule::Orthonormal);
  l = layer(
      R"j({"name":"l","in":2,"out":2,"structure":"orthogonal(exp)+lowrank","bound":"orthonormal","weight":"W","factors":["W","A"]})j");
  EXPECT_TRUE(!l.hasDenseWeight() && l.bound == BoundRule::Orthonormal);
  l = layer(
      R"({"name":"l","in":2,"out":2,"structure":"frozen+lora","bound":"gram","weight":"W","factors":["W","A"]})");
  EXPECT_TRUE(!l.hasDenseWeight() && l.bound == BoundRule::Gram);
  l = layer(
      R"({"name":"l","in":2,"out":2,"structure":"diagonal","bound":"max_abs","weight":"d","factors":["d"]})");
  EXPECT_TRUE(!l.hasDenseWeight() && l.bound == BoundRule::MaxAbs);
  // A structure the runtime does not know: no factors, so its weight is the
  // matrix and must be [out, in]; with factors it is built from them.
  l = layer(
      R"j({"name":"l","in":2,"out":2,"structure":"future(2)","bound":"gram","weight":"W"})j");
  EXPECT_TRUE(l.hasDenseWeight() && l.bound == BoundRule::Gram);
  l = layer(
      R"j({"name":"l","in":3,"out":2,"structure":"future(2)","bound":"gram","weight":"A","factors":["A"]})j");
  EXPECT_TRUE(!l.hasDenseWeight() && l.bound == BoundRule::Gram);
  rejects(
      (sh +
       R"j({"name":"l","in":3,"out":2,"structure":"future(2)","bound":"gram","weight":"W"}]})j")
          .c_str(),
      "weight 'W' must have shape [2, 3]");
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"dense","bound":"gram"}]})")
          .c_str(),
      "a dense layer needs \"weight\"");
  // The rule comes from "bound" alone: an orthogonal name with "gram" is
  // Gram-iterated, and an unknown or missing rule is an error.
  l = layer(
      R"j({"name":"l","in":2,"out":2,"structure":"orthogonal(polar)","bound":"gram","weight":"W"})j");
  EXPECT_TRUE(l.bound == BoundRule::Gram);
  rejects(
      (sh +
       R"({"name":"l","in":2,"out":2,"structure":"dense","bound":"frobenius","weight":"W"}]})")
          .c_str(),
      "layer 'l': unknown bound 'frobenius'");
  rejects(
      (sh + R"({"name":"l","in":2,"out":2,"structure":"dense","weight":"W"}]})")
          .c_str(),
      "layer 'l': missing \"bound\"");
  rejects(
      (sh +
       R"({"name":"l","in":3,"out":2,"structure":"future","bound":"max_abs","weight":"d","factors":["d"]}]})")
          .c_str(),
      "a max_abs bound needs a square layer");
}

/// The optional keys of sequence models: defaults keep an ordinary model's
/// meaning; inconsistent values are refused with a message naming the key.
TEST(Metadata, Sequence) {
  const wlrt::Metadata &fake = wlrt::metadata();
  EXPECT_TRUE(fake.inputKind == 0 && fake.sequenceLength == 0 &&
              fake.labelSize == fake.targetSize && fake.tokenLimit == 0 &&
              !fake.inputDomain.present);
  EXPECT_TRUE(fake.inputShape == std::vector<int64_t>{fake.inputSize} &&
              fake.outputShape == std::vector<int64_t>{fake.outputSize});
  for (const wlrt::LayerInfo &l : fake.layers)
    EXPECT_TRUE(l.kind == wlrt::LayerKind::Linear);

  // A token model: ids i32[4] < 7, logits [4, 3], per-position labels.
  auto tok = [](const std::string &keys, int64_t out = 12, int labelKind = 0) {
    return R"({"abi":1,"model":"t","input_size":4,"output_size":)" +
           std::to_string(out) + R"(,"label_kind":)" +
           std::to_string(labelKind) + R"(,"arena_size":8,"params":[],)" +
           keys + "}";
  };
  const std::string good =
      R"("input_kind":1,"input_shape":[4],"output_shape":[4,3],)"
      R"("sequence_length":4,"label_size":4,"token_limit":7)";
  wlrt::Metadata t = wlrt::parseMetadata(tok(good).c_str());
  EXPECT_TRUE(t.ok) << t.error;
  EXPECT_TRUE(t.inputKind == 1 && t.sequenceLength == 4 && t.labelSize == 4 &&
              t.tokenLimit == 7 && t.numClasses() == 3);
  // Class labels of the whole sequence: label_size 1 (the default).
  wlrt::Metadata whole = wlrt::parseMetadata(
      tok(R"("input_kind":1,"sequence_length":4,"token_limit":7)", 3).c_str());
  EXPECT_TRUE(whole.ok && whole.labelSize == 1 && whole.numClasses() == 3)
      << whole.error;

  rejects(tok(good + R"(,"input_domain":{"norm":"row","bound":1,"row_size":1})")
              .c_str(),
          "input_domain applies only to float inputs (input_kind 0)");
  rejects(tok(R"("input_kind":2)").c_str(),
          "input_kind must be 0 (f32 features) or 1 (i32 token ids), not 2");
  rejects(tok(R"("input_kind":1,"sequence_length":4,"output_shape":[4,3],)"
              R"("label_size":4)")
              .c_str(),
          "input_kind 1 (token ids) needs \"token_limit\"");
  rejects(tok(R"("input_kind":1,"sequence_length":4,"output_shape":[4,3],)"
              R"("label_size":4,"token_limit":0)")
              .c_str(),
          "token_limit must be in [1, 2^31] (got 0)");
  rejects(tok(R"("token_limit":7)").c_str(),
          "token_limit applies only to input_kind 1");
  rejects(tok(R"("input_kind":1,"token_limit":7)").c_str(),
          "input_kind 1 (token ids) needs input_shape [T] and sequence_length "
          "T = input_size 4");
  rejects(tok(R"("input_kind":1,"input_shape":[2,2],"sequence_length":4,)"
              R"("token_limit":7)")
              .c_str(),
          "needs input_shape [T]");
  rejects(tok(R"("input_shape":[3])").c_str(),
          "\"input_shape\" [3] must be non-empty with product input_size = 4");
  rejects(tok(R"("output_shape":[4,4])").c_str(),
          "\"output_shape\" [4, 4] must be non-empty with product output_size "
          "= 12");
  rejects(tok(R"("output_shape":[])").c_str(), "must be non-empty");
  rejects(tok(R"("input_shape":[4,0])").c_str(), "dimensions must be positive");
  rejects(tok(R"("sequence_length":-1)").c_str(),
          "sequence_length must be >= 0");
  // Float sequences are f32[T, d].
  rejects(tok(R"("sequence_length":2)").c_str(),
          "sequence_length 2 of a float input needs input_shape [T, d] with "
          "T = 2 (got [4])");
  wlrt::Metadata fs = wlrt::parseMetadata(
      tok(R"("sequence_length":2,"input_shape":[2,2])").c_str());
  EXPECT_TRUE(fs.ok && fs.sequenceLength == 2 && fs.labelSize == 1) << fs.error;
  // label_size: 1 or T for class labels, with label_size × classes =
  // output_size; target_size for targets.
  rejects(tok(R"("input_kind":1,"sequence_length":4,"token_limit":7,)"
              R"("label_size":3)")
              .c_str(),
          "label_size of class labels must be 1 or sequence_length (got 3, "
          "sequence_length 4)");
  rejects(tok(R"("input_kind":1,"sequence_length":4,"token_limit":7,)"
              R"("label_size":4)")
              .c_str(),
          "label_size 4 times the classes 12 (the last dim of output_shape "
          "[12]) must be output_size 12");
  rejects(tok(R"("input_kind":1,"sequence_length":4,"token_limit":7,)"
              R"("output_shape":[4,3])")
              .c_str(),
          "label_size 1 times the classes 3");
  rejects(tok(R"("label_size":2)", 12, 1).c_str(),
          "label_size of targets must be target_size 12 (got 2)");
  wlrt::Metadata tg =
      wlrt::parseMetadata(tok(R"("label_size":12)", 12, 1).c_str());
  EXPECT_TRUE(tg.ok && tg.labelSize == 12) << tg.error;
  rejects(tok(R"("label_size":"4")").c_str(),
          "\"label_size\" must be an integer");
}

/// "input_domain" (float inputs only) and a layer's "kind".
TEST(Metadata, InputDomainAndLayerKind) {
  auto md = [](const std::string &keys) {
    return std::string(head) + R"("arena_size":8,"params":[)" +
           R"({"name":"E","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}},)"
           R"({"name":"b","shape":[2],"offset":4,"trainable":false,"init":{"kind":"zeros"}}])" +
           keys + "}";
  };
  wlrt::Metadata d = wlrt::parseMetadata(
      md(R"(,"input_domain":{"norm":"row","bound":1.5,"row_size":1})").c_str());
  EXPECT_TRUE(d.ok && d.inputDomain.present && d.inputDomain.bound == 1.5 &&
              d.inputDomain.rowSize == 1)
      << d.error;
  rejects(md(R"(,"input_domain":{"norm":"l1","bound":1,"row_size":2})").c_str(),
          "input_domain: unknown norm 'l1' (only \"row\")");
  rejects(
      md(R"(,"input_domain":{"norm":"row","bound":0,"row_size":2})").c_str(),
      "input_domain: \"bound\" must be positive");
  rejects(
      md(R"(,"input_domain":{"norm":"row","bound":1,"row_size":3})").c_str(),
      "input_domain: \"row_size\" 3 must be positive and divide "
      "input_size 2");
  rejects(md(R"(,"input_domain":{"norm":"row","row_size":2})").c_str(),
          "input_domain: missing \"bound\"");
  rejects(md(R"(,"input_domain":[1])").c_str(),
          "\"input_domain\" must be an object");

  const char *layer =
      R"(,"layers":[{"name":"E","in":2,"out":2,"structure":"dense","bound":"gram","weight":"E")";
  wlrt::Metadata e = wlrt::parseMetadata(
      md(std::string(layer) + R"(,"bias":"","kind":"embedding"}])").c_str());
  EXPECT_TRUE(e.ok && e.layers[0].kind == wlrt::LayerKind::Embedding)
      << e.error;
  wlrt::Metadata l = wlrt::parseMetadata(
      md(std::string(layer) + R"(,"kind":"linear"}])").c_str());
  EXPECT_TRUE(l.ok && l.layers[0].kind == wlrt::LayerKind::Linear) << l.error;
  rejects(md(std::string(layer) + R"(,"kind":"conv"}])").c_str(),
          "layer 'E': unknown kind 'conv' (\"linear\" or \"embedding\")");
  rejects(
      md(std::string(layer) + R"(,"bias":"b","kind":"embedding"}])").c_str(),
      "layer 'E': an embedding has no bias (got 'b')");
}

/// "step_tensors": optional; each a distinct trainable param with flops >= 0.
TEST(Metadata, StepTensors) {
  const std::string params =
      std::string(head) +
      R"("arena_size":16,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":true,)"
      R"("grad_offset":4,"init":{"kind":"ones"}},{"name":"f","shape":[2],"offset":8,)"
      R"("trainable":false,"init":{"kind":"ones"}},{"name":"b","shape":[2],"offset":10,)"
      R"("trainable":true,"grad_offset":12,"init":{"kind":"zeros"}}])";
  auto with = [&](const char *pieces) {
    return params + R"(,"step_tensors":)" + pieces + "}";
  };
  wlrt::Metadata none = wlrt::parseMetadata((params + "}").c_str());
  EXPECT_TRUE(none.ok && none.stepTensors.empty()) << none.error;
  wlrt::Metadata two = wlrt::parseMetadata(
      with(R"([{"param":"b","flops":2},{"param":"w","flops":1e9}])").c_str());
  EXPECT_TRUE(two.ok) << two.error;
  EXPECT_TRUE(two.stepTensors.size() == 2 && two.stepTensors[0].param == 2 &&
              two.stepTensors[1].param == 0 && two.stepTensors[1].flops == 1e9);
  rejects(with(R"([{"param":"f","flops":1}])").c_str(),
          "step_tensors[0]: 'f' is not a trainable param");
  rejects(with(R"([{"param":"q","flops":1}])").c_str(),
          "step_tensors[0]: 'q' is not a trainable param");
  rejects(with(R"([{"param":"w","flops":1},{"param":"w","flops":1}])").c_str(),
          "step_tensors[1]: 'w' is updated twice");
  rejects(with(R"([{"param":"w","flops":-1}])").c_str(),
          "step_tensors[0]: flops must be >= 0");
  rejects(with(R"([{"param":"w"}])").c_str(), "flops");
  rejects(with(R"({"param":"w"})").c_str(),
          "\"step_tensors\" must be an array");
  // "step_tensors_independent": optional (false), a boolean.
  EXPECT_FALSE(two.stepTensorsIndependent);
  const char *pieces = R"([{"param":"b","flops":2}])";
  wlrt::Metadata free =
      wlrt::parseMetadata((params + R"(,"step_tensors":)" + pieces +
                           R"(,"step_tensors_independent":true})")
                              .c_str());
  EXPECT_TRUE(free.ok && free.stepTensorsIndependent) << free.error;
  rejects((params + R"(,"step_tensors":)" + pieces +
           R"(,"step_tensors_independent":1})")
              .c_str(),
          "\"step_tensors_independent\" must be a boolean");
}
