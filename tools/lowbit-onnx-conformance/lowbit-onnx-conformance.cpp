//===- lowbit-onnx-conformance.cpp - ONNX backend tests through lowbit ----===//
//
// Runs ONNX backend test directories (model.onnx + test_data_set_N) through
// the importer, the JIT (lowbitc's fp32 lowering) and the C ABI, and prints
// a table of tests per op: passed, failed, unsupported.
//
//   lowbit-onnx-conformance /usr/share/libonnx-testdata/data --jobs=2
//   lowbit-onnx-conformance DATA --filter='^node/test_(add|mul)'
//   --list-failures lowbit-onnx-conformance DATA --check
//   --xfail=test/Import/Conformance/xfail.txt
//
// Each test runs in a child process: a crash, an abort or a hang (--timeout)
// of the importer, the compiler or the compiled code fails that test only.
//
//===----------------------------------------------------------------------===//

#include "Report.h"
#include "TestCase.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;
using namespace lowbit::onnx_conformance;

static cl::list<std::string> paths(cl::Positional, cl::OneOrMore,
                                   cl::desc("<test directory or root>..."));
static cl::opt<std::string>
    filter("filter", cl::desc("Run only tests whose id (category/test) "
                              "matches this regular expression"));
static cl::opt<unsigned> jobs("jobs", cl::desc("Tests run at once"),
                              cl::init(1));
static cl::opt<unsigned> timeout("timeout", cl::desc("Seconds a test may take"),
                                 cl::init(120));
static cl::opt<bool> listFailures("list-failures",
                                  cl::desc("Print every failure"));
static cl::opt<bool>
    listUnsupported("list-unsupported",
                    cl::desc("Print every unsupported test and why"));
static cl::opt<bool> verbose("verbose",
                             cl::desc("Print each test's result as it ends"));
static cl::opt<std::string>
    xfailPath("xfail",
              cl::desc("File of tests expected to fail, with reasons"));
static cl::opt<bool>
    check("check",
          cl::desc("Exit 1 if a test fails that --xfail does not list, or "
                   "a listed test passes or is unsupported"));

static bool isTestDirectory(StringRef path) {
  for (StringRef model : {"model.onnx", "model.mlir"}) {
    SmallString<256> file(path);
    sys::path::append(file, model);
    if (sys::fs::exists(file))
      return true;
  }
  return false;
}

/// A test directory, or every test directory below `path` (sorted).
static void findTests(StringRef path, std::vector<std::string> &tests) {
  if (isTestDirectory(path)) {
    tests.push_back(path.str());
    return;
  }
  std::error_code ec;
  std::vector<std::string> children;
  for (sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
       it.increment(ec))
    if (sys::fs::is_directory(it->path()))
      children.push_back(it->path());
  std::sort(children.begin(), children.end());
  for (const std::string &child : children)
    findTests(child, tests);
}

static constexpr size_t kMaxMessage = 8192;

/// Runs in the child: the result goes to `fd` as "<status><message>"; short
/// enough to fit the pipe, so the child never blocks before exiting.
[[noreturn]] static void runChild(const TestCase &test, int fd) {
  // A crash ends the child quietly (no LLVM stack dump per failing test);
  // the parent names the signal.
  for (int signal : {SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP})
    std::signal(signal, SIG_DFL);
  alarm(timeout);
  TestResult result = runTestCase(test);
  std::string text = std::to_string(static_cast<int>(result.status)) +
                     result.message.substr(0, kMaxMessage);
  const char *data = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t written = write(fd, data, left);
    if (written <= 0)
      break;
    data += written;
    left -= written;
  }
  _exit(0);
}

static TestResult collectChild(int fd, int waitStatus) {
  std::string text;
  char buffer[4096];
  ssize_t count;
  while ((count = read(fd, buffer, sizeof(buffer))) > 0)
    text.append(buffer, count);
  close(fd);
  TestResult result;
  if (WIFSIGNALED(waitStatus)) {
    int signal = WTERMSIG(waitStatus);
    result.message = signal == SIGALRM
                         ? "timed out after " + std::to_string(timeout) + " s"
                         : std::string("crashed: ") + strsignal(signal);
    return result;
  }
  if (text.empty() || !WIFEXITED(waitStatus) || WEXITSTATUS(waitStatus) != 0) {
    result.message = "exited with status " +
                     std::to_string(WEXITSTATUS(waitStatus)) + " and no result";
    return result;
  }
  result.status = static_cast<Status>(text[0] - '0');
  result.message = text.substr(1);
  return result;
}

