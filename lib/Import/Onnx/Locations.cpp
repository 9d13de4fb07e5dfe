//===- Locations.cpp - source locations of ONNX names ---------------------===//
//
// Locations of values and nodes: `file:line:col` of the text that defines
// them (ONNX text syntax), named after the value or node.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

/// The line of ONNX text that defines `output` (`output = Op(...)` or
/// `a, output = ...`), 0 when not found.
static std::pair<unsigned, unsigned> findDefinition(StringRef text,
                                                    StringRef output) {
  unsigned lineNumber = 0;
  for (StringRef line : llvm::split(text, '\n')) {
    ++lineNumber;
    StringRef trimmed = line.ltrim();
    size_t eq = trimmed.find('=');
    if (eq == StringRef::npos || trimmed.starts_with("<"))
      continue;
    SmallVector<StringRef> names;
    trimmed.take_front(eq).split(names, ',');
    for (StringRef name : names)
      if (name.trim() == output)
        return {lineNumber, unsigned(line.size() - trimmed.size() + 1)};
  }
  return {0, 0};
}

/// The first place `name` appears in ONNX text as a whole identifier.
static std::pair<unsigned, unsigned> findName(StringRef text, StringRef name) {
  auto isIdentifier = [](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '.';
  };
  unsigned lineNumber = 0;
  for (StringRef line : llvm::split(text, '\n')) {
    ++lineNumber;
    if (line.ltrim().starts_with("#"))
      continue;
    for (size_t at = line.find(name); at != StringRef::npos;
         at = line.find(name, at + 1)) {
      size_t end = at + name.size();
      if ((at == 0 || !isIdentifier(line[at - 1])) &&
          (end == line.size() || !isIdentifier(line[end])))
        return {lineNumber, unsigned(at + 1)};
    }
  }
  return {0, 0};
}

Location Importer::nameLocation(StringRef name) {
  unsigned line = 0, column = 0;
  if (!text.empty())
    std::tie(line, column) = findName(text, name);
  return NameLoc::get(StringAttr::get(&context, name),
                      FileLineColLoc::get(&context, sourceName, line, column));
}

Location Importer::nodeLocation(const onnx::NodeProto &node, int index) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + "_" + std::to_string(index);
  unsigned line = 0, column = 0;
  if (!text.empty() && node.output_size())
    std::tie(line, column) = findDefinition(text, node.output(0));
  return NameLoc::get(StringAttr::get(&context, name),
                      FileLineColLoc::get(&context, sourceName, line, column));
}
