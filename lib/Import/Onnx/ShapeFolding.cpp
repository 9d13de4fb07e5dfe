//===- ShapeFolding.cpp - shape arithmetic folded before inference --------===//
//
// torch.onnx.export computes reshape targets at run time from `Shape`
// (batch, sequence length, d // heads). ONNX 1.12's data propagation stops
// at Div and Cast, leaving the rank of everything after such a Reshape
// unknown. With static inputs these values are constants: this pass
// computes them and hands them to shape inference as initializers.
//
//===----------------------------------------------------------------------===//

#include "ShapeFolding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>

using namespace lowbit::onnx_import;
using llvm::SmallVector;

namespace {

/// A small integer tensor known at compile time (rank 0 or 1).
struct Known {
  SmallVector<int64_t> values;
  bool scalar = false;
};

std::optional<Known> fromTensor(const onnx::TensorProto &t) {
  if (t.dims_size() > 1 || t.data_location() == onnx::TensorProto::EXTERNAL)
    return std::nullopt;
  Known k;
  k.scalar = t.dims_size() == 0;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (t.has_raw_data()) {
      const std::string &raw = t.raw_data();
      k.values.resize(raw.size() / 8);
      memcpy(k.values.data(), raw.data(), k.values.size() * 8);
    } else {
      k.values.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (t.has_raw_data()) {
      const std::string &raw = t.raw_data();
      for (size_t i = 0; i + 4 <= raw.size(); i += 4) {
        int32_t v;
        memcpy(&v, raw.data() + i, 4);
        k.values.push_back(v);
      }
    } else {
      k.values.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else {
    return std::nullopt;
  }
  if (k.values.size() > 64)
    return std::nullopt;
  return k;
}

/// The static shape of `name` after the last inference.
std::optional<SmallVector<int64_t>>
staticShape(const llvm::StringMap<const onnx::TypeProto *> &types,
            const std::string &name) {
  const onnx::TypeProto *type = types.lookup(name);
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (const auto &dim : type->tensor_type().shape().dim()) {
    if (!dim.has_dim_value())
      return std::nullopt;
    shape.push_back(dim.dim_value());
  }
  return shape;
}

int64_t intAttr(const onnx::NodeProto &node, const char *name,
                int64_t defaultValue) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return a.i();
  return defaultValue;
}

/// Elementwise integer arithmetic with a scalar on either side.
std::optional<Known> binary(const Known &a, const Known &b,
                            const std::string &op) {
  size_t n = std::max(a.values.size(), b.values.size());
  if ((a.values.size() != n && a.values.size() != 1) ||
      (b.values.size() != n && b.values.size() != 1))
    return std::nullopt;
  Known r;
  r.scalar = a.scalar && b.scalar;
  for (size_t i = 0; i < n; ++i) {
    int64_t x = a.values[a.values.size() == 1 ? 0 : i];
    int64_t y = b.values[b.values.size() == 1 ? 0 : i];
    // Shape arithmetic that overflows (or divides by 0) is left to the
    // importer, which reports the shape it cannot take.
    int64_t value;
    bool overflow;
    if (op == "Add")
      overflow = llvm::AddOverflow(x, y, value);
    else if (op == "Sub")
      overflow = llvm::SubOverflow(x, y, value);
    else if (op == "Mul")
      overflow = llvm::MulOverflow(x, y, value);
    else if (y == 0 || (x == std::numeric_limits<int64_t>::min() && y == -1))
      overflow = true;
    else
      value = x / y, overflow = false;
    if (overflow)
      return std::nullopt;
    r.values.push_back(value);
  }
  return r;
}

/// ConstantOfShape of a known 1-D shape with an integer value: the
/// suffix shapes of LayerNormalization's function body.
std::optional<Known> constantOfShape(const onnx::NodeProto &node,
                                     const Known &shape) {
  if (shape.scalar || shape.values.size() != 1 || shape.values[0] < 0 ||
      shape.values[0] > 64)
    return std::nullopt;
  int64_t value = 0; // the default is a float 0: not an integer tensor
  bool integer = false;
  for (const auto &a : node.attribute()) {
    if (a.name() != "value")
      continue;
    std::optional<Known> v = fromTensor(a.t());
    if (!v || v->values.size() != 1)
      return std::nullopt;
    value = v->values[0];
    integer = true;
  }
  if (!integer)
    return std::nullopt;
  return Known{SmallVector<int64_t>(shape.values[0], value), false};
}

/// Slice (opset 10+) of a known 1-D tensor, with ONNX's clamping.
std::optional<Known> slice(const Known &data, const Known *starts,
                           const Known *ends, const Known *axes, bool hasAxes,
                           const Known *steps, bool hasSteps) {
  if (data.scalar || !starts || !ends || (hasAxes && !axes) ||
      (hasSteps && !steps) || starts->values.size() != 1 ||
      ends->values.size() != 1)
    return std::nullopt;
  if (axes && (axes->values.size() != 1 ||
               (axes->values[0] != 0 && axes->values[0] != -1)))
    return std::nullopt;
  int64_t step = steps ? (steps->values.size() == 1 ? steps->values[0] : 0) : 1;
  if (step == 0)
    return std::nullopt;
  int64_t n = data.values.size();
  auto clamp = [&](int64_t i, int64_t lo, int64_t hi) {
    if (i < 0)
      i += n;
    return std::clamp(i, lo, hi);
  };
  int64_t start = step > 0 ? clamp(starts->values[0], 0, n)
                           : clamp(starts->values[0], 0, n - 1);
  int64_t end = step > 0 ? clamp(ends->values[0], 0, n)
                         : clamp(ends->values[0], -1, n - 1);
  Known r;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step)
    r.values.push_back(data.values[i]);
  return r;
}

std::optional<Known>
evaluate(const onnx::NodeProto &node, const llvm::StringMap<Known> &known,
         const llvm::StringMap<const onnx::TypeProto *> &types) {
  const std::string &op = node.op_type();
  auto in = [&](int i) -> const Known * {
    if (i >= node.input_size())
      return nullptr;
    auto it = known.find(node.input(i));
    return it == known.end() ? nullptr : &it->second;
  };
  if (op == "Constant") {
    for (const auto &a : node.attribute()) {
      if (a.name() == "value")
        return fromTensor(a.t());
      if (a.name() == "value_int")
        return Known{{a.i()}, true};
      if (a.name() == "value_ints")
        return Known{SmallVector<int64_t>(a.ints().begin(), a.ints().end()),
                     false};
    }
    return std::nullopt;
  }
  if (op == "Shape" && node.attribute_size() == 0 && node.input_size()) {
    std::optional<SmallVector<int64_t>> shape =
        staticShape(types, node.input(0));
    if (!shape)
      return std::nullopt;
    return Known{*shape, false};
  }
  if (op == "Size" && node.input_size()) {
    std::optional<SmallVector<int64_t>> shape =
        staticShape(types, node.input(0));
    if (!shape)
      return std::nullopt;
    int64_t size = 1;
    for (int64_t d : *shape)
      size *= d;
    return Known{{size}, true};
  }
  const Known *a = in(0);
  if (!a)
    return std::nullopt;
  if (op == "Identity" || op == "Cast")
    return *a;
  if (op == "Neg") {
    Known r = *a;
    for (int64_t &v : r.values)
      v = -v;
    return r;
  }
  if (op == "ConstantOfShape")
    return constantOfShape(node, *a);
  if (op == "Slice" && node.attribute_size() == 0)
    return slice(*a, in(1), in(2), in(3), node.input_size() > 3, in(4),
                 node.input_size() > 4);
  if (op == "Unsqueeze" || op == "Squeeze")
    return Known{a->values, op == "Squeeze" && a->values.size() == 1};
  if (op == "Gather" && intAttr(node, "axis", 0) == 0 && !a->scalar) {
    const Known *indices = in(1);
    if (!indices)
      return std::nullopt;
    Known r;
    r.scalar = indices->scalar;
    int64_t n = a->values.size();
    for (int64_t i : indices->values) {
      if (i < -n || i >= n)
        return std::nullopt;
      r.values.push_back(a->values[i < 0 ? i + n : i]);
    }
    return r;
  }
  if (op == "Concat") {
    Known r;
    for (int i = 0; i < node.input_size(); ++i) {
      const Known *part = in(i);
      if (!part)
        return std::nullopt;
      llvm::append_range(r.values, part->values);
    }
    return r;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const Known *b = in(1);
    return b ? binary(*a, *b, op) : std::nullopt;
  }
  return std::nullopt;
}

/// Which input of each shape-consuming op is a shape.
int shapeOperand(const std::string &op) {
  if (op == "Reshape" || op == "Expand" || op == "Tile")
    return 1;
  if (op == "ConstantOfShape")
    return 0;
  return -1;
}

/// Removes the nodes whose outputs were all folded and are no longer read:
/// the shape chains whose results became initializers. Their intermediate
/// values may be empty (a Slice of no dimensions), which the importer
/// could not build. Graphs with subgraphs, which read outer values by name,
/// are left alone.
bool removeDeadFoldedNodes(onnx::GraphProto &graph,
                           const llvm::StringMap<Known> &known) {
  for (const auto &node : graph.node())
    for (const auto &a : node.attribute())
      if (a.has_g() || a.graphs_size())
        return false;
  llvm::StringMap<int> uses;
  for (const auto &node : graph.node())
    for (const std::string &name : node.input())
      ++uses[name];
  for (const auto &info : graph.output())
    ++uses[info.name()];
  SmallVector<bool> dead(graph.node_size(), false);
  bool removed = false;
  for (int n = graph.node_size() - 1; n >= 0; --n) {
    const onnx::NodeProto &node = graph.node(n);
    bool isDead = node.output_size() > 0;
    for (const std::string &name : node.output())
      isDead &= known.count(name) && !uses.lookup(name);
    if (!isDead)
      continue;
    dead[n] = removed = true;
    for (const std::string &name : node.input())
      --uses[name];
  }
  if (!removed)
    return false;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int n = 0; n < graph.node_size(); ++n)
    if (!dead[n])
      kept.Add()->Swap(graph.mutable_node(n));
  graph.mutable_node()->Swap(&kept);
  return true;
}

} // namespace

