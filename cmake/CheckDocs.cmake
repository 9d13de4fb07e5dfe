# Fails when a checked-in generated doc differs from the freshly generated one.
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GENERATED} ${CHECKED_IN}
  RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "${CHECKED_IN} is stale or missing: regenerate it with "
    "`cmake --build <build-dir> --target lowbit-update-docs` and commit it.")
endif()
