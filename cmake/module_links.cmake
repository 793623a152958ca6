# Writes the direct link dependencies between vpngw's own targets, one
# "<target> <dependency>" per line, as configured (PUBLIC, PRIVATE and
# INTERFACE alike), so a test can check the module graph without parsing
# CMakeLists files. Covers every vpngw_module() plus the targets named.
function(vpngw_write_module_links file)
  get_property(targets GLOBAL PROPERTY VPNGW_MODULES)
  list(APPEND targets ${ARGN})
  set(edges "")
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${target} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND deps ${interface})
    endif()
    foreach(dep IN LISTS deps)
      # A PRIVATE dependency of a static library shows as $<LINK_ONLY:dep>.
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      if(dep MATCHES "^vpngw_" AND NOT dep STREQUAL "vpngw_settings")
        list(APPEND edges "${target} ${dep}")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES edges)
  list(SORT edges)
  list(JOIN edges "\n" text)
  file(CONFIGURE OUTPUT ${file} CONTENT "${text}\n")  # rewritten only when it changed
endfunction()