bool lowbit::onnx_import::foldShapeComputations(onnx::ModelProto &model) {
  onnx::GraphProto &graph = *model.mutable_graph();
  llvm::StringMap<const onnx::TypeProto *> types;
  for (const auto &info : graph.input())
    types[info.name()] = &info.type();
  for (const auto &info : graph.value_info())
    types[info.name()] = &info.type();
  llvm::StringMap<Known> known;
  llvm::StringMap<bool> isInitializer;
  for (const auto &t : graph.initializer()) {
    isInitializer[t.name()] = true;
    if (std::optional<Known> k = fromTensor(t))
      known[t.name()] = *k;
  }
  SmallVector<std::pair<int, int>> replace; // (node, input)
  for (int n = 0; n < graph.node_size(); ++n) {
    const onnx::NodeProto &node = graph.node(n);
    int operand = shapeOperand(node.op_type());
    if (operand >= 0 && operand < node.input_size() &&
        !isInitializer.count(node.input(operand)) &&
        known.count(node.input(operand)))
      replace.push_back({n, operand});
    if (node.output_size() == 1 && node.domain().empty())
      if (std::optional<Known> k = evaluate(node, known, types))
        known[node.output(0)] = *k;
  }
  for (auto [n, operand] : replace) {
    onnx::NodeProto &node = *graph.mutable_node(n);
    const Known &k = known[node.input(operand)];
    onnx::TensorProto *t = graph.add_initializer();
    t->set_name(node.input(operand) + "_folded");
    t->set_data_type(onnx::TensorProto::INT64);
    if (!k.scalar)
      t->add_dims(k.values.size());
    for (int64_t v : k.values)
      t->add_int64_data(v);
    node.set_input(operand, t->name());
  }
  bool removed = removeDeadFoldedNodes(graph, known);
  return !replace.empty() || removed;
}
