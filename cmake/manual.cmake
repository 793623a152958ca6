# The man page and shell completions, written at build time by the freshly
# built vpngw from its own command line definition (`vpngw help-man`,
# `vpngw completion bash|zsh`), so they always match --help.
set(VPNGW_MAN_PAGE ${PROJECT_BINARY_DIR}/docs/vpngw.8)
set(VPNGW_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completions/vpngw)
set(VPNGW_ZSH_COMPLETION ${PROJECT_BINARY_DIR}/completions/_vpngw)
add_custom_command(
  OUTPUT ${VPNGW_MAN_PAGE} ${VPNGW_MAN_PAGE}.gz ${VPNGW_BASH_COMPLETION} ${VPNGW_ZSH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/docs ${PROJECT_BINARY_DIR}/completions
  COMMAND sh -c "\"$1\" help-man > \"$2\"" sh $<TARGET_FILE:vpngw> ${VPNGW_MAN_PAGE}
  # Installed compressed, as Debian policy wants (-n: no name or time inside).
  COMMAND sh -c "gzip -n -9 -c \"$1\" > \"$1.gz\"" sh ${VPNGW_MAN_PAGE}
  COMMAND sh -c "\"$1\" completion bash > \"$2\"" sh $<TARGET_FILE:vpngw> ${VPNGW_BASH_COMPLETION}
  COMMAND sh -c "\"$1\" completion zsh > \"$2\"" sh $<TARGET_FILE:vpngw> ${VPNGW_ZSH_COMPLETION}
  DEPENDS vpngw
  COMMENT "Generating the vpngw(8) man page and shell completions"
  VERBATIM)
add_custom_target(vpngw_manual ALL
  DEPENDS ${VPNGW_MAN_PAGE} ${VPNGW_BASH_COMPLETION} ${VPNGW_ZSH_COMPLETION})

install(FILES ${VPNGW_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${VPNGW_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${VPNGW_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/docs/user-guide.md ${PROJECT_SOURCE_DIR}/docs/profile.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
