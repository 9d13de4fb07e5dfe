//===- Report.cpp - the conformance table and the xfail check -------------===//

#include "Report.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <map>

using namespace llvm;

namespace lowbit::onnx_conformance {

namespace {
struct Counts {
  unsigned tests = 0, passed = 0, failed = 0, unsupported = 0;
  void add(Status status) {
    ++tests;
    if (status == Status::Passed)
      ++passed;
    else if (status == Status::Failed)
      ++failed;
    else
      ++unsupported;
  }
};
} // namespace

static void printRow(raw_ostream &os, StringRef category, StringRef group,
                     const Counts &counts) {
  os << format("%-18s %-36s %6u %6u %6u %11u\n", category.str().c_str(),
               group.str().c_str(), counts.tests, counts.passed, counts.failed,
               counts.unsupported);
}

void printTable(ArrayRef<Outcome> outcomes, raw_ostream &os) {
  // std::map: rows sorted by category, then op.
  std::map<std::pair<std::string, std::string>, Counts> rows;
  std::map<std::string, Counts> categories;
  Counts total;
  for (const Outcome &outcome : outcomes) {
    rows[{outcome.test.category, outcome.test.group}].add(
        outcome.result.status);
    categories[outcome.test.category].add(outcome.result.status);
    total.add(outcome.result.status);
  }
  os << format("%-18s %-36s %6s %6s %6s %11s\n", "category", "op", "tests",
               "passed", "failed", "unsupported");
  for (const auto &[key, counts] : rows)
    printRow(os, key.first, key.second, counts);
  os << "\n";
  for (const auto &[category, counts] : categories)
    printRow(os, category, "(total)", counts);
  printRow(os, "all", "(total)", total);

  // The metric: float32 node tests whose ops are all supported;
  // those the importer then refuses count as not passing.
  unsigned eligible = 0, passed = 0, failed = 0, refused = 0;
  for (const Outcome &outcome : outcomes) {
    const TestCase &test = outcome.test;
    if (test.category != "node" || !test.float32 ||
        !test.unsupportedReason.empty())
      continue;
    ++eligible;
    passed += outcome.result.status == Status::Passed;
    failed += outcome.result.status == Status::Failed;
    refused += outcome.result.status == Status::Unsupported;
  }
  if (eligible)
    os << format("\nfloat32 node tests with supported ops: %u, passed %u "
                 "(%.1f%%), failed %u, refused by the importer %u\n",
                 eligible, passed, 100.0 * passed / eligible, failed, refused);
}

void printOutcomes(ArrayRef<Outcome> outcomes, Status status, raw_ostream &os) {
  for (const Outcome &outcome : outcomes) {
    if (outcome.result.status != status)
      continue;
    StringRef message =
        status == Status::Unsupported && !outcome.test.unsupportedReason.empty()
            ? StringRef(outcome.test.unsupportedReason)
            : StringRef(outcome.result.message);
    os << outcome.test.id << ": " << message << "\n";
  }
}

void printUnsupportedReasons(ArrayRef<Outcome> outcomes, raw_ostream &os) {
  // The classification's reasons (an unsupported op, a bufferless type)
  // repeat across tests; the importer's diagnostics name nodes, so they are
  // counted as one "importer diagnostic" reason.
  std::map<std::string, unsigned> counts;
  for (const Outcome &outcome : outcomes)
    if (outcome.result.status == Status::Unsupported)
      ++counts[outcome.test.unsupportedReason.empty()
                   ? "importer diagnostic (see the list)"
                   : outcome.test.unsupportedReason];
  std::vector<std::pair<unsigned, std::string>> sorted;
  for (const auto &[reason, count] : counts)
    sorted.push_back({count, reason});
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto &a, const auto &b) { return a.first > b.first; });
  for (const auto &[count, reason] : sorted)
    os << format("%5u  ", count) << reason << "\n";
}

Expected<StringMap<std::string>> readExpectedFailures(StringRef path) {
  auto file = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file)
    return createStringError(path + ": " + file.getError().message());
  StringMap<std::string> expected;
  SmallVector<StringRef> lines;
  (*file)->getBuffer().split(lines, '\n');
  for (auto [number, line] : enumerate(lines)) {
    line = line.split('#').first.trim();
    if (line.empty())
      continue;
    auto [id, reason] = line.split(' ');
    reason = reason.trim();
    if (reason.empty() || !id.contains('/'))
      return createStringError(path + ":" + Twine(number + 1) +
                               ": expected 'category/test reason'");
    if (!expected.try_emplace(id, reason.str()).second)
      return createStringError(path + ":" + Twine(number + 1) + ": " + id +
                               " is listed twice");
  }
  return expected;
}

unsigned checkExpectedFailures(ArrayRef<Outcome> outcomes,
                               const StringMap<std::string> &expected,
                               raw_ostream &os) {
  unsigned problems = 0;
  for (const Outcome &outcome : outcomes) {
    bool listed = expected.contains(outcome.test.id);
    Status status = outcome.result.status;
    if (status == Status::Failed && !listed) {
      os << "unexpected failure: " << outcome.test.id << ": "
         << outcome.result.message << "\n";
      ++problems;
    } else if (status != Status::Failed && listed) {
      os << "listed as failing but "
         << (status == Status::Passed ? "passes" : "is unsupported") << ": "
         << outcome.test.id << " (remove it from the list)\n";
      ++problems;
    }
  }
  return problems;
}

} // namespace lowbit::onnx_conformance