static void report(const Outcome &outcome) {
  if (!verbose)
    return;
  static const char *names[] = {"PASS", "FAIL", "UNSUPPORTED"};
  outs() << names[static_cast<int>(outcome.result.status)] << " "
         << outcome.test.id;
  if (outcome.result.status != Status::Passed)
    outs() << ": "
           << (outcome.test.unsupportedReason.empty()
                   ? StringRef(outcome.result.message)
                   : StringRef(outcome.test.unsupportedReason))
                  .split('\n')
                  .first;
  outs() << "\n";
  outs().flush();
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "lowbit ONNX conformance runner\n");

  StringMap<std::string> expected;
  if (!xfailPath.empty()) {
    auto list = readExpectedFailures(xfailPath);
    if (!list) {
      errs() << "error: " << toString(list.takeError()) << "\n";
      return 2;
    }
    expected = std::move(*list);
  } else if (check) {
    errs() << "error: --check needs --xfail\n";
    return 2;
  }
  Regex pattern(filter);
  std::string regexError;
  if (!filter.empty() && !pattern.isValid(regexError)) {
    errs() << "error: --filter: " << regexError << "\n";
    return 2;
  }

  std::vector<std::string> directories;
  for (const std::string &path : paths) {
    if (!sys::fs::is_directory(path)) {
      errs() << "error: " << path << " is not a directory\n";
      return 2;
    }
    findTests(path, directories);
  }

  // Classify in this process (protobuf only); run the rest in children.
  std::vector<Outcome> outcomes;
  std::vector<size_t> toRun;
  for (const std::string &directory : directories) {
    Outcome outcome;
    auto test = loadTestCase(directory);
    if (!test) {
      outcome.test.directory = directory;
      outcome.test.id = directory;
      outcome.result.message = toString(test.takeError());
    } else {
      outcome.test = std::move(*test);
      if (!filter.empty() && !pattern.match(outcome.test.id))
        continue;
      if (!outcome.test.unsupportedReason.empty()) {
        outcome.result.status = Status::Unsupported;
        outcome.result.message = outcome.test.unsupportedReason;
      } else {
        toRun.push_back(outcomes.size());
        outcomes.push_back(std::move(outcome));
        continue;
      }
    }
    report(outcome);
    outcomes.push_back(std::move(outcome));
  }

  auto start = std::chrono::steady_clock::now();
  DenseMap<pid_t, std::pair<size_t, int>> running; // pid -> (outcome, fd)
  size_t next = 0;
  while (next < toRun.size() || !running.empty()) {
    while (next < toRun.size() &&
           running.size() < std::max(1u, jobs.getValue())) {
      size_t index = toRun[next++];
      int fds[2];
      if (pipe(fds) != 0) {
        perror("pipe");
        return 2;
      }
      outs().flush();
      errs().flush();
      pid_t pid = fork();
      if (pid < 0) {
        perror("fork");
        return 2;
      }
      if (pid == 0) {
        close(fds[0]);
        runChild(outcomes[index].test, fds[1]);
      }
      close(fds[1]);
      running[pid] = {index, fds[0]};
    }
    int waitStatus = 0;
    pid_t pid = wait(&waitStatus);
    if (pid < 0) {
      perror("wait");
      return 2;
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue;
    auto [index, fd] = it->second;
    running.erase(it);
    outcomes[index].result = collectChild(fd, waitStatus);
    report(outcomes[index]);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  if (listUnsupported) {
    outs() << "unsupported:\n";
    printOutcomes(outcomes, Status::Unsupported, outs());
    outs() << "unsupported tests by reason:\n";
    printUnsupportedReasons(outcomes, outs());
  }
  if (listFailures) {
    outs() << "failures:\n";
    printOutcomes(outcomes, Status::Failed, outs());
  }
  printTable(outcomes, outs());
  outs() << format("ran %zu tests in %.1f s (--jobs=%u)\n", toRun.size(),
                   seconds, jobs.getValue());
  if (!check)
    return 0;
  unsigned problems = checkExpectedFailures(outcomes, expected, outs());
  outs() << "check: " << problems << " unexpected result"
         << (problems == 1 ? "" : "s") << "\n";
  return problems ? 1 : 0;
}
