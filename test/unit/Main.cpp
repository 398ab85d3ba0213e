//===- Main.cpp - main() of the runtime's unit tests ----------------------===//
//
// GoogleTest's main, run in a fresh temporary directory: the fake model reads
// its frozen base from kBaseFile, relative to the current directory. Prints
// "<program>: N tests passed, M failed" last, so the lit test can tell the
// three variants apart (TestUtil.h).
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"

#include <cstdlib>

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  const std::string work = tempDir();
  if (::chdir(work.c_str()) != 0) {
    std::perror("chdir");
    return 2;
  }
  writeBaseFile();
  const int rc = RUN_ALL_TESTS();
  if (::chdir("/") == 0)
    std::system(("rm -rf '" + work + "'").c_str());
  const testing::UnitTest &unit = *testing::UnitTest::GetInstance();
  std::printf("%s: %d tests passed, %d failed\n", kProgram,
              unit.successful_test_count(), unit.failed_test_count());
  return rc;
}
