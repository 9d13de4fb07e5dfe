# `cmake --install` puts the tools, public headers (hand-written and
# generated), static libraries and a CMake package in the prefix, so another
# project can `find_package(Lowbit)` and link Lowbit::LowbitDialect etc.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lowbit
  DESTINATION include
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/lowbit
  DESTINATION include
  FILES_MATCHING PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

set(LOWBIT_INSTALL_CMAKE_DIR lib/cmake/lowbit)
install(EXPORT LowbitTargets
  NAMESPACE Lowbit::
  DESTINATION ${LOWBIT_INSTALL_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/LowbitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/LowbitConfig.cmake
  INSTALL_DESTINATION ${LOWBIT_INSTALL_CMAKE_DIR})
install(FILES ${PROJECT_BINARY_DIR}/LowbitConfig.cmake
  DESTINATION ${LOWBIT_INSTALL_CMAKE_DIR})
