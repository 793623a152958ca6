# The Debian package, made by CPack's DEB generator from the build tree that is
# already there: `cpack -G DEB --config build/CPackConfig.cmake` runs the
# install rules into a staging root and never compiles (CI compiles the tree
# once). Why CPack and not debian/ + dpkg-buildpackage: dpkg-buildpackage
# builds the package from source in its own build (debian/rules build), a
# second compile of the whole tree; CPack packages the one already tested.
# Debian's own tools still do the checking: dpkg-shlibdeps computes Depends,
# lintian checks the result (tests/package).
set(deb ${PROJECT_SOURCE_DIR}/packaging/debian)
set(deb_out ${PROJECT_BINARY_DIR}/packaging)

# What dpkg-buildpackage's helpers would add: copyright, a gzipped changelog,
# lintian overrides, example profiles (dh_installexamples) and the compressed
# man page (manual.cmake).
configure_file(${deb}/changelog.in ${deb_out}/changelog @ONLY)
# gzip -n: no name or time stamp in the header (lintian: package-contains-timestamped-gzip).
execute_process(COMMAND gzip -n -9 -c ${deb_out}/changelog OUTPUT_FILE ${deb_out}/changelog.gz
  COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${deb}/copyright ${deb_out}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${deb}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
  RENAME vpngw)
file(GLOB example_profiles ${PROJECT_SOURCE_DIR}/profiles/*.toml)
install(FILES ${example_profiles} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vpngw)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "vpngw maintainers <maintainers@users.noreply.r-seed-72b4eed2.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # debug information is most of a RelWithDebInfo binary
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # vpngw_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the run-time libraries, by dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_DEPENDS "nftables, iproute2, wireguard-tools")
# wireguard-go: interfaces where the kernel has no WireGuard; dnsmasq-base: the
# resolver of [dns] (the binary only, without dnsmasq's own system service).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "wireguard-go, dnsmasq-base")
# keepalived, conntrackd: a fleet member's VRRP and connection-state sync
# (docs/fleet.md; the vpngw-keepalived@/vpngw-conntrackd@ units run them),
# wanted only by profiles with [cluster.vrrp]/[cluster.sync].
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "keepalived, conntrackd")
# CPack indents each line after the first itself (the control file's rule).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "WireGuard VPN gateway from one TOML profile
vpngw turns a Linux server into a WireGuard VPN gateway: interfaces, client
groups with isolation and allow lists, policy routing over several uplinks
with health-checked failover, NAT and port forwards, all in one nftables
table it owns. It reconciles the kernel with the profile, applies only the
difference, and undoes everything when a step fails.
.
Peers get generated client configs and QR codes. The vpngw@ systemd unit
applies /etc/vpngw/NAME.toml; installing the package starts nothing.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${deb}/postinst ${deb}/prerm ${deb}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
