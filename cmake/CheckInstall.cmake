# Installs the build tree into a fresh prefix, builds test/Install/consumer
# against it with find_package(Lowbit), and runs it and the installed
# lowbit-opt.
set(prefix ${BINARY_DIR}/install-test/prefix)
set(consumer_build ${BINARY_DIR}/install-test/consumer)
file(REMOVE_RECURSE ${BINARY_DIR}/install-test)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result
    OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(result)
    message(FATAL_ERROR "`${ARGN}` failed (${result}):\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -G Ninja -S ${SOURCE_DIR}/test/Install/consumer
  -B ${consumer_build} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER}
  -DLowbit_DIR=${prefix}/lib/cmake/lowbit)
run(${CMAKE_COMMAND} --build ${consumer_build})
run(${consumer_build}/lowbit-consumer)
if(NOT output MATCHES "qmin -8 qmax 7 units 200\npacked weights 1")
  message(FATAL_ERROR "unexpected consumer output:\n${output}")
endif()
run(${prefix}/bin/lowbit-opt --help)
if(NOT output MATCHES "lowbit-quantize-weights")
  message(FATAL_ERROR "installed lowbit-opt does not list the lowbit passes")
endif()
message(STATUS "installed lowbit works from another project")
